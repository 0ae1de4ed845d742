// audit explain, export and verify, and the Python of docs/events.md that checks an export without
// paystream: run as the docs print it, on a real export and on damaged copies.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/run_process.h"

namespace paystream::e2e {
namespace {

void fill_ledger(const std::string& data) {
  REQUIRE(paystream(data, {"account", "open", "C-1", "--name", "C-1", "--type", "direct"}).exit_code == 0);
  REQUIRE(paystream(data, {"pay", "C-1", "10"}).exit_code == 0);
  REQUIRE(paystream(data, {"pay", "C-1", "2.50"}).exit_code == 0);
  REQUIRE(paystream(data, {"adjust", "C-1", "-1.25"}).exit_code == 0);
  REQUIRE(paystream(data, {"charge", "C-1", "0.40", "--cdr-id", "a-1", "--start", "2026-12-01T10:00:00Z"})
              .exit_code == 0);
  REQUIRE(paystream(data, {"account", "open", "C-2", "--name", "C-2", "--type", "direct"}).exit_code == 0);
}

// The Python block of docs/events.md "Checking an audit export without paystream", as a file.
std::string write_checker(const TemporaryDirectory& dir) {
  const std::string doc = read_file(PAYSTREAM_EVENTS_DOC);
  const size_t section = doc.find("### Checking an audit export");
  REQUIRE(section != std::string::npos);
  const size_t begin = doc.find("```python\n", section);
  REQUIRE(begin != std::string::npos);
  const size_t end = doc.find("```", begin + 10);
  REQUIRE(end != std::string::npos);
  const std::string path = dir.file("check_export.py");
  std::ofstream(path) << doc.substr(begin + 10, end - begin - 10);
  return path;
}

ProcessResult check(const std::string& checker, const std::string& lines, const TemporaryDirectory& dir) {
  const std::string path = dir.file("export-copy.jsonl");
  std::ofstream(path, std::ios::trunc) << lines;
  return run_process({"/usr/bin/python3", checker, path});
}

}  // namespace

TEST_CASE("audit explain lists every event of an account with its running balance, checked",
          "[e2e][cli][audit]") {
  TemporaryDirectory dir;
  fill_ledger(dir.path());
  const ProcessResult explained = paystream(dir.path(), {"audit", "explain", "C-1", "--format", "json"});
  REQUIRE(explained.exit_code == 0);
  const nlohmann::json rows = nlohmann::json::parse(explained.out).at("rows");
  REQUIRE(rows.size() == 6);  // opened, two payments, an adjustment, a charge, the closing line
  CHECK(rows[0].at("event") == "AccountOpened");
  CHECK(rows[4].at("event") == "ChargeRecorded");
  CHECK(rows[4].at("moved") == "-0.40");
  CHECK(rows[4].at("running_balance") == "10.85");
  for (size_t i = 1; i < rows.size(); ++i) CHECK(rows[i].at("check") == "ok");
  CHECK(rows[5].at("event") == "balance = sum of events");
  CHECK(rows[5].at("balance_after") == "10.85");

  const ProcessResult unknown = paystream(dir.path(), {"audit", "explain", "C-9"});
  CHECK(unknown.exit_code == 3);
  CHECK(unknown.err.find("account_not_found") != std::string::npos);
  const ProcessResult before =
      paystream(dir.path(), {"audit", "explain", "C-1", "--as-of", "2001-01-01", "--format", "csv"});
  REQUIRE(before.exit_code == 0);
  CHECK(lines_of(before.out).size() == 1);  // the header only: the account did not exist yet
}

TEST_CASE("audit export is checked by the Python of docs/events.md, which names the damaged position",
          "[e2e][cli][audit]") {
  TemporaryDirectory dir;
  fill_ledger(dir.path());
  const std::string exported = dir.file("export.jsonl");
  const ProcessResult run = paystream(dir.path(), {"audit", "export", "--output", exported});
  REQUIRE(run.exit_code == 0);
  const std::vector<std::string> lines = lines_of(read_file(exported));
  REQUIRE(lines.size() == 6);
  const std::string checker = write_checker(dir);
  const auto joined = [](const std::vector<std::string>& parts) {
    std::string text;
    for (const std::string& part : parts) text += part + "\n";
    return text;
  };
  const ProcessResult whole = check(checker, joined(lines), dir);
  INFO(whole.err);
  CHECK(whole.exit_code == 0);
  CHECK(whole.out == "chain ok: 6 events\n");

  // One event's bytes changed: its hash no longer matches.
  std::vector<std::string> changed = lines;
  nlohmann::json third = nlohmann::json::parse(changed[2]);
  std::string encoded = third.at("encoded");
  encoded[20] = encoded[20] == 'A' ? 'B' : 'A';
  third["encoded"] = encoded;
  changed[2] = third.dump();
  ProcessResult damaged = check(checker, joined(changed), dir);
  CHECK(damaged.exit_code == 1);
  CHECK(damaged.err.find("position 3: its bytes do not hash") != std::string::npos);

  // One event left out, and two swapped.
  std::vector<std::string> missing = lines;
  missing.erase(missing.begin() + 3);
  damaged = check(checker, joined(missing), dir);
  CHECK(damaged.err.find("position 5: positions 4 to 4 are missing") != std::string::npos);
  std::vector<std::string> swapped = lines;
  std::swap(swapped[1], swapped[2]);
  damaged = check(checker, joined(swapped), dir);
  CHECK(damaged.exit_code == 1);
  CHECK(damaged.err.find("position 3") != std::string::npos);

  // A later range: checked from its first line on.
  const ProcessResult part = paystream(dir.path(), {"audit", "export", "--from", "2001-01-01"});
  REQUIRE(part.exit_code == 0);
  CHECK(lines_of(part.out).size() == 6);
  CHECK(paystream(dir.path(), {"audit", "verify"}).exit_code == 0);
}

}  // namespace paystream::e2e

