// Balance queries: one account by point get, one type through the (type, account) index, or every
// account in ID order. Status and this month's consumption are derived as of the query's `now`.
#include <algorithm>
#include <memory>

#include "events/account_status.h"
#include "projections/key_codec.h"
#include "projections/projections_internal.h"

namespace paystream {
namespace {

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool holds_text(std::string_view text, std::string_view wanted) {
  return std::search(text.begin(), text.end(), wanted.begin(), wanted.end(),
                     [](char a, char b) { return ascii_lower(a) == ascii_lower(b); }) != text.end();
}

bool matches(const BalanceQuery& query, std::string_view id, const BalanceState& state) {
  if (query.search && !holds_text(id, *query.search) && !holds_text(state.settings.name, *query.search))
    return false;
  if (query.type && state.settings.type != *query.type) return false;
  if (query.agent && id != *query.agent && state.settings.parent != *query.agent) return false;
  if (query.min && state.balance < *query.min) return false;
  if (query.max && state.balance > *query.max) return false;
  return true;
}

Status check_cursor(const std::string& cursor) {
  if (cursor.empty() || is_valid_account_id(cursor)) return ok_status();
  return make_error(Errc::invalid_argument,
                    "invalid cursor '" + cursor + "': pass a previous page's next_cursor");
}

Result<std::optional<BalanceState>> get_state(const Handles& handles, const rocksdb::ReadOptions& options,
                                              const std::string& id) {
  std::string value;
  const rocksdb::Status status = handles.db->Get(options, handles.balances, id, &value);
  if (status.IsNotFound()) return std::optional<BalanceState>();
  if (!status.ok()) return rocksdb_error("reading a balance row", status);
  Result<BalanceState> state = decode_balance_state(value);
  if (!state) return state.error();
  return std::optional<BalanceState>(std::move(*state));
}

// The row the query shows for an account whose row is `current`: that row, or with as_of the one
// it had then (none when the account was opened later).
Result<std::optional<BalanceState>> shown_state(HistoryReader& history, const BalanceQuery& query,
                                                std::string_view id, std::optional<BalanceState> current) {
  if (!query.as_of || !current) return current;
  return history.state_as_of(id, *query.as_of);
}

Timestamp shown_time(const BalanceQuery& query) { return query.as_of.value_or(query.now); }

bool is_visible(const BalanceQuery& query, const std::string& account_id) {
  return !query.visible_accounts ||
         std::binary_search(query.visible_accounts->begin(), query.visible_accounts->end(), account_id);
}

Result<std::string> one_account(const Handles& handles, const BalanceQuery& query,
                                const BalanceVisitor& visit) {
  const std::string& id = *query.account_id;
  if (Status valid = check_account_id(id); !valid) return valid.error();
  if (!is_visible(query, id)) return std::string();
  if (!query.cursor.empty() && query.cursor >= id) return std::string();  // already returned
  const QuerySnapshot snapshot(handles.db, handles.view, handles.snapshots);
  Result<std::optional<BalanceState>> current = get_state(handles, snapshot.options(), id);
  if (!current) return current.error();
  HistoryReader history(handles, snapshot.options());
  Result<std::optional<BalanceState>> state = shown_state(history, query, id, *current);
  if (!state) return state.error();
  if (*state && matches(query, id, **state)) visit(balance_row(id, **state, shown_time(query)));
  return std::string();
}

// The row of the account under the iterator: its value, or through the type index a point get.
Result<BalanceState> load_row(const Handles& handles, const rocksdb::ReadOptions& options,
                              const rocksdb::Iterator& it, bool through_index, const std::string& id) {
  if (!through_index) return decode_balance_state(std::string_view(it.value().data(), it.value().size()));
  Result<std::optional<BalanceState>> state = get_state(handles, options, id);
  if (!state) return state.error();
  if (!*state)
    return make_error(Errc::corruption, "the type index names account '" + id + "' that has no row");
  return std::move(**state);
}

// Walks account IDs in order from just after the cursor: the balances family itself (prefix
// empty, rows are the values) or one type's part of the index (rows by point get).
Result<std::string> scan_accounts(const Handles& handles, const BalanceQuery& query,
                                  const BalanceVisitor& visit) {
  const QuerySnapshot snapshot(handles.db, handles.view, handles.snapshots);
  rocksdb::ReadOptions options = snapshot.options();
  // As of another moment, an account's type may have been another: every row is read.
  const bool by_type = query.type && !query.as_of;
  const std::string prefix = by_type ? keys::type_index_prefix(*query.type) : std::string();
  // The first key after this type's part of the index (type bytes are 0-2, so +1 never wraps).
  const std::string upper(1, static_cast<char>(prefix.empty() ? 0 : prefix[0] + 1));
  const rocksdb::Slice upper_slice(upper);
  if (by_type) options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(
      handles.db->NewIterator(options, by_type ? handles.balances_by_type : handles.balances));
  HistoryReader history(handles, snapshot.options());
  size_t visited = 0;
  std::string last_id;
  for (it->Seek(prefix + query.cursor); it->Valid(); it->Next()) {
    const std::string id = it->key().ToString().substr(prefix.size());
    if (id == query.cursor) continue;  // returned by the previous page
    Result<BalanceState> current = load_row(handles, snapshot.options(), *it, by_type, id);
    if (!current) return current.error();
    Result<std::optional<BalanceState>> state = shown_state(history, query, id, std::move(*current));
    if (!state) return state.error();
    if (!*state || !matches(query, id, **state)) continue;
    if (query.limit != 0 && visited == query.limit) return last_id;  // more rows follow this page
    visit(balance_row(id, **state, shown_time(query)));
    last_id = id;
    ++visited;
  }
  if (!it->status().ok()) return rocksdb_error("scanning balances", it->status());
  return std::string();
}

}  // namespace

BalanceRow balance_row(std::string_view account_id, const BalanceState& state, Timestamp now) {
  // Consumption counted in another month than now's is not this month's.
  const Money month_consumption =
      state.consumption_month == month_of(now) ? state.month_consumption : Money::zero();
  const Money available = available_credit(state.balance, state.overdraft);
  return BalanceRow{.account_id = std::string(account_id),
                    .account_name = state.settings.name,
                    .type = state.settings.type,
                    .parent = state.settings.parent,
                    .balance = state.balance,
                    .overdraft = state.overdraft,
                    .available = available,
                    .month_consumption = month_consumption,
                    .monthly_min = state.settings.monthly_min,
                    .monthly_max = state.settings.monthly_max,
                    .expires_on = state.settings.expires_on,
                    .locked = state.settings.locked,
                    .status = account_status_name(account_status(state.settings, state.balance,
                                                                 state.overdraft, month_consumption, now))};
}

namespace {

// An agent's tree: a point get per visible account, in ID order, rather than a scan of every row.
Result<std::string> visible_rows(const Handles& handles, const BalanceQuery& query,
                                 const BalanceVisitor& visit) {
  const QuerySnapshot snapshot(handles.db, handles.view, handles.snapshots);
  const std::vector<std::string>& ids = *query.visible_accounts;
  HistoryReader history(handles, snapshot.options());
  size_t visited = 0;
  std::string last_id;
  for (auto id = std::upper_bound(ids.begin(), ids.end(), query.cursor); id != ids.end(); ++id) {
    Result<std::optional<BalanceState>> current = get_state(handles, snapshot.options(), *id);
    if (!current) return current.error();
    Result<std::optional<BalanceState>> state = shown_state(history, query, *id, *current);
    if (!state) return state.error();
    if (!*state || !matches(query, *id, **state)) continue;
    if (query.limit != 0 && visited == query.limit) return last_id;
    visit(balance_row(*id, **state, shown_time(query)));
    last_id = *id;
    ++visited;
  }
  return std::string();
}

}  // namespace

Result<std::string> scan_balances(const Handles& handles, const BalanceQuery& query,
                                  const BalanceVisitor& visit) {
  if (Status valid = check_cursor(query.cursor); !valid) return valid.error();
  if (query.account_id) return one_account(handles, query, visit);
  if (query.visible_accounts) return visible_rows(handles, query, visit);
  return scan_accounts(handles, query, visit);
}

}  // namespace paystream
