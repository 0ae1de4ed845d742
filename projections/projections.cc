// Projections: the module's front, wiring the column families (and the engine's log, read only) to
// the write side (apply.cc) and the queries (payment_records.cc, balances.cc).
#include "projections/projections.h"

#include "projections/projections_internal.h"

namespace paystream {

Error rocksdb_error(const char* doing, const rocksdb::Status& status) {
  return make_error(status.IsCorruption() ? Errc::corruption : Errc::io_error,
                    std::string(doing) + ": " + status.ToString());
}

struct Projections::Impl {
  explicit Impl(const Handles& bound) : handles(bound), applier(bound) {}
  Handles handles;
  Applier applier;
};

std::vector<std::string> Projections::column_families() {
  return {balances_cf_name,        balances_by_type_cf_name, records_by_account_cf_name,
          account_names_cf_name,   projection_meta_cf_name,  charges_by_account_cf_name,
          account_history_cf_name, period_totals_cf_name};
}

std::vector<std::string> Projections::retired_column_families() {
  return {"records", "records_by_account", "records_by_account_v2"};
}

std::vector<std::string> Projections::overwritten_column_families() {
  return {balances_cf_name, period_totals_cf_name};
}

std::vector<std::string> Projections::scanned_column_families() {
  return {balances_by_type_cf_name, records_by_account_cf_name, account_names_cf_name,
          charges_by_account_cf_name, account_history_cf_name};
}

Projections::Projections(rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>& handles,
                         LogSource log, DatabaseView view, SnapshotSource snapshots) {
  const std::vector<std::string> names = column_families();
  PAYSTREAM_ASSERT(db != nullptr);
  PAYSTREAM_ASSERT(log.db != nullptr && log.family != nullptr);
  PAYSTREAM_ASSERT(handles.size() == names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    PAYSTREAM_ASSERT(handles[i] != nullptr && handles[i]->GetName() == names[i]);  // bound in order
  }
  impl_ = std::make_unique<Impl>(Handles{.db = db,
                                         .balances = handles[0],
                                         .balances_by_type = handles[1],
                                         .records_by_account = handles[2],
                                         .account_names = handles[3],
                                         .meta = handles[4],
                                         .charges_by_account = handles[5],
                                         .account_history = handles[6],
                                         .period_totals = handles[7],
                                         .log = log,
                                         .view = view,
                                         .snapshots = std::move(snapshots)});
}

Projections::~Projections() = default;

Status Projections::apply(std::span<const Event> events, rocksdb::WriteBatch& batch) {
  return impl_->applier.apply(events, batch);
}

void Projections::discard_cache() { impl_->applier.discard_cache(); }

Result<RecordPage> Projections::records(const RecordQuery& query) const {
  RecordPage page;
  Result<std::string> next =
      scan_records(impl_->handles, query, [&page](const RecordRow& row) { page.rows.push_back(row); });
  if (!next) return next.error();
  page.next_cursor = std::move(*next);
  return page;
}

Status Projections::for_each_record(const RecordQuery& query,
                                    const std::function<void(const RecordRow&)>& visit) const {
  Result<std::string> next = scan_records(impl_->handles, query, visit);
  if (!next) return next.error();
  return ok_status();
}

Result<ChargePage> Projections::charges(const ChargeQuery& query) const {
  ChargePage page;
  Result<std::string> next =
      scan_charges(impl_->handles, query, [&page](const ChargeRow& row) { page.rows.push_back(row); });
  if (!next) return next.error();
  page.next_cursor = std::move(*next);
  return page;
}

Status Projections::for_each_charge(const ChargeQuery& query,
                                    const std::function<void(const ChargeRow&)>& visit) const {
  Result<std::string> next = scan_charges(impl_->handles, query, visit);
  if (!next) return next.error();
  return ok_status();
}

Result<BalancePage> Projections::balances(const BalanceQuery& query) const {
  BalancePage page;
  Result<std::string> next =
      scan_balances(impl_->handles, query, [&page](const BalanceRow& row) { page.rows.push_back(row); });
  if (!next) return next.error();
  page.next_cursor = std::move(*next);
  return page;
}

Status Projections::for_each_balance(const BalanceQuery& query,
                                     const std::function<void(const BalanceRow&)>& visit) const {
  Result<std::string> next = scan_balances(impl_->handles, query, visit);
  if (!next) return next.error();
  return ok_status();
}

Result<std::vector<SettlementRow>> Projections::settlement(const SettlementQuery& query) const {
  return settlement_report(impl_->handles, query);
}

Status Projections::for_each_agent_income(const AgentIncomeQuery& query,
                                          const std::function<void(const AgentIncomeRow&)>& visit) const {
  return agent_income_report(impl_->handles, query, visit);
}

Status Projections::for_each_clearing(const ClearingQuery& query,
                                      const std::function<void(const ClearingRow&)>& visit) const {
  return clearing_report(impl_->handles, query, visit);
}

Status Projections::for_each_account_event(std::string_view account_id, std::optional<Timestamp> as_of,
                                           const std::function<void(const Event&)>& visit) const {
  return account_events(impl_->handles, account_id, as_of, visit);
}

Status Projections::for_each_log_event(
    std::optional<Timestamp> from, std::optional<Timestamp> to,
    const std::function<void(const Event&, std::string_view encoded)>& visit) const {
  return log_events(impl_->handles, from, to, visit);
}

Result<std::vector<CleanupRow>> Projections::record_cleanups() const {
  const QuerySnapshot snapshot(impl_->handles.db, impl_->handles.view, impl_->handles.snapshots);
  return read_record_cleanups(impl_->handles, snapshot.options());
}

Result<LogPosition> Projections::applied_position() const {
  // As the queries see it: with the embedded ledger, not past its last synced group.
  const QuerySnapshot snapshot(impl_->handles.db, impl_->handles.view, impl_->handles.snapshots);
  Result<uint64_t> position = read_applied_position(impl_->handles, snapshot.options(), 0);
  if (!position) return position.error();
  return LogPosition{*position};
}

Result<std::map<int32_t, LogPosition>> Projections::applied_positions() const {
  Result<std::map<int32_t, uint64_t>> positions =
      read_applied_positions(impl_->handles, rocksdb::ReadOptions());
  if (!positions) return positions.error();
  std::map<int32_t, LogPosition> applied;
  for (const auto& [partition, position] : *positions) applied.emplace(partition, LogPosition{position});
  return applied;
}

}  // namespace paystream
