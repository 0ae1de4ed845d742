#include "tools/runtime/rows.h"

#include <fmt/format.h>

namespace paystream {

const std::vector<Column>& account_columns() {
  static const std::vector<Column> columns = [] {
    std::vector<Column> all = balance_columns();
    all.push_back(Column{"Parent Agent", "parent", CellKind::text});
    all.push_back(Column{"Locked", "locked", CellKind::text});
    return all;
  }();
  return columns;
}

std::vector<std::string> account_cells(const BalanceRow& row) {
  std::vector<std::string> cells = balance_cells(row);
  cells.push_back(row.parent);
  cells.push_back(row.locked ? "yes" : "no");
  return cells;
}

const std::vector<Column>& parameter_columns() {
  static const std::vector<Column> columns = {
      {"Parameter", "name", CellKind::text},
      {"Value", "value", CellKind::amount},  // a decimal or a whole number: never neutralised in CSV
      {"Meaning", "meaning", CellKind::text}};
  return columns;
}

std::vector<std::string> parameter_cells(const ParameterInfo& info, int64_t value) {
  return {info.name, format_parameter_value(info, value), info.meaning};
}

std::vector<Column> operator_columns(bool with_token) {
  std::vector<Column> columns = {
      {"Operator", "name", CellKind::text}, {"Role", "role", CellKind::text},
      {"Agent", "agent", CellKind::text},   {"Allow", "allow", CellKind::text},
      {"Status", "status", CellKind::text}, {"Token ID", "token_id", CellKind::text}};
  if (with_token) columns.push_back({"Token", "token", CellKind::text});
  return columns;
}

std::vector<std::string> operator_cells(const OperatorSettings& settings, const std::string& token) {
  std::vector<std::string> cells = {settings.name,
                                    operator_role_name(settings.role),
                                    settings.agent_account,
                                    permissions_text(settings.permissions),
                                    settings.disabled ? "disabled" : "enabled",
                                    settings.token.id};
  if (!token.empty()) cells.push_back(token);
  return cells;
}

const std::vector<Column>& authorization_columns() {
  static const std::vector<Column> columns = {{"Account ID", "account", CellKind::text},
                                              {"Allowed", "allowed", CellKind::text},
                                              {"Reason", "reason", CellKind::text},
                                              {"Max Spend", "max_spend", CellKind::amount}};
  return columns;
}

namespace {

std::string reason_of(const CallAuthorization& authorization) {
  return authorization.allowed() ? "" : account_status_name(authorization.status);
}

}  // namespace

std::vector<std::string> authorization_cells(const std::string& account_id,
                                             const CallAuthorization& authorization) {
  return {account_id, authorization.allowed() ? "yes" : "no", reason_of(authorization),
          authorization.max_spend.to_string()};
}

nlohmann::json authorization_json(const std::string& account_id, const CallAuthorization& authorization) {
  return {{"account", account_id},
          {"allowed", authorization.allowed()},
          {"reason", reason_of(authorization)},
          {"max_spend", authorization.max_spend.to_string()}};
}

CallAuthorization authorization_of(const BalanceRow& row, Timestamp now) {
  AccountSettings settings;
  settings.monthly_max = row.monthly_max;
  settings.expires_on = row.expires_on;
  settings.locked = row.locked;
  return authorize_call(settings, row.balance, row.overdraft, row.month_consumption, now);
}

RecordRow record_row_of(const Event& event, const std::string& account_name) {
  RecordRow row;
  row.id = event.position;
  row.account_id = event.account_id;
  row.account_name = account_name;
  row.type = payment_type_of(event.type);
  row.amount = event.amount;
  row.balance_before = event.balance_before;
  row.balance_after = event.balance_after;
  row.time = event.time;
  row.operator_name = event.operator_name;
  row.memo = event.memo;
  row.method = event.method;
  row.reverses = event.reverses;
  return row;
}
}  // namespace paystream
