// GET /v1/audit/accounts/{id} and GET /v1/audit/events (docs/api.md "Audit"): an account's events
// with their running balance, checked against what the test posted; as of a moment; the log as
// JSON lines whose hashes the test computes itself (OpenSSL) and whose chain it follows; from/to;
// the CLI's bytes; who may read the audit; refusals. Every case runs again on the API in Kafka
// mode (http-kafka/), so none uses a SECTION: a second run of a case in the same process would
// find the first run's accounts in the shared cluster.
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <sstream>
#include <thread>

#include "events/money.h"
#include "events/time.h"
#include "tests/tools/http/api_test_support.h"

namespace paystream::http_test {
namespace {

using Refusal = std::pair<int, std::string>;

const Refusal forbidden{403, "forbidden"};
const Refusal invalid_argument{400, "invalid_argument"};
const Refusal invalid_date{400, "invalid_date"};

// The present as a query takes it, with a pause either side, so that every event the test posted
// before is earlier and every one after is later.
std::string moment_between_writes() {
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const std::string moment = format_timestamp(now());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return moment;
}

json rows_of(httplib::Client& client, const std::string& path) {
  return json::parse(get_body(client, path)).at("rows");
}

// The events a write answer says it made (the answer must be 201).
json events_of(const httplib::Result& result) {
  REQUIRE(result);
  INFO(result->body);
  REQUIRE(result->status == 201);
  return json::parse(result->body).at("events");
}

// One command through POST /v1/commands (for a charge, which has no endpoint of its own).
json command_events(httplib::Client& client, const json& command) {
  const json outcomes =
      json_of(post(client, "/v1/commands", {{"commands", json::array({command})}})).at("outcomes");
  INFO(outcomes.dump());
  REQUIRE(outcomes.size() == 1);
  REQUIRE(outcomes[0].at("ok") == true);
  return outcomes[0].at("events");
}

// A call that started two minutes ago, in whole seconds.
std::string call_start() {
  const int64_t seconds = (now().micros - 120'000'000) / 1'000'000;
  return format_timestamp(Timestamp{seconds * 1'000'000});
}

// Every event the test's writes made, as their answers showed them (event_to_json's members).
class Posted {
 public:
  explicit Posted(httplib::Client& client) : client_(client) {}

  void open(const std::string& id, const std::string& balance = "") {
    json body = {{"account", id}, {"name", "Account " + id}};
    if (!balance.empty()) body["balance"] = balance;
    add(events_of(post(client_, "/v1/accounts", body)));
  }
  // Returns the payment's record ID.
  uint64_t pay(const std::string& id, const std::string& amount, const std::string& memo = "") {
    json body = {{"amount", amount}};
    if (!memo.empty()) body["memo"] = memo;
    const json events = events_of(post(client_, "/v1/accounts/" + id + "/payments", body));
    add(events);
    return events.at(0).at("position").get<uint64_t>();
  }
  void adjust(const std::string& id, const std::string& amount) {
    add(events_of(post(client_, "/v1/accounts/" + id + "/adjustments",
                       {{"amount", amount}, {"memo", "fix, \"quoted\""}})));
  }
  void credit(const std::string& id, const std::string& limit) {
    add(events_of(post(client_, "/v1/accounts/" + id + "/credit", {{"limit", limit}})));
  }
  void rename(const std::string& id, const std::string& name) {
    add(events_of(
        client_.Patch(("/v1/accounts/" + id).c_str(), json{{"name", name}}.dump(), "application/json")));
  }
  void reverse(uint64_t record) {
    add(events_of(
        post(client_, "/v1/records/" + std::to_string(record) + "/reversal", {{"memo", "mistake"}})));
  }
  void make_zero(const std::string& id) {
    add(events_of(post(client_, "/v1/accounts/" + id + "/make-zero", json::object())));
  }
  void charge(const std::string& cdr, const std::string& id, const std::string& amount) {
    add(command_events(client_, {{"type", "charge"},
                                 {"cdr_id", cdr},
                                 {"account", id},
                                 {"amount", amount},
                                 {"start_time", call_start()},
                                 {"duration_seconds", 60},
                                 {"caller", "100"},
                                 {"callee", "200"}}));
  }
  void operator_added(const httplib::Result& result) {
    REQUIRE(result);
    INFO(result->body);
    REQUIRE(result->status == 201);
    add(json::parse(result->body).at("events"));
  }

