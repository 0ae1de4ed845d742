// replay --verify: the auditor's check that every projection and the engine's state are explained
// by the log. Rebuilds into a scratch database, never into the live one.
#include "tools/commands/replay.h"

#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <random>

#include "engine/domain/decide.h"
#include "tools/commands/family_compare.h"
#include "tools/runtime/runtime.h"

namespace paystream {
namespace {

constexpr size_t replay_batch_events_max = 4096;
// A scratch RocksDB holding a fresh set of projection column families, removed on destruction.
// Its projections read the live log (read only) for their log-backed queries; the comparison is of
// the projections' own column families.
class ScratchProjections {
 public:
  explicit ScratchProjections(LogSource live_log) : live_log_(live_log) {}

  ~ScratchProjections() {
    projections_.reset();
    for (rocksdb::ColumnFamilyHandle* handle : handles_) (void)db_->DestroyColumnFamilyHandle(handle);
    if (db_) (void)db_->Close();
    db_.reset();
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }

  Status open() {
    std::random_device random;
    path_ =
        (std::filesystem::temp_directory_path() / fmt::format("paystream-verify-{:x}", random())).string();
    rocksdb::DBOptions options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors{{rocksdb::kDefaultColumnFamilyName, {}}};
    for (const std::string& name : Projections::column_families())
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    rocksdb::DB* db = nullptr;
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    const rocksdb::Status status = rocksdb::DB::Open(options, path_, descriptors, &handles, &db);
    if (!status.ok()) return make_error(Errc::io_error, "opening a scratch database: " + status.ToString());
    db_.reset(db);
    handles_ = handles;
    projections_ = std::make_unique<Projections>(
        db, std::vector<rocksdb::ColumnFamilyHandle*>(handles.begin() + 1, handles.end()), live_log_);
    return ok_status();
  }

  Status apply(std::vector<Event>& events) {
    rocksdb::WriteBatch batch;
    if (Status status = projections_->apply(events, batch); !status) return status;
    // The scratch database is thrown away after the comparison: nothing in it needs a WAL.
    rocksdb::WriteOptions options;
    options.disableWAL = true;
    const rocksdb::Status written = db_->Write(options, &batch);
    if (!written.ok())
      return make_error(Errc::io_error, "writing the scratch database: " + written.ToString());
    events.clear();
    return ok_status();
  }

  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* handle(size_t projection_index) const {
    return handles_[projection_index + 1];
  }

 private:
  LogSource live_log_;
  std::string path_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<Projections> projections_;
};

void compare_state(const LedgerState& live, const LedgerState& replayed, Comparison& comparison) {
  if (!(live.parameters == replayed.parameters))
    note(comparison, "engine state: parameters differ from the replay");
  if (live.last_position != replayed.last_position) {
    note(comparison, fmt::format("engine state: at position {}, the replay at {}", live.last_position.value,
                                 replayed.last_position.value));
  }
  for (const auto& [id, account] : replayed.accounts) {
    const AccountState* found = live.find(id);
    if (found == nullptr || !(*found == account))
      note(comparison, fmt::format("engine state: account '{}' differs from the replay", id));
  }
  if (live.accounts.size() != replayed.accounts.size())
    note(comparison, "engine state: the number of accounts differs");
  for (const auto& [number, card] : replayed.cards) {
    const CardState* found = live.find_card(number);
    if (found == nullptr || !(*found == card))
      note(comparison, fmt::format("engine state: card {} differs from the replay", number));
  }
  if (live.cards.size() != replayed.cards.size())
    note(comparison, "engine state: the number of cards differs");
}

}  // namespace

int run_replay_verify(const std::string& data_dir, std::ostream& out, std::ostream& err) {
  if (!std::filesystem::exists(data_dir)) {
    err << fmt::format("paystream: data directory '{}' does not exist\n", data_dir);
    return 2;
  }
  const auto started = std::chrono::steady_clock::now();
  LedgerOptions options;
  options.data_dir = data_dir;
  // Read-only when the directory is (a backup, a snapshot) or its file system is full: the
  // rebuild goes to a scratch database in the temporary directory, never into the data directory.
  Result<std::unique_ptr<Runtime>> runtime = open_runtime_or_read_only(options);
  if (!runtime) {
    err << "paystream: " << runtime.error().message << "\n";
    return 1;
  }
  Ledger& ledger = *(*runtime)->ledger;
  ScratchProjections scratch((*runtime)->observer->log());
  if (Status status = scratch.open(); !status) {
    err << "paystream: " << status.error().message << "\n";
    return 1;
  }
  LedgerState replayed;
  std::vector<Event> pending;
  uint64_t events = 0;
  Status scanned = ledger.scan(LogPosition{1}, [&](const Event& event) -> Status {
    evolve(replayed, event);
    pending.push_back(event);
    ++events;
    return pending.size() >= replay_batch_events_max ? scratch.apply(pending) : ok_status();
  });
  if (scanned && !pending.empty()) scanned = scratch.apply(pending);
  if (!scanned) {
    out << fmt::format("hash chain: FAILED after {} events\n", events);
    err << "paystream: " << scanned.error().message << "\n";
    return 1;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  out << fmt::format("hash chain: intact, {} events, head at position {}\n", events, ledger.end().value);
  Comparison comparison;
  compare_state(ledger.snapshot(), replayed, comparison);
  const std::vector<std::string> families = Projections::column_families();
  const std::vector<rocksdb::ColumnFamilyHandle*> live_handles = (*runtime)->observer->handles();
  for (size_t i = 0; i < families.size(); ++i) {
    if (Status status = compare_family(ledger.db(), live_handles[i], scratch.db(), scratch.handle(i),
                                       families[i], comparison);
        !status) {
      err << "paystream: " << status.error().message << "\n";
      return 1;
    }
  }
  for (const std::string& difference : comparison.differences) out << "DIFFERS " << difference << "\n";
  if (comparison.difference_count > 0) {
    out << fmt::format("projections: {} differences ({} shown)\n", comparison.difference_count,
                       comparison.differences.size());
    return 1;
  }
  out << fmt::format("projections: all {} rows in {} column families match their rebuild from the log\n",
                     comparison.rows, families.size());
  out << fmt::format("engine state: {} accounts and {} cards match the replay\n", replayed.accounts.size(),
                     replayed.cards.size());
  out << fmt::format("verified in {:.2f} s\n", seconds);
  return 0;
}

}  // namespace paystream
