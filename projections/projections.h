#pragma once
// The query side: RocksDB projections of the log. Each is a pure function of the events in log
// order; apply() writes into the caller's WriteBatch, so rows change atomically with the log
// append that caused them, and a rebuild from the log gives byte-for-byte the same column families.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "events/event.h"
#include "projections/report_rows.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Snapshot;
class WriteBatch;
}  // namespace rocksdb

namespace paystream {

// One payment record: the nine columns of the payment record query, plus its ID and method.
struct RecordRow {
  LogPosition id;
  std::string account_id;
  std::string account_name;  // the name when the record was made
  PaymentType type = PaymentType::payment;
  Money amount;
  Money balance_before;
  Money balance_after;
  Timestamp time;
  std::string operator_name;
  std::string memo;
  PaymentMethod method = PaymentMethod::cash;
  LogPosition reverses;            // for reversals
  std::optional<Date> new_expiry;  // the account's expiration date this record set, when it moved it
  bool operator==(const RecordRow&) const = default;
};

struct RecordQuery {
  std::optional<std::string> account_id;
  std::optional<Timestamp> from;  // inclusive
  std::optional<Timestamp> to;    // exclusive
  std::optional<PaymentType> type;
  std::optional<std::string> operator_name;
  // The accounts the reader may see (an agent operator's tree, sorted); nullopt: every account.
  // Records of other accounts are never returned, whatever the other filters say.
  std::optional<std::vector<std::string>> visible_accounts;
  size_t limit = 100;  // rows per page; 0 means no limit (exports)
  std::string cursor;  // from a previous page's next_cursor; empty: from the start
};

struct RecordPage {
  std::vector<RecordRow> rows;
  std::string next_cursor;  // empty when there is nothing more
};

// One call charge (a ChargeRecorded event): not a payment record; the softswitch's CDR.
struct ChargeRow {
  LogPosition id;  // the event's log position
  std::string account_id;
  std::string cdr_id;
  Money amount;
  Money balance_before;
  Money balance_after;
  Timestamp time;  // when the ledger recorded it
  Timestamp call_start;
  std::optional<uint32_t> duration_seconds;
  std::string caller;
  std::string callee;
  std::string operator_name;
  bool operator==(const ChargeRow&) const = default;
};

// As RecordQuery: from and to select on the time the ledger recorded the charge (which orders the
// rows and pages them), not on the call's start.
struct ChargeQuery {
  std::optional<std::string> account_id;
  std::optional<Timestamp> from;  // inclusive
  std::optional<Timestamp> to;    // exclusive
  std::optional<std::vector<std::string>> visible_accounts;
  size_t limit = 100;  // 0: no limit
  std::string cursor;
};

struct ChargePage {
  std::vector<ChargeRow> rows;
  std::string next_cursor;
};

// A retention cleanup as the projections applied it (domain.md "Retention"): where the payment
// records before `cleanup.before` went. In Kafka mode every partition applies the command; its row
// here is one, with the records each partition removed summed.
struct CleanupRow {
  LogPosition id;  // the command's first RecordsCleanedUp event
  Timestamp time;
  std::string operator_name;
  std::string command_id;
  RecordsCleanup cleanup;
  uint64_t removed = 0;  // record rows the query tables dropped
  bool operator==(const CleanupRow&) const = default;
};

struct BalanceRow {
  std::string account_id;
  std::string account_name;
  AccountType type = AccountType::direct;
  std::string parent;
  Money balance;
  Money overdraft;
  Money available;          // balance + overdraft, saturated at the int64 range
  Money month_consumption;  // for the month of the query time
  Money monthly_min;
  Money monthly_max;
  std::optional<Date> expires_on;
  bool locked = false;
  std::string status;  // active | expired | no_credit | monthly_max_reached | locked, as of the query time
  bool operator==(const BalanceRow&) const = default;
};

struct BalanceQuery {
  std::optional<std::string> account_id;
  std::optional<AccountType> type;
  std::optional<Money> min;  // inclusive
  std::optional<Money> max;  // inclusive
  // Accounts whose ID or name holds this text, ASCII letters in either case (the console's
  // account search; names are often typed from memory in another case).
  std::optional<std::string> search;
  std::optional<std::vector<std::string>> visible_accounts;  // as in RecordQuery
  std::optional<std::string> agent;                          // only this agent account and its sub-accounts
  Timestamp now;  // for the derived status and this month's consumption
  // The rows as they were at this moment (every event up to it included), filtered by what they
  // were then; accounts opened later are left out. `now` is then ignored.
  std::optional<Timestamp> as_of;
  size_t limit = 0;  // 0: no limit
  std::string cursor;
};

struct BalancePage {
  std::vector<BalanceRow> rows;
  std::string next_cursor;
};

// The engine's log (stored format in events/log_format.h), read but never written here: queries
// over all accounts read the payment records straight from it. It may live in another database
// than the projections (replay --verify rebuilds into a scratch one).
struct LogSource {
  rocksdb::DB* db = nullptr;
  rocksdb::ColumnFamilyHandle* family = nullptr;
};

// How the database behind the projections changes while they are queried.
enum class DatabaseView {
  live,    // written meanwhile: each query reads one RocksDB snapshot
  frozen,  // unchanged while open (a RocksDB secondary instance caught up once, which refuses snapshots)
};

// The snapshot a query of a live database reads. The embedded ledger gives the one taken after its
// last synced write, because it writes before it syncs: a query must not show a payment that a
// crash could still take away. Unset, each query takes the latest.
using SnapshotSource = std::function<std::shared_ptr<const rocksdb::Snapshot>()>;

class Projections {
 public:
  // Column families this module owns, in the order bind() expects their handles.
  static std::vector<std::string> column_families();
  // Families of older layouts: a database holding one must drop them all and rebuild from the log
  // (`records`: the records keyed by position, which records_by_account keyed by time replaces;
  // `records_by_account`: fixed-width rows, which `records_by_account_v2` held as varints;
  // `records_by_account_v2`: rows without the expiration date a payment set, which v3's hold).
  static std::vector<std::string> retired_column_families();
  // Families whose rows are rewritten over and over (a balance row with every group commit that
  // touches its account), so that most of what they write is soon superseded.
  static std::vector<std::string> overwritten_column_families();
  // Families read only by range scans, never by key (records of an account, balances of a type,
  // an account's name history): a bloom filter on their files would answer no read.
  static std::vector<std::string> scanned_column_families();