  // The account's events, in log order, up to `as_of` (a formatted time; inclusive) when given.
  std::vector<json> of(const std::string& account, const std::string& as_of = "") const {
    std::vector<json> events;
    for (const auto& [position, event] : by_position_) {
      if (event.value("account", "") != account) continue;
      if (!as_of.empty() && event.at("time").get<std::string>() > as_of) continue;
      events.push_back(event);
    }
    return events;
  }
  const std::map<uint64_t, json>& all() const { return by_position_; }

 private:
  void add(const json& events) {
    for (const json& event : events) by_position_[event.at("position").get<uint64_t>()] = event;
  }

  httplib::Client& client_;
  std::map<uint64_t, json> by_position_;
};

bool moves_balance(const json& event) {
  return event.contains("balance_after");  // payment records and charges
}

// The explain's rows checked against the account's events as posted: one row per event with the
// running balance, then "balance = sum of events" at `closing_time` with the balance `balance`.
void check_explained(const json& rows, const std::vector<json>& events, const std::string& closing_time,
                     const std::string& balance) {
  REQUIRE(rows.size() == events.size() + 1);
  int64_t running = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    const json& event = events[i];
    const json& row = rows[i];
    INFO("event " << event.dump() << "\nrow " << row.dump());
    CHECK(row.at("position") == std::to_string(event.at("position").get<uint64_t>()));
    CHECK(row.at("time") == event.at("time"));
    CHECK(row.at("event") == event.at("event"));
    CHECK(row.at("payment_type") == event.value("payment_type", ""));
    CHECK(row.at("operator") == event.at("operator"));
    CHECK(row.at("command_id") == event.at("command_id"));
    CHECK(row.at("memo") == event.value("memo", ""));
    if (moves_balance(event)) {
      const int64_t moved = micros_of(event.at("balance_after").get<std::string>()) -
                            micros_of(event.at("balance_before").get<std::string>());
      running += moved;
      CHECK(row.at("amount") == event.at("amount"));
      CHECK(micros_of(row.at("moved").get<std::string>()) == moved);
      CHECK(row.at("balance_after") == event.at("balance_after"));
      CHECK(row.at("check") == "ok");
    } else {
      CHECK(row.at("amount") == "");
      CHECK(row.at("moved") == "");
      CHECK(row.at("balance_after") == "");
      CHECK(row.at("check") == "");
    }
    CHECK(micros_of(row.at("running_balance").get<std::string>()) == running);
  }
  const json& last = rows.back();
  INFO("last row " << last.dump());
  CHECK(last.at("position") == "");
  CHECK(last.at("time") == closing_time);
  CHECK(last.at("event") == "balance = sum of events");
  CHECK(last.at("balance_after") == balance);
  CHECK(micros_of(last.at("running_balance").get<std::string>()) == running);
  CHECK(running == micros_of(balance));
  CHECK(last.at("check") == "ok");
}

// RFC 4648 base64, written here rather than taken from the product or OpenSSL's EVP_DecodeBlock
// (which keeps the padding's zero bytes).
std::string base64_decode(const std::string& text) {
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  REQUIRE(text.size() % 4 == 0);
  std::string bytes;
  uint32_t bits = 0;
  int count = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '=') {
      REQUIRE(i + 2 >= text.size());  // padding only at the end
      break;
    }
    const size_t value = alphabet.find(text[i]);
    REQUIRE(value != std::string::npos);
    bits = (bits << 6) | static_cast<uint32_t>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      bytes += static_cast<char>((bits >> count) & 0xff);
    }
  }
  return bytes;
}

