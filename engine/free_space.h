#pragma once
// The free-space reserve of the data directory's file system. Below the reserve the ledger refuses
// commands that would write (Errc::storage_full) before writing anything, so a full disk is met
// at the reserve, not at a failed write half-way through RocksDB's files; above it again, writes
// resume by themselves.
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
  FreeSpaceReserve(std::string dir, uint64_t reserve_bytes) : dir_(std::move(dir)), reserve_bytes_(reserve_bytes) {}

  // ok while the file system has at least reserve_bytes + `needed_bytes` free (or cannot say);
  // else Errc::storage_full naming the free bytes and the reserve. Logs one line on stderr when
  // the answer changes, not per call. Thread-safe.
  Status check(uint64_t needed_bytes = 0);
  uint64_t reserve_bytes() const { return reserve_bytes_; }
  // Whether the file system has at least the reserve free (or cannot say), without logging.
  bool has_reserve() const;

 private:
  std::string dir_;
  uint64_t reserve_bytes_;
  std::mutex mutex_;
  bool below_ = false;  // guarded by mutex_: the last check found too little space
};

}  // namespace paystream
