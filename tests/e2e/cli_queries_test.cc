// records and balances: filters, paging with the cursor, formats and --output.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/run_process.h"

namespace paystream::e2e {
namespace {

// Two accounts; C-1 gets five payments by two operators, C-2 one payment and one credit.
void fill_ledger(const std::string& data) {
  for (const char* id : {"C-1", "C-2"}) {
    REQUIRE(paystream(data, {"account", "open", id, "--name", id, "--type", "direct"}).exit_code == 0);
  }
  for (int i = 1; i <= 5; ++i) {
    const std::string who = i % 2 == 0 ? "bob" : "alice";
    REQUIRE(paystream(data, {"pay", "C-1", std::to_string(i), "--operator", who}).exit_code == 0);
  }
  REQUIRE(paystream(data, {"pay", "C-2", "100"}).exit_code == 0);
  REQUIRE(paystream(data, {"credit", "C-2", "30"}).exit_code == 0);
}

size_t data_rows(const ProcessResult& result) {
  REQUIRE(result.exit_code == 0);
  return lines_of(result.out).size() - 1;  // minus the header
}

// The rows of a JSON document, wherever the writer puts its array.
nlohmann::json rows_of(const nlohmann::json& document) {
  if (document.is_array()) return document;
  for (const auto& [key, value] : document.items()) {
    if (value.is_array()) return value;
  }
  FAIL("no array of rows in " << document.dump());
  return {};
}

}  // namespace

TEST_CASE("records filters by account, type, operator and time", "[e2e][cli][query]") {
  TemporaryDirectory dir;
  fill_ledger(dir.path());
  CHECK(data_rows(paystream(dir.path(), {"records", "--format", "csv"})) == 7);
  CHECK(data_rows(paystream(dir.path(), {"records", "--account", "C-1", "--format", "csv"})) == 5);
  CHECK(data_rows(paystream(dir.path(), {"records", "--type", "credit", "--format", "csv"})) == 1);
  CHECK(data_rows(paystream(dir.path(), {"records", "--operator", "bob", "--format", "csv"})) == 2);
  CHECK(data_rows(paystream(
            dir.path(), {"records", "--from", "2000-01-01", "--to", "2000-01-02", "--format", "csv"})) == 0);
  CHECK(data_rows(paystream(dir.path(),
                            {"records", "--from", "2000-01-01T00:00:00+02:00", "--format", "csv"})) == 7);
}

TEST_CASE("records --to with a date alone takes in that whole day", "[e2e][cli][query]") {
  TemporaryDirectory dir;
  fill_ledger(dir.path());
  const ProcessResult all = paystream(dir.path(), {"records", "--format", "json"});
  REQUIRE(all.exit_code == 0);
  const std::string day =
      rows_of(nlohmann::json::parse(all.out))[0].at("payment_time").get<std::string>().substr(0, 10);
  CHECK(data_rows(paystream(dir.path(), {"records", "--from", day, "--to", day, "--format", "csv"})) == 7);
  CHECK(data_rows(paystream(dir.path(), {"records", "--to", day + "T00:00:00Z", "--format", "csv"})) == 0);
}

TEST_CASE("records: the table escapes control characters of a memo, CSV keeps them", "[e2e][cli][query]") {
  TemporaryDirectory dir;
  REQUIRE(paystream(dir.path(), {"account", "open", "C-1", "--name", "One", "--type", "direct"}).exit_code ==
          0);
  REQUIRE(paystream(dir.path(), {"pay", "C-1", "1", "--memo", "\x1b]0;owned\x07\x1b[2J"}).exit_code == 0);
  const ProcessResult table = paystream(dir.path(), {"records"});
  REQUIRE(table.exit_code == 0);
  CHECK(table.out.find('\x1b') == std::string::npos);
  CHECK(table.out.find('\x07') == std::string::npos);
  CHECK(table.out.find("\\x1b]0;owned\\x07\\x1b[2J") != std::string::npos);
  const ProcessResult csv = paystream(dir.path(), {"records", "--format", "csv"});
  REQUIRE(csv.exit_code == 0);
  CHECK(csv.out.find("\x1b]0;owned\x07\x1b[2J") != std::string::npos);
}

TEST_CASE("records pages with a cursor: in the JSON, on stderr for a table", "[e2e][cli][query]") {
  TemporaryDirectory dir;
  fill_ledger(dir.path());
  std::vector<std::string> ids;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    std::vector<std::string> arguments = {"records", "--limit", "3", "--format", "json"};
    if (!cursor.empty()) arguments.insert(arguments.end(), {"--cursor", cursor});
    const ProcessResult result = paystream(dir.path(), arguments);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    const nlohmann::json document = nlohmann::json::parse(result.out);
    for (const nlohmann::json& row : rows_of(document)) ids.push_back(row.at("record_id").dump());
    REQUIRE(document.contains("next_cursor"));
    cursor = document.at("next_cursor").get<std::string>();
    if (cursor.empty()) break;
  }
  CHECK(ids.size() == 7);
  const ProcessResult table = paystream(dir.path(), {"records", "--limit", "3"});
  REQUIRE(table.exit_code == 0);
  CHECK(table.err.find("next page: --cursor ") == 0);
  CHECK(lines_of(table.out).size() == 2 + 3);  // header, rule, three rows
}

