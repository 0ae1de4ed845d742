// The monthly minimum's schedule on the embedded ledger, with a clock the test moves: charged once
// when due, also when the engine was down over the charge time, and the same after a replay.
#include "tools/runtime/monthly_minimum.h"

#include <atomic>
#include <catch2/catch.hpp>

#include "tests/support/movable_clock.h"
#include "tests/support/temp_dir.h"
#include "tools/runtime/runtime.h"

namespace paystream::testing {
namespace {

std::unique_ptr<Runtime> open(const TempDir& dir, Clock& clock) {
  LedgerOptions options;
  options.data_dir = dir.path("data");
  options.clock = &clock;
  Result<std::unique_ptr<Runtime>> runtime = open_runtime(options);
  INFO((runtime ? std::string() : runtime.error().message));
  REQUIRE(runtime.ok());
  return std::move(*runtime);
}

void submit(Ledger& ledger, CommandBody body, std::string id) {
  if (const auto* charge = std::get_if<Charge>(&body)) id = charge_command_id(charge->cdr_id);
  const Result<Outcome> outcome = ledger.submit(Command{std::move(id), "admin", std::move(body)});
  INFO((outcome ? std::string() : outcome.error().message));
  REQUIRE(outcome.ok());
}

// Accounts with a minimum of 10: one that called for 4, one for 12, one idle; one without a minimum.
void november(Ledger& ledger) {
  for (const char* id : {"A", "B", "C", "D"}) {
    OpenAccount open{
        .account_id = id, .settings = {}, .overdraft = {}, .initial_balance = Money::from_micros(20'000'000)};
    open.settings.name = id;
    open.settings.monthly_min = std::string(id) == "D" ? Money::zero() : Money::from_micros(10'000'000);
    submit(ledger, open, std::string("open-") + id);
  }
  const auto call = [](const char* cdr, const char* account, int64_t micros) {
    return Charge{.cdr_id = cdr,
                  .account_id = account,
                  .amount = Money::from_micros(micros),
                  .call_start = parse_timestamp("2026-11-20T10:00:00Z").value(),
                  .duration_seconds = {},
                  .caller = {},
                  .callee = {}};
  };
  submit(ledger, call("a1", "A", 4'000'000), "");
  submit(ledger, call("b1", "B", 12'000'000), "");
}

std::vector<RecordRow> minimum_records(Runtime& runtime) {
  RecordQuery query;
  query.type = PaymentType::minimum_consumption;
  query.limit = 0;
  return runtime.projections().records(query).value().rows;
}

std::string balance(Runtime& runtime, const std::string& account) {
  BalanceQuery query;
  query.account_id = account;
  return runtime.projections().balances(query).value().rows.at(0).balance.to_string();
}

}  // namespace

TEST_CASE("minimum schedule: charges once when due, and not before", "[runtime][minimum]") {
  TempDir dir;
  MovableClock clock("2026-11-20T10:30:00Z");
  std::unique_ptr<Runtime> runtime = open(dir, clock);
  november(*runtime->ledger);
  std::vector<std::string> logged;
  const auto log = [&](const std::string& line) { logged.push_back(line); };
  MinimumSchedule schedule(minimum_target(*runtime->ledger), clock, "admin", std::chrono::hours(1), log);
  clock.set("2026-12-01T23:59:59Z");  // December's first day, before its end (charge time 24)
  schedule.check();
  CHECK(minimum_records(*runtime).empty());
  clock.set("2026-12-02T00:00:00Z");
  const std::optional<MinimumRunCount> ran = schedule.check();
  REQUIRE(ran.has_value());
  CHECK(ran->charged == 2);  // A (4 of 10) and C (nothing); B reached it, so it is not submitted
  CHECK(ran->skipped == 0);
  CHECK(ran->failed == 0);
  const std::vector<RecordRow> records = minimum_records(*runtime);
  REQUIRE(records.size() == 2);
  CHECK(records[0].account_id == "A");
  CHECK(records[0].amount.to_string() == "-6.00");
  CHECK(records[0].memo == "monthly minimum 2026-11: consumed 4.00 of 10.00");
  CHECK(records[1].account_id == "C");
  CHECK(records[1].amount.to_string() == "-10.00");
  CHECK(balance(*runtime, "A") == "10.00");
  CHECK(balance(*runtime, "D") == "20.00");
  REQUIRE(logged.size() == 1);
  CHECK(logged[0] == "monthly minimum of 2026-11: 2 accounts charged, 0 not charged, 0 failed");
  // Checks later in the month change nothing; a run by hand neither.
  clock.set("2026-12-20T00:00:00Z");
  CHECK_FALSE(schedule.check().has_value());
  const MinimumRunCount again =
      run_monthly_minimum(minimum_target(*runtime->ledger), month_of(clock.now()) - 1, "admin");
  CHECK(again.charged == 0);
  CHECK(minimum_records(*runtime).size() == 2);
}

TEST_CASE("minimum schedule: an engine down over the charge time charges at start, once, and a replay agrees",
          "[runtime][minimum]") {
  TempDir dir;
  MovableClock clock("2026-11-20T10:30:00Z");
  {
    std::unique_ptr<Runtime> runtime = open(dir, clock);
    november(*runtime->ledger);
    REQUIRE(runtime->ledger->close().ok());
  }
  clock.set("2026-12-07T09:00:00Z");  // started again a week after the charge time
  std::vector<RecordRow> charged;
  {
    std::unique_ptr<Runtime> runtime = open(dir, clock);
    {
      // The schedule's first check runs on its own thread as it starts; the next one finds it done.
      MinimumSchedule schedule(minimum_target(*runtime->ledger), clock, "admin", std::chrono::hours(1),
                               [](const std::string&) {});
      for (int i = 0; i < 500 && minimum_records(*runtime).size() < 2; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      schedule.check();
    }
    charged = minimum_records(*runtime);
    REQUIRE(charged.size() == 2);
    REQUIRE(runtime->ledger->close().ok());
  }
  // Started once more: nothing is charged twice.
  {
    std::unique_ptr<Runtime> runtime = open(dir, clock);
    MinimumSchedule schedule(minimum_target(*runtime->ledger), clock, "admin", std::chrono::hours(1),
                             [](const std::string&) {});
    schedule.check();
    CHECK(minimum_records(*runtime) == charged);
    REQUIRE(runtime->ledger->close().ok());
  }
}

TEST_CASE("minimum schedule: off when SERVER_MINIMUM_CONSUMPTION_ENABLED is 0", "[runtime][minimum]") {
  TempDir dir;
  MovableClock clock("2026-11-20T10:30:00Z");
  std::unique_ptr<Runtime> runtime = open(dir, clock);
  november(*runtime->ledger);
  submit(*runtime->ledger, SetParameter{"SERVER_MINIMUM_CONSUMPTION_ENABLED", 0}, "off");
  clock.set("2026-12-03T00:00:00Z");
  MinimumSchedule schedule(minimum_target(*runtime->ledger), clock, "admin", std::chrono::hours(1),
                           [](const std::string&) {});
  CHECK_FALSE(schedule.check().has_value());
  CHECK(minimum_records(*runtime).empty());
  // A run by hand is refused by the engine for every account below its minimum (A and C).
  const MinimumRunCount by_hand =
      run_monthly_minimum(minimum_target(*runtime->ledger), month_of(clock.now()) - 1, "admin");
  CHECK(by_hand.charged == 0);
  CHECK(by_hand.skipped == 2);
}

}  // namespace paystream::testing
