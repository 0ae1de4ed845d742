#include "tests/sim/crashable_file_system.h"

#include <unistd.h>

#include <filesystem>

namespace paystream::sim {
namespace {

bool is_wal(const std::string& name) {
  return name.size() > 4 && name.compare(name.size() - 4, 4, ".log") == 0;
}

// A file written through the simulator's file system: it reports each append and sync there, and
// refuses them while the process is "crashed" or a fault is armed.
class TrackedFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  TrackedFile(std::unique_ptr<rocksdb::FSWritableFile>&& file, std::string name, CrashableFileSystem& files)
      : FSWritableFileOwnerWrapper(std::move(file)), name_(std::move(name)), files_(files) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* debug) override {
    if (rocksdb::IOStatus allowed = files_.before_write(name_, false); !allowed.ok()) return allowed;
    rocksdb::IOStatus done = FSWritableFileOwnerWrapper::Append(data, options, debug);
    if (done.ok()) files_.appended(name_, data.size());
    return done;
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* debug) override {
    if (rocksdb::IOStatus allowed = files_.before_write(name_, false); !allowed.ok()) return allowed;
    rocksdb::IOStatus done = FSWritableFileOwnerWrapper::Append(data, options, info, debug);
    if (done.ok()) files_.appended(name_, data.size());
    return done;
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug) override {
    if (rocksdb::IOStatus allowed = files_.before_write(name_, true); !allowed.ok()) return allowed;
    rocksdb::IOStatus done = FSWritableFileOwnerWrapper::Sync(options, debug);
    if (done.ok()) files_.synced(name_);
    return done;
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug) override {
    if (rocksdb::IOStatus allowed = files_.before_write(name_, true); !allowed.ok()) return allowed;
    rocksdb::IOStatus done = FSWritableFileOwnerWrapper::Fsync(options, debug);
    if (done.ok()) files_.synced(name_);
    return done;
  }
  // Positioned writes (RocksDB uses them with direct I/O only, which the ledger does not ask for)
  // pass through untracked.

 private:
  std::string name_;
  CrashableFileSystem& files_;
};

}  // namespace

rocksdb::IOStatus CrashableFileSystem::wrap(const std::string& name, rocksdb::IOStatus opened, uint64_t size,
                                            std::unique_ptr<rocksdb::FSWritableFile>* file) {
  if (!opened.ok()) return opened;
  {
    std::lock_guard lock(mutex_);
    files_[name] = Written{.size = size, .synced = size};
  }
  *file = std::make_unique<TrackedFile>(std::move(*file), name, *this);
  return opened;
}

rocksdb::IOStatus CrashableFileSystem::NewWritableFile(const std::string& name,
                                                       const rocksdb::FileOptions& options,
                                                       std::unique_ptr<rocksdb::FSWritableFile>* file,
                                                       rocksdb::IODebugContext* debug) {
  if (rocksdb::IOStatus allowed = before_write(name, false); !allowed.ok()) return allowed;
  return wrap(name, target()->NewWritableFile(name, options, file, debug), 0, file);
}

rocksdb::IOStatus CrashableFileSystem::ReopenWritableFile(const std::string& name,
                                                          const rocksdb::FileOptions& options,
                                                          std::unique_ptr<rocksdb::FSWritableFile>* file,
                                                          rocksdb::IODebugContext* debug) {
  if (rocksdb::IOStatus allowed = before_write(name, false); !allowed.ok()) return allowed;
  std::error_code error;
  const uint64_t size = std::filesystem::file_size(name, error);
  return wrap(name, target()->ReopenWritableFile(name, options, file, debug), error ? 0 : size, file);
}

