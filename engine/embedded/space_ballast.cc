#include "engine/embedded/space_ballast.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

namespace paystream {
namespace {

std::string path_in(const std::string& dir) { return dir + "/" + ballast_file_name; }

void sync_directory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

}  // namespace

uint64_t ballast_bytes_for(uint64_t reserve_bytes) {
  return std::clamp<uint64_t>(reserve_bytes / 4, uint64_t{1} << 20, uint64_t{16} << 20);
}

bool has_ballast(const std::string& dir, uint64_t bytes) {
  struct stat status {};
  return ::stat(path_in(dir).c_str(), &status) == 0 && S_ISREG(status.st_mode) &&
         static_cast<uint64_t>(status.st_size) >= bytes;
}

bool remove_ballast(const std::string& dir) {
  if (::unlink(path_in(dir).c_str()) != 0) return false;
  sync_directory(dir);
  return true;
}

bool make_ballast(const std::string& dir, uint64_t bytes) {
  if (has_ballast(dir, bytes)) return true;
  const std::string path = path_in(dir);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  // posix_fallocate allocates the blocks (glibc writes zeros where the file system cannot), so the
  // space is really taken, not a sparse promise that deleting would not give back.
  const bool made = ::posix_fallocate(fd, 0, static_cast<off_t>(bytes)) == 0 && ::fsync(fd) == 0;
  ::close(fd);
  if (!made) {
    (void)::unlink(path.c_str());
    return false;
  }
  sync_directory(dir);
  return true;
}

}  // namespace paystream