std::string sha256_hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  REQUIRE(EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr) == 1);
  REQUIRE(size == 32);
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    constexpr char digits[] = "0123456789abcdef";
    hex += digits[digest[i] >> 4];
    hex += digits[digest[i] & 0xf];
  }
  return hex;
}

std::string hex_decode(const std::string& hex) {
  REQUIRE(hex.size() % 2 == 0);
  std::string bytes;
  for (size_t i = 0; i < hex.size(); i += 2)
    bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return bytes;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// GET /v1/audit/events: its lines (each one JSON object, the body ending with a line end).
std::vector<std::string> export_lines(httplib::Client& client, const std::string& query = "") {
  const std::string path = "/v1/audit/events" + (query.empty() ? "" : "?" + query);
  const httplib::Result result = client.Get(path.c_str());
  REQUIRE(result);
  INFO(path << ": " << result->body);
  REQUIRE(result->status == 200);
  CHECK(result->get_header_value("Content-Type") == "application/x-ndjson");
  if (!result->body.empty()) CHECK(result->body.back() == '\n');
  return lines_of(result->body);
}

// Each line's bytes hash to its hash and hold its prev_hash; within a partition (position >> 48)
// the positions follow one another and each prev_hash is the hash of the line before; a partition
// that starts at its first position chains to zeros. Returns the lines parsed.
std::vector<json> check_chain(const std::vector<std::string>& lines) {
  std::vector<json> events;
  std::map<uint64_t, std::pair<uint64_t, std::string>> last;  // by partition: position, hash
  for (const std::string& line : lines) {
    INFO(line);
    const json event = json::parse(line);
    const uint64_t position = event.at("position").get<uint64_t>();
    const std::string hash = event.at("hash").get<std::string>();
    const std::string prev_hash = event.at("prev_hash").get<std::string>();
    CHECK(hash.size() == 64);
    CHECK(prev_hash.size() == 64);
    const std::string encoded = base64_decode(event.at("encoded").get<std::string>());
    CHECK(sha256_hex(encoded) == hash);
    CHECK(encoded.find(hex_decode(prev_hash)) != std::string::npos);
    const uint64_t partition = position >> 48;
    if (const auto previous = last.find(partition); previous != last.end()) {
      CHECK(position == previous->second.first + 1);
      CHECK(prev_hash == previous->second.second);
    } else if ((position & ((uint64_t{1} << 48) - 1)) == 1) {
      CHECK(prev_hash == std::string(64, '0'));
    }
    last[partition] = {position, hash};
    events.push_back(event);
  }
  return events;
}

// An export line without what the export adds: the members of the event as a write answer shows it.
json without_hashes(json line) {
  line.erase("hash");
  line.erase("prev_hash");
  line.erase("encoded");
  return line;
}

}  // namespace

