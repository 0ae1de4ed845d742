// Charges (domain.md "Consumption"): decide and evolve of a call's charge, the month it counts in,
// the status it leads to, and the call authorization.
#include "tests/engine/domain/engine_fixtures.h"

namespace paystream::testing {
namespace {

Charge call(const std::string& cdr, const std::string& account, const char* amount, const char* start) {
  return Charge{.cdr_id = cdr,
                .account_id = account,
                .amount = money(amount),
                .call_start = at(start),
                .duration_seconds = 60,
                .caller = "100",
                .callee = "200"};
}

}  // namespace

TEST_CASE("charge: debits the balance, counts into the call's month, and records the call",
          "[engine][charge]") {
  TestLedger ledger;
  ledger.open("1001");
  ledger.apply(pay("1001", "10"));
  const std::vector<Event> events = ledger.apply(call("cdr-1", "1001", "0.35", "2026-11-25T09:59:00Z"));
  REQUIRE(events.size() == 1);
  const Event& charged = events.front();
  CHECK(charged.type == EventType::charge_recorded);
  CHECK(charged.command_id == "cdr:cdr-1");
  CHECK(charged.amount == money("0.35"));
  CHECK(charged.balance_before == money("10"));
  CHECK(charged.balance_after == money("9.65"));
  CHECK(charged.call_start == at("2026-11-25T09:59:00Z"));
  CHECK(charged.call_duration_seconds == 60u);
  CHECK(charged.caller == "100");
  CHECK(charged.callee == "200");
  CHECK_FALSE(is_payment_record(charged.type));
  const AccountState& account = ledger.account("1001");
  CHECK(account.balance == money("9.65"));
  CHECK(consumption_in(account, month_of(at("2026-11-01T00:00:00Z"))) == money("0.35"));
  // A charge of zero (a free call) is recorded too.
  ledger.apply(call("cdr-free", "1001", "0", "2026-11-25T09:59:30Z"));
  CHECK(ledger.account("1001").balance == money("9.65"));
}

TEST_CASE("charge: never refused for lack of funds, and past the overdraft the status is no_credit",
          "[engine][charge]") {
  TestLedger ledger;
  ledger.open("1001");
  ledger.apply(SetCredit{.account_id = "1001", .limit = money("5"), .memo = ""});
  ledger.apply(pay("1001", "1"));
  CHECK(authorize_call(ledger.account("1001"), ledger.now).status == AccountStatus::active);
  ledger.apply(call("c1", "1001", "7.50", "2026-11-25T09:00:00Z"));
  const AccountState& account = ledger.account("1001");
  CHECK(account.balance == money("-6.5"));
  const CallAuthorization authorization = authorize_call(account, ledger.now);
  CHECK(authorization.status == AccountStatus::no_credit);
  CHECK_FALSE(authorization.allowed());
  CHECK(authorization.max_spend == Money::zero());
  // Still charged: the call happened.
  ledger.apply(call("c2", "1001", "1", "2026-11-25T09:30:00Z"));
  CHECK(ledger.account("1001").balance == money("-7.5"));
}

TEST_CASE("charge: a call counts in its own calendar month (UTC), across the month boundary",
          "[engine][charge]") {
  TestLedger ledger;
  ledger.now = at("2026-12-01T00:30:00Z");
  ledger.open("1001");
  ledger.apply(call("last-second", "1001", "1", "2026-11-30T23:59:59.999999Z"));
  ledger.apply(call("first-second", "1001", "2", "2026-12-01T00:00:00Z"));
  // A late CDR of November, after December's first call.
  ledger.apply(call("late", "1001", "4", "2026-11-30T22:00:00Z"));
  const AccountState& account = ledger.account("1001");
  const int32_t november = month_of(at("2026-11-15T00:00:00Z"));
  const int32_t december = month_of(at("2026-12-15T00:00:00Z"));
  CHECK(consumption_in(account, november) == money("5"));
  CHECK(consumption_in(account, december) == money("2"));
  CHECK(consumption_in(account, december + 1) == Money::zero());
  // Two months on, November is no longer kept: its CDRs still debit the balance.
  ledger.now = at("2027-02-01T00:10:00Z");
  ledger.apply(call("feb", "1001", "1", "2027-02-01T00:00:00Z"));
  ledger.apply(call("very-late", "1001", "8", "2026-11-29T00:00:00Z"));
  CHECK(ledger.account("1001").balance == money("-16"));
  CHECK(consumption_in(ledger.account("1001"), december) == Money::zero());  // January is the month before
  CHECK(consumption_in(ledger.account("1001"), month_of(at("2027-02-10T00:00:00Z"))) == money("1"));
}

TEST_CASE("charge: the monthly maximum blocks calls once reached, and caps what a call may spend",
          "[engine][charge]") {
  TestLedger ledger;
  OpenAccount open{
      .account_id = "1001", .settings = {}, .overdraft = money("20"), .initial_balance = money("10")};
  open.settings.name = "Capped";
  open.settings.monthly_max = money("12");
  ledger.apply(open);
  // Available credit 30, monthly room 12: at most 12.
  CHECK(authorize_call(ledger.account("1001"), ledger.now).max_spend == money("12"));
  ledger.apply(call("c1", "1001", "4.5", "2026-11-25T08:00:00Z"));
  CHECK(authorize_call(ledger.account("1001"), ledger.now).max_spend == money("7.5"));
  ledger.apply(call("c2", "1001", "9", "2026-11-25T09:00:00Z"));  // past the maximum: still charged
  const CallAuthorization blocked = authorize_call(ledger.account("1001"), ledger.now);
  CHECK(blocked.status == AccountStatus::monthly_max_reached);
  CHECK(blocked.max_spend == Money::zero());
  // Next month the consumption starts again from zero.
  CHECK(authorize_call(ledger.account("1001"), at("2026-12-01T00:00:00Z")).max_spend == money("12"));
  // Without a maximum, the available credit is the limit: balance -3.5 + overdraft 20.
  ledger.apply(UpdateAccount{.account_id = "1001",
                             .name = {},
                             .type = {},
                             .parent = {},
                             .monthly_min = {},
                             .monthly_max = Money::zero(),
                             .expires_on = {},
                             .locked = {}});
  CHECK(authorize_call(ledger.account("1001"), ledger.now).max_spend == money("16.5"));
}

TEST_CASE("charge: locked and expired accounts may not call, and their charges still apply",
          "[engine][charge]") {
  TestLedger ledger;
  OpenAccount open{.account_id = "1001", .settings = {}, .overdraft = {}, .initial_balance = money("5")};
  open.settings.name = "Old";
  open.settings.expires_on = parse_date("2026-11-24").value();
  ledger.apply(open);
  CHECK(authorize_call(ledger.account("1001"), ledger.now).status == AccountStatus::expired);
  ledger.apply(call("c1", "1001", "1", "2026-11-24T23:00:00Z"));
  CHECK(ledger.account("1001").balance == money("4"));
  ledger.apply(UpdateAccount{.account_id = "1001",
                             .name = {},
                             .type = {},
                             .parent = {},
                             .monthly_min = {},
                             .monthly_max = {},
                             .expires_on = std::optional<Date>{},
                             .locked = true});
  CHECK(authorize_call(ledger.account("1001"), ledger.now).status == AccountStatus::locked);
}

TEST_CASE("charge: malformed or impossible charges are refused and change nothing", "[engine][charge]") {
  TestLedger ledger;
  ledger.open("1001");
  CHECK(ledger.rejection(call("c1", "nobody", "1", "2026-11-25T09:00:00Z")) == Errc::account_not_found);
  CHECK(ledger.rejection(call("c1", "1001", "-0.01", "2026-11-25T09:00:00Z")) ==
        Errc::amount_must_not_be_negative);
  // More than an hour after the ledger's time (10:00) is not a call that happened.
  CHECK(ledger.rejection(call("c1", "1001", "1", "2026-11-25T11:00:01Z")) == Errc::invalid_argument);
  ledger.apply(call("c-skew", "1001", "1", "2026-11-25T10:59:59Z"));  // within a clock's skew
  CHECK(ledger.rejection(call("c1", "1001", "1", "1970-01-01T00:00:00Z")) == Errc::invalid_argument);
  Charge long_number = call("c1", "1001", "1", "2026-11-25T09:00:00Z");
  long_number.caller = std::string(129, '1');
  CHECK(ledger.rejection(long_number) == Errc::invalid_argument);
  CHECK(ledger.rejection(call("", "1001", "1", "2026-11-25T09:00:00Z")) == Errc::invalid_argument);
  ledger.apply(SetCredit{.account_id = "1001", .limit = Money::zero(), .memo = ""});
  ledger.apply(Adjust{.account_id = "1001", .amount = Money::from_micros(INT64_MIN + 2'000'000), .memo = ""});
  CHECK(ledger.rejection(call("c1", "1001", "5", "2026-11-25T09:00:00Z")) == Errc::balance_would_overflow);
}

TEST_CASE("charge: its command ID must be the CDR's, so a resent CDR can never apply twice",
          "[engine][charge]") {
  TestLedger ledger;
  ledger.open("1001");
  const Context context{.now = ledger.now};
  const Command other_id{"gen-1", "admin", call("c1", "1001", "1", "2026-11-25T09:00:00Z")};
  const Result<std::vector<Event>> refused = decide(ledger.state, other_id, context);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == Errc::invalid_argument);
  CHECK(refused.error().message.find("'cdr:c1'") != std::string::npos);
}

TEST_CASE("charge: the month's totals add exactly, and refuse to overflow", "[engine][charge]") {
  const int32_t month = 24'322;
  Consumption consumption;
  consumption = *add_consumption(consumption, month, money("1.000001"));
  consumption = *add_consumption(consumption, month, money("2"));
  CHECK(consumption == Consumption{.month = month, .current = money("3.000001"), .previous = Money::zero()});
  consumption = *add_consumption(consumption, month + 1, money("1"));
  CHECK(consumption == Consumption{.month = month + 1, .current = money("1"), .previous = money("3.000001")});
  consumption = *add_consumption(consumption, month, money("1"));
  CHECK(consumption.previous == money("4.000001"));
  // Older than the month before: nothing here changes.
  CHECK(*add_consumption(consumption, month - 1, money("9")) == consumption);
  // A gap of more than one month leaves no previous month.
  CHECK(add_consumption(consumption, month + 3, money("1"))->previous == Money::zero());
  const Consumption full{.month = month, .current = Money::from_micros(INT64_MAX), .previous = Money::zero()};
  CHECK_FALSE(add_consumption(full, month, money("0.000001")));
  CHECK(add_consumption(full, month, Money::zero()) == full);
}

}  // namespace paystream::testing
