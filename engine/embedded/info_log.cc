#include "engine/embedded/info_log.h"

#include <fcntl.h>
#include <rocksdb/env.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <thread>

namespace paystream {
namespace {

constexpr size_t line_bytes_max = 4096;  // longer lines are cut: RocksDB's option dumps stay whole

class FileInfoLog final : public rocksdb::Logger {
 public:
  explicit FileInfoLog(int fd) : fd_(fd) {}
  ~FileInfoLog() override {
    if (fd_ >= 0) ::close(fd_);
  }

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list arguments) override {
    if (fd_ < 0) return;
    char line[line_bytes_max];
    timeval now{};
    ::gettimeofday(&now, nullptr);
    tm utc{};
    ::gmtime_r(&now.tv_sec, &utc);
    const size_t thread = std::hash<std::thread::id>()(std::this_thread::get_id());
    int length = std::snprintf(line, sizeof line, "%04d/%02d/%02d-%02d:%02d:%02d.%06ld %zx ",
                               utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                               utc.tm_sec, static_cast<long>(now.tv_usec), thread);
    if (length < 0) return;
    const int body =
        std::vsnprintf(line + length, sizeof line - static_cast<size_t>(length), format, arguments);
    if (body < 0) return;
    length = std::min(length + body, static_cast<int>(sizeof line) - 1);
    if (line[length - 1] != '\n') line[length++] = '\n';
    // One write per line with O_APPEND: lines of concurrent threads do not interleave. A refused
    // write (ENOSPC) loses the line, nothing more.
    const ssize_t written = ::write(fd_, line, static_cast<size_t>(length));
    (void)written;
  }

 private:
  int fd_;
};

}  // namespace

std::shared_ptr<rocksdb::Logger> open_info_log(const std::string& data_dir) {
  const std::filesystem::path path = std::filesystem::path(data_dir) / "LOG";
  std::error_code ignored;
  std::filesystem::rename(path, std::filesystem::path(data_dir) / "LOG.old", ignored);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  return std::make_shared<FileInfoLog>(fd);
}

std::shared_ptr<rocksdb::Logger> discarding_info_log() { return std::make_shared<FileInfoLog>(-1); }

}  // namespace paystream