TEST_CASE("audit: explain over HTTP gives each event of the account with its running balance, checked",
          "[http][audit][queries]") {
  Api api;
  httplib::Client& admin = *api.admin;
  Posted posted(admin);
  posted.open("C-1", "10");
  posted.open("C-2", "1");  // another account's events in between: not in C-1's explain
  const uint64_t mistaken = posted.pay("C-1", "2.50", "top-up");
  posted.pay("C-2", "4");
  posted.adjust("C-1", "-1.25");
  posted.credit("C-1", "30");  // moves nothing, but is a record
  const std::string moment = moment_between_writes();
  posted.rename("C-1", "Alice B");
  posted.reverse(mistaken);
  posted.charge("r-1", "C-1", "0.40");
  posted.pay("C-1", "0.000001");
  posted.make_zero("C-2");
  const std::string balance = balance_of(admin, "C-1");
  REQUIRE(balance == "8.350001");
  const std::vector<json> events = posted.of("C-1");
  REQUIRE(events.size() == 9);

  // Now: every event, and the last row at tomorrow's end (a date alone is the end of that day).
  const std::string day_end = day_from_today(1) + "T23:59:59.999999Z";
  const std::string path = "/v1/audit/accounts/C-1?as_of=" + day_from_today(1);
  const std::string json_body = get_body(admin, path + "&format=json");
  check_explained(json::parse(json_body).at("rows"), events, day_end, balance);
  // Without as_of the last row is at the present; the rows before are the same.
  const json current = rows_of(admin, "/v1/audit/accounts/C-1");
  check_explained(current, events, current.back().at("time").get<std::string>(), balance);
  CHECK(current.back().at("time").get<std::string>() > moment);
  // JSON is the default; C-2's own explain holds its events only.
  CHECK(get_body(admin, path) == json_body);
  check_explained(rows_of(admin, "/v1/audit/accounts/C-2?as_of=" + day_from_today(1)), posted.of("C-2"),
                  day_end, "0.00");

  // As of the moment: the events up to it, and the balance it had then.
  const std::vector<json> then = posted.of("C-1", moment);
  REQUIRE(then.size() == 5);  // opened, its initial balance, the payment, the adjustment, the credit
  const json as_of = rows_of(admin, "/v1/audit/accounts/C-1?as_of=" + moment);
  check_explained(as_of, then, moment, then.back().at("balance_after").get<std::string>());
  CHECK(as_of.back().at("balance_after") == "11.25");

  // As of a time before the account's first event: no event and no closing row (the account did not
  // exist yet), not a 404.
  CHECK(rows_of(admin, "/v1/audit/accounts/C-1?as_of=" + day_from_today(-2)).empty());
  CHECK(rows_of(admin, "/v1/audit/accounts/C-1?as_of=2001-01-01T00:00:00Z").empty());
  const auto header_only = parse_csv(get_body(admin, "/v1/audit/accounts/C-1?as_of=2001-01-01&format=csv"));
  REQUIRE(header_only.size() == 1);
  CHECK(header_only[0].front() == "Position");
  CHECK(header_only[0].back() == "Check");

  // CSV: the titles, then the JSON's cells in the same order; xlsx an attachment; table the titles,
  // a rule and a line per row.
  const httplib::Result csv = admin.Get((path + "&format=csv").c_str());
  REQUIRE(csv);
  CHECK(csv->status == 200);
  CHECK(csv->get_header_value("Content-Type") == "text/csv; charset=utf-8");
  const auto records = parse_csv(csv->body);
  const nlohmann::ordered_json ordered = nlohmann::ordered_json::parse(json_body).at("rows");
  REQUIRE(records.size() == ordered.size() + 1);
  CHECK(records[0] == std::vector<std::string>{"Position", "Time", "Event", "Payment Type", "Amount", "Moved",
                                               "Balance After", "Running Balance", "Operator", "Command ID",
                                               "Memo", "Check"});
  for (size_t i = 0; i < ordered.size(); ++i) {
    std::vector<std::string> cells;
    for (const auto& [key, value] : ordered[i].items()) cells.push_back(value.get<std::string>());
    CHECK(records[i + 1] == cells);
  }
  const httplib::Result xlsx = admin.Get((path + "&format=xlsx").c_str());
  REQUIRE(xlsx);
  CHECK(xlsx->status == 200);
  CHECK(xlsx->body.substr(0, 4) == std::string("PK\x03\x04", 4));
  CHECK(xlsx->get_header_value("Content-Disposition") == "attachment; filename=\"audit-C-1.xlsx\"");
  const std::string table = get_body(admin, path + "&format=table");
  CHECK(table.rfind("Position", 0) == 0);
  CHECK(static_cast<size_t>(std::count(table.begin(), table.end(), '\n')) == ordered.size() + 2);

  // `audit explain --server` prints the answer's bytes; on the data directory, the CLI prints them too.
  const std::vector<std::string> explain = {"audit", "explain", "C-1", "--as-of", day_from_today(1)};
  for (const std::string format : {"json", "csv", "table"}) {
    INFO("--server --format " << format);
    std::vector<std::string> arguments = explain;
    arguments.insert(arguments.end(), {"--format", format, "--server",
                                       "http://127.0.0.1:" + std::to_string(api.server->port()), "--token",
                                       api.server->admin_token()});
    const auto [code, out] = run_paystream(arguments);
    CHECK(code == 0);
    CHECK(out == get_body(admin, path + "&format=" + format));
  }
  REQUIRE(api.server->stop() == 0);
  for (const std::string format : {"json", "csv"}) {
    INFO("--data --format " << format);
    std::vector<std::string> arguments = explain;
    arguments.insert(arguments.end(), {"--format", format, "--data", api.data.path()});
    const auto [code, out] = run_paystream(arguments);
    CHECK(code == 0);
    CHECK(out == (format == "json" ? json_body : csv->body));
  }
}

