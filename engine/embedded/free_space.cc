#include "engine/embedded/free_space.h"

#include <fmt/format.h>
#include <sys/statvfs.h>

#include <cstdio>

#include "engine/embedded/space_ballast.h"

namespace paystream {

std::optional<uint64_t> free_bytes_of(const std::string& dir) {
  struct statvfs status {};
  if (::statvfs(dir.c_str(), &status) != 0) return std::nullopt;
  return static_cast<uint64_t>(status.f_bavail) * status.f_frsize;
}

bool FreeSpaceReserve::has_reserve() const {
  const std::optional<uint64_t> free = free_bytes_of(dir_);
  return !free || *free >= reserve_bytes_;
}

std::optional<uint64_t> FreeSpaceReserve::keep_ballast_locked(std::optional<uint64_t> free) {
  if (ballast_bytes_ == 0 || ballast_done_) return free;
  if (has_ballast(dir_, ballast_bytes_)) {
    ballast_done_ = true;
    return free;
  }
  // Made only with the reserve still free after it, so making it never takes a write below the
  // reserve. (A file system that cannot say its free space gets none.)
  if (!free || *free < reserve_bytes_ + ballast_bytes_) return free;
  ballast_done_ = true;
  if (!make_ballast(dir_, ballast_bytes_)) {
    std::fprintf(
        stderr,
        "paystream: could not make the space reserve file '%s/%s' (%llu bytes); going on without it\n",
        dir_.c_str(), ballast_file_name, static_cast<unsigned long long>(ballast_bytes_));
  }
  return free_bytes_of(dir_);
}

void FreeSpaceReserve::keep_ballast() {
  std::lock_guard lock(mutex_);
  (void)keep_ballast_locked(free_bytes_of(dir_));
}

Status FreeSpaceReserve::check(uint64_t needed_bytes) {
  std::optional<uint64_t> free = free_bytes_of(dir_);
  bool below = false;
  {
    std::lock_guard lock(mutex_);
    free = keep_ballast_locked(free);
    below = free && *free < reserve_bytes_ + needed_bytes;
    // Below the reserve a ballast may be gone (removed by an open that needed its space): try again
    // once there is room.
    if (below) ballast_done_ = false;
    if (below != below_) {
      below_ = below;
      // Once per change, so a client retrying in a loop does not fill the log of a full disk.
      if (below) {
        std::fprintf(
            stderr,
            "paystream: the file system of data directory '%s' has %llu bytes free, below the reserve of "
            "%llu (--min-free-bytes): write commands are refused until space is freed\n",
            dir_.c_str(), static_cast<unsigned long long>(*free),
            static_cast<unsigned long long>(reserve_bytes_));
      } else {
        std::fprintf(
            stderr,
            "paystream: the file system of data directory '%s' has %s bytes free again, at least the "
            "reserve of %llu: write commands are accepted again\n",
            dir_.c_str(), free ? std::to_string(*free).c_str() : "enough",
            static_cast<unsigned long long>(reserve_bytes_));
      }
    }
  }
  if (!below) return ok_status();
  return make_error(
      Errc::storage_full,
      fmt::format("the file system of the data directory has {} bytes free, below the reserve of {} "
                  "bytes: write commands are refused (nothing was written) until space is freed",
                  *free, reserve_bytes_));
}

}  // namespace paystream
