// `paystream apply`: JSON lines from a file or standard input, one outcome line per input line,
// bad lines refused without touching the ledger, and re-runs made safe by command IDs.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/run_process.h"

namespace paystream::e2e {
namespace {

using json = nlohmann::json;

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  REQUIRE(out.good());
}

ProcessResult apply_file(const std::string& data, const std::string& file) {
  return paystream(data, {"apply", "--file", file});
}

// `apply --file -` with standard input read from `file` (run_process gives the child /dev/null).
ProcessResult apply_stdin(const std::string& data, const std::string& file) {
  return run_process(
      {"/bin/sh", "-c", "exec \"$0\" --data \"$1\" apply --file - < \"$2\"", PAYSTREAM_BINARY, data, file});
}

std::vector<json> outcomes(const ProcessResult& result) {
  std::vector<json> parsed;
  for (const std::string& line : lines_of(result.out)) parsed.push_back(json::parse(line));
  return parsed;
}

json balances(const std::string& data) {
  const ProcessResult result = paystream(data, {"balances", "--format", "json"});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  return json::parse(result.out);
}

std::string balance_of(const json& document, const std::string& account) {
  for (const json& row : document.at("rows")) {
    if (row.at("account_id") == account) return row.at("current_balance").get<std::string>();
  }
  return "(no such account)";
}

const std::string opening_lines =
    R"({"type":"open_account","account":"AG-1","name":"North Agent","account_type":"agent","command_id":"o-ag1"})"
    "\n"
    R"({"type":"open_account","account":"C-1","name":"Alice","parent":"AG-1","balance":"50","command_id":"o-c1"})"
    "\n"
    R"({"type":"pay","account":"C-1","amount":"12.50","memo":"top-up","method":"card","command_id":"p-1"})"
    "\n";

// Two good lines (1 and 5), a malformed line (2), a rejected command (3), a blank line (4) and an
// amount given as a JSON number with a fraction (6).
const std::string mixed_lines =
    R"({"type":"pay","account":"C-1","amount":"10","command_id":"m-1"})"
    "\n"
    R"({"type":"pay","account":"C-1","amount":"5")"
    "\n"
    R"({"type":"pay","account":"NOPE","amount":"5","command_id":"m-3"})"
    "\n"
    "\n"
    R"({"type":"adjust","account":"C-1","amount":"-2.5","memo":"rounding","command_id":"m-5"})"
    "\n"
    R"({"type":"pay","account":"C-1","amount":7.5,"command_id":"m-6"})"
    "\n";

}  // namespace

TEST_CASE("apply --file applies every line and prints one outcome per line", "[e2e][apply]") {
  TemporaryDirectory dir;
  write_file(dir.file("open.jsonl"), opening_lines);
  const ProcessResult result = apply_file(dir.file("data"), dir.file("open.jsonl"));
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(result.err.empty());
  const std::vector<json> lines = outcomes(result);
  REQUIRE(lines.size() == 3);
  const std::vector<std::string> ids = {"o-ag1", "o-c1", "p-1"};
  for (size_t i = 0; i < lines.size(); ++i) {
    CHECK(lines[i].at("line") == i + 1);
    CHECK(lines[i].at("ok") == true);
    CHECK(lines[i].at("duplicate") == false);
    CHECK(lines[i].at("command_id") == ids[i]);
  }
  // Opening with a balance records the account and the initial payment.
  CHECK(lines[1].at("events").size() == 2);
  const json& payment = lines[2].at("events").at(0);
  CHECK(payment.at("event") == "PaymentRecorded");
  CHECK(payment.at("account") == "C-1");
  CHECK(payment.at("amount") == "12.50");
  CHECK(payment.at("balance_before") == "50.00");
  CHECK(payment.at("balance_after") == "62.50");
  CHECK(payment.at("method") == "card");
  CHECK(payment.at("operator") == "admin");
  CHECK(balance_of(balances(dir.file("data")), "C-1") == "62.50");

  // Everything again: all duplicates, nothing changes, still exit 0.
  const ProcessResult again = apply_file(dir.file("data"), dir.file("open.jsonl"));
  REQUIRE(again.exit_code == 0);
  const std::vector<json> repeated = outcomes(again);
  REQUIRE(repeated.size() == 3);
  for (size_t i = 0; i < repeated.size(); ++i) {
    CHECK(repeated[i].at("ok") == true);
    CHECK(repeated[i].at("duplicate") == true);
    CHECK(repeated[i].at("events") == lines[i].at("events"));
  }
  CHECK(balance_of(balances(dir.file("data")), "C-1") == "62.50");
}

