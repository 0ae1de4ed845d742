// `paystream records cleanup` run as a user runs it, on a data directory whose records were made
// days ago: a cleanup never takes the records of the last 24 hours, so the ledger is filled here,
// in this process, by the embedded runtime with a clock set back (as tests/tools/runtime/
// retention_test.cc does), then closed, and the binary runs on it. The export holds exactly the
// records the test made before the date (counted from what it submitted, not from what the tool
// says); the records query, balances, replay --verify, audit operations and audit verify
// --export-dir then agree with it; every refusal leaves records, log and folder as they were.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "engine/domain/clock.h"
#include "events/money.h"
#include "events/time.h"
#include "tests/support/csv_reader.h"
#include "tests/support/movable_clock.h"
#include "tests/support/run_process.h"
#include "tools/runtime/runtime.h"

namespace paystream::e2e {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

Timestamp real_now() {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return Timestamp{std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count()};
}

// Today (UTC) moved by `days`.
Date day(int32_t days) { return add_days(date_of(real_now()), days); }

// A moment of that day: "HH:MM:SS" (UTC).
Timestamp at(int32_t days, const std::string& time_of_day) {
  return parse_timestamp(format_date(day(days)) + "T" + time_of_day + "Z").value();
}

int64_t micros_of(const std::string& amount) {
  const Result<Money> money = Money::parse(amount);
  INFO(amount);
  REQUIRE(money);
  return money->micros();
}

int64_t units(int64_t value) { return value * 1'000'000; }

// A payment record as the test made it.
struct Made {
  std::string account;
  std::string type;
  int64_t micros = 0;
  bool operator==(const Made&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Made& made) {
  return out << made.account << ' ' << made.type << ' ' << made.micros;
}

// The ledger the tests clean up, and what it holds on each side of the cleanup's date.
struct History {
  Date cutoff;               // --before: seven days ago
  std::vector<Made> before;  // made before the cutoff day's start
  std::vector<Made> after;   // made at its start or later
};

// An adjustment memo a CSV must quote: a comma, quotes and a line break (one record, two lines).
const std::string awkward_memo = "fee, \"late\"\nsecond line";

// Two accounts: ten and eight days ago a payment, an adjustment, a reversal and a make-zero (and the
// two opening balances); then, from the cutoff day's first microsecond on, three more records.
History make_history(const std::string& data_dir) {
  History history;
  history.cutoff = day(-7);
  MovableClock clock;
  clock.set(at(-10, "09:00:00"));
  LedgerOptions options;
  options.data_dir = data_dir;
  options.clock = &clock;
  Result<std::unique_ptr<Runtime>> runtime = open_runtime(options);
  INFO((runtime ? std::string() : runtime.error().message));
  REQUIRE(runtime.ok());
  Ledger& ledger = *(*runtime)->ledger;
  const auto submit = [&ledger](CommandBody body) {
    const Result<Outcome> outcome = ledger.submit(Command{generate_command_id(), "admin", std::move(body)});
    INFO((outcome ? std::string() : outcome.error().message));
    REQUIRE(outcome.ok());
    return *outcome;
  };
  for (const char* id : {"A", "B"}) {
    OpenAccount open{
        .account_id = id, .settings = {}, .overdraft = {}, .initial_balance = Money::from_micros(units(100))};
    open.settings.name = std::string("Account ") + id;
    submit(open);
    history.before.push_back({id, "payment", units(100)});
  }
  const Outcome paid =
      submit(Pay{.account_id = "A", .amount = Money::from_micros(units(5)), .memo = {}, .method = {}});
  history.before.push_back({"A", "payment", units(5)});
  submit(Adjust{.account_id = "B", .amount = Money::from_micros(units(-3)), .memo = awkward_memo});
  history.before.push_back({"B", "adjustment", units(-3)});
  clock.set(at(-8, "23:59:59"));
  submit(Reverse{.record = paid.events.front().position, .memo = "wrong account"});
  history.before.push_back({"A", "reversal", units(-5)});
  submit(MakeZero{.account_id = "B", .memo = {}});
  history.before.push_back({"B", "make_zero", units(-97)});
  clock.set(start_of(history.cutoff));  // not before the cutoff: it stays
  submit(Pay{.account_id = "A", .amount = Money::from_micros(units(2)), .memo = {}, .method = {}});
  history.after.push_back({"A", "payment", units(2)});
  clock.set(at(-3, "12:00:00"));
  submit(Pay{.account_id = "B", .amount = Money::from_micros(units(4)), .memo = {}, .method = {}});
  history.after.push_back({"B", "payment", units(4)});
  submit(Adjust{.account_id = "A", .amount = Money::from_micros(units(1)), .memo = "bonus"});
  history.after.push_back({"A", "adjustment", units(1)});
  REQUIRE((*runtime)->ledger->close().ok());
  return history;
}

using testing::parse_csv;

// The records of a CSV export as the test made them, each checked to be older than `before`.
std::vector<Made> csv_records(const std::string& text, Timestamp before) {
  const std::vector<std::vector<std::string>> rows = parse_csv(text);
  REQUIRE(!rows.empty());
  const std::vector<std::string>& header = rows[0];
  const auto column = [&header](const std::string& name) {
    const auto found = std::find(header.begin(), header.end(), name);
    REQUIRE(found != header.end());
    return static_cast<size_t>(found - header.begin());
  };
  const size_t account = column("Account ID"), type = column("Payment Type"), amount = column("Amount"),
               time = column("Payment Time"), memo = column("Memo");
  std::vector<Made> made;
  for (size_t i = 1; i < rows.size(); ++i) {
    REQUIRE(rows[i].size() == header.size());
    made.push_back({rows[i][account], rows[i][type], micros_of(rows[i][amount])});
    const Result<Timestamp> when = parse_timestamp(rows[i][time]);
    REQUIRE(when);
    CHECK(*when < before);
    if (rows[i][type] == "adjustment") CHECK(rows[i][memo] == awkward_memo);
  }
  return made;
}

// `records --format json`: every row, as the test made them, and what stderr said.
struct Listed {
  std::vector<Made> rows;
  std::vector<Timestamp> times;
  std::string err;
  std::string out;
};

Listed list_records(const std::string& data) {
  const ProcessResult run = paystream(data, {"records", "--format", "json", "--limit", "0"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  Listed listed{.rows = {}, .times = {}, .err = run.err, .out = run.out};
  const json document = json::parse(run.out);  // not a temporary in the loop's head: it would dangle
  for (const json& row : document.at("rows")) {
    listed.rows.push_back({row.at("account_id").get<std::string>(), row.at("payment_type").get<std::string>(),
                           micros_of(row.at("amount").get<std::string>())});
    listed.times.push_back(parse_timestamp(row.at("payment_time").get<std::string>()).value());
  }
  return listed;
}

std::vector<Made> all_of(const History& history) {
  std::vector<Made> all = history.before;
  all.insert(all.end(), history.after.begin(), history.after.end());
  return all;
}

// The whole log, as `audit export` writes it.
std::string log_of(const std::string& data, const TemporaryDirectory& scratch) {
  const std::string file = scratch.file("log-" + std::to_string(real_now().micros) + ".jsonl");
  const ProcessResult run = paystream(data, {"audit", "export", "--output", file});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  std::string text = read_file(file);
  fs::remove(file);
  REQUIRE(!text.empty());
  return text;
}

// sha256sum's hex digest of a file: computed by another program than the one under test.
std::string sha256_hex(const std::string& file) {
  const ProcessResult run = run_process({"/usr/bin/sha256sum", file});
  REQUIRE(run.exit_code == 0);
  return run.out.substr(0, 64);
}

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE(
    "records cleanup --yes exports exactly the records before the date, and the query, balances, "
    "replay and the audit agree",
    "[e2e][cli][retention]") {
  TemporaryDirectory dir;
  const std::string data = dir.file("data");
  const History history = make_history(data);
  REQUIRE(history.before.size() == 6);
  const std::string exports = dir.file("exports");
  fs::create_directory(exports);
  const std::string export_file = exports + "/old-records.csv";
  const Listed initially = list_records(data);
  REQUIRE(initially.rows == all_of(history));
  CHECK_FALSE(contains(initially.err, "left the query tables"));  // no cleanup yet
  const ProcessResult balances_before = paystream(data, {"balances", "--format", "json"});
  REQUIRE(balances_before.exit_code == 0);

  const std::string cutoff = format_date(history.cutoff);
  const ProcessResult cleanup =
      paystream(data, {"records", "cleanup", "--before", cutoff, "--export", export_file, "--yes",
                       "--command-id", "cleanup-1", "--format", "json"});
  INFO(cleanup.out << cleanup.err);
  REQUIRE(cleanup.exit_code == 0);

  // The export: exactly the records made before the cutoff day, in the order they were made.
  REQUIRE(fs::is_regular_file(export_file));
  CHECK_FALSE(fs::exists(export_file + ".part"));
  const std::string exported = read_file(export_file);
  CHECK(csv_records(exported, start_of(history.cutoff)) == history.before);
  const std::string digest = sha256_hex(export_file);

  // The row printed: what the cleanup event says.
  const json rows = json::parse(cleanup.out).at("rows");
  REQUIRE(rows.size() == 1);
  const json& row = rows[0];
  CHECK(row.at("command_id") == "cleanup-1");
  CHECK(row.at("from") == "");  // the first cleanup: from the log's start
  CHECK(row.at("before") == format_timestamp(start_of(history.cutoff)));
  CHECK(row.at("count") == std::to_string(history.before.size()));
  CHECK(fs::path(row.at("export_file").get<std::string>()).filename() == "old-records.csv");
  CHECK(row.at("export_sha256") == digest);

  // The query tables: only the later records; stderr says where the others went.
  const Listed after = list_records(data);
  CHECK(after.rows == history.after);
  for (const Timestamp time : after.times) CHECK(time >= start_of(history.cutoff));
  INFO(after.err);
  CHECK(contains(after.err, "payment records before " + format_timestamp(start_of(history.cutoff)) +
                                " left the query tables"));
  CHECK(contains(after.err, "old-records.csv"));
  // A range that starts at the cutoff misses nothing: no sentence.
  const ProcessResult recent =
      paystream(data, {"records", "--format", "json", "--from", format_timestamp(start_of(history.cutoff))});
  REQUIRE(recent.exit_code == 0);
  CHECK(json::parse(recent.out).at("rows").size() == history.after.size());
  CHECK_FALSE(contains(recent.err, "left the query tables"));

  // Balances are the ledger's, not the query tables': unchanged (A 100+5-5+2+1, B 100-3-97+4).
  const ProcessResult balances_after = paystream(data, {"balances", "--format", "json"});
  REQUIRE(balances_after.exit_code == 0);
  CHECK(balances_after.out == balances_before.out);
  std::map<std::string, int64_t> balance;
  const json balance_rows = json::parse(balances_after.out).at("rows");
  for (const json& account : balance_rows) {
    balance[account.at("account_id").get<std::string>()] =
        micros_of(account.at("current_balance").get<std::string>());
  }
  CHECK(balance == std::map<std::string, int64_t>{{"A", units(103)}, {"B", units(4)}});

  // A rebuild from the log makes the same tables.
  const ProcessResult replay = paystream(data, {"replay", "--verify"});
  INFO(replay.out << replay.err);
  CHECK(replay.exit_code == 0);
  CHECK(list_records(data).rows == history.after);

  // The audit lists the cleanup with its range, count and checksum.
  const ProcessResult operations = paystream(data, {"audit", "operations", "--format", "json"});
  REQUIRE(operations.exit_code == 0);
  std::vector<json> cleanups;
  const json operation_rows = json::parse(operations.out).at("rows");
  for (const json& operation : operation_rows) {
    if (operation.at("operation") == "records cleaned up") cleanups.push_back(operation);
  }
  REQUIRE(cleanups.size() == 1);
  CHECK(cleanups[0].at("subject") == "old-records.csv");
  CHECK(cleanups[0].at("command_id") == "cleanup-1");
  const std::string detail = cleanups[0].at("after").get<std::string>();
  INFO(detail);
  CHECK(contains(detail, "before=" + format_timestamp(start_of(history.cutoff))));
  CHECK(contains(detail, "records=6"));
  CHECK(contains(detail, "sha256=" + digest));

  // audit verify --export-dir reconciles the cleanup with its file.
  const ProcessResult verified = paystream(data, {"audit", "verify", "--export-dir", exports});
  INFO(verified.out << verified.err);
  CHECK(verified.exit_code == 0);
  std::vector<std::string> cleanup_lines;
  for (const std::string& line : lines_of(verified.out)) {
    if (line.rfind("cleanup ", 0) == 0) cleanup_lines.push_back(line);
  }
  REQUIRE(cleanup_lines.size() == 1);
  CHECK(contains(cleanup_lines[0], "cleanup-1"));
  CHECK(contains(cleanup_lines[0], "6 records"));
  CHECK(cleanup_lines[0].ends_with(": ok"));

  SECTION("one byte of the export changed: SHA-256 MISMATCH") {
    std::string damaged = exported;
    const size_t name = damaged.find("Account B");
    REQUIRE(name != std::string::npos);
    damaged[name + 8] = 'C';  // an account name: the same size, the same lines
    std::ofstream(export_file, std::ios::binary | std::ios::trunc) << damaged;
    REQUIRE(read_file(export_file).size() == exported.size());
    const ProcessResult failed = paystream(data, {"audit", "verify", "--export-dir", exports});
    INFO(failed.out << failed.err);
    CHECK(failed.exit_code != 0);
    CHECK(contains(failed.out, "SHA-256 MISMATCH"));
    CHECK_FALSE(contains(failed.out, ": ok"));
  }
  SECTION("the export deleted: MISSING") {
    fs::remove(export_file);
    const ProcessResult failed = paystream(data, {"audit", "verify", "--export-dir", exports});
    INFO(failed.out << failed.err);
    CHECK(failed.exit_code != 0);
    CHECK(contains(failed.out, "MISSING"));
    CHECK(contains(failed.out + failed.err, "old-records.csv"));
  }
  SECTION("the same command again: already applied, nothing more written") {
    const ProcessResult again =
        paystream(data, {"records", "cleanup", "--before", cutoff, "--export", export_file, "--yes",
                         "--command-id", "cleanup-1", "--format", "json"});
    INFO(again.out << again.err);
    CHECK(again.exit_code == 0);
    CHECK(contains(again.err, "already applied"));
    const json repeated = json::parse(again.out).at("rows").at(0);
    CHECK(repeated.at("count") == row.at("count"));
    CHECK(repeated.at("export_sha256") == digest);
    CHECK(read_file(export_file) == exported);
    CHECK(files_in(exports) == std::vector<std::string>{"old-records.csv"});
    CHECK(list_records(data).rows == history.after);
  }
  SECTION("the same date again: nothing left to clean up, no file written") {
    const ProcessResult again = paystream(
        data, {"records", "cleanup", "--before", cutoff, "--export", exports + "/again.csv", "--yes"});
    INFO(again.out << again.err);
    CHECK(again.exit_code == 3);
    CHECK(contains(again.err, "[nothing_to_change]"));
    CHECK(files_in(exports) == std::vector<std::string>{"old-records.csv"});
  }
}

TEST_CASE(
    "records cleanup refusals change nothing: no --yes without a terminal, a recent date, another kind "
    "of file, an existing file, a missing folder",
    "[e2e][cli][retention]") {
  TemporaryDirectory dir;
  const std::string data = dir.file("data");
  const History history = make_history(data);
  const std::string exports = dir.file("exports");
  fs::create_directory(exports);
  const std::string cutoff = format_date(history.cutoff);
  const std::vector<Made> records = list_records(data).rows;
  REQUIRE(records == all_of(history));
  const std::string log = log_of(data, dir);
  std::vector<std::string> expected_files;

  const auto refused = [&](const std::vector<std::string>& arguments, int exit_code,
                           const std::string& says) {
    std::vector<std::string> command = {"records", "cleanup"};
    command.insert(command.end(), arguments.begin(), arguments.end());
    const ProcessResult run = paystream(data, command);
    INFO(run.out << run.err);
    CHECK(run.exit_code == exit_code);
    CHECK(contains(run.err, says));
    CHECK(run.out.empty());
    CHECK(list_records(data).rows == records);
    CHECK(log_of(data, dir) == log);
    CHECK(files_in(exports) == expected_files);
  };

  SECTION("without --yes, stdin not a terminal") {
    refused({"--before", cutoff, "--export", exports + "/x.csv"}, 2, "--yes");
  }
  SECTION("a date less than 24 hours old") {
    refused({"--before", format_date(day(0)), "--export", exports + "/x.csv", "--yes"}, 2, "24 hours");
    refused({"--before", format_date(day(1)), "--export", exports + "/x.csv", "--yes"}, 2,
            "[invalid_argument]");
  }
  SECTION("an export that is neither .csv nor .xlsx") {
    refused({"--before", cutoff, "--export", exports + "/x.txt", "--yes"}, 2, ".csv or .xlsx");
  }
  SECTION("an export file that exists already: kept as it was") {
    std::ofstream(exports + "/x.csv") << "precious\n";
    expected_files = {"x.csv"};
    refused({"--before", cutoff, "--export", exports + "/x.csv", "--yes"}, 2, "never overwritten");
    CHECK(read_file(exports + "/x.csv") == "precious\n");
  }
  SECTION("an export into a folder that does not exist") {
    refused({"--before", cutoff, "--export", exports + "/no-such-folder/x.csv", "--yes"}, 1,
            "no-such-folder");
    CHECK_FALSE(fs::exists(exports + "/no-such-folder"));
  }
  SECTION("a bad date") {
    refused({"--before", "2026-02-30", "--export", exports + "/x.csv", "--yes"}, 2, "2026-02-30");
  }
}

TEST_CASE("records cleanup into an .xlsx export: a workbook, reconciled by audit verify",
          "[e2e][cli][retention]") {
  TemporaryDirectory dir;
  const std::string data = dir.file("data");
  const History history = make_history(data);
  const std::string exports = dir.file("exports");
  fs::create_directory(exports);
  const std::string export_file = exports + "/old.xlsx";
  const ProcessResult cleanup =
      paystream(data, {"records", "cleanup", "--before", format_date(history.cutoff), "--export", export_file,
                       "--yes", "--format", "json"});
  INFO(cleanup.out << cleanup.err);
  REQUIRE(cleanup.exit_code == 0);
  REQUIRE(fs::is_regular_file(export_file));
  const std::string workbook = read_file(export_file);
  CHECK(workbook.size() > 100);
  CHECK(workbook.rfind("PK", 0) == 0);  // a ZIP archive
  CHECK_FALSE(fs::exists(export_file + ".part"));
  const json row = json::parse(cleanup.out).at("rows").at(0);
  CHECK(row.at("count") == std::to_string(history.before.size()));
  CHECK(row.at("export_sha256") == sha256_hex(export_file));
  CHECK(list_records(data).rows == history.after);
  const ProcessResult verified = paystream(data, {"audit", "verify", "--export-dir", exports});
  INFO(verified.out << verified.err);
  CHECK(verified.exit_code == 0);
  CHECK(contains(verified.out, "old.xlsx: ok"));
}

}  // namespace paystream::e2e
