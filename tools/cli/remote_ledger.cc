#include "tools/cli/remote_ledger.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "events/time.h"
#include "tools/cli/output.h"
#include "tools/runtime/card_rows.h"
#include "tools/runtime/command_json.h"

namespace paystream {
namespace {

using json = nlohmann::json;

Error unexpected(const HttpClient& client, std::string_view what) {
  return make_error(Errc::io_error,
                    fmt::format("server {} answered unexpectedly: {}", client.url().text, what));
}

// The JSON body of a successful answer (`success`: the statuses that are), or the server's error.
Result<json> json_answer(const HttpClient& client, const Result<HttpAnswer>& answer,
                         std::initializer_list<int> success) {
  if (!answer) return answer.error();
  if (std::find(success.begin(), success.end(), answer->status) == success.end()) {
    return answer_error(*answer, client.url());
  }
  json body = json::parse(answer->body, nullptr, false);
  if (body.is_discarded()) return unexpected(client, "its answer is not JSON");
  return body;
}

// The text of a request body. Text the CLI took from its arguments may not be UTF-8, which JSON
// cannot carry: refused as a usage error rather than altered.
Result<std::string> body_text(const json& body) {
  try {
    return body.dump();
  } catch (const json::type_error&) {
    return make_error(
        Errc::invalid_argument,
        "the command holds text that is not valid UTF-8, which cannot be sent to a server as JSON");
  }
}

Result<json> post(HttpClient& client, const std::string& path, const json& body,
                  std::initializer_list<int> success) {
  Result<std::string> text = body_text(body);
  if (!text) return text.error();
  return json_answer(client, client.post(path, *text), success);
}

// Operator commands have their own endpoints (the server makes the token); every other command is
// one element of POST /v1/commands, whose outcome is the element's. Answers the outcome object:
// {"command_id","duplicate","events"} (and "token" for operator add and rotate).
Result<json> send(HttpClient& client, const Command& command) {
  json body = json::object();
  if (!command.command_id.empty()) body["command_id"] = command.command_id;
  if (const auto* add = std::get_if<AddOperator>(&command.body)) {
    const OperatorSettings& settings = add->settings;
    body["name"] = settings.name;
    body["role"] = operator_role_name(settings.role);
    if (!settings.agent_account.empty()) body["agent"] = settings.agent_account;
    if (settings.permissions != 0) body["allow"] = permissions_text(settings.permissions);
    return post(client, "/v1/operators", body, {200, 201});
  }
  if (const auto* rotate = std::get_if<RotateOperatorToken>(&command.body)) {
    const std::string path = "/v1/operators/" + path_segment(rotate->name) + "/token";
    return post(client, path, body, {200, 201});
  }
  if (const auto* disable = std::get_if<DisableOperator>(&command.body)) {
    const std::string path = "/v1/operators/" + path_segment(disable->name) + "/disable";
    return post(client, path, body, {200, 201});
  }
  Result<json> element = command_to_json(command);
  if (!element) return element.error();
  json batch = {{"commands", json::array({std::move(element).value()})}};
  Result<json> answer = post(client, "/v1/commands", batch, {200});
  if (!answer) return answer;
  if (!answer->contains("outcomes") || !answer->at("outcomes").is_array() ||
      answer->at("outcomes").size() != 1) {
    return unexpected(client, "no single outcome for the command");
  }
  json outcome = std::move(answer->at("outcomes").at(0));
  if (outcome.value("ok", false)) return outcome;
  HttpAnswer refusal;
  refusal.status = 200;
  refusal.body = json{{"error", outcome.value("error", json::object())}}.dump();
  return answer_error(refusal, client.url());
}

// A row of the server's JSON ({"key":"cell",...}) as cells in the order of `columns`; a whole
// number (an integer column) as its digits.
Result<Cells> cells_of(const HttpClient& client, const json& row, const std::vector<Column>& columns) {
  Cells cells;
  for (const Column& column : columns) {
    const bool present = row.is_object() && row.contains(column.key);
    if (present && row.at(column.key).is_string()) {
      cells.push_back(row.at(column.key).get<std::string>());
    } else if (present && column.kind == CellKind::integer && row.at(column.key).is_number_integer()) {
      cells.push_back(row.at(column.key).dump());
    } else {
      return unexpected(client, fmt::format("a row without \"{}\"", column.key));
    }
  }
  return cells;
}

// The rows of a {"rows":[...]} document whose `key` is `value`, as cells.
Result<std::vector<Cells>> rows_where(const HttpClient& client, const json& document, const std::string& key,
                                      const std::string& value, const std::vector<Column>& columns) {
  if (!document.contains("rows") || !document.at("rows").is_array()) return unexpected(client, "no \"rows\"");
  std::vector<Cells> found;
  for (const json& row : document.at("rows")) {
    if (!row.is_object() || row.value(key, "") != value) continue;
    Result<Cells> cells = cells_of(client, row, columns);
    if (!cells) return cells.error();
    found.push_back(std::move(cells).value());
  }
  return found;
}

// The payment record of an event, as the server's records query shows it (with the account's
// name when the record was made): the account's records at the event's microsecond.
Result<Cells> record_of(HttpClient& client, const json& event) {
  const std::string account = event.value("account", "");
  const std::string position = std::to_string(event.value("position", uint64_t{0}));
  Result<Timestamp> time = parse_timestamp(event.value("time", ""));
  if (!time) return unexpected(client, "an event without a valid time");
  const UrlParams params = {{"account", account},
                            {"from", format_timestamp(*time)},
                            {"to", format_timestamp(Timestamp{time->micros + 1})},
                            {"limit", "0"},
                            {"format", "json"}};
  Result<json> page = json_answer(client, client.get("/v1/payment-records", params), {200});
  if (!page) return page.error();
  Result<std::vector<Cells>> rows = rows_where(client, *page, "record_id", position, record_columns());
  if (!rows) return rows.error();
  if (rows->size() != 1)
    return unexpected(client, fmt::format("record {} is not among its records", position));
  return std::move(rows->front());
}

Result<Cells> operator_row(HttpClient& client, const std::string& name, const std::string& token) {
  Result<json> list = json_answer(client, client.get("/v1/operators", {{"format", "json"}}), {200});
  if (!list) return list.error();
  Result<std::vector<Cells>> rows = rows_where(client, *list, "name", name, operator_columns(false));
  if (!rows) return rows.error();
  if (rows->size() != 1) return unexpected(client, fmt::format("operator '{}' is not in its list", name));
  Cells cells = std::move(rows->front());
  if (!token.empty()) cells.push_back(token);
  return cells;
}

Result<Cells> parameter_row(const HttpClient& client, const json& event) {
  const ParameterInfo* info = find_parameter(event.value("parameter", ""));
  if (info == nullptr || !event.contains("value") || !event.at("value").is_number_integer()) {
    return unexpected(client, "a parameter this paystream does not know");
  }
  return parameter_cells(*info, event.at("value").get<int64_t>());
}

}  // namespace

Result<std::unique_ptr<LedgerAccess>> RemoteLedger::open(const ServerLogin& login) {
  Result<std::unique_ptr<HttpClient>> client = HttpClient::create(login.url, login.token);
  if (!client) return client.error();
  return std::unique_ptr<LedgerAccess>(new RemoteLedger(std::move(client).value()));
}

Result<Written> RemoteLedger::submit(Command command, Shows shows) {
  // The operator is the token's: the command names none (the server refuses another).
  command.operator_name.clear();
  try {
    Result<json> outcome = send(*client_, command);
    if (!outcome) return outcome.error();
    const json& events = outcome->value("events", json::array());
    if (!events.is_array() || events.empty() || !events.at(0).is_object()) {
      return unexpected(*client_, "an outcome without events");
    }
    const json& first = events.at(0);
    Written written;
    written.command_id = outcome->value("command_id", "");
    written.duplicate = outcome->value("duplicate", false);
    if (!written.duplicate) written.token = outcome->value("token", "");
    switch (shows) {
      case Shows::records:
        for (const json& event : events) {
          if (!event.is_object() || !event.contains("payment_type")) continue;
          Result<Cells> record = record_of(*client_, event);
          if (!record) return record.error();
          written.rows.push_back(std::move(record).value());
        }
        break;
      case Shows::account: {
        Result<Cells> cells = account(first.value("account", ""));
        if (!cells) return cells.error();
        written.rows.push_back(std::move(cells).value());
        break;
      }
      case Shows::operator_settings: {
        const json settings = first.value("operator_settings", json::object());
        Result<Cells> cells = operator_row(*client_, settings.value("name", ""), written.token);
        if (!cells) return cells.error();
        written.rows.push_back(std::move(cells).value());
        break;
      }
      case Shows::parameter: {
        Result<Cells> cells = parameter_row(*client_, first);
        if (!cells) return cells.error();
        written.rows.push_back(std::move(cells).value());
        break;
      }
      case Shows::card: {
        Result<Cells> cells =
            remote_row(*client_, "/v1/cards/" + path_segment(first.value("card", "")), card_columns());
        if (!cells) return cells.error();
        written.rows.push_back(std::move(cells).value());
        break;
      }
    }
    return written;
  } catch (const json::exception& error) {
    return unexpected(*client_, error.what());  // a member of the wrong type
  }
}

Result<Cells> remote_row(HttpClient& client, const std::string& path, const std::vector<Column>& columns) {
  Result<json> row = json_answer(client, client.get(path, {{"format", "json"}}), {200});
  if (!row) return row.error();
  return cells_of(client, *row, columns);
}

Result<Cells> RemoteLedger::account(const std::string& account_id) {
  return remote_row(*client_, "/v1/accounts/" + path_segment(account_id), account_columns());
}

}  // namespace paystream
