// Retention on the embedded ledger, with a clock the test moves: records made over several days,
// then the ones before a date exported and removed from the query tables. The export is complete
// and its checksum is in the event; balances, reports and the log keep everything; a replay
// reproduces the cleanup; a failed export or a refused confirmation removes nothing; the daily run
// cleans up once a day.
#include "tools/runtime/retention.h"

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "events/codec.h"
#include "tests/support/movable_clock.h"
#include "tests/support/temp_dir.h"
#include "tools/commands/replay.h"
#include "tools/runtime/runtime.h"

namespace paystream::testing {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<Runtime> open(const TempDir& dir, Clock& clock) {
  LedgerOptions options;
  options.data_dir = dir.path("data");
  options.clock = &clock;
  Result<std::unique_ptr<Runtime>> runtime = open_runtime(options);
  INFO((runtime ? std::string() : runtime.error().message));
  REQUIRE(runtime.ok());
  return std::move(*runtime);
}

Outcome submit(Ledger& ledger, CommandBody body) {
  const Result<Outcome> outcome = ledger.submit(Command{generate_command_id(), "admin", std::move(body)});
  INFO((outcome ? std::string() : outcome.error().message));
  REQUIRE(outcome.ok());
  return *outcome;
}

Money units(int64_t value) { return Money::from_micros(value * 1'000'000); }

// Two accounts paid on 2026-03-01, 03-02 and 03-03 (a payment, an adjustment, a reversal, a make
// zero among them); returns how many records each day made.
std::vector<size_t> three_days(Ledger& ledger, MovableClock& clock) {
  std::vector<size_t> per_day;
  clock.set("2026-03-01T09:00:00Z");
  for (const char* id : {"A", "B"}) {
    OpenAccount open{.account_id = id, .settings = {}, .overdraft = {}, .initial_balance = units(100)};
    open.settings.name = id;
    submit(ledger, open);
  }
  const Outcome paid = submit(ledger, Pay{.account_id = "A", .amount = units(5), .memo = {}, .method = {}});
  submit(ledger, Adjust{.account_id = "B", .amount = units(-3), .memo = "fee"});
  per_day.push_back(4);  // two initial payments, a payment, an adjustment
  clock.set("2026-03-02T23:59:59Z");
  submit(ledger, Reverse{.record = paid.events.front().position, .memo = "wrong account"});
  submit(ledger, Pay{.account_id = "B", .amount = units(7), .memo = {}, .method = {}});
  per_day.push_back(2);
  clock.set("2026-03-03T00:00:00Z");
  submit(ledger, MakeZero{.account_id = "A", .memo = {}});
  submit(ledger, Pay{.account_id = "A", .amount = units(2), .memo = {}, .method = {}});
  per_day.push_back(2);
  return per_day;
}

std::vector<RecordRow> all_records(const Projections& projections, std::optional<std::string> account = {}) {
  RecordQuery query;
  query.account_id = std::move(account);
  query.limit = 0;
  std::vector<RecordRow> rows;
  REQUIRE(projections.for_each_record(query, [&](const RecordRow& row) { rows.push_back(row); }).ok());
  return rows;
}

std::vector<BalanceRow> all_balances(const Projections& projections) {
  BalanceQuery query;
  query.now = parse_timestamp("2026-03-10T00:00:00Z").value();
  return projections.balances(query).value().rows;
}

size_t log_events(const Projections& projections) {
  size_t events = 0;
  REQUIRE(projections.for_each_log_event({}, {}, [&](const Event&, std::string_view) { ++events; }).ok());
  return events;
}

std::string file_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

size_t csv_rows(const fs::path& file) {
  std::ifstream in(file);
  size_t lines = 0;
  for (std::string line; std::getline(in, line);) ++lines;
  return lines - 1;  // the header
}

CleanupRequest request(const char* before, fs::path file) {
  return CleanupRequest{.before = parse_date(before).value(),
                        .export_file = std::move(file),
                        .command_id = {},
                        .operator_name = "admin",
                        .replace_export = false,
                        .exported_row = {},
                        .confirm = [](const CleanupExport&) { return true; }};
}

CommandSubmitter submitter(Runtime& runtime) {
  return [&runtime](Command command) { return runtime.ledger->submit(std::move(command)); };
}

TEST_CASE(
    "records cleanup: the export holds every record before the date, the event its checksum, and balances, "
    "the log and a replay agree",
    "[runtime][retention]") {
  TempDir dir;
  MovableClock clock("2026-03-01T09:00:00Z");
  std::unique_ptr<Runtime> runtime = open(dir, clock);
  const std::vector<size_t> per_day = three_days(*runtime->ledger, clock);
  const Projections& projections = runtime->projections();
  const std::vector<RecordRow> before_rows = all_records(projections);
  REQUIRE(before_rows.size() == per_day[0] + per_day[1] + per_day[2]);
  const std::vector<BalanceRow> balances = all_balances(projections);
  const size_t events = log_events(projections);
  const SettlementQuery by_day{.from = parse_date("2026-03-01").value(),
                               .to = parse_date("2026-03-03").value(),
                               .by = ReportPeriod::day};
  const std::vector<SettlementRow> settlement = projections.settlement(by_day).value();
  REQUIRE_FALSE(settlement.empty());
  clock.set("2026-03-10T12:00:00Z");

  const fs::path file = dir.path("before-0303.csv");
  Result<CleanupDone> done =
      clean_up_records(projections, request("2026-03-03", file), clock.now(), submitter(*runtime));
  INFO((done ? std::string() : done.error().message));
  REQUIRE(done.ok());
  CHECK_FALSE(done->cancelled);
  CHECK_FALSE(done->duplicate);
  const uint64_t expected = per_day[0] + per_day[1];
  CHECK(done->exported.count == expected);
  CHECK(csv_rows(file) == expected);
  const Sha256 digest = sha256(file_bytes(file));
  CHECK(done->exported.sha256 == std::string(digest.begin(), digest.end()));
  CHECK_FALSE(fs::exists(dir.path("before-0303.csv.part")));

  // The query tables start at the date; the records of that day and later are all there.
  const std::vector<RecordRow> after_rows = all_records(projections);
  CHECK(after_rows.size() == per_day[2]);
  CHECK(std::vector<RecordRow>(before_rows.end() - static_cast<std::ptrdiff_t>(per_day[2]),
                               before_rows.end()) == after_rows);
  for (const char* account : {"A", "B"}) {
    for (const RecordRow& row : all_records(projections, account)) {
      CHECK(row.time >= parse_timestamp("2026-03-03T00:00:00Z").value());
    }
  }
  CHECK(all_balances(projections) == balances);
  // The reports keep every record: the same settlement, day by day.
  const std::vector<SettlementRow> settled_after = projections.settlement(by_day).value();
  REQUIRE(settled_after.size() == settlement.size());
  for (size_t i = 0; i < settlement.size(); ++i) {
    CHECK(settled_after[i].first_day == settlement[i].first_day);
    CHECK(settled_after[i].type == settlement[i].type);
    CHECK(settled_after[i].opening == settlement[i].opening);
    CHECK(settled_after[i].moved == settlement[i].moved);
    CHECK(settled_after[i].closing == settlement[i].closing);
  }
  CHECK(log_events(projections) == events + 1);  // every event, and the cleanup's

  const std::vector<CleanupRow> cleanups = projections.record_cleanups().value();
  REQUIRE(cleanups.size() == 1);
  CHECK(cleanups[0].cleanup.count == expected);
  CHECK(cleanups[0].removed == expected);
  CHECK(cleanups[0].cleanup.export_file == "before-0303.csv");
  CHECK(cleanups[0].cleanup.from == Timestamp{});
  CHECK(cleanups[0].cleanup.before == parse_timestamp("2026-03-03T00:00:00Z").value());
  CHECK(cleanups[0].cleanup.export_sha256 == done->exported.sha256);

  // The same date again: nothing left to clean up; a later one starts where this one ended.
  Result<CleanupDone> again = clean_up_records(projections, request("2026-03-03", dir.path("again.csv")),
                                               clock.now(), submitter(*runtime));
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == Errc::nothing_to_change);
  Result<CleanupDone> later = clean_up_records(projections, request("2026-03-04", dir.path("later.xlsx")),
                                               clock.now(), submitter(*runtime));
  REQUIRE(later.ok());
  CHECK(later->exported.count == per_day[2]);
  CHECK(later->exported.from == parse_timestamp("2026-03-03T00:00:00Z").value());
  CHECK(all_records(projections).empty());
  CHECK(all_balances(projections) == balances);
  REQUIRE(runtime->ledger->close().ok());
  runtime.reset();

