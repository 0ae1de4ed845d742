#pragma once
// The embedded runtime: the engine's Ledger with the projections attached, so every group commit
// writes the log and the projection rows in one WriteBatch. engine/ and projections/ never see
// each other; this is where they are wired.
#include <memory>

#include "engine/embedded/ledger.h"
#include "projections/projections.h"

namespace paystream {

class ProjectionsObserver final : public AppendObserver {
 public:
  std::vector<std::string> column_families() const override;
  std::vector<std::string> retired_column_families() const override {
    return Projections::retired_column_families();
  }
  std::vector<std::string> overwritten_column_families() const override {
    return Projections::overwritten_column_families();
  }
  std::vector<std::string> scanned_column_families() const override {
    return Projections::scanned_column_families();
  }
  void bind(rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>& handles,
            rocksdb::ColumnFamilyHandle* log,
            std::function<std::shared_ptr<const rocksdb::Snapshot>()> durable) override;
  Status on_append(std::span<const Event> events, rocksdb::WriteBatch& batch) override;
  void discard_unwritten() override { projections_->discard_cache(); }
  Result<LogPosition> applied_position() const override { return projections_->applied_position(); }
  Projections& projections() { return *projections_; }
  // The live projection column families, in Projections::column_families() order.
  const std::vector<rocksdb::ColumnFamilyHandle*>& handles() const { return handles_; }
  // The live log the projections read (replay --verify gives it to its scratch projections).
  LogSource log() const { return log_; }

 private:
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  LogSource log_;
  std::unique_ptr<Projections> projections_;
};

struct Runtime {
  // Declared first so it is destroyed last: the ledger's close() may still append.
  std::unique_ptr<ProjectionsObserver> observer;
  std::unique_ptr<Ledger> ledger;
  Projections& projections() { return observer->projections(); }
};

Result<std::unique_ptr<Runtime>> open_runtime(const LedgerOptions& options);

// open_runtime(), but read-only (LedgerOptions::read_only) when the data directory exists and is
// not writable (a read-only mount, a backup), or when its file system is too full for RocksDB to
// open it for writing (said on stderr): queries and replay --verify then still work, and every
// command is refused with why.
Result<std::unique_ptr<Runtime>> open_runtime_or_read_only(LedgerOptions options);

}  // namespace paystream
