#pragma once
// The ballast of the data directory: a preallocated file of zeros (DIR/space-reserve) that holds
// back some space while the file system has room. A writable RocksDB open writes a new MANIFEST,
// OPTIONS file and WAL, so on a file system filled to its last byte it fails; deleting the ballast
// gives that open room, and the ledger then runs writable below its reserve (writes refused with
// storage_full, resumed by themselves with space) instead of read-only until a restart.
// The ballast holds no data and is never read; RocksDB ignores files whose names it does not know.
#include <cstdint>
#include <string>

namespace paystream {

inline constexpr const char* ballast_file_name = "space-reserve";

// A quarter of the reserve, at least 1 MiB, at most 16 MiB (docs/storage.md says why).
uint64_t ballast_bytes_for(uint64_t reserve_bytes);

// Removes DIR/space-reserve; true when there was one to remove (and it is gone).
bool remove_ballast(const std::string& dir);

// Makes DIR/space-reserve of `bytes` (allocated and synced) unless it is there with that size.
// Best effort: false when it could not (then nothing of it is left behind); never throws.
bool make_ballast(const std::string& dir, uint64_t bytes);

// Whether DIR/space-reserve is there with at least `bytes`.
bool has_ballast(const std::string& dir, uint64_t bytes);

}  // namespace paystream