  // A rebuild from the log makes the same query tables: the cleanups are events too.
  std::ostringstream out, err;
  CHECK(run_replay_verify(dir.path("data"), out, err) == 0);
  INFO(out.str() << err.str());
}

TEST_CASE("records cleanup: refused, failed or unconfirmed, it removes nothing", "[runtime][retention]") {
  TempDir dir;
  MovableClock clock("2026-03-01T09:00:00Z");
  std::unique_ptr<Runtime> runtime = open(dir, clock);
  three_days(*runtime->ledger, clock);
  const Projections& projections = runtime->projections();
  const std::vector<RecordRow> rows = all_records(projections);
  const size_t events = log_events(projections);
  clock.set("2026-03-03T12:00:00Z");
  const auto refused = [&](CleanupRequest wanted, Errc code) {
    Result<CleanupDone> done = clean_up_records(projections, wanted, clock.now(), submitter(*runtime));
    REQUIRE_FALSE(done.ok());
    CHECK(done.error().code == code);
    CHECK(all_records(projections) == rows);
    CHECK(log_events(projections) == events);
    CHECK_FALSE(fs::exists(wanted.export_file));
    return done.error().message;
  };
  SECTION("records of the last 24 hours are never cleaned up") {
    CHECK_THAT(refused(request("2026-03-03", dir.path("x.csv")), Errc::invalid_argument),
               Catch::Contains("last 24 hours"));
  }
  SECTION("an export of another kind") {
    CHECK_THAT(refused(request("2026-03-02", dir.path("x.txt")), Errc::invalid_argument),
               Catch::Contains(".csv or .xlsx"));
  }
  SECTION("no record before the date") {
    refused(request("2026-02-01", dir.path("x.csv")), Errc::nothing_to_change);
  }
  SECTION("an export that exists is never overwritten") {
    std::ofstream(dir.path("kept.csv")) << "earlier export\n";
    Result<CleanupDone> done = clean_up_records(projections, request("2026-03-02", dir.path("kept.csv")),
                                                clock.now(), submitter(*runtime));
    REQUIRE_FALSE(done.ok());
    CHECK(done.error().code == Errc::invalid_argument);
    CHECK(file_bytes(dir.path("kept.csv")) == "earlier export\n");
    CHECK(all_records(projections) == rows);
  }
  SECTION("an export into a folder that does not exist") {
    refused(request("2026-03-02", dir.path("missing/x.csv")), Errc::io_error);
  }
  SECTION("a full disk") {
    // The part file the export writes is a device on which every write fails with ENOSPC.
    fs::create_symlink("/dev/full", dir.path("full.csv.part"));
    refused(request("2026-03-02", dir.path("full.csv")), Errc::storage_full);
    CHECK_FALSE(fs::exists(fs::symlink_status(dir.path("full.csv.part"))));
  }
  SECTION("a read-only folder") {
    // Root writes into a read-only folder anyway: checked only as another user.
    if (::geteuid() != 0) {
      fs::create_directory(dir.path("ro"));
      fs::permissions(dir.path("ro"), fs::perms::owner_read | fs::perms::owner_exec);
      refused(request("2026-03-02", dir.path("ro/x.csv")), Errc::io_error);
    }
  }
  SECTION("confirmation refused: the export stays, nothing is removed") {
    CleanupRequest wanted = request("2026-03-02", dir.path("asked.csv"));
    wanted.confirm = [](const CleanupExport&) { return false; };
    Result<CleanupDone> done = clean_up_records(projections, wanted, clock.now(), submitter(*runtime));
    REQUIRE(done.ok());
    CHECK(done->cancelled);
    CHECK(done->exported.count == 4);
    CHECK(fs::exists(dir.path("asked.csv")));
    CHECK(all_records(projections) == rows);
    CHECK(log_events(projections) == events);
  }
  REQUIRE(runtime->ledger->close().ok());
}

