// Commands that change something: what they print, idempotency keys, signed amounts, settings.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/run_process.h"

namespace paystream::e2e {
namespace {

// Cells of the data rows of a CSV output without quoted commas (enough for these tests).
std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  const std::vector<std::string> lines = lines_of(text);
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> cells(1);
    for (char c : lines[i]) {
      if (c == ',') {
        cells.emplace_back();
      } else {
        cells.back() += c;
      }
    }
    rows.push_back(cells);
  }
  return rows;
}

std::string balance_of(const std::string& data, const std::string& account) {
  const ProcessResult result = paystream(data, {"balances", "--account", account, "--format", "csv"});
  REQUIRE(result.exit_code == 0);
  const auto rows = csv_rows(result.out);
  REQUIRE(rows.size() == 1);
  return rows[0].at(3);  // Current Balance
}

void open_direct(const std::string& data, const std::string& id) {
  REQUIRE(paystream(data, {"account", "open", id, "--name", "Name of " + id, "--type", "direct"}).exit_code ==
          0);
}

}  // namespace

TEST_CASE("pay prints the record it made, with its ID and the nine columns", "[e2e][cli][write]") {
  TemporaryDirectory dir;
  open_direct(dir.path(), "C-1");
  const ProcessResult result =
      paystream(dir.path(), {"pay", "C-1", "12.5", "--memo", "cash, at the desk", "--operator", "desk-2",
                             "--format", "json", "--command-id", "p-1"});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  const nlohmann::json document = nlohmann::json::parse(result.out);
  CHECK(document.dump().find("\"command_id\":\"p-1\"") != std::string::npos);
  const std::string text = document.dump();
  for (const char* expected : {"\"account_id\":\"C-1\"", "\"account_name\":\"Name of C-1\"", "\"payment\"",
                               "\"12.50\"", "\"0.00\"", "\"desk-2\"", "\"cash, at the desk\""}) {
    CHECK(text.find(expected) != std::string::npos);
  }
}

TEST_CASE("A repeated command ID changes nothing and says so", "[e2e][cli][write]") {
  TemporaryDirectory dir;
  open_direct(dir.path(), "C-1");
  const ProcessResult first = paystream(dir.path(), {"pay", "C-1", "5", "--command-id", "k-1"});
  const ProcessResult again = paystream(dir.path(), {"pay", "C-1", "5", "--command-id", "k-1"});
  REQUIRE(first.exit_code == 0);
  REQUIRE(again.exit_code == 0);
  CHECK(first.err.empty());
  CHECK(again.err.find("(already applied)") != std::string::npos);
  CHECK(again.out == first.out);
  CHECK(balance_of(dir.path(), "C-1") == "5.00");
}

TEST_CASE("adjust takes a negative amount as a plain argument", "[e2e][cli][write]") {
  TemporaryDirectory dir;
  open_direct(dir.path(), "C-1");
  REQUIRE(paystream(dir.path(), {"pay", "C-1", "10"}).exit_code == 0);
  const ProcessResult minus = paystream(dir.path(), {"adjust", "C-1", "-3.10", "--memo", "rounding"});
  INFO(minus.err);
  REQUIRE(minus.exit_code == 0);
  CHECK(balance_of(dir.path(), "C-1") == "6.90");
  REQUIRE(paystream(dir.path(), {"adjust", "C-1", "--memo", "after --", "--", "-0.90"}).exit_code == 0);
  REQUIRE(paystream(dir.path(), {"adjust", "C-1", "+1"}).exit_code == 0);
  CHECK(balance_of(dir.path(), "C-1") == "7.00");
}

TEST_CASE("credit, zero and reverse each print one record", "[e2e][cli][write]") {
  TemporaryDirectory dir;
  open_direct(dir.path(), "C-1");
  const auto pay = csv_rows(paystream(dir.path(), {"pay", "C-1", "40", "--format", "csv"}).out);
  REQUIRE(pay.size() == 1);
  const auto credit = csv_rows(paystream(dir.path(), {"credit", "C-1", "15", "--format", "csv"}).out);
  REQUIRE(credit.size() == 1);
  CHECK(credit[0].at(3) == "credit");
  CHECK(credit[0].at(4) == "15.00");
  const auto reverse = csv_rows(paystream(dir.path(), {"reverse", pay[0].at(0), "--format", "csv"}).out);
  REQUIRE(reverse.size() == 1);
  CHECK(reverse[0].at(3) == "reversal");
  CHECK(reverse[0].at(4) == "-40.00");
  REQUIRE(paystream(dir.path(), {"pay", "C-1", "2.5"}).exit_code == 0);
  const auto zero = csv_rows(paystream(dir.path(), {"zero", "C-1", "--format", "csv"}).out);
  REQUIRE(zero.size() == 1);
  CHECK(zero[0].at(3) == "make_zero");
  CHECK(zero[0].at(4) == "-2.50");
  CHECK(paystream(dir.path(), {"reverse", pay[0].at(0)}).exit_code == 3);  // only once
}