rocksdb::IOStatus CrashableFileSystem::ReuseWritableFile(const std::string& name, const std::string& old_name,
                                                         const rocksdb::FileOptions& options,
                                                         std::unique_ptr<rocksdb::FSWritableFile>* file,
                                                         rocksdb::IODebugContext* debug) {
  if (rocksdb::IOStatus allowed = before_write(name, false); !allowed.ok()) return allowed;
  {
    std::lock_guard lock(mutex_);
    files_.erase(old_name);
  }
  return wrap(name, target()->ReuseWritableFile(name, old_name, options, file, debug), 0, file);
}

rocksdb::IOStatus CrashableFileSystem::DeleteFile(const std::string& name, const rocksdb::IOOptions& options,
                                                  rocksdb::IODebugContext* debug) {
  if (rocksdb::IOStatus allowed = before_write(name, false); !allowed.ok()) return allowed;
  rocksdb::IOStatus done = target()->DeleteFile(name, options, debug);
  if (done.ok()) {
    std::lock_guard lock(mutex_);
    files_.erase(name);
  }
  return done;
}

rocksdb::IOStatus CrashableFileSystem::RenameFile(const std::string& from, const std::string& to,
                                                  const rocksdb::IOOptions& options,
                                                  rocksdb::IODebugContext* debug) {
  if (rocksdb::IOStatus allowed = before_write(from, false); !allowed.ok()) return allowed;
  rocksdb::IOStatus done = target()->RenameFile(from, to, options, debug);
  if (done.ok()) {
    std::lock_guard lock(mutex_);
    files_.erase(to);
    if (const auto moved = files_.find(from); moved != files_.end()) {
      files_[to] = moved->second;
      files_.erase(moved);
    }
  }
  return done;
}

void CrashableFileSystem::fail_next_wal_sync() {
  std::lock_guard lock(mutex_);
  fail_wal_sync_ = true;
}

void CrashableFileSystem::fail_next_wal_append() {
  std::lock_guard lock(mutex_);
  fail_wal_append_ = true;
}

void CrashableFileSystem::disarm() {
  std::lock_guard lock(mutex_);
  fail_wal_sync_ = false;
  fail_wal_append_ = false;
}

void CrashableFileSystem::crash() {
  std::lock_guard lock(mutex_);
  crashed_ = true;
}

int CrashableFileSystem::power_loss(bool torn, std::mt19937_64& random) {
  std::lock_guard lock(mutex_);
  int cut = 0;
  for (const auto& [name, written] : files_) {
    if (lying_ && is_wal(name) && written.synced > 0) {
      if (::truncate(name.c_str(), static_cast<off_t>(random() % written.synced)) == 0) ++cut;
      continue;
    }
    if (written.size == written.synced) continue;
    uint64_t keep = written.synced;
    if (torn) keep += random() % (written.size - written.synced);
    std::error_code error;
    if (!std::filesystem::exists(name, error)) continue;
    if (::truncate(name.c_str(), static_cast<off_t>(keep)) == 0) ++cut;
  }
  files_.clear();
  crashed_ = false;
  fail_wal_sync_ = false;
  fail_wal_append_ = false;
  return cut;
}

rocksdb::IOStatus CrashableFileSystem::before_write(const std::string& name, bool sync) {
  std::lock_guard lock(mutex_);
  if (crashed_) return rocksdb::IOStatus::IOError("the simulated process has crashed");
  if (is_wal(name) && sync && fail_wal_sync_) {
    fail_wal_sync_ = false;
    return rocksdb::IOStatus::IOError("injected WAL sync failure");
  }
  if (is_wal(name) && !sync && fail_wal_append_) {
    fail_wal_append_ = false;
    return rocksdb::IOStatus::IOError("injected WAL write failure");
  }
  return rocksdb::IOStatus::OK();
}

void CrashableFileSystem::appended(const std::string& name, uint64_t bytes) {
  std::lock_guard lock(mutex_);
  files_[name].size += bytes;
}

void CrashableFileSystem::synced(const std::string& name) {
  std::lock_guard lock(mutex_);
  Written& written = files_[name];
  written.synced = written.size;
}

}  // namespace paystream::sim