TEST_CASE("audit: GET /v1/audit/events streams the log as JSON lines, each hashed and chained",
          "[http][audit][queries]") {
  Api api;
  httplib::Client& admin = *api.admin;
  Posted posted(admin);
  posted.open("C-1", "10");
  posted.open("C-2");
  posted.pay("C-1", "2.50", "line 1\nline 2");
  const httplib::Result added =
      post(admin, "/v1/operators", {{"name", "audit"}, {"role", "auditor"}, {"command_id", "add-audit"}});
  posted.operator_added(added);
  const std::string token = json::parse(added->body).at("token").get<std::string>();
  const std::string moment = moment_between_writes();
  posted.adjust("C-2", "-3");
  posted.charge("r-1", "C-1", "0.40");
  posted.pay("C-2", "7");

  const std::vector<std::string> lines = export_lines(admin);
  const std::vector<json> events = check_chain(lines);
  // Every event the ledger recorded, one line each in log order (one partition in both modes):
  // the first admin's, then the test's, each line's members those of the write's answer.
  REQUIRE(!events.empty());
  CHECK(events.front().at("position") == 1);
  CHECK(events.back().at("position") == posted.all().rbegin()->first);
  CHECK(events.size() == events.back().at("position").get<uint64_t>());
  size_t matched = 0;
  for (const json& event : events) {
    const auto found = posted.all().find(event.at("position").get<uint64_t>());
    if (found == posted.all().end()) continue;
    INFO(event.dump());
    CHECK(without_hashes(event) == found->second);
    ++matched;
  }
  CHECK(matched == posted.all().size());
  CHECK(events.front().at("event") == "OperatorAdded");  // the first admin

  // The operator's event: its settings without the credential, and its bytes hold the salted hash
  // of the token, never the token or its secret part.
  const json* operator_line = nullptr;
  for (const json& event : events) {
    if (event.at("command_id") == "add-audit") operator_line = &event;
  }
  REQUIRE(operator_line != nullptr);
  CHECK(operator_line->at("event") == "OperatorAdded");
  CHECK(operator_line->at("operator_settings") ==
        json{{"name", "audit"}, {"role", "auditor"}, {"agent", ""}, {"allow", ""}, {"disabled", false}});
  const std::string secret = token.substr(token.rfind('_') + 1);
  REQUIRE(secret.size() == 64);
  for (const std::string& line : lines) {
    CHECK(line.find(secret) == std::string::npos);
    const std::string bytes = base64_decode(json::parse(line).at("encoded").get<std::string>());
    CHECK(bytes.find(token) == std::string::npos);
    CHECK(bytes.find(secret) == std::string::npos);
    CHECK(bytes.find(hex_decode(secret)) == std::string::npos);
  }

  // from (inclusive) and to (exclusive) split the lines at the moment: the same lines, byte for byte.
  std::vector<std::string> before, after;
  for (size_t i = 0; i < lines.size(); ++i) {
    (events[i].at("time").get<std::string>() < moment ? before : after).push_back(lines[i]);
  }
  REQUIRE(after.size() == 3);  // the adjustment, the charge, the payment
  CHECK(export_lines(admin, "to=" + moment) == before);
  CHECK(export_lines(admin, "from=" + moment) == after);
  CHECK(export_lines(admin, "from=" + moment + "&to=" + day_from_today(1)) == after);
  check_chain(after);  // a later range chains from its first line on
  // A date alone as to is the end of that day; as from, its start.
  CHECK(export_lines(admin, "from=" + day_from_today(-1) + "&to=" + day_from_today(1)) == lines);
  CHECK(export_lines(admin, "to=" + day_from_today(-2)).empty());
  CHECK(export_lines(admin, "from=" + day_from_today(2)).empty());

  // An auditor gets the same lines; `audit export` on the data directory writes them too.
  CHECK(export_lines(*api.server->client(token)) == lines);
  REQUIRE(api.server->stop() == 0);
  const auto [code, out] = run_paystream({"audit", "export", "--data", api.data.path()});
  CHECK(code == 0);
  CHECK(lines_of(out) == lines);
  const auto [later_code, later] =
      run_paystream({"audit", "export", "--data", api.data.path(), "--from", moment});
  CHECK(later_code == 0);
  CHECK(lines_of(later) == after);
}