  // The handles stay owned by the caller and must outlive this object. The log must hold every
  // event applied here (the ledger writes both in one batch).
  Projections(rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>& handles, LogSource log,
              DatabaseView view = DatabaseView::live, SnapshotSource snapshots = {});
  ~Projections();
  Projections(const Projections&) = delete;
  Projections& operator=(const Projections&) = delete;

  // Events of one group commit, in log order (positions consecutive with the last applied: a gap
  // or a repeat is a bug and stops the process). In Kafka mode, consecutive events of one events
  // partition, following that partition's last applied position (partitions may interleave
  // between calls; a call mixing partitions is a bug too). Puts each changed row once, and the applied
  // position, into `batch`. The caller writes the batch, or calls discard_cache(), before the next
  // apply(): the row cache assumes the database holds what earlier calls produced. An error
  // (Errc::corruption when an event disagrees with the stored rows, Errc::io_error) leaves `batch`
  // half-filled: drop it. apply() and discard_cache() run on one thread (the sequencer); the
  // queries below are const, read a RocksDB snapshot, and may run on any thread meanwhile.
  [[nodiscard]] Status apply(std::span<const Event> events, rocksdb::WriteBatch& batch);
  // Forget cached rows (after the caller's batch failed to write).
  void discard_cache();

  // Queries. A bad cursor is Errc::invalid_argument, a malformed account ID
  // Errc::invalid_account_id; an unknown account gives no rows. Record pages are in log order
  // (position order: in Kafka mode partition 0's records, then partition 1's...), balance pages in
  // account ID order. Records show only positions up to their partition's applied position.
  Result<RecordPage> records(const RecordQuery& query) const;
  // Streams every matching row (query.limit and cursor honoured) without holding them all.
  Status for_each_record(const RecordQuery& query, const std::function<void(const RecordRow&)>& visit) const;
  // The cleanups applied, in the order of their `before` (records before the last one's are no
  // longer in the records queries).
  Result<std::vector<CleanupRow>> record_cleanups() const;
  // Charges, paged as records are.
  Result<ChargePage> charges(const ChargeQuery& query) const;
  Status for_each_charge(const ChargeQuery& query, const std::function<void(const ChargeRow&)>& visit) const;
  Result<BalancePage> balances(const BalanceQuery& query) const;
  // Reports (docs/cli.md "Reports"), summed from per-day totals kept as events are applied.
  // Errc::invalid_argument for a range that ends before it starts, or agent income asked of an
  // account that is no agent (Errc::account_not_found if it does not exist). Settlement covers
  // every account; the others honour visible_accounts.
  Result<std::vector<SettlementRow>> settlement(const SettlementQuery& query) const;
  Status for_each_agent_income(const AgentIncomeQuery& query,
                               const std::function<void(const AgentIncomeRow&)>& visit) const;
  Status for_each_clearing(const ClearingQuery& query,
                           const std::function<void(const ClearingRow&)>& visit) const;
  Status for_each_balance(const BalanceQuery& query,
                          const std::function<void(const BalanceRow&)>& visit) const;
  // The auditor's reads. The events that made the account's balance row (its opening, updates,
  // records and charges), in log order, up to as_of when given (Errc::account_not_found for an
  // account with no event at all).
  Status for_each_account_event(std::string_view account_id, std::optional<Timestamp> as_of,
                                const std::function<void(const Event&)>& visit) const;
  // Every event the ledger recorded in [from, to) (unset: from the first, to the last applied), in
  // position order (Kafka mode: partition by partition), with the bytes the log holds for it, which
  // its hash is of (the next event's prev_hash).
  Status for_each_log_event(std::optional<Timestamp> from, std::optional<Timestamp> to,
                            const std::function<void(const Event&, std::string_view encoded)>& visit) const;
  // The position of the last event applied and written to the database (0 when none): partition
  // 0's, which is the whole log in embedded mode.
  Result<LogPosition> applied_position() const;
  // Kafka mode: the last applied position of each partition that has applied something (partition
  // 0 included), read from the database. Errc::corruption when a stored position is malformed.
  Result<std::map<int32_t, LogPosition>> applied_positions() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace paystream
