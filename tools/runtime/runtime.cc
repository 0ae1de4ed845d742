#include "tools/runtime/runtime.h"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>

namespace paystream {

std::vector<std::string> ProjectionsObserver::column_families() const {
  return Projections::column_families();
}

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

Result<std::unique_ptr<Runtime>> open_runtime_or_read_only(LedgerOptions options) {
  std::error_code error;
  // access() answers for the file system too: EROFS on a read-only mount, even for root.
  if (std::filesystem::is_directory(options.data_dir, error) &&
      ::access(options.data_dir.c_str(), W_OK) != 0) {
    options.read_only = make_error(
        Errc::io_error, fmt::format("data directory '{}' is read-only (a read-only file system, or no write "
                                    "permission): it can be queried and verified, not written",
                                    options.data_dir));
    return open_runtime(options);
  }
  Result<std::unique_ptr<Runtime>> runtime = open_runtime(options);
  if (runtime || runtime.error().code != Errc::storage_full) return runtime;
  options.read_only =
      make_error(Errc::storage_full,
                 fmt::format("the file system of data directory '{}' was full when it was opened, so it "
                             "was opened read-only: write commands are refused; free space and start "
                             "again",
                             options.data_dir));
  Result<std::unique_ptr<Runtime>> read_only = open_runtime(options);
  if (!read_only) return runtime.error();  // the reason it could not be opened for writing
  std::cerr << "paystream: " << runtime.error().message
            << "; opened it read-only: queries work, writes are refused\n";
  return read_only;
}

}  // namespace paystream
