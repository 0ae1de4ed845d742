#include "tools/runtime.h"

namespace paystream {

std::vector<std::string> ProjectionsObserver::column_families() const { return Projections::column_families(); }

void ProjectionsObserver::bind(rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>& handles,
                               rocksdb::ColumnFamilyHandle* log,
                               std::function<std::shared_ptr<const rocksdb::Snapshot>()> durable) {
  handles_ = handles;
  log_ = LogSource{.db = db, .family = log};
  projections_ = std::make_unique<Projections>(db, handles, log_, DatabaseView::live, std::move(durable));
}

Status ProjectionsObserver::on_append(std::span<const Event> events, rocksdb::WriteBatch& batch) {
  return projections_->apply(events, batch);
}

Result<std::unique_ptr<Runtime>> open_runtime(const LedgerOptions& options) {
  auto runtime = std::make_unique<Runtime>();
  runtime->observer = std::make_unique<ProjectionsObserver>();
  Result<std::unique_ptr<Ledger>> ledger = Ledger::open(options, runtime->observer.get());
  if (!ledger) return ledger.error();
  runtime->ledger = std::move(ledger).value();
  return runtime;
}

}  // namespace paystream
