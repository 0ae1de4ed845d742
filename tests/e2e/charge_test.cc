// `paystream charge` (one CDR, or a CDR file) and `paystream authorize`, run as a user would.
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>

#include "events/time.h"
#include "tests/support/run_process.h"

namespace paystream::e2e {
namespace {

using json = nlohmann::json;

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  REQUIRE(out.good());
}

// A call start a few minutes ago, in this month unless the month began within the last minutes.
std::string minutes_ago(int minutes) {
  const auto now = std::chrono::system_clock::now() - std::chrono::minutes(minutes);
  const int64_t seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  return format_timestamp(Timestamp{seconds * 1'000'000});
}

json account_json(const std::string& data, const std::string& account) {
  const ProcessResult shown = paystream(data, {"account", "show", account, "--format", "json"});
  INFO(shown.err);
  REQUIRE(shown.exit_code == 0);
  return json::parse(shown.out).at("rows").at(0);
}

json authorization(const std::string& data, const std::string& account) {
  const ProcessResult answered = paystream(data, {"authorize", account, "--format", "json"});
  INFO(answered.err);
  REQUIRE(answered.exit_code == 0);
  return json::parse(answered.out);
}

void open_account(const std::string& data, std::vector<std::string> arguments) {
  std::vector<std::string> open = {"account", "open"};
  open.insert(open.end(), arguments.begin(), arguments.end());
  const ProcessResult opened = paystream(data, open);
  INFO(opened.err);
  REQUIRE(opened.exit_code == 0);
}

}  // namespace

TEST_CASE("charge records a call once, and authorize answers from the balance it leaves", "[e2e][charge]") {
  TemporaryDirectory dir;
  const std::string data = dir.file("data");
  open_account(data, {"C-1", "--name", "Alice", "--type", "direct", "--balance", "10", "--overdraft", "2",
                      "--monthly-max", "8"});
  CHECK(authorization(data, "C-1") ==
        json{{"account", "C-1"}, {"allowed", true}, {"reason", ""}, {"max_spend", "8.00"}});
  const std::vector<std::string> charge = {"charge",  "C-1",          "3.25",       "--cdr-id", "call-1",
                                           "--start", minutes_ago(5), "--duration", "125",      "--caller",
                                           "4420",    "--callee",     "3130"};
  const ProcessResult first = paystream(data, charge);
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 0);
  json account = account_json(data, "C-1");
  CHECK(account.at("current_balance") == "6.75");
  CHECK(account.at("monthly_consumption") == "3.25");
  CHECK(account.at("account_status") == "active");
  CHECK(authorization(data, "C-1").at("max_spend") == "4.75");  // 8 - 3.25, below 6.75 + 2

  // The softswitch resends the CDR: nothing changes, and it is a success.
  const ProcessResult resent = paystream(data, charge);
  CHECK(resent.exit_code == 0);
  CHECK(resent.err.find("already applied") != std::string::npos);
  CHECK(account_json(data, "C-1").at("current_balance") == "6.75");

  // A charge past the overdraft is still recorded; the account may no longer call.
  const ProcessResult big =
      paystream(data, {"charge", "C-1", "20", "--cdr-id", "call-2", "--start", minutes_ago(4)});
  INFO(big.err);
  REQUIRE(big.exit_code == 0);
  account = account_json(data, "C-1");
  CHECK(account.at("current_balance") == "-13.25");
  CHECK(account.at("account_status") == "no_credit");
  CHECK(authorization(data, "C-1") ==
        json{{"account", "C-1"}, {"allowed", false}, {"reason", "no_credit"}, {"max_spend", "0.00"}});
  const ProcessResult table = paystream(data, {"authorize", "C-1"});
  CHECK(table.out.find("no_credit") != std::string::npos);

  // Bad input changes nothing.
  CHECK(paystream(data, {"charge", "C-1", "-1", "--cdr-id", "neg", "--start", minutes_ago(3)}).exit_code ==
        3);
  CHECK(paystream(data, {"charge", "NOPE", "1", "--cdr-id", "x", "--start", minutes_ago(3)}).exit_code == 3);
  CHECK(paystream(data, {"charge", "C-1", "1", "--start", minutes_ago(3)}).exit_code == 2);  // no CDR ID
  CHECK(paystream(data, {"authorize", "NOPE"}).exit_code == 3);
  CHECK(account_json(data, "C-1").at("current_balance") == "-13.25");
  // The charges query lists the two charges (not the refused ones), newest last.
  const ProcessResult listed = paystream(data, {"charges", "--account", "C-1", "--format", "json"});
  INFO(listed.err);
  REQUIRE(listed.exit_code == 0);
  const json rows = json::parse(listed.out).at("rows");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].at("cdr_id") == "call-1");
  CHECK(rows[0].at("amount") == "3.25");
  CHECK(rows[0].at("balance_before") == "10.00");
  CHECK(rows[0].at("duration_seconds") == "125");
  CHECK(rows[0].at("caller") == "4420");
  CHECK(rows[1].at("cdr_id") == "call-2");
  CHECK(rows[1].at("balance_after") == "-13.25");
  const ProcessResult csv = paystream(data, {"charges", "--format", "csv"});
  CHECK(lines_of(csv.out).size() == 3);
  CHECK(lines_of(csv.out)[0] ==
        "Charge ID,Account ID,CDR ID,Amount,Balance Before,Balance After,Call Start,Duration,Caller,Callee,"
        "Recorded,Operator");
  // Charges are no payment records.
  const ProcessResult records = paystream(data, {"records", "--account", "C-1", "--format", "json"});
  CHECK(json::parse(records.out).at("rows").size() == 1);  // the initial balance
  // The history explains the balance: a rebuild of the projections gives the same bytes.
  const ProcessResult verified = paystream(data, {"replay", "--verify"});
  INFO(verified.out << verified.err);
  CHECK(verified.exit_code == 0);
}

