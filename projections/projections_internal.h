#pragma once
// Shared by the files of projections/: the column family handles, the write side (Applier) and
// the query functions. Not part of the module's interface (that is projections.h).
#include <rocksdb/db.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "projections/projections.h"
#include "projections/row_codec.h"

namespace paystream {

// Column family names, in the order of Projections::column_families() and of the handles.
inline constexpr const char* balances_cf_name = "balances";
inline constexpr const char* balances_by_type_cf_name = "balances_by_type";
// Layout 2 of the records and balance rows: the family got a new name, so that opening a directory
// of layout 1 finds "records_by_account" among the retired families and rebuilds the projections.
inline constexpr const char* records_by_account_cf_name = "records_by_account_v3";
inline constexpr const char* account_names_cf_name = "account_names";
inline constexpr const char* projection_meta_cf_name = "projection_meta";
// Charges by (account, time, position), as records_by_account (docs/storage.md).
inline constexpr const char* charges_by_account_cf_name = "charges_by_account";
// Each account's balance row after each event that changed it, by (account, time, position): the
// balances as of any moment.
inline constexpr const char* account_history_cf_name = "account_history";
// MovementTotals per day (projections/period_totals.h): what the reports sum.
inline constexpr const char* period_totals_cf_name = "period_totals";

struct Handles {
  rocksdb::DB* db = nullptr;
  rocksdb::ColumnFamilyHandle* balances = nullptr;
  rocksdb::ColumnFamilyHandle* balances_by_type = nullptr;
  rocksdb::ColumnFamilyHandle* records_by_account = nullptr;
  rocksdb::ColumnFamilyHandle* account_names = nullptr;
  rocksdb::ColumnFamilyHandle* meta = nullptr;
  rocksdb::ColumnFamilyHandle* charges_by_account = nullptr;
  rocksdb::ColumnFamilyHandle* account_history = nullptr;
  rocksdb::ColumnFamilyHandle* period_totals = nullptr;
  LogSource log;  // read only
  DatabaseView view = DatabaseView::live;
  SnapshotSource snapshots;  // of db, for a live view; unset: the latest
};

Error rocksdb_error(const char* doing, const rocksdb::Status& status);

// A RocksDB snapshot for one query, so a query that reads several keys (an index, then rows)
// sees one state even while the sequencer writes: the one `snapshots` gives, else the latest. A
// frozen database needs none (and a RocksDB secondary instance refuses iterators over one).
class QuerySnapshot {
 public:
  QuerySnapshot(rocksdb::DB* db, DatabaseView view, const SnapshotSource& snapshots = {}) {
    if (view == DatabaseView::frozen) return;
    if (snapshots) {
      held_ = snapshots();
    } else {
      held_ = std::shared_ptr<const rocksdb::Snapshot>(
          db->GetSnapshot(), [db](const rocksdb::Snapshot* taken) { db->ReleaseSnapshot(taken); });
    }
    options_.snapshot = held_.get();
  }
  QuerySnapshot(const QuerySnapshot&) = delete;
  QuerySnapshot& operator=(const QuerySnapshot&) = delete;
  const rocksdb::ReadOptions& options() const { return options_; }

 private:
  std::shared_ptr<const rocksdb::Snapshot> held_;
  rocksdb::ReadOptions options_;
};

// The last position applied in `partition`, from the meta column family (partition_base(p) when
// none).
Result<uint64_t> read_applied_position(const Handles& handles, const rocksdb::ReadOptions& options,
                                       int32_t partition);
// The last applied position of every partition that has applied something, in partition order.
Result<std::map<int32_t, uint64_t>> read_applied_positions(const Handles& handles,
                                                           const rocksdb::ReadOptions& options);

// What a query may show: in each partition, the positions after its base up to its applied
// position. Read once per query, in the query's snapshot, so all its reads agree.
class AppliedEnds {
 public:
  struct Segment {
    uint64_t begin = 0;  // the partition's first position
    uint64_t end = 0;    // one past its applied position
  };
  static Result<AppliedEnds> read(const Handles& handles, const rocksdb::ReadOptions& options);
  explicit AppliedEnds(const std::map<int32_t, uint64_t>& applied);

  bool covers(uint64_t position) const;
  // One per partition that applied something, in partition order, which is position order.
  const std::vector<Segment>& segments() const { return segments_; }

 private:
  std::vector<Segment> segments_;
};

class PeriodTotalsWriter;

// The write side. Used only by the thread that calls Projections::apply (the sequencer).
class Applier {
 public:
  // Rows kept in the read-through cache; beyond this, the rows not touched by the last
  // unwritten_applies_max applies are dropped at the start of an apply().
  static constexpr size_t cached_accounts_max = 100'000;
  // The batches of this many earlier applies may still be unwritten when apply() is called (the
  // embedded ledger builds a group while up to three wait for its writer): a row they touched is in
  // no database yet, so the cache is its only copy and must keep it.
  static constexpr uint64_t unwritten_applies_max = 8;

  explicit Applier(const Handles& handles);
  ~Applier();
  Applier(const Applier&) = delete;
  Applier& operator=(const Applier&) = delete;
  [[nodiscard]] Status apply(std::span<const Event> events, rocksdb::WriteBatch& batch);
  void discard_cache();