TEST_CASE("audit: only admin and auditor operators read the audit", "[http][audit][rights]") {
  Api api;
  httplib::Client& admin = *api.admin;
  open_account(admin, {{"account", "AG-1"}, {"name", "North"}, {"account_type", "agent"}, {"balance", "1"}});
  open_account(admin, {{"account", "S-1"}, {"name", "Sub"}, {"parent", "AG-1"}, {"balance", "2"}});
  auto finance = api.server->client(add_operator(admin, {{"name", "money"}, {"role", "finance"}}));
  auto agent = api.server->client(add_operator(
      admin, {{"name", "north"}, {"role", "agent"}, {"agent", "AG-1"}, {"allow", {"pay-sub-accounts"}}}));
  auto auditor = api.server->client(add_operator(admin, {{"name", "audit"}, {"role", "auditor"}}));

  // Finance and agent operators: 403 on both endpoints, even for the agent's own tree, in every
  // format and range, and for an account that does not exist (no probing).
  const std::vector<std::string> paths = {
      "/v1/audit/accounts/S-1",  "/v1/audit/accounts/AG-1?format=csv",
      "/v1/audit/accounts/NOPE", "/v1/audit/accounts/S-1?as_of=" + day_from_today(1),
      "/v1/audit/events",        "/v1/audit/events?from=" + day_from_today(-1)};
  for (const auto& [client, name] :
       {std::pair{finance.get(), "'money' (finance)"}, std::pair{agent.get(), "'north' (agent)"}}) {
    for (const std::string& path : paths) {
      INFO(name << " " << path);
      const httplib::Result result = client->Get(path.c_str());
      CHECK(refusal_of(result) == forbidden);
      CHECK(json::parse(result->body).at("error").at("message") ==
            "operator " + std::string(name) + " may not read the audit: admin and auditor may");
    }
  }
  // No token: 401.
  CHECK(refusal_of(api.server->client("")->Get("/v1/audit/accounts/S-1")) == Refusal{401, "unauthenticated"});
  CHECK(refusal_of(api.server->client("")->Get("/v1/audit/events")) == Refusal{401, "unauthenticated"});

  // An auditor reads both, as the admin does.
  const json rows = rows_of(*auditor, "/v1/audit/accounts/S-1");
  CHECK(rows == rows_of(admin, "/v1/audit/accounts/S-1?as_of=" + rows.back().at("time").get<std::string>()));
  REQUIRE(rows.size() == 3);  // opened, its initial balance, the closing row
  CHECK(rows.back().at("balance_after") == "2.00");
  CHECK(rows.back().at("check") == "ok");
  const std::string events = get_body(*auditor, "/v1/audit/events");
  CHECK(events == get_body(admin, "/v1/audit/events"));
  CHECK(check_chain(lines_of(events)).size() == 8);  // 4 operators, 2 accounts with a payment each
}