TEST_CASE("balances filters by account, type and balance range", "[e2e][cli][query]") {
  TemporaryDirectory dir;
  fill_ledger(dir.path());
  REQUIRE(paystream(dir.path(), {"account", "open", "V-1", "--name", "V", "--type", "clearing"}).exit_code ==
          0);
  CHECK(data_rows(paystream(dir.path(), {"balances", "--format", "csv"})) == 3);
  CHECK(data_rows(paystream(dir.path(), {"balances", "--type", "clearing", "--format", "csv"})) == 1);
  CHECK(data_rows(paystream(dir.path(), {"balances", "--account", "C-2", "--format", "csv"})) == 1);
  CHECK(data_rows(paystream(dir.path(), {"balances", "--min", "15", "--format", "csv"})) == 2);
  CHECK(data_rows(paystream(dir.path(), {"balances", "--min", "15", "--max", "15", "--format", "csv"})) == 1);
  CHECK(data_rows(paystream(dir.path(), {"balances", "--max", "-0.01", "--format", "csv"})) == 0);
}

TEST_CASE("Output to a file: CSV and XLSX", "[e2e][cli][query]") {
  TemporaryDirectory dir;
  fill_ledger(dir.path());
  const ProcessResult csv =
      paystream(dir.path(), {"records", "--format", "csv", "--output", dir.file("r.csv")});
  REQUIRE(csv.exit_code == 0);
  CHECK(csv.out.empty());
  CHECK(lines_of(read_file(dir.file("r.csv"))).size() == 8);
  for (const char* query : {"records", "balances"}) {
    const std::string path = dir.file(std::string(query) + ".xlsx");
    const ProcessResult xlsx = paystream(dir.path(), {query, "--format", "xlsx", "--output", path});
    INFO(xlsx.err);
    REQUIRE(xlsx.exit_code == 0);
    CHECK(read_file(path).rfind("PK", 0) == 0);  // a zip container, as every .xlsx
  }
}

}  // namespace paystream::e2e

namespace paystream::e2e {

TEST_CASE(
    "records show what a reversal reverses, the expiration a payment set, and a method only for money paid "
    "in",
    "[e2e][cli][query]") {
  TemporaryDirectory dir;
  const std::string data = dir.path();
  REQUIRE(paystream(data, {"param", "set", "SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY", "30"}).exit_code == 0);
  REQUIRE(paystream(data, {"account", "open", "C-1", "--name", "C-1", "--type", "direct", "--expires",
                           "2030-01-10"})
              .exit_code == 0);
  REQUIRE(paystream(data, {"pay", "C-1", "5", "--method", "card"}).exit_code == 0);
  REQUIRE(paystream(data, {"credit", "C-1", "20"}).exit_code == 0);
  const ProcessResult listed = paystream(data, {"records", "--format", "json"});
  REQUIRE(listed.exit_code == 0);
  const nlohmann::json paid = rows_of(nlohmann::json::parse(listed.out)).at(0);
  CHECK(paid.at("method") == "card");
  CHECK(paid.at("new_expiration") == "2030-02-09");  // max(2030-01-10, today) + 30 days
  const nlohmann::json credit = rows_of(nlohmann::json::parse(listed.out)).at(1);
  CHECK(credit.at("amount") == "20.00");  // the limit it set
  CHECK(credit.at("method") == "");
  CHECK(credit.at("new_expiration") == "");

  // The reversal names the payment and leaves the extension alone (docs/domain.md: decided).
  const std::string payment_id = paid.at("record_id");
  REQUIRE(paystream(data, {"reverse", payment_id}).exit_code == 0);
  const ProcessResult after = paystream(data, {"records", "--type", "reversal", "--format", "json"});
  REQUIRE(after.exit_code == 0);
  const nlohmann::json reversal = rows_of(nlohmann::json::parse(after.out)).at(0);
  CHECK(reversal.at("reverses") == payment_id);
  CHECK(reversal.at("method") == "");
  CHECK(reversal.at("new_expiration") == "");
  const ProcessResult shown = paystream(data, {"account", "show", "C-1", "--format", "json"});
  REQUIRE(shown.exit_code == 0);
  CHECK(shown.out.find("2030-02-09") != std::string::npos);
}

}  // namespace paystream::e2e
