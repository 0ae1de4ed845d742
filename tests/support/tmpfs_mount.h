#pragma once
// A small tmpfs mounted on a fresh directory, for the tests of a full or read-only file system.
// Mounting needs root (CAP_SYS_ADMIN); without it the test is skipped (PAYSTREAM_SKIP), saying why.
#include <cstdint>
#include <string>

// Catch2 2 has no SKIP: the test says why in its output and returns, and CTest reports it as
// skipped, not passed (SKIP_REGULAR_EXPRESSION "SKIPPED:" in tests/e2e and tests/tools/http).
#define PAYSTREAM_SKIP(why)     \
  do {                          \
    WARN("SKIPPED: " << (why)); \
    return;                     \
  } while (false)

namespace paystream::e2e {

class TmpfsMount {
 public:
  explicit TmpfsMount(uint64_t size_bytes);
  ~TmpfsMount();  // unmounts (lazily, if still busy) and removes the directory
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& failure() const { return failure_; }  // why mounting failed
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

  uint64_t free_bytes() const;
  // Takes space in a file named `name` until the file system has about `left_bytes` free (false
  // when it could not); remove the file to give the space back.
  bool fill(const std::string& name, uint64_t left_bytes) const;
  // Fills the file system to its last byte so that the next open of the ledger in `data_dir` finds
  // it full. RocksDB's previous info log (LOG.old) is removed first: that open's log rotation would
  // delete it, giving back a hundred KiB or so, and whether that is enough for the open's MANIFEST
  // depends on how much the earlier runs logged.
  bool fill_before_open(const std::string& name, const std::string& data_dir) const;
  // Remounts the file system read-only (false with failure() when it could not).
  bool remount_read_only();

 private:
  std::string path_;
  bool mounted_ = false;
  std::string failure_;
};

}  // namespace paystream::e2e