namespace paystream::e2e {

TEST_CASE("audit export of a memo that is not UTF-8 (Latin-1 from a shell) writes every event, checked",
          "[e2e][cli][audit]") {
  TemporaryDirectory dir;
  REQUIRE(paystream(dir.path(), {"account", "open", "C-1", "--name", "C-1", "--type", "direct"}).exit_code ==
          0);
  REQUIRE(paystream(dir.path(), {"pay", "C-1", "10", "--memo", "caf\xe9"}).exit_code == 0);
  const std::string exported = dir.file("export.jsonl");
  const ProcessResult run = paystream(dir.path(), {"audit", "export", "--output", exported});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const std::vector<std::string> lines = lines_of(read_file(exported));
  REQUIRE(lines.size() == 2);
  // The memo is shown with U+FFFD; the event's exact bytes are in "encoded", which the chain hashes.
  CHECK(nlohmann::json::parse(lines[1]).at("memo") == "caf\xef\xbf\xbd");
  const ProcessResult checked = check(write_checker(dir), read_file(exported), dir);
  INFO(checked.err);
  CHECK(checked.exit_code == 0);
}

TEST_CASE("audit operations lists who changed what, before and after, filtered by operator and account",
          "[e2e][cli][audit]") {
  TemporaryDirectory dir;
  const std::string data = dir.path();
  REQUIRE(paystream(data, {"operator", "add", "root", "--role", "admin"}).exit_code == 0);
  REQUIRE(
      paystream(data, {"account", "open", "C-1", "--name", "Old", "--type", "direct", "--operator", "root"})
          .exit_code == 0);
  REQUIRE(paystream(data, {"pay", "C-1", "5", "--operator", "root"}).exit_code == 0);
  REQUIRE(paystream(data, {"operator", "add", "fin", "--role", "finance", "--operator", "root"}).exit_code ==
          0);
  REQUIRE(paystream(data, {"account", "update", "C-1", "--name", "New", "--operator", "root"}).exit_code ==
          0);
  REQUIRE(paystream(data, {"param", "set", "SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY", "7", "--operator", "root"})
              .exit_code == 0);
  REQUIRE(paystream(data, {"operator", "disable", "fin", "--operator", "root"}).exit_code == 0);

  const auto rows = [&](std::vector<std::string> filters) {
    std::vector<std::string> arguments{"audit", "operations", "--format", "json"};
    arguments.insert(arguments.end(), filters.begin(), filters.end());
    const ProcessResult listed = paystream(data, arguments);
    INFO(listed.err);
    REQUIRE(listed.exit_code == 0);
    return nlohmann::json::parse(listed.out).at("rows");
  };
  const nlohmann::json all = rows({});
  REQUIRE(all.size() == 6);  // the payment is no operation
  CHECK(all[1].at("operation") == "account opened");
  CHECK(all[3].at("operation") == "account changed");
  CHECK(all[3].at("before") == "name=Old");
  CHECK(all[3].at("after") == "name=New");
  CHECK(all[4].at("operation") == "parameter set");
  CHECK(all[4].at("before") == "(default)");
  CHECK(all[4].at("after") == "7");
  CHECK(all[5].at("operation") == "operator changed");
  CHECK(all[5].at("subject") == "fin");
  CHECK(all[5].at("before") == "disabled=no");
  CHECK(all[5].at("after") == "disabled=yes");
  CHECK(all[5].at("operator") == "root");

  const nlohmann::json of_account = rows({"--account", "C-1"});
  REQUIRE(of_account.size() == 2);
  // From the change on: what it replaced is still told, though it is older than --from.
  const nlohmann::json later = rows({"--from", all[3].at("time").get<std::string>(), "--account", "C-1"});
  REQUIRE(later.size() == 1);
  CHECK(later[0].at("before") == "name=Old");
  CHECK(rows({"--operator", "fin"}).empty());
  CHECK(rows({"--operator", "root"}).size() == 5);  // root was added by the first operator, "admin"
}

}  // namespace paystream::e2e
