// The reports: settlement, agent income and clearing balances are sums of the period_totals rows
// (projections/period_totals.h), a few per day, never a scan of the records; balances as of a
// moment come from account_history.
#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>
#include <memory>

#include "events/log_format.h"
#include "projections/key_codec.h"
#include "projections/period_totals.h"
#include "projections/projections_internal.h"

namespace paystream {

Result<std::optional<BalanceState>> HistoryReader::state_as_of(std::string_view account_id, Timestamp time) {
  if (!it_) it_.reset(handles_.db->NewIterator(options_, handles_.account_history));
  rocksdb::Iterator* it = it_.get();
  it->SeekForPrev(keys::account_record_key(account_id, time, std::numeric_limits<uint64_t>::max()));
  if (!it->status().ok()) return rocksdb_error("reading an account's history", it->status());
  if (!it->Valid() || !it->key().starts_with(keys::account_prefix(account_id))) {
    return std::optional<BalanceState>();
  }
  Result<BalanceState> state = decode_balance_state(it->value().ToStringView());
  if (!state) return state.error();
  return std::optional<BalanceState>(std::move(*state));
}

namespace {

Status check_days(Date from, Date to) {
  if (from > to) {
    return make_error(Errc::invalid_argument,
                      fmt::format("empty range: from {} is after to {} (to is included)", format_date(from),
                                  format_date(to)));
  }
  if (int64_t{to.days} - from.days >= settlement_days_max) {
    return make_error(Errc::invalid_argument,
                      fmt::format("the range {} to {} is longer than a report covers ({} days)",
                                  format_date(from), format_date(to), settlement_days_max));
  }
  return ok_status();
}

// Calls visit(day, totals) for each row of the range of `prefix` rows whose day is in [from, to].
template <class Visit>
Status scan_days(const Handles& handles, const rocksdb::ReadOptions& read, const std::string& prefix,
                 Date from, Date to, const Visit& visit) {
  rocksdb::ReadOptions options = read;
  const std::string upper = prefix + period_keys::day_bytes(add_days(to, 1));
  const rocksdb::Slice upper_slice(upper);
  if (to.days < std::numeric_limits<int32_t>::max()) options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(handles.db->NewIterator(options, handles.period_totals));
  for (it->Seek(prefix + period_keys::day_bytes(from)); it->Valid(); it->Next()) {
    const std::string_view key = it->key().ToStringView();
    if (!key.starts_with(prefix)) break;
    const std::optional<Date> day = period_keys::decode_day(key.substr(prefix.size(), period_keys::day_size));
    if (!day || *day > to) break;
    Result<MovementTotals> totals = decode_movement_totals(it->value().ToStringView());
    if (!totals) return totals.error();
    visit(*day, key.substr(prefix.size() + period_keys::day_size), *totals);
  }
  if (!it->status().ok()) return rocksdb_error("reading period totals", it->status());
  return ok_status();
}

constexpr std::array<AccountType, 3> account_types{AccountType::direct, AccountType::agent,
                                                   AccountType::clearing};

Date period_start(Date day, ReportPeriod by) {
  return by == ReportPeriod::day ? day : first_day_of_month(month_of(start_of(day)));
}

Date next_period(Date start, ReportPeriod by) {
  return by == ReportPeriod::day ? add_days(start, 1) : first_day_of_month(month_of(start_of(start)) + 1);
}

// The accounts of one type now, in ID order, filtered by `visible` (sorted).
template <class Visit>
Status for_each_account_of(const Handles& handles, const rocksdb::ReadOptions& read, AccountType type,
                           const std::optional<std::vector<std::string>>& visible, const Visit& visit) {
  const std::string prefix = keys::type_index_prefix(type);
  std::unique_ptr<rocksdb::Iterator> it(handles.db->NewIterator(read, handles.balances_by_type));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const std::string id = it->key().ToString().substr(prefix.size());
    if (visible && !std::binary_search(visible->begin(), visible->end(), id)) continue;
    if (Status visited = visit(id); !visited) return visited;
  }
  if (!it->status().ok()) return rocksdb_error("scanning accounts", it->status());
  return ok_status();
}

Result<BalanceState> current_state(const Handles& handles, const rocksdb::ReadOptions& read,
                                   const std::string& id) {
  std::string value;
  const rocksdb::Status status = handles.db->Get(read, handles.balances, id, &value);
  if (status.IsNotFound())
    return make_error(Errc::account_not_found, fmt::format("account '{}' does not exist", id));
  if (!status.ok()) return rocksdb_error("reading a balance row", status);
  return decode_balance_state(value);
}

// What the account's records and charges of [begin, end] moved (end included): part of a day,
// which no totals row splits.
Status scan_day_part(const Handles& handles, const rocksdb::ReadOptions& read, const std::string& id,
                     Timestamp begin, Timestamp end, MovementTotals& moved) {
  for (rocksdb::ColumnFamilyHandle* family : {handles.records_by_account, handles.charges_by_account}) {
    const std::string prefix = keys::account_prefix(id);
    std::unique_ptr<rocksdb::Iterator> it(handles.db->NewIterator(read, family));
    for (it->Seek(keys::account_record_time_key(id, begin)); it->Valid(); it->Next()) {
      const std::string_view key = it->key().ToStringView();
      if (!key.starts_with(prefix) || key.size() != prefix.size() + keys::time_size + keys::position_size)
        break;
      const std::optional<Timestamp> time = keys::decode_time_key(key.substr(prefix.size(), keys::time_size));
      const std::optional<uint64_t> position =
          keys::decode_position_key(key.substr(prefix.size() + keys::time_size));
      if (!time || !position) return make_error(Errc::corruption, "corrupt projection key of account " + id);
      if (*time > end) break;
      if (family == handles.records_by_account) {
        Result<RecordRow> row =
            decode_record_value(it->value().ToStringView(), id, *time, LogPosition{*position});
        if (!row) return row.error();
        moved.count_record(row->type, row->amount, row->balance_before, row->balance_after);
      } else {
        Result<ChargeRow> row =
            decode_charge_value(it->value().ToStringView(), id, *time, LogPosition{*position});
        if (!row) return row.error();
        moved.count_charge(row->amount, row->balance_before, row->balance_after);
      }
    }
    if (!it->status().ok()) return rocksdb_error("reading an account's records", it->status());
  }
  return ok_status();
}

}  // namespace