TEST_CASE("audit: an unknown account is 404, a bad time, format or parameter 400", "[http][audit][errors]") {
  Api api;
  httplib::Client& admin = *api.admin;
  open_account(admin, {{"account", "C-1"}, {"name", "Alice"}});
  const auto check_refused = [&](const std::string& path, const Refusal& expected, const std::string& words) {
    INFO(path);
    const httplib::Result result = admin.Get(path.c_str());
    CHECK(refusal_of(result) == expected);
    const std::string message = json::parse(result->body).at("error").at("message").get<std::string>();
    INFO(message);
    CHECK(message.find(words) != std::string::npos);
  };
  const Refusal not_found{404, "account_not_found"};
  check_refused("/v1/audit/accounts/NOPE", not_found, "account 'NOPE' does not exist");
  check_refused("/v1/audit/accounts/NOPE?as_of=2001-01-01", not_found, "NOPE");
  check_refused("/v1/audit/accounts/NOPE?format=csv", not_found, "NOPE");
  check_refused("/v1/audit/accounts/a%20b", Refusal{400, "invalid_account_id"}, "a b");
  check_refused("/v1/audit/accounts/C-1?as_of=yesterday", invalid_date, "yesterday");
  check_refused("/v1/audit/accounts/C-1?as_of=2026-13-01", invalid_date, "2026-13-01");
  check_refused("/v1/audit/accounts/C-1?format=pdf", invalid_argument, "pdf");
  check_refused("/v1/audit/accounts/C-1?from=2026-01-01", invalid_argument, "unknown query parameter 'from'");
  check_refused("/v1/audit/accounts/C-1?as_of=2026-01-01&as_of=2026-01-02", invalid_argument, "given twice");
  check_refused("/v1/audit/events?from=tomorrow", invalid_date, "tomorrow");
  check_refused("/v1/audit/events?to=2026-02-30", invalid_date, "2026-02-30");
  check_refused("/v1/audit/events?from=2026-01-01T25:00:00Z", invalid_date, "2026-01-01T25:00:00Z");
  check_refused("/v1/audit/events?from=2026-01-02&to=2026-01-01", invalid_argument, "empty range");
  check_refused("/v1/audit/events?from=2026-01-01T10:00:00Z&to=2026-01-01T10:00:00Z", invalid_argument,
                "empty range");
  check_refused("/v1/audit/events?format=csv", invalid_argument, "unknown query parameter 'format'");
  check_refused("/v1/audit/events?account=C-1", invalid_argument, "unknown query parameter 'account'");
  // A date alone as to is its whole day: from and to the same date is a range, empty of events.
  const httplib::Result one_day = admin.Get("/v1/audit/events?from=2001-01-01&to=2001-01-01");
  REQUIRE(one_day);
  CHECK(one_day->status == 200);
  CHECK(one_day->body.empty());
  // No such route, another method.
  check_refused("/v1/audit", Refusal{404, "route_not_found"}, "/v1/audit");
  check_refused("/v1/audit/accounts", Refusal{404, "route_not_found"}, "/v1/audit/accounts");
  CHECK(refusal_of(admin.Post("/v1/audit/events", "", "application/json")).first == 405);
  CHECK(refusal_of(admin.Post("/v1/audit/accounts/C-1", "", "application/json")).first == 405);
}

}  // namespace paystream::http_test
