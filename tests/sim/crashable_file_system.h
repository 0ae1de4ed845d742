#pragma once
// RocksDB's file system as a power failure leaves it: every file keeps only what was synced. The
// simulator runs the ledger on it, and between two runs of the process "crashes" it: from crash()
// on, no write reaches the disk, and once the dying ledger is gone, power_loss() cuts each file
// written through it back to its last sync (or tears it: a random part of the unsynced tail stays).
// It also fails one WAL write or sync on request. Directory entries are taken as durable: a file
// created and never synced stays, empty.
#include <rocksdb/file_system.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <string>

namespace paystream::sim {

class CrashableFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  CrashableFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "CrashableFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* file,
                                       rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& name, const std::string& old_name,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* file,
                                      rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus DeleteFile(const std::string& name, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus RenameFile(const std::string& from, const std::string& to,
                               const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug) override;

  // The next WAL (*.log) sync, or append, fails with an I/O error (once).
  void fail_next_wal_sync();
  void fail_next_wal_append();
  // Whichever of the two did not happen is called off.
  void disarm();
  // From now on every write, sync and new file fails: the process is dying.
  void crash();
  // A disk that acknowledges syncs it does not keep: power_loss() also cuts what the WAL synced.
  // Only for checking that the simulator notices (no ledger can keep its promise on such a disk).
  void lie_about_syncs() { lying_ = true; }
  // After the ledger that was running at crash() is destroyed: each file written through here since
  // the last power_loss() is cut to its last sync, or with `torn`, to its last sync plus a random
  // part of what followed; writes work again. How many files lost bytes.
  int power_loss(bool torn, std::mt19937_64& random);

  // Called by the files: whether the write may proceed, and what it did.
  rocksdb::IOStatus before_write(const std::string& name, bool sync);
  void appended(const std::string& name, uint64_t bytes);
  void synced(const std::string& name);

 private:
  struct Written {
    uint64_t size = 0;    // bytes written through here
    uint64_t synced = 0;  // of them, synced
  };
  rocksdb::IOStatus wrap(const std::string& name, rocksdb::IOStatus opened, uint64_t size,
                         std::unique_ptr<rocksdb::FSWritableFile>* file);

  std::mutex mutex_;
  std::map<std::string, Written> files_;
  bool crashed_ = false;
  bool fail_wal_sync_ = false;
  bool fail_wal_append_ = false;
  bool lying_ = false;
};

}  // namespace paystream::sim