Result<std::vector<SettlementRow>> settlement_report(const Handles& handles, const SettlementQuery& query) {
  if (Status days = check_days(query.from, query.to); !days) return days.error();
  const QuerySnapshot snapshot(handles.db, handles.view, handles.snapshots);
  std::array<Micros128, account_types.size()> opening{};
  std::map<std::pair<Date, AccountType>, MovementTotals> moved;
  const std::string prefix(1, period_keys::settlement);
  Status scanned = scan_days(handles, snapshot.options(), prefix, Date{std::numeric_limits<int32_t>::min()},
                             query.to, [&](Date day, std::string_view rest, const MovementTotals& totals) {
                               if (rest.size() != 1 || static_cast<uint8_t>(rest[0]) >= account_types.size())
                                 return;
                               const auto type = static_cast<AccountType>(rest[0]);
                               if (day < query.from) {
                                 opening[static_cast<size_t>(type)] += totals.net + totals.transferred;
                               } else {
                                 moved[{std::max(query.from, period_start(day, query.by)), type}].add(totals);
                               }
                             });
  if (!scanned) return scanned.error();
  std::vector<SettlementRow> rows;
  for (Date start = query.from; start <= query.to; start = next_period(start, query.by)) {
    const Date last = std::min(query.to, add_days(next_period(start, query.by), -1));
    for (const AccountType type : account_types) {
      Micros128& balance = opening[static_cast<size_t>(type)];
      SettlementRow row{.first_day = start, .last_day = last, .type = type, .opening = balance, .moved = {}};
      if (const auto found = moved.find({start, type}); found != moved.end()) row.moved = found->second;
      row.closing = row.opening + row.moved.net + row.moved.transferred;
      row.balanced = row.moved.movement_by_types() == row.moved.net;
      balance = row.closing;
      if (row.opening != 0 || row.closing != 0 || row.moved != MovementTotals{}) rows.push_back(row);
    }
  }
  return rows;
}

