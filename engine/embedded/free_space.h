#pragma once
// The free-space reserve of the data directory's file system. Below the reserve the ledger refuses
// commands that would write (Errc::storage_full) before writing anything, so a full disk is met
// at the reserve, not at a failed write half-way through RocksDB's files; above it again, writes
// resume by themselves. It also keeps the data directory's ballast (engine/embedded/space_ballast.h) while
// there is room for it, so that a later open on a full file system can free the ballast's space.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "events/result.h"

namespace paystream {

// Bytes an unprivileged process may still write on the file system holding `dir` (statvfs's
// f_bavail); nullopt when the file system cannot say.
std::optional<uint64_t> free_bytes_of(const std::string& dir);

class FreeSpaceReserve {
 public:
  // ballast_bytes 0: no ballast is kept.
  FreeSpaceReserve(std::string dir, uint64_t reserve_bytes, uint64_t ballast_bytes = 0)
      : dir_(std::move(dir)), reserve_bytes_(reserve_bytes), ballast_bytes_(ballast_bytes) {}

  // ok while the file system has at least reserve_bytes + `needed_bytes` free (or cannot say);
  // else Errc::storage_full naming the free bytes and the reserve. Logs one line on stderr when
  // the answer changes, not per call. Makes the ballast first when it is missing and the file
  // system has the reserve and the ballast free. Thread-safe.
  Status check(uint64_t needed_bytes = 0);
  // The ballast part of check(), on open: never fails (a ballast that cannot be made is left out).
  void keep_ballast();
  uint64_t reserve_bytes() const { return reserve_bytes_; }
  // Whether the file system has at least the reserve free (or cannot say), without logging.
  bool has_reserve() const;

 private:
  // Under mutex_: makes the ballast when due; returns the free bytes after it (nullopt: unknown).
  std::optional<uint64_t> keep_ballast_locked(std::optional<uint64_t> free);
  std::string dir_;
  uint64_t reserve_bytes_;
  uint64_t ballast_bytes_;
  std::mutex mutex_;
  bool below_ = false;  // guarded by mutex_: the last check found too little space
  // Guarded by mutex_: the ballast is there, or making it was tried since the file system was last
  // found below the reserve (a failed attempt is not repeated for every command).
  bool ballast_done_ = false;
};

}  // namespace paystream