TEST_CASE("records cleanup: the engine refuses a cleanup from a finance operator, or of the future",
          "[runtime][retention]") {
  TempDir dir;
  MovableClock clock("2026-03-01T09:00:00Z");
  std::unique_ptr<Runtime> runtime = open(dir, clock);
  OperatorSettings admin;
  admin.name = "admin";
  admin.role = OperatorRole::admin;
  admin.token =
      TokenCredential{.id = "fedcba9876543210", .salt = std::string(16, 's'), .hash = std::string(32, 'h')};
  submit(*runtime->ledger, AddOperator{admin});
  OperatorSettings finance;
  finance.name = "fin";
  finance.role = OperatorRole::finance;
  finance.token =
      TokenCredential{.id = "0123456789abcdef", .salt = std::string(16, 's'), .hash = std::string(32, 'h')};
  submit(*runtime->ledger, AddOperator{finance});
  const RecordsCleanup cleanup{.from = {},
                               .before = parse_timestamp("2026-02-01T00:00:00Z").value(),
                               .count = 1,
                               .export_sha256 = std::string(32, 'x'),
                               .export_file = "x.csv"};
  Result<Outcome> by_finance = runtime->ledger->submit(Command{"c1", "fin", CleanUpRecords{cleanup}});
  REQUIRE_FALSE(by_finance.ok());
  CHECK(by_finance.error().code == Errc::forbidden);
  RecordsCleanup future = cleanup;
  future.before = parse_timestamp("2026-03-02T00:00:00Z").value();
  Result<Outcome> ahead = runtime->ledger->submit(Command{"c2", "admin", CleanUpRecords{future}});
  REQUIRE_FALSE(ahead.ok());
  CHECK(ahead.error().code == Errc::invalid_argument);
  RecordsCleanup in_folder = cleanup;
  in_folder.export_file = "../x.csv";
  Result<Outcome> path = runtime->ledger->submit(Command{"c3", "admin", CleanUpRecords{in_folder}});
  REQUIRE_FALSE(path.ok());
  CHECK(path.error().code == Errc::invalid_argument);
  REQUIRE(runtime->ledger->close().ok());
}