Status agent_income_report(const Handles& handles, const AgentIncomeQuery& query,
                           const std::function<void(const AgentIncomeRow&)>& visit) {
  if (Status days = check_days(query.from, query.to); !days) return days;
  const QuerySnapshot snapshot(handles.db, handles.view, handles.snapshots);
  const auto one_agent = [&](const std::string& id) -> Status {
    Result<BalanceState> state = current_state(handles, snapshot.options(), id);
    if (!state) return state.error();
    if (state->settings.type != AccountType::agent) {
      return make_error(Errc::invalid_argument, fmt::format("account '{}' is a {} account, not an agent", id,
                                                            account_type_name(state->settings.type)));
    }
    AgentIncomeRow row{.agent_id = id, .agent_name = state->settings.name, .sub_accounts = {}, .own = {}};
    for (const auto& [kind, totals_of_kind] :
         {std::pair{period_keys::sub_accounts, &row.sub_accounts}, {period_keys::own, &row.own}}) {
      MovementTotals* target = totals_of_kind;  // a lambda cannot capture a structured binding in clang 14
      Status summed =
          scan_days(handles, snapshot.options(), period_keys::account_prefix(kind, id), query.from, query.to,
                    [&](Date, std::string_view rest, const MovementTotals& totals) {
                      if (rest.empty()) target->add(totals);
                    });
      if (!summed) return summed;
    }
    visit(row);
    return ok_status();
  };
  if (query.agent) {
    if (Status valid = check_account_id(*query.agent); !valid) return valid;
    if (query.visible_accounts &&
        !std::binary_search(query.visible_accounts->begin(), query.visible_accounts->end(), *query.agent)) {
      return ok_status();
    }
    return one_agent(*query.agent);
  }
  return for_each_account_of(handles, snapshot.options(), AccountType::agent, query.visible_accounts,
                             one_agent);
}

Status clearing_report(const Handles& handles, const ClearingQuery& query,
                       const std::function<void(const ClearingRow&)>& visit) {
  const Date last_day = date_of(query.as_of);
  if (last_day < query.from) {
    return make_error(Errc::invalid_argument,
                      fmt::format("empty range: as-of {} is before from {}", format_timestamp(query.as_of),
                                  format_date(query.from)));
  }
  const QuerySnapshot snapshot(handles.db, handles.view, handles.snapshots);
  const rocksdb::ReadOptions& read = snapshot.options();
  HistoryReader history(handles, read);
  const auto one_account = [&](const std::string& id) -> Status {
    Result<std::optional<BalanceState>> closing = history.state_as_of(id, query.as_of);
    if (!closing) return closing.error();
    if (!*closing || (*closing)->settings.type != AccountType::clearing) return ok_status();
    Result<std::optional<BalanceState>> opening =
        history.state_as_of(id, Timestamp{start_of(query.from).micros - 1});
    if (!opening) return opening.error();
    ClearingRow row{.account_id = id,
                    .account_name = (*closing)->settings.name,
                    .opening = *opening ? (*opening)->balance : Money::zero(),
                    .moved = {},
                    .closing = (*closing)->balance};
    // Whole days from their totals; the as-of day up to the moment from its records and charges.
    if (query.from < last_day) {
      Status summed =
          scan_days(handles, read, period_keys::account_prefix(period_keys::own, id), query.from,
                    add_days(last_day, -1), [&](Date, std::string_view rest, const MovementTotals& totals) {
                      if (rest.empty()) row.moved.add(totals);
                    });
      if (!summed) return summed;
    }
    Status last = scan_day_part(handles, read, id, start_of(last_day), query.as_of, row.moved);
    if (!last) return last;
    row.balanced = row.moved.movement_by_types() == row.moved.net &&
                   Micros128{row.opening.micros()} + row.moved.net == Micros128{row.closing.micros()};
    visit(row);
    return ok_status();
  };
  return for_each_account_of(handles, read, AccountType::clearing, query.visible_accounts, one_account);
}

}  // namespace paystream