 private:
  // The partition's last applied position, loaded on first use.
  Result<uint64_t> applied_in(int32_t partition);
  // The cached row of an existing account, loaded on first use and marked as changed.
  Result<BalanceState*> touch(const std::string& id);
  Status open_account(const Event& event, rocksdb::WriteBatch& batch);
  Status update_account(const Event& event, rocksdb::WriteBatch& batch);
  Status apply_event(const Event& event, rocksdb::WriteBatch& batch);
  Status apply_record(const Event& event, rocksdb::WriteBatch& batch);
  Status apply_charge(const Event& event, rocksdb::WriteBatch& batch);
  Status apply_cleanup(const Event& event, rocksdb::WriteBatch& batch);
  void write_touched(rocksdb::WriteBatch& batch);
  // The account's row as it is after `event`, into account_history.
  void put_history(const Event& event, const BalanceState& state, rocksdb::WriteBatch& batch);

  Handles handles_;
  std::unique_ptr<PeriodTotalsWriter> totals_;
  struct CachedBalance {
    BalanceState state;
    uint64_t last_apply = 0;  // the apply (applies_) that last touched it
  };
  using CacheEntry = std::pair<const std::string, CachedBalance>;  // account ID, row
  // An account changed by the current apply(). The pointer is into cache_, whose elements stay put
  // while it grows; rows are dropped from it only before the first touch of an apply().
  struct Touched {
    const CacheEntry* entry;
    std::optional<AccountType> stored_type;  // the type in the database before this apply()
  };
  void drop_settled_rows();
  void mark_touched(CacheEntry& entry, std::optional<AccountType> stored_type);
  uint64_t applies_ = 0;
  std::unordered_map<std::string, CachedBalance> cache_;
  std::map<int32_t, uint64_t> applied_;  // last applied position of the partitions known
  std::vector<Touched> touched_;         // sorted by account ID when written
  // The record keys put by the last unwritten_applies_max + 1 applies (apply number, keys): a
  // cleanup drops them too, since a scan of the database does not see them yet.
  std::deque<std::pair<uint64_t, std::vector<std::string>>> recent_record_keys_;
};

// Retention (record_cleanups.cc). Drops the record rows of the cleanup event's partition made before
// its end: those stored, and those among `unwritten_keys` (rows put by applies whose batches may not
// be written yet). Returns how many it dropped.
Result<uint64_t> delete_cleaned_records(const Handles& handles, const Event& event,
                                        const std::vector<std::string>& unwritten_keys,
                                        rocksdb::WriteBatch& batch);
// Whether the cleanup event drops the record row of this key.
bool is_cleaned_by(const Event& cleanup, std::string_view record_key);
std::string encode_cleanup_row(const CleanupRow& row);
// Each partition's records floor: the greatest end among the cleanups it applied.
Result<std::map<int32_t, Timestamp>> read_record_floors(const Handles& handles,
                                                        const rocksdb::ReadOptions& options);
Result<std::vector<CleanupRow>> read_record_cleanups(const Handles& handles,
                                                     const rocksdb::ReadOptions& options);

// The query row of a payment-record event, given the account's name at the event's position. The
// one place rows are made: the stored rows (apply.cc) and the rows read from the log
// (payment_records.cc) are the same bytes.
RecordRow record_row_of(const Event& event, std::string account_name);

// The query row of a ChargeRecorded event: the one place charge rows are made (stored, or read from
// the log), as record_row_of for records.
ChargeRow charge_row_of(const Event& event);

using RecordVisitor = std::function<void(const RecordRow&)>;
using ChargeVisitor = std::function<void(const ChargeRow&)>;
using BalanceVisitor = std::function<void(const BalanceRow&)>;

// Visit the rows of one page; returns the page's next cursor (empty when nothing more matches).
Result<std::string> scan_records(const Handles& handles, const RecordQuery& query,
                                 const RecordVisitor& visit);
Result<std::string> scan_charges(const Handles& handles, const ChargeQuery& query,
                                 const ChargeVisitor& visit);
Result<std::string> scan_balances(const Handles& handles, const BalanceQuery& query,
                                  const BalanceVisitor& visit);

// The account's balance row as it was after the last event at or before `time` (account_history;
// nullopt when the account did not exist yet), for any number of accounts through one iterator: a
// report of every account as of a moment seeks once per account rather than making an iterator per
// account.
class HistoryReader {
 public:
  HistoryReader(const Handles& handles, const rocksdb::ReadOptions& options)
      : handles_(handles), options_(options) {}
  Result<std::optional<BalanceState>> state_as_of(std::string_view account_id, Timestamp time);

 private:
  const Handles& handles_;
  rocksdb::ReadOptions options_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

// The reports (reports.cc), behind Projections' methods of the same purpose.
Result<std::vector<SettlementRow>> settlement_report(const Handles& handles, const SettlementQuery& query);
Status agent_income_report(const Handles& handles, const AgentIncomeQuery& query,
                           const std::function<void(const AgentIncomeRow&)>& visit);
Status clearing_report(const Handles& handles, const ClearingQuery& query,
                       const std::function<void(const ClearingRow&)>& visit);

// The auditor's reads (audit.cc), behind Projections' methods of the same purpose.
Status account_events(const Handles& handles, std::string_view account_id, std::optional<Timestamp> as_of,
                      const std::function<void(const Event&)>& visit);
Status log_events(const Handles& handles, std::optional<Timestamp> from, std::optional<Timestamp> to,
                  const std::function<void(const Event&, std::string_view encoded)>& visit);

// The query row of a stored balance, with status and month consumption as of `now`.
BalanceRow balance_row(std::string_view account_id, const BalanceState& state, Timestamp now);

}  // namespace paystream
