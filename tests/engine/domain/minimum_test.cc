// The monthly minimum (domain.md "Monthly minimum"): decide and evolve of MinimumCharge.
#include "tests/engine/domain/engine_fixtures.h"

namespace paystream::testing {
namespace {

const int32_t november = month_of(at("2026-11-15T00:00:00Z"));

MinimumCharge minimum(const std::string& account, int32_t month = november) {
  return MinimumCharge{.account_id = account, .month = month};
}

Charge call(const std::string& cdr, const std::string& account, const char* amount, const char* start) {
  return Charge{.cdr_id = cdr,
                .account_id = account,
                .amount = money(amount),
                .call_start = at(start),
                .duration_seconds = {},
                .caller = {},
                .callee = {}};
}

// An account with a monthly minimum of 10, opened in November with a balance of 50.
TestLedger ledger_with_minimum() {
  TestLedger ledger;
  ledger.now = at("2026-11-02T08:00:00Z");
  OpenAccount open{.account_id = "1001", .settings = {}, .overdraft = {}, .initial_balance = money("50")};
  open.settings.name = "Minimum ten";
  open.settings.monthly_min = money("10");
  ledger.apply(open);
  ledger.now = at("2026-11-28T00:00:00Z");
  return ledger;
}

}  // namespace

TEST_CASE("minimum: due at the charge hour of the next month's first day (24: its end)",
          "[engine][minimum]") {
  CHECK(minimum_due_time(november, 24) == at("2026-12-02T00:00:00Z"));
  CHECK(minimum_due_time(november, 0) == at("2026-12-01T00:00:00Z"));
  CHECK(minimum_due_time(november, 6) == at("2026-12-01T06:00:00Z"));
  CHECK(minimum_due_time(month_of(at("2026-12-15T00:00:00Z")), 24) == at("2027-01-02T00:00:00Z"));
  CHECK(latest_due_month(at("2026-12-01T23:59:59Z"), 24) == november - 1);
  CHECK(latest_due_month(at("2026-12-02T00:00:00Z"), 24) == november);
  CHECK(latest_due_month(at("2027-01-20T00:00:00Z"), 24) == november + 1);
  CHECK(format_month(november) == "2026-11");
  CHECK(parse_month("2026-11").value() == november);
  CHECK_FALSE(parse_month("2026-13").ok());
  CHECK(minimum_command_id("C-1", november) == "minimum:C-1:2026-11");
}

TEST_CASE("minimum: the shortfall is charged once, as a minimum_consumption record naming the month",
          "[engine][minimum]") {
  TestLedger ledger = ledger_with_minimum();
  ledger.apply(call("c1", "1001", "3.25", "2026-11-10T10:00:00Z"));
  ledger.now = at("2026-12-01T23:00:00Z");  // before the default charge time (24: the day's end)
  CHECK(ledger.rejection(minimum("1001")) == Errc::nothing_to_change);
  ledger.now = at("2026-12-02T00:00:00Z");
  const std::vector<Event> events = ledger.apply(minimum("1001"));
  REQUIRE(events.size() == 1);
  const Event& charged = events.front();
  CHECK(charged.type == EventType::minimum_charged);
  CHECK(is_payment_record(charged.type));
  CHECK(payment_type_of(charged.type) == PaymentType::minimum_consumption);
  CHECK(charged.command_id == "minimum:1001:2026-11");
  CHECK(charged.amount == money("-6.75"));
  CHECK(charged.balance_before == money("46.75"));
  CHECK(charged.balance_after == money("40"));
  CHECK(charged.minimum_month == november);
  CHECK(charged.memo == "monthly minimum 2026-11: consumed 3.25 of 10.00");
  CHECK(ledger.account("1001").minimum_charged_month == november);
  // Once: again (under any command ID the engine takes), nothing.
  CHECK(ledger.rejection(minimum("1001")) == Errc::nothing_to_change);
  // A minimum charge is no consumption.
  CHECK(consumption_in(ledger.account("1001"), november) == money("3.25"));
}

TEST_CASE("minimum: nothing is charged when consumption reached it, when off, or for a month not lived",
          "[engine][minimum]") {
  TestLedger ledger = ledger_with_minimum();
  ledger.apply(call("c1", "1001", "10", "2026-11-10T10:00:00Z"));
  ledger.now = at("2026-12-05T00:00:00Z");
  CHECK(ledger.rejection(minimum("1001")) == Errc::nothing_to_change);  // consumed 10 of 10
  CHECK(ledger.rejection(minimum("nobody")) == Errc::account_not_found);

  TestLedger off = ledger_with_minimum();
  off.apply(SetParameter{.name = "SERVER_MINIMUM_CONSUMPTION_ENABLED", .value = 0});
  off.now = at("2026-12-05T00:00:00Z");
  CHECK(off.rejection(minimum("1001")) == Errc::nothing_to_change);
  off.apply(SetParameter{.name = "SERVER_MINIMUM_CONSUMPTION_ENABLED", .value = 1});
  // Opened in November: October's minimum is not its to pay.
  CHECK(off.rejection(minimum("1001", november - 1)) == Errc::nothing_to_change);
  off.apply(minimum("1001"));
  CHECK(off.account("1001").balance == money("40"));

  // Calls of two months later: November's consumption is no longer known, so nothing is decided.
  TestLedger late = ledger_with_minimum();
  late.now = at("2027-01-10T00:00:00Z");
  late.apply(call("jan", "1001", "1", "2027-01-09T00:00:00Z"));
  CHECK(late.rejection(minimum("1001")) == Errc::nothing_to_change);
  // December's (the month before January) still is: nothing consumed, all of it charged.
  const std::vector<Event> december = late.apply(minimum("1001", november + 1));
  CHECK(december.front().amount == money("-10"));
}

TEST_CASE("minimum: an earlier month is not charged after a later one, and the hour parameter moves it",
          "[engine][minimum]") {
  TestLedger ledger = ledger_with_minimum();
  ledger.apply(SetParameter{.name = "SERVER_MINIMUM_CONSUMPTION_CHARGE_TIME", .value = 6});
  ledger.now = at("2027-01-01T06:00:00Z");
  ledger.apply(minimum("1001", november + 1));  // December, due at 06:00 on January 1st
  CHECK(ledger.rejection(minimum("1001")) == Errc::nothing_to_change);
  CHECK(ledger.account("1001").balance == money("40"));
}

TEST_CASE("minimum: the record can be reversed, and agents and auditors may not charge it",
          "[engine][minimum]") {
  TestLedger ledger = ledger_with_minimum();
  ledger.now = at("2026-12-03T00:00:00Z");
  const LogPosition record = ledger.apply(minimum("1001")).front().position;
  const std::vector<Event> reversal = ledger.apply(Reverse{.record = record, .memo = "waived"});
  CHECK(reversal.front().amount == money("10"));
  CHECK(reversal.front().reversed_type == PaymentType::minimum_consumption);
  CHECK(ledger.account("1001").balance == money("50"));
  CHECK(ledger.rejection(minimum("1001")) == Errc::nothing_to_change);  // waived is not charged again

  TestLedger rights = ledger_with_minimum();
  rights.apply(AddOperator{OperatorSettings{
      .name = "admin",
      .role = OperatorRole::admin,
      .agent_account = {},
      .permissions = 0,
      .disabled = false,
      .token = {.id = "0000000000000001", .salt = std::string(16, 's'), .hash = std::string(32, 'h')}}});
  rights.apply(AddOperator{OperatorSettings{
      .name = "audit",
      .role = OperatorRole::auditor,
      .agent_account = {},
      .permissions = 0,
      .disabled = false,
      .token = {.id = "0000000000000002", .salt = std::string(16, 's'), .hash = std::string(32, 'h')}}});
  rights.now = at("2026-12-03T00:00:00Z");
  rights.operator_name = "audit";
  CHECK(rights.rejection(minimum("1001")) == Errc::forbidden);
}

TEST_CASE("minimum: its command ID must be the account's and month's", "[engine][minimum]") {
  TestLedger ledger = ledger_with_minimum();
  const Context context{.now = at("2026-12-03T00:00:00Z")};
  const Result<std::vector<Event>> refused =
      decide(ledger.state, Command{"my-own-id", "admin", minimum("1001")}, context);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == Errc::invalid_argument);
}

}  // namespace paystream::testing
