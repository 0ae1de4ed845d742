#include "tests/support/tmpfs_mount.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

namespace paystream::e2e {

TmpfsMount::TmpfsMount(uint64_t size_bytes) {
  std::random_device random;
  path_ = (std::filesystem::temp_directory_path() /
           ("paystream-tmpfs-" + std::to_string(random()) + "-" + std::to_string(random())))
              .string();
  std::filesystem::create_directories(path_);
  const std::string options = "size=" + std::to_string(size_bytes) + ",mode=0755";
  if (::mount("tmpfs", path_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) == 0) {
    mounted_ = true;
  } else {
    failure_ = std::string("mounting a tmpfs failed (") + std::strerror(errno) + "): these tests need root";
  }
}

TmpfsMount::~TmpfsMount() {
  if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

uint64_t TmpfsMount::free_bytes() const {
  struct statvfs status {};
  if (::statvfs(path_.c_str(), &status) != 0) return 0;
  return static_cast<uint64_t>(status.f_bavail) * status.f_frsize;
}

bool TmpfsMount::fill(const std::string& name, uint64_t left_bytes) const {
  const uint64_t free = free_bytes();
  if (free <= left_bytes) return true;
  const int fd = ::open(file(name).c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) return false;
  struct stat status {};
  ::fstat(fd, &status);
  const int allocated = ::posix_fallocate(fd, status.st_size, static_cast<off_t>(free - left_bytes));
  ::close(fd);
  return allocated == 0;
}

bool TmpfsMount::fill_before_open(const std::string& name, const std::string& data_dir) const {
  std::error_code ignored;
  std::filesystem::remove(std::filesystem::path(data_dir) / "LOG.old", ignored);
  return fill(name, 0);
}

bool TmpfsMount::remount_read_only() {
  if (::mount(nullptr, path_.c_str(), nullptr, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, nullptr) == 0) {
    return true;
  }
  failure_ = std::string("remounting read-only failed: ") + std::strerror(errno);
  return false;
}

}  // namespace paystream::e2e