TEST_CASE("records cleanup: a retried command ID gets its cleanup back, and a refused one leaves no export",
          "[runtime][retention]") {
  TempDir dir;
  MovableClock clock("2026-03-01T09:00:00Z");
  std::unique_ptr<Runtime> runtime = open(dir, clock);
  three_days(*runtime->ledger, clock);
  for (const auto& [name, role] : {std::pair{"admin", OperatorRole::admin}, {"fin", OperatorRole::finance}}) {
    OperatorSettings settings;
    settings.name = name;
    settings.role = role;
    settings.token =
        TokenCredential{.id = std::string(name) == "admin" ? "fedcba9876543210" : "0123456789abcdef",
                        .salt = std::string(16, 's'),
                        .hash = std::string(32, 'h')};
    submit(*runtime->ledger, AddOperator{settings});
  }
  const Projections& projections = runtime->projections();
  clock.set("2026-03-05T12:00:00Z");
  CleanupRequest by_finance = request("2026-03-02", dir.path("finance.csv"));
  by_finance.operator_name = "fin";
  Result<CleanupDone> refused = clean_up_records(projections, by_finance, clock.now(), submitter(*runtime));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == Errc::forbidden);
  CHECK_FALSE(fs::exists(dir.path("finance.csv")));  // no event names it: it is removed
  CHECK(all_records(projections).size() == 8);

  CleanupRequest first = request("2026-03-02", dir.path("first.csv"));
  first.command_id = "clean-1";
  Result<CleanupDone> done = clean_up_records(projections, first, clock.now(), submitter(*runtime));
  REQUIRE(done.ok());
  CHECK_FALSE(done->duplicate);
  // The same request again (an answer lost on the way): its first outcome, nothing exported.
  CleanupRequest retry = first;
  retry.export_file = dir.path("retry.csv");
  Result<CleanupDone> again = clean_up_records(projections, retry, clock.now(), submitter(*runtime));
  REQUIRE(again.ok());
  CHECK(again->duplicate);
  CHECK(again->position == done->position);
  CHECK(again->exported.count == done->exported.count);
  CHECK(again->exported.sha256 == done->exported.sha256);
  CHECK(again->exported.file.filename() == "first.csv");
  CHECK_FALSE(fs::exists(dir.path("retry.csv")));
  CleanupRequest other_date = request("2026-03-03", dir.path("other.csv"));
  other_date.command_id = "clean-1";
  Result<CleanupDone> conflict = clean_up_records(projections, other_date, clock.now(), submitter(*runtime));
  REQUIRE_FALSE(conflict.ok());
  CHECK(conflict.error().code == Errc::command_id_conflict);
  CHECK_FALSE(fs::exists(dir.path("other.csv")));
  REQUIRE(runtime->ledger->close().ok());
}