TEST_CASE("account open and update print the account", "[e2e][cli][write]") {
  TemporaryDirectory dir;
  REQUIRE(
      paystream(dir.path(), {"account", "open", "AG-1", "--name", "Agent", "--type", "agent"}).exit_code ==
      0);
  const ProcessResult open =
      paystream(dir.path(), {"account", "open",          "C-1",  "--name",      "Zoë Ltd",    "--type",
                             "direct",  "--parent",      "AG-1", "--overdraft", "5",          "--monthly-min",
                             "1",       "--monthly-max", "100",  "--expires",   "2099-01-31", "--balance",
                             "20",      "--format",      "csv"});
  INFO(open.err);
  REQUIRE(open.exit_code == 0);
  CHECK(csv_rows(open.out) ==
        std::vector<std::vector<std::string>>{{"C-1", "Zoë Ltd", "direct", "20.00", "5.00", "25.00", "0.00",
                                               "1.00", "100.00", "2099-01-31", "active", "AG-1", "no"}});
  const ProcessResult update =
      paystream(dir.path(), {"account", "update", "C-1", "--name", "Zoë plc", "--no-parent", "--no-expiry",
                             "--lock", "--format", "csv"});
  INFO(update.err);
  REQUIRE(update.exit_code == 0);
  CHECK(csv_rows(update.out) ==
        std::vector<std::vector<std::string>>{{"C-1", "Zoë plc", "direct", "20.00", "5.00", "25.00", "0.00",
                                               "1.00", "100.00", "", "locked", "", "yes"}});
  const ProcessResult show = paystream(dir.path(), {"account", "show", "C-1", "--format", "csv"});
  CHECK(show.out == update.out);
}

TEST_CASE("param set and list", "[e2e][cli][write]") {
  TemporaryDirectory dir;
  const ProcessResult set =
      paystream(dir.path(), {"param", "set", "SERVER_CUSTOMER_OVERDRAFT_LIMIT", "7.5", "--format", "csv"});
  INFO(set.err);
  REQUIRE(set.exit_code == 0);
  CHECK(csv_rows(set.out).at(0).at(1) == "7.50");
  open_direct(dir.path(), "C-1");
  CHECK(csv_rows(paystream(dir.path(), {"account", "show", "C-1", "--format", "csv"}).out).at(0).at(4) ==
        "7.50");
  const auto list = csv_rows(paystream(dir.path(), {"param", "list", "--format", "csv"}).out);
  REQUIRE(list.size() == 6);
  CHECK(list[0] == std::vector<std::string>{"SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY", "0",
                                            "days a payment extends the expiration"});
  CHECK(list[3].at(1) == "7.50");
  CHECK(list[4] == std::vector<std::string>{"AGENT_OVERDRAFT_LIMIT_MAX", "0.00",
                                            "highest overdraft limit an agent operator may set"});
  CHECK(list[5] == std::vector<std::string>{"RECORD_RETENTION_DAYS", "0",
                                            "days payment records stay in the query tables (0: forever)"});
}

TEST_CASE("Help, and a missing subcommand", "[e2e][cli]") {
  TemporaryDirectory dir;
  const ProcessResult help = run_process({PAYSTREAM_BINARY, "--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("records") != std::string::npos);
  const ProcessResult pay_help = run_process({PAYSTREAM_BINARY, "pay", "--help"});
  CHECK(pay_help.exit_code == 0);
  CHECK(pay_help.out.find("--command-id") != std::string::npos);
  CHECK(run_process({PAYSTREAM_BINARY}).exit_code == 2);
  CHECK(run_process({PAYSTREAM_BINARY, "account"}).exit_code == 2);
}

}  // namespace paystream::e2e