TEST_CASE("charge --file applies a CDR file, reports each bad line by number, and a re-run applies nothing",
          "[e2e][charge]") {
  TemporaryDirectory dir;
  const std::string data = dir.file("data");
  open_account(data, {"C-1", "--name", "Alice", "--type", "direct", "--balance", "100"});
  open_account(data, {"C-2", "--name", "Bob", "--type", "direct"});
  const std::string start = minutes_ago(10);
  // Columns in another order than the documented one, a quoted field with a comma, an empty
  // optional column; bad lines: an unknown account (4), a malformed amount (5), too few fields (6),
  // a negative charge (8).
  write_file(dir.file("cdrs.csv"),
             "account,amount,cdr_id,start_time,caller,duration_seconds\n"
             "C-1,1.50,a-1," +
                 start +
                 ",\"4420, desk\",60\n"
                 "C-2,0.25,a-2," +
                 start +
                 ",,\n"
                 "NOPE,1,a-3," +
                 start +
                 ",,\n"
                 "C-1,1.5.0,a-4," +
                 start +
                 ",,\n"
                 "C-1,1,a-5\n"
                 "\n"
                 "C-1,-1,a-6," +
                 start +
                 ",,\n"
                 "C-1,2.00,a-7," +
                 start + ",,30\n");
  const ProcessResult first = paystream(data, {"charge", "--file", dir.file("cdrs.csv"), "--format", "json"});
  INFO(first.out << first.err);
  CHECK(first.exit_code == 3);
  std::vector<json> lines;
  for (const std::string& line : lines_of(first.out)) lines.push_back(json::parse(line));
  REQUIRE(lines.size() == 5);
  CHECK(lines[0].at("line") == 4);
  CHECK(lines[0].at("error").at("code") == "account_not_found");
  CHECK(lines[1].at("line") == 5);
  CHECK(lines[1].at("error").at("code") == "invalid_amount");
  CHECK(lines[2].at("line") == 6);
  CHECK(lines[2].at("error").at("message").get<std::string>().find("fields") != std::string::npos);
  CHECK(lines[3].at("line") == 8);
  CHECK(lines[3].at("error").at("code") == "amount_must_not_be_negative");
  CHECK(lines[4] == json{{"lines", 7}, {"applied", 3}, {"duplicates", 0}, {"refused", 4}});
  CHECK(account_json(data, "C-1").at("current_balance") == "96.50");
  CHECK(account_json(data, "C-1").at("monthly_consumption") == "3.50");
  CHECK(account_json(data, "C-2").at("current_balance") == "-0.25");

  // The same file again: the good lines are duplicates, the bad ones refused again.
  const ProcessResult again = paystream(data, {"charge", "--file", dir.file("cdrs.csv")});
  INFO(again.out << again.err);
  CHECK(again.exit_code == 3);
  CHECK(again.out.find("7 lines: 0 charges applied, 3 duplicates, 4 refused") != std::string::npos);
  CHECK(again.err.find("line 4: CDR 'a-3': account 'NOPE' does not exist") != std::string::npos);
  CHECK(account_json(data, "C-1").at("current_balance") == "96.50");

  // Not a CDR file: nothing is read past its header.
  write_file(dir.file("bad.csv"), "cdr_id,account,amount\nx,C-1,1\n");
  const ProcessResult bad = paystream(data, {"charge", "--file", dir.file("bad.csv")});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("no 'start_time' column") != std::string::npos);
}

}  // namespace paystream::e2e