TEST_CASE("apply --file - reads standard input", "[e2e][apply]") {
  TemporaryDirectory dir;
  write_file(dir.file("open.jsonl"), opening_lines);
  const ProcessResult result = apply_stdin(dir.file("data"), dir.file("open.jsonl"));
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  const std::vector<json> lines = outcomes(result);
  REQUIRE(lines.size() == 3);
  for (const json& line : lines) CHECK(line.at("ok") == true);
  CHECK(balance_of(balances(dir.file("data")), "C-1") == "62.50");

  // --operator is the default for lines that name none.
  write_file(dir.file("pay.jsonl"), R"({"type":"pay","account":"C-1","amount":"1","command_id":"s-1"})"
                                    "\n"
                                    R"({"type":"pay","account":"C-1","amount":"1","operator":"till 7"})"
                                    "\n");
  const ProcessResult paid =
      run_process({"/bin/sh", "-c", "exec \"$0\" --data \"$1\" --operator night apply --file - < \"$2\"",
                   PAYSTREAM_BINARY, dir.file("data"), dir.file("pay.jsonl")});
  INFO(paid.err);
  REQUIRE(paid.exit_code == 0);
  const std::vector<json> paid_lines = outcomes(paid);
  REQUIRE(paid_lines.size() == 2);
  CHECK(paid_lines[0].at("events").at(0).at("operator") == "night");
  CHECK(paid_lines[1].at("events").at(0).at("operator") == "till 7");
  CHECK_FALSE(paid_lines[1].at("command_id").get<std::string>().empty());  // generated
  CHECK(balance_of(balances(dir.file("data")), "C-1") == "64.50");
}

TEST_CASE("apply: bad lines are refused with their line number, the good ones are applied", "[e2e][apply]") {
  TemporaryDirectory dir;
  const std::string data = dir.file("data");
  write_file(dir.file("open.jsonl"), opening_lines);
  REQUIRE(apply_file(data, dir.file("open.jsonl")).exit_code == 0);
  const json before = balances(data);
  REQUIRE(balance_of(before, "C-1") == "62.50");

  write_file(dir.file("mixed.jsonl"), mixed_lines);
  const ProcessResult result = apply_file(data, dir.file("mixed.jsonl"));
  INFO(result.out << result.err);
  CHECK(result.exit_code == 3);
  const std::vector<json> lines = outcomes(result);
  REQUIRE(lines.size() == 5);  // the blank line 4 has no outcome

  CHECK(lines[0].at("line") == 1);
  CHECK(lines[0].at("ok") == true);
  CHECK(lines[0].at("events").at(0).at("balance_after") == "72.50");

  CHECK(lines[1].at("line") == 2);
  CHECK(lines[1].at("ok") == false);
  CHECK(lines[1].at("error").at("code") == "invalid_argument");
  CHECK(lines[1].at("error").at("message").get<std::string>().find("malformed JSON") == 0);

  CHECK(lines[2].at("line") == 3);
  CHECK(lines[2].at("ok") == false);
  CHECK(lines[2].at("command_id") == "m-3");
  CHECK(lines[2].at("error").at("code") == "account_not_found");

  CHECK(lines[3].at("line") == 5);
  CHECK(lines[3].at("ok") == true);
  CHECK(lines[3].at("events").at(0).at("balance_after") == "70.00");

  CHECK(lines[4].at("line") == 6);
  CHECK(lines[4].at("ok") == false);
  CHECK(lines[4].at("command_id") == "m-6");
  CHECK(lines[4].at("error").at("code") == "invalid_amount");

  // Only lines 1 and 5 changed the ledger: C-1 moved by +10 and -2.5, no account NOPE, the rest as before.
  json after = balances(data);
  CHECK(balance_of(after, "C-1") == "70.00");
  CHECK(balance_of(after, "NOPE") == "(no such account)");
  CHECK(after.at("rows").size() == before.at("rows").size());
  CHECK(balance_of(after, "AG-1") == balance_of(before, "AG-1"));

  // The same file again: the applied lines are duplicates, the bad ones are refused again, and no
  // balance changes.
  const ProcessResult again = apply_file(data, dir.file("mixed.jsonl"));
  INFO(again.out << again.err);
  CHECK(again.exit_code == 3);
  const std::vector<json> repeated = outcomes(again);
  REQUIRE(repeated.size() == 5);
  CHECK(repeated[0].at("duplicate") == true);
  CHECK(repeated[0].at("events") == lines[0].at("events"));
  CHECK(repeated[3].at("duplicate") == true);
  CHECK(repeated[3].at("events") == lines[3].at("events"));
  for (const size_t i : {size_t{1}, size_t{2}, size_t{4}}) {
    CHECK(repeated[i].at("ok") == false);
    CHECK(repeated[i].at("error") == lines[i].at("error"));
  }
  CHECK(balances(data) == after);
}

TEST_CASE("apply: a missing --file and a zero --chunk are refused before anything is opened",
          "[e2e][apply]") {
  TemporaryDirectory dir;
  const ProcessResult missing = apply_file(dir.file("data"), dir.file("no-such.jsonl"));
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("cannot read") != std::string::npos);
  write_file(dir.file("open.jsonl"), opening_lines);
  const ProcessResult zero =
      paystream(dir.file("data"), {"apply", "--file", dir.file("open.jsonl"), "--chunk", "0"});
  CHECK(zero.exit_code == 2);
  CHECK(zero.out.empty());
}

}  // namespace paystream::e2e