TEST_CASE("retention schedule: RECORD_RETENTION_DAYS cleans up once a day, into the export folder",
          "[runtime][retention]") {
  TempDir dir;
  MovableClock clock("2026-03-01T09:00:00Z");
  std::unique_ptr<Runtime> runtime = open(dir, clock);
  three_days(*runtime->ledger, clock);
  fs::create_directory(dir.path("exports"));
  std::vector<std::string> logged;
  RetentionTarget target{
      .projections = runtime->projections(),
      .parameters =
          [&runtime] {
            Parameters parameters;
            runtime->ledger->read_state([&](const LedgerState& state) { parameters = state.parameters; });
            return parameters;
          },
      .submit = submitter(*runtime)};
  clock.set("2026-03-04T01:00:00Z");
  const auto start = [&] {
    return std::make_unique<RetentionSchedule>(target, clock, fs::path(dir.path("exports")), "admin",
                                               std::chrono::hours(24),
                                               [&](const std::string& line) { logged.push_back(line); });
  };
  {
    std::unique_ptr<RetentionSchedule> kept = start();
    CHECK_FALSE(kept->check().has_value());  // 0 days: kept forever
  }
  CHECK(runtime->projections().record_cleanups().value().empty());
  submit(*runtime->ledger, SetParameter{"RECORD_RETENTION_DAYS", 2});
  // The schedule's first check runs on its own thread as it starts.
  std::unique_ptr<RetentionSchedule> schedule = start();
  for (int i = 0; i < 500 && runtime->projections().record_cleanups().value().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::vector<CleanupRow> first = runtime->projections().record_cleanups().value();
  REQUIRE(first.size() == 1);
  CHECK(first[0].command_id == "retention:2026-03-02");
  CHECK(first[0].cleanup.count == 4);  // the first day's
  CHECK(fs::exists(dir.path("exports/payment-records-before-2026-03-02.csv")));
  CHECK_FALSE(schedule->check().has_value());  // the same day: done already
  clock.set("2026-03-04T23:00:00Z");
  CHECK_FALSE(schedule->check().has_value());
  clock.set("2026-03-05T00:00:01Z");  // the next day: one more day leaves
  std::optional<CleanupDone> second = schedule->check();
  REQUIRE(second.has_value());
  CHECK(second->command_id == "retention:2026-03-03");
  CHECK(second->exported.count == 2);
  CHECK(runtime->projections().record_cleanups().value().size() == 2);
  // Run by another server with the same command ID: applied once.
  Result<Outcome> replayed = runtime->ledger->submit(
      Command{"retention:2026-03-03", "admin",
              CleanUpRecords{runtime->projections().record_cleanups().value()[1].cleanup}});
  REQUIRE(replayed.ok());
  CHECK(replayed->duplicate);
  REQUIRE(runtime->ledger->close().ok());
}

TEST_CASE("retention schedule: without an export folder nothing is removed, and it says so once",
          "[runtime][retention]") {
  TempDir dir;
  MovableClock clock("2026-03-01T09:00:00Z");
  std::unique_ptr<Runtime> runtime = open(dir, clock);
  three_days(*runtime->ledger, clock);
  submit(*runtime->ledger, SetParameter{"RECORD_RETENTION_DAYS", 1});
  clock.set("2026-03-09T00:00:00Z");
  std::vector<std::string> logged;
  RetentionTarget target{.projections = runtime->projections(),
                         .parameters =
                             [] {
                               Parameters parameters;
                               parameters.record_retention_days = 1;
                               return parameters;
                             },
                         .submit = submitter(*runtime)};
  RetentionSchedule schedule(target, clock, std::nullopt, "admin", std::chrono::hours(24),
                             [&](const std::string& line) { logged.push_back(line); });
  CHECK_FALSE(schedule.check().has_value());
  CHECK_FALSE(schedule.check().has_value());
  CHECK(logged.size() == 1);
  CHECK(all_records(runtime->projections()).size() == 8);
  REQUIRE(runtime->ledger->close().ok());
}

}  // namespace
}  // namespace paystream::testing
