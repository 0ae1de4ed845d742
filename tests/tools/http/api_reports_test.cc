// GET /v1/reports/{name}: each report's sums checked against what the test posted (summed by the
// test itself), settlement's check, the formats (and that they are the CLI's bytes), what an agent
// operator may see, refusals of bad options, and account-balance as of a moment. The cases tagged
// [queries], [rights] or [errors] run again on the API in Kafka mode (http-kafka/).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <thread>

#include "events/money.h"
#include "events/time.h"
#include "tests/tools/http/api_test_support.h"

namespace paystream::http_test {
namespace {

using Refusal = std::pair<int, std::string>;
using ordered_json = nlohmann::ordered_json;

const Refusal forbidden{403, "forbidden"};
const Refusal invalid_argument{400, "invalid_argument"};
const Refusal invalid_date{400, "invalid_date"};

int64_t amount_of(const json& cell) { return micros_of(cell.get<std::string>()); }

uint64_t count_of(const json& cell) { return std::stoull(cell.get<std::string>()); }

json rows_of(httplib::Client& client, const std::string& path) {
  return json::parse(get_body(client, path)).at("rows");
}

std::vector<std::string> ids_in(const json& rows, const char* key) {
  std::vector<std::string> ids;
  for (const json& row : rows) ids.push_back(row.at(key).get<std::string>());
  return ids;
}

// The refusal of a request, with the words of its message.
struct Refused {
  Refusal refusal;
  std::string message;
};

Refused refused(const httplib::Result& result) {
  const Refusal refusal = refusal_of(result);
  return {refusal, json::parse(result->body).at("error").at("message").get<std::string>()};
}

// The worksheet XML of an XLSX file, read with unzip(1) as api_queries_test.cc does; false when
// unzip could not read it.
std::pair<bool, std::string> run_unzip(const std::string& path) {
  std::string xml;
  FILE* pipe = ::popen(("unzip -p '" + path + "' xl/worksheets/sheet1.xml 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) return {false, ""};
  char buffer[4096];
  for (size_t size; (size = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) xml.append(buffer, size);
  return {::pclose(pipe) == 0, xml};
}

// What moved balances, as the reports' columns count it (amounts in micros).
struct Moved {
  int64_t payments = 0;
  uint64_t payment_count = 0;
  int64_t phone_cards = 0;
  uint64_t phone_card_count = 0;
  uint64_t credit_count = 0;
  int64_t make_zero = 0;
  int64_t adjustments = 0;
  int64_t reversals = 0;
  int64_t consumption = 0;
  uint64_t call_count = 0;

  int64_t net() const { return payments + phone_cards + make_zero + adjustments + reversals - consumption; }
  void add(const Moved& other) {
    payments += other.payments;
    payment_count += other.payment_count;
    phone_cards += other.phone_cards;
    phone_card_count += other.phone_card_count;
    credit_count += other.credit_count;
    make_zero += other.make_zero;
    adjustments += other.adjustments;
    reversals += other.reversals;
    consumption += other.consumption;
    call_count += other.call_count;
  }
};

// The movement columns of a settlement or clearing row.
Moved moved_in(const json& row) {
  Moved moved;
  moved.payments = amount_of(row.at("payments"));
  moved.payment_count = count_of(row.at("payment_count"));
  moved.phone_cards = amount_of(row.at("phone_cards"));
  moved.phone_card_count = count_of(row.at("phone_card_count"));
  moved.credit_count = count_of(row.at("credit_count"));
  moved.make_zero = amount_of(row.at("make_zero"));
  moved.adjustments = amount_of(row.at("adjustments"));
  moved.reversals = amount_of(row.at("reversals"));
  moved.consumption = amount_of(row.at("consumption"));
  moved.call_count = count_of(row.at("call_count"));
  CHECK(amount_of(row.at("minimum_charges")) == 0);  // none posted
  return moved;
}

void check_equal(const Moved& got, const Moved& expected) {
  CHECK(got.payments == expected.payments);
  CHECK(got.payment_count == expected.payment_count);
  CHECK(got.phone_cards == expected.phone_cards);
  CHECK(got.phone_card_count == expected.phone_card_count);
  CHECK(got.credit_count == expected.credit_count);
  CHECK(got.make_zero == expected.make_zero);
  CHECK(got.adjustments == expected.adjustments);
  CHECK(got.reversals == expected.reversals);
  CHECK(got.consumption == expected.consumption);
  CHECK(got.call_count == expected.call_count);
}

// The commands of a test, posted through the API, and what each did summed by the test: the
// reports must come to the same sums.
class Book {
 public:
  struct Account {
    std::string type;
    std::string parent;
    int64_t balance = 0;
    Moved moved;
  };

  explicit Book(httplib::Client& client) : client_(client) {}

  void open(const std::string& id, const std::string& name, const std::string& type,
            const std::string& parent = "", const std::string& balance = "") {
    json body = {{"account", id}, {"name", name}, {"account_type", type}};
    if (!parent.empty()) body["parent"] = parent;
    if (!balance.empty()) body["balance"] = balance;
    open_account(client_, body);
    Account& account = accounts_[id];
    account.type = type;
    account.parent = parent;
    if (!balance.empty()) paid(account, micros_of(balance));  // the initial balance is a payment
  }

  // Returns the payment's record ID, for a reversal.
  uint64_t pay(const std::string& id, const std::string& amount) {
    const json outcome = applied(post(client_, "/v1/accounts/" + id + "/payments", {{"amount", amount}}));
    paid(accounts_.at(id), micros_of(amount));
    return outcome.at("events")[0].at("position").get<uint64_t>();
  }

  void credit(const std::string& id, const std::string& limit) {
    applied(post(client_, "/v1/accounts/" + id + "/credit", {{"limit", limit}}));
    ++accounts_.at(id).moved.credit_count;
  }

  void adjust(const std::string& id, const std::string& amount) {
    applied(post(client_, "/v1/accounts/" + id + "/adjustments", {{"amount", amount}}));
    Account& account = accounts_.at(id);
    account.moved.adjustments += micros_of(amount);
    account.balance += micros_of(amount);
  }

  void reverse(uint64_t record, const std::string& id, const std::string& amount) {
    applied(post(client_, "/v1/records/" + std::to_string(record) + "/reversal", {{"memo", "mistake"}}));
    Account& account = accounts_.at(id);
    account.moved.reversals -= micros_of(amount);
    account.balance -= micros_of(amount);
  }

  void make_zero(const std::string& id) {
    applied(post(client_, "/v1/accounts/" + id + "/make-zero", json::object()));
    Account& account = accounts_.at(id);
    account.moved.make_zero -= account.balance;
    account.balance = 0;
  }

  void charge(const std::string& cdr, const std::string& id, const std::string& amount) {
    const json command = {
        {"type", "charge"},           {"cdr_id", cdr},          {"account", id},   {"amount", amount},
        {"start_time", call_start()}, {"duration_seconds", 60}, {"caller", "100"}, {"callee", "200"}};
    const json outcomes =
        json_of(post(client_, "/v1/commands", {{"commands", json::array({command})}})).at("outcomes");
    INFO(outcomes.dump());
    REQUIRE(outcomes.at(0).at("ok") == true);
    Account& account = accounts_.at(id);
    account.moved.consumption += micros_of(amount);
    ++account.moved.call_count;
    account.balance -= micros_of(amount);
  }

  void redeemed_card(const std::string& id, const std::string& value) {
    Account& account = accounts_.at(id);
    account.moved.phone_cards += micros_of(value);
    ++account.moved.phone_card_count;
    account.balance += micros_of(value);
  }

  const Account& account(const std::string& id) const { return accounts_.at(id); }

  // Summed over the accounts that pass `which`.
  template <class Which>
  std::pair<Moved, int64_t> sum(const Which& which) const {
    Moved moved;
    int64_t balance = 0;
    for (const auto& [id, account] : accounts_) {
      if (!which(id, account)) continue;
      moved.add(account.moved);
      balance += account.balance;
    }
    return {moved, balance};
  }

 private:
  static void paid(Account& account, int64_t micros) {
    account.moved.payments += micros;
    ++account.moved.payment_count;
    account.balance += micros;
  }

  // A call that started two minutes ago, in whole seconds.
  static std::string call_start() {
    const int64_t seconds = (now().micros - 120'000'000) / 1'000'000;
    return format_timestamp(Timestamp{seconds * 1'000'000});
  }

  json applied(const httplib::Result& result) {
    REQUIRE(result);
    INFO(result->body);
    REQUIRE(result->status == 201);
    return json::parse(result->body);
  }

  httplib::Client& client_;
  std::map<std::string, Account> accounts_;
};

// An agent with two sub-accounts, a direct account outside any tree and a clearing account, moved
// by every kind of command the API takes.
void post_everything(Book& book) {
  book.open("AG-1", "North", "agent", "", "10");
  book.open("S-1", "Sub One", "direct", "AG-1", "20");
  book.open("S-2", "Sub Two", "direct", "AG-1");
  book.open("C-1", "Alice, Inc.", "direct");
  book.open("V-1", "Clearing", "clearing", "", "5");
  book.pay("S-1", "12.50");
  book.pay("S-2", "3");
  const uint64_t mistaken = book.pay("C-1", "40");
  book.pay("V-1", "2.25");
  book.pay("AG-1", "1");
  book.credit("C-1", "30");
  book.adjust("S-2", "-0.50");
  book.adjust("V-1", "1");
  book.reverse(mistaken, "C-1", "40");
  book.pay("C-1", "6");
  book.make_zero("S-2");
  book.charge("r-1", "S-1", "1.50");
  book.charge("r-2", "C-1", "0.25");
  book.charge("r-3", "S-1", "0.000001");
}

// Every settlement row balances (opening + net + transferred = closing, Check ok, a type's rows
// chained), and each type's rows add up to what the book says moved it.
void check_settlement(const json& rows, const Book& book) {
  REQUIRE(!rows.empty());
  for (const std::string type : {"direct", "agent", "clearing"}) {
    INFO("account type " << type);
    Moved moved;
    int64_t net = 0;
    std::optional<int64_t> closing;
    for (const json& row : rows) {
      if (row.at("account_type") != type) continue;
      INFO(row.dump());
      const int64_t opening = amount_of(row.at("opening_balance"));
      CHECK(opening == closing.value_or(0));  // the first opens at zero: nothing was posted before
      CHECK(row.at("check") == "ok");
      CHECK(amount_of(row.at("transferred")) == 0);  // no account changed type
      CHECK(opening + amount_of(row.at("net_movement")) + amount_of(row.at("transferred")) ==
            amount_of(row.at("closing_balance")));
      CHECK(moved_in(row).net() == amount_of(row.at("net_movement")));
      moved.add(moved_in(row));
      net += amount_of(row.at("net_movement"));
      closing = amount_of(row.at("closing_balance"));
    }
    const auto [expected, balance] =
        book.sum([&](const std::string&, const Book::Account& account) { return account.type == type; });
    check_equal(moved, expected);
    CHECK(net == expected.net());
    CHECK(closing.value_or(0) == balance);
  }
}

}  // namespace

TEST_CASE("reports: the four over HTTP add up to what was posted", "[http][reports][queries]") {
  Api api;
  httplib::Client& admin = *api.admin;
  Book book(admin);
  post_everything(book);
  const std::string period = "from=" + day_from_today(-1) + "&to=" + day_from_today(1);

  // One server for every check, not a SECTION each: in Kafka mode a test process's servers share
  // one cluster, and a second run of the case would find the accounts there already.
  {  // Settlement, by day and by month: the same sums.
    const json by_day = rows_of(admin, "/v1/reports/settlement?" + period + "&by=day");
    check_settlement(by_day, book);
    const json by_month = rows_of(admin, "/v1/reports/settlement?" + period);
    check_settlement(by_month, book);
    CHECK(by_month.size() <= 6);  // a type per month: the range spans two months at most
    for (const json& row : by_month) CHECK(row.at("period_from").get<std::string>() >= day_from_today(-1));
    // The three balances sum to the book's total: the direct accounts' 36.75 among them.
    const auto [all, total] = book.sum([](const std::string&, const Book::Account&) { return true; });
    CHECK(total == micros_of("55.999999"));
    CHECK(all.net() == total);
    // A range before anything was posted has no row.
    CHECK(rows_of(admin, "/v1/reports/settlement?from=2000-01-01&to=2000-12-31").empty());
  }

  {  // Agent income
    const json rows = rows_of(admin, "/v1/reports/agent-income?" + period);
    REQUIRE(rows.size() == 1);
    const json& row = rows[0];
    INFO(row.dump());
    CHECK(row.at("agent_id") == "AG-1");
    CHECK(row.at("agent_name") == "North");
    const auto [subs, sub_balance] =
        book.sum([](const std::string&, const Book::Account& account) { return account.parent == "AG-1"; });
    CHECK(amount_of(row.at("sub_account_payments")) == subs.payments);
    CHECK(count_of(row.at("sub_account_payment_count")) == subs.payment_count);
    CHECK(amount_of(row.at("sub_account_phone_cards")) == 0);
    CHECK(count_of(row.at("sub_account_phone_card_count")) == 0);
    CHECK(amount_of(row.at("sub_account_consumption")) == subs.consumption);
    CHECK(count_of(row.at("sub_account_call_count")) == subs.call_count);
    CHECK(amount_of(row.at("sub_account_minimum_charges")) == 0);
    CHECK(count_of(row.at("sub_account_minimum_count")) == 0);
    CHECK(amount_of(row.at("sub_account_net_movement")) == subs.net());
    CHECK(amount_of(row.at("sub_account_net_movement")) == sub_balance);  // they opened in the period
    const Book::Account& agent = book.account("AG-1");
    CHECK(amount_of(row.at("own_payments")) == agent.moved.payments);
    CHECK(count_of(row.at("own_payment_count")) == agent.moved.payment_count);
    CHECK(amount_of(row.at("own_net_movement")) == agent.balance);
    CHECK(rows_of(admin, "/v1/reports/agent-income?" + period + "&agent=AG-1") == rows);
    // Before anything was posted: the agent's row, all zeros.
    const json empty = rows_of(admin, "/v1/reports/agent-income?from=2000-01-01&to=2000-01-31");
    REQUIRE(empty.size() == 1);
    CHECK(empty[0].at("sub_account_payments") == "0.00");
    CHECK(empty[0].at("own_net_movement") == "0.00");
  }

  {  // Clearing balance
    const json rows = rows_of(admin, "/v1/reports/clearing-balance?from=" + day_from_today(-1));
    REQUIRE(rows.size() == 1);
    const json& row = rows[0];
    INFO(row.dump());
    CHECK(row.at("account_id") == "V-1");
    CHECK(row.at("account_name") == "Clearing");
    const Book::Account& clearing = book.account("V-1");
    CHECK(amount_of(row.at("opening_balance")) == 0);
    check_equal(moved_in(row), clearing.moved);
    CHECK(amount_of(row.at("net_movement")) == clearing.moved.net());
    CHECK(amount_of(row.at("closing_balance")) == clearing.balance);
    CHECK(row.at("closing_balance") == "8.25");
    CHECK(row.at("check") == "ok");
    // The default period is this month to now: the same row unless the month just turned.
    const json this_month = rows_of(admin, "/v1/reports/clearing-balance");
    REQUIRE(this_month.size() == 1);
    CHECK(this_month[0].at("closing_balance") == "8.25");
  }

  {  // Account balance
    const json rows = rows_of(admin, "/v1/reports/account-balance");
    CHECK(ids_in(rows, "account_id") == std::vector<std::string>{"AG-1", "C-1", "S-1", "S-2", "V-1"});
    for (const json& row : rows) {
      INFO(row.dump());
      CHECK(amount_of(row.at("current_balance")) == book.account(row.at("account_id")).balance);
    }
    // The rows of GET /v1/balances, as they are now.
    CHECK(rows == rows_of(admin, "/v1/balances?limit=0"));
    CHECK(ids_in(rows_of(admin, "/v1/reports/account-balance?type=direct"), "account_id") ==
          std::vector<std::string>{"C-1", "S-1", "S-2"});
    CHECK(ids_in(rows_of(admin, "/v1/reports/account-balance?agent=AG-1"), "account_id") ==
          std::vector<std::string>{"AG-1", "S-1", "S-2"});
    CHECK(ids_in(rows_of(admin, "/v1/reports/account-balance?agent=AG-1&type=direct"), "account_id") ==
          std::vector<std::string>{"S-1", "S-2"});
    CHECK(rows_of(admin, "/v1/reports/account-balance?agent=NOPE").empty());
  }
}

// Tagged [queries]: embedded and in Kafka mode alike.
TEST_CASE("reports: a phone card redeemed into a sub-account shows in settlement and agent income",
          "[http][reports][queries][cards]") {
  Api api;
  httplib::Client& admin = *api.admin;
  Book book(admin);
  book.open("AG-1", "North", "agent");
  book.open("S-1", "Sub", "direct", "AG-1", "1");
  const httplib::Result issued =
      post(admin, "/v1/cards/batches", {{"count", 1}, {"value", "10.00"}, {"expires", "2099-12-31"}});
  REQUIRE(issued);
  INFO(issued->body);
  REQUIRE(issued->status == 201);
  const json card = json::parse(issued->body).at("cards")[0];
  const httplib::Result redeemed =
      post(admin, "/v1/accounts/S-1/card-payments", {{"card", card.at("number")}, {"pin", card.at("pin")}});
  REQUIRE(redeemed);
  INFO(redeemed->body);
  REQUIRE(redeemed->status == 201);
  book.redeemed_card("S-1", "10.00");
  const std::string period = "from=" + day_from_today(-1) + "&to=" + day_from_today(1);
  check_settlement(rows_of(admin, "/v1/reports/settlement?" + period), book);
  const json income = rows_of(admin, "/v1/reports/agent-income?" + period);
  REQUIRE(income.size() == 1);
  CHECK(income[0].at("sub_account_phone_cards") == "10.00");
  CHECK(income[0].at("sub_account_phone_card_count") == "1");
  CHECK(income[0].at("sub_account_payments") == "1.00");
  CHECK(income[0].at("sub_account_net_movement") == "11.00");
}

TEST_CASE("reports: csv, xlsx and table parse back and are the CLI's bytes", "[http][reports][queries]") {
  Api api;
  httplib::Client& admin = *api.admin;
  Book book(admin);
  post_everything(book);
  const std::string from = day_from_today(-1), to = day_from_today(1);
  struct Report {
    std::string name;
    std::string query;                   // for the API
    std::vector<std::string> arguments;  // for the CLI
  };
  const std::vector<Report> reports = {
      {"account-balance", "", {}},
      {"clearing-balance", "from=" + from, {"--from", from}},
      {"agent-income", "from=" + from + "&to=" + to, {"--from", from, "--to", to}},
      {"settlement", "from=" + from + "&to=" + to + "&by=day", {"--from", from, "--to", to, "--by", "day"}},
  };
  std::map<std::string, std::map<std::string, std::string>> bodies;  // by report, then format
  TempDir scratch;
  for (const Report& report : reports) {
    INFO("report " << report.name);
    const std::string path = "/v1/reports/" + report.name + "?" + report.query;
    const std::string json_body = get_body(admin, path);
    const ordered_json rows = ordered_json::parse(json_body).at("rows");
    REQUIRE(!rows.empty());

    // CSV: a header of the columns' titles, then the JSON's cells in the same order.
    const httplib::Result csv = admin.Get((path + "&format=csv").c_str());
    REQUIRE(csv);
    CHECK(csv->status == 200);
    CHECK(csv->get_header_value("Content-Type") == "text/csv; charset=utf-8");
    const auto records = parse_csv(csv->body);
    REQUIRE(records.size() == rows.size() + 1);
    REQUIRE(records[0].size() == rows[0].size());
    for (size_t i = 0; i < rows.size(); ++i) {
      std::vector<std::string> cells;
      for (const auto& [key, value] : rows[i].items()) cells.push_back(value.get<std::string>());
      CHECK(records[i + 1] == cells);
    }

    // XLSX: a zip archive, named after the report, one sheet row per row and a header.
    const httplib::Result xlsx = admin.Get((path + "&format=xlsx").c_str());
    REQUIRE(xlsx);
    CHECK(xlsx->status == 200);
    CHECK(xlsx->body.substr(0, 4) == std::string("PK\x03\x04", 4));
    CHECK(xlsx->get_header_value("Content-Disposition") ==
          "attachment; filename=\"report-" + report.name + ".xlsx\"");
    const std::string sheet_path = scratch.file(report.name + ".xlsx");
    std::ofstream(sheet_path, std::ios::binary) << xlsx->body;
    const auto [unzipped, sheet] = run_unzip(sheet_path);
    REQUIRE(unzipped);
    CHECK(sheet.find("<row r=\"" + std::to_string(rows.size() + 1) + "\"") != std::string::npos);
    CHECK(sheet.find("<row r=\"" + std::to_string(rows.size() + 2) + "\"") == std::string::npos);
    CHECK(sheet.find(records[0][0]) != std::string::npos);  // the first column's title

    // Table: the titles, a rule, a line per row.
    const std::string table = get_body(admin, path + "&format=table");
    CHECK(table.rfind(records[0][0], 0) == 0);
    CHECK(static_cast<size_t>(std::count(table.begin(), table.end(), '\n')) == rows.size() + 2);

    bodies[report.name] = {{"json", json_body}, {"csv", csv->body}, {"table", table}};
  }
  const std::string balances_sheet = [&] {
    const std::string path = scratch.file("account-balance.xlsx");
    return run_unzip(path).second;
  }();
  CHECK(balances_sheet.find("Alice, Inc.") != std::string::npos);
  CHECK(balances_sheet.find("<v>8.25</v>") != std::string::npos);  // amounts are number cells

  // The CLI on the server's data directory prints the very bytes.
  REQUIRE(api.server->stop() == 0);
  for (const Report& report : reports) {
    for (const std::string format : {"json", "csv", "table"}) {
      INFO("report " << report.name << " --format " << format);
      std::vector<std::string> arguments = {"report",        report.name, "--data",
                                            api.data.path(), "--format",  format};
      arguments.insert(arguments.end(), report.arguments.begin(), report.arguments.end());
      const auto [code, out] = run_paystream(arguments);
      CHECK(code == 0);
      CHECK(out == bodies[report.name][format]);
    }
  }
}

TEST_CASE("reports: an agent operator's reports cover its tree only, and settlement is refused",
          "[http][reports][rights]") {
  Api api;
  httplib::Client& admin = *api.admin;
  Book book(admin);
  book.open("AG-1", "North", "agent", "", "1");
  book.open("S-1", "Sub", "direct", "AG-1", "2");
  book.open("X-1", "Outside", "direct", "", "3");
  book.open("AG-2", "South", "agent", "", "4");
  book.open("S-2", "Their sub", "direct", "AG-2", "5");
  book.open("V-1", "Clearing", "clearing", "", "6");
  book.pay("S-1", "7");
  book.pay("S-2", "8");
  auto agent = api.server->client(add_operator(
      admin, {{"name", "north"}, {"role", "agent"}, {"agent", "AG-1"}, {"allow", {"pay-sub-accounts"}}}));
  const std::string period = "from=" + day_from_today(-1) + "&to=" + day_from_today(1);

  const json balances = rows_of(*agent, "/v1/reports/account-balance");
  CHECK(ids_in(balances, "account_id") == std::vector<std::string>{"AG-1", "S-1"});
  CHECK(balances[1].at("current_balance") == "9.00");
  CHECK(ids_in(rows_of(*agent, "/v1/reports/account-balance?agent=AG-1&type=direct"), "account_id") ==
        std::vector<std::string>{"S-1"});
  const auto csv = parse_csv(get_body(*agent, "/v1/reports/account-balance?format=csv"));
  REQUIRE(csv.size() == 3);
  CHECK(csv[1][0] == "AG-1");
  CHECK(csv[2][0] == "S-1");
  CHECK(get_body(*agent, "/v1/reports/account-balance?format=xlsx").substr(0, 2) == "PK");

  const json income = rows_of(*agent, "/v1/reports/agent-income?" + period);
  REQUIRE(income.size() == 1);  // its own agent, not AG-2
  CHECK(income[0].at("agent_id") == "AG-1");
  CHECK(income[0].at("sub_account_payments") == "9.00");
  CHECK(income[0].at("own_payments") == "1.00");
  CHECK(rows_of(*agent, "/v1/reports/agent-income?" + period + "&agent=AG-1") == income);
  CHECK(rows_of(*agent, "/v1/reports/clearing-balance").empty());  // V-1 is outside its tree

  // Another tree, an account outside, an unknown account: all forbidden alike (no probing).
  for (const std::string other : {"AG-2", "S-2", "X-1", "NOPE"}) {
    INFO("agent=" << other);
    CHECK(refusal_of(agent->Get(("/v1/reports/account-balance?agent=" + other).c_str())) == forbidden);
    CHECK(refusal_of(agent->Get(("/v1/reports/agent-income?" + period + "&agent=" + other).c_str())) ==
          forbidden);
  }
  const Refused settlement = refused(agent->Get(("/v1/reports/settlement?" + period).c_str()));
  CHECK(settlement.refusal == forbidden);
  CHECK(settlement.message.find("sums every account") != std::string::npos);
  CHECK(refusal_of(agent->Get(("/v1/reports/settlement?" + period + "&format=csv").c_str())) == forbidden);

  // The admin sees both agents and every account.
  CHECK(ids_in(rows_of(admin, "/v1/reports/agent-income?" + period), "agent_id") ==
        std::vector<std::string>{"AG-1", "AG-2"});
  CHECK(ids_in(rows_of(admin, "/v1/reports/account-balance?agent=AG-2"), "account_id") ==
        std::vector<std::string>{"AG-2", "S-2"});
  CHECK(rows_of(admin, "/v1/reports/account-balance").size() == 6);
  CHECK(rows_of(admin, "/v1/reports/settlement?" + period).size() == 3);
  // An auditor reads every report, settlement included.
  auto auditor = api.server->client(add_operator(admin, {{"name", "audit"}, {"role", "auditor"}}));
  CHECK(rows_of(*auditor, "/v1/reports/settlement?" + period).size() == 3);
}

TEST_CASE("reports: a wrong option is 400 with the reason, an unknown report 404",
          "[http][reports][errors]") {
  Api api;
  httplib::Client& admin = *api.admin;
  open_account(admin, {{"account", "C-1"}, {"name", "Alice"}});
  const auto check_refused = [&](const std::string& path, const Refusal& expected, const std::string& words) {
    INFO(path);
    const Refused got = refused(admin.Get(path.c_str()));
    CHECK(got.refusal == expected);
    INFO(got.message);
    CHECK(got.message.find(words) != std::string::npos);
  };
  const std::string period = "from=2026-01-01&to=2026-01-31";
  // An option the report does not take.
  check_refused("/v1/reports/agent-income?" + period + "&by=day", invalid_argument,
                "report agent-income takes no by");
  check_refused("/v1/reports/account-balance?from=2026-01-01", invalid_argument,
                "report account-balance takes no from");
  check_refused("/v1/reports/clearing-balance?to=2026-01-01", invalid_argument,
                "report clearing-balance takes no to");
  check_refused("/v1/reports/settlement?" + period + "&as_of=2026-01-01", invalid_argument,
                "report settlement takes no as_of");
  check_refused("/v1/reports/settlement?" + period + "&agent=C-1", invalid_argument,
                "report settlement takes no agent");
  check_refused("/v1/reports/agent-income?" + period + "&type=direct", invalid_argument,
                "report agent-income takes no type");
  check_refused("/v1/reports/settlement?" + period + "&limit=5", invalid_argument,
                "unknown query parameter 'limit'");
  check_refused("/v1/reports/settlement?" + period + "&from=2026-01-02", invalid_argument, "given twice");
  // A range, a date or a value that is wrong.
  check_refused("/v1/reports/settlement?from=2026-02-01&to=2026-01-31", invalid_argument,
                "from 2026-02-01 is after to 2026-01-31");
  check_refused("/v1/reports/agent-income?from=2026-02-01&to=2026-01-31", invalid_argument, "empty range");
  check_refused("/v1/reports/clearing-balance?from=2026-02-01&as_of=2026-01-31", invalid_argument,
                "empty range");
  check_refused("/v1/reports/settlement?to=2026-01-31", invalid_argument, "report settlement needs from");
  check_refused("/v1/reports/agent-income?from=2026-01-01", invalid_argument, "report agent-income needs to");
  check_refused("/v1/reports/settlement?from=2026-13-01&to=2026-12-31", invalid_date, "2026-13-01");
  check_refused("/v1/reports/settlement?from=2026-01-01&to=tomorrow", invalid_date, "tomorrow");
  check_refused("/v1/reports/settlement?from=2026-01-01T00:00:00Z&to=2026-01-31", invalid_date,
                "2026-01-01T00:00:00Z");
  check_refused("/v1/reports/account-balance?as_of=yesterday", invalid_date, "yesterday");
  check_refused("/v1/reports/agent-income?from=1900-01-01&to=2026-01-31", invalid_argument,
                "longer than a report covers");
  check_refused("/v1/reports/settlement?from=1925-12-31&to=2026-01-31", invalid_argument,
                "longer than a report covers");
  check_refused("/v1/reports/settlement?" + period + "&by=week", invalid_argument,
                "invalid value 'week': expected day or month");
  check_refused("/v1/reports/account-balance?type=savings", invalid_argument, "savings");
  check_refused("/v1/reports/account-balance?agent=a%20b", Refusal{400, "invalid_account_id"}, "a b");
  check_refused("/v1/reports/settlement?" + period + "&format=pdf", invalid_argument, "pdf");
  // agent-income of an account that is no agent, or none at all.
  check_refused("/v1/reports/agent-income?" + period + "&agent=C-1", invalid_argument, "not an agent");
  check_refused("/v1/reports/agent-income?" + period + "&agent=NOPE", Refusal{404, "account_not_found"},
                "NOPE");
  // No such report, no token, another method.
  check_refused("/v1/reports/balance-sheet", Refusal{404, "route_not_found"}, "/v1/reports/balance-sheet");
  check_refused("/v1/reports", Refusal{404, "route_not_found"}, "/v1/reports");
  CHECK(refusal_of(api.server->client("")->Get("/v1/reports/account-balance")) ==
        Refusal{401, "unauthenticated"});
  CHECK(refusal_of(admin.Post("/v1/reports/account-balance", "", "application/json")).first == 405);
}

TEST_CASE("reports: account-balance as of a moment shows the balances GET /v1/balances showed then",
          "[http][reports][queries]") {
  Api api;
  httplib::Client& admin = *api.admin;
  Book book(admin);
  book.open("AG-1", "North", "agent", "", "1");
  book.open("S-1", "Sub", "direct", "AG-1", "2");
  book.open("V-1", "Clearing", "clearing", "", "3");
  book.pay("S-1", "4.50");
  book.adjust("V-1", "-0.25");
  const json then = rows_of(admin, "/v1/balances?limit=0");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const std::string moment = format_timestamp(now());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  book.pay("S-1", "100");
  book.make_zero("V-1");
  book.credit("AG-1", "20");
  book.open("S-9", "Later", "direct", "AG-1", "9");  // opened after the moment: left out
  const json current = rows_of(admin, "/v1/balances?limit=0");
  REQUIRE(current != then);

  INFO("as_of " << moment);
  const json as_of = rows_of(admin, "/v1/reports/account-balance?as_of=" + moment);
  CHECK(as_of == then);
  CHECK(ids_in(as_of, "account_id") == std::vector<std::string>{"AG-1", "S-1", "V-1"});
  CHECK(rows_of(admin, "/v1/reports/account-balance") == current);
  // Filtered by what the rows were then.
  const json direct = rows_of(admin, "/v1/reports/account-balance?type=direct&as_of=" + moment);
  REQUIRE(direct.size() == 1);
  CHECK(direct[0] == then[1]);
  CHECK(rows_of(admin, "/v1/reports/account-balance?agent=AG-1&as_of=" + moment) ==
        json::array({then[0], then[1]}));
  // A date alone is the end of that day: tomorrow's holds every row, yesterday's none yet.
  CHECK(rows_of(admin, "/v1/reports/account-balance?as_of=" + day_from_today(1)) == current);
  CHECK(rows_of(admin, "/v1/reports/account-balance?as_of=" + day_from_today(-1)).empty());
  // The clearing account's closing balance as of the moment is its balance then.
  const json clearing =
      rows_of(admin, "/v1/reports/clearing-balance?from=" + day_from_today(-1) + "&as_of=" + moment);
  REQUIRE(clearing.size() == 1);
  CHECK(clearing[0].at("closing_balance") == then[2].at("current_balance"));
  CHECK(clearing[0].at("closing_balance") == "2.75");
  CHECK(clearing[0].at("make_zero") == "0.00");
  CHECK(clearing[0].at("check") == "ok");
}

}  // namespace paystream::http_test
