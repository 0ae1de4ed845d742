#include "tests/engine/domain/engine_fixtures.h"

namespace paystream::testing {
namespace {

OpenAccount open_body(const std::string& id, const char* name = "Alice") {
  OpenAccount open{.account_id = id, .settings = {}, .overdraft = {}, .initial_balance = {}};
  open.settings.name = name;
  return open;
}

UpdateAccount update_body(const std::string& id) {
  UpdateAccount update;
  update.account_id = id;
  return update;
}

}  // namespace

TEST_CASE("engine: OpenAccount records the account, the default overdraft and an initial payment",
          "[engine][open]") {
  TestLedger ledger;
  ledger.apply(SetParameter{"SERVER_CUSTOMER_OVERDRAFT_LIMIT", money("5").micros()});
  OpenAccount open = open_body("1001");
  open.initial_balance = money("20");
  const std::vector<Event> events = ledger.apply(open);
  REQUIRE(events.size() == 2);
  CHECK(events[0].type == EventType::account_opened);
  CHECK(events[0].overdraft_after == money("5"));
  CHECK(events[1].type == EventType::payment_recorded);
  CHECK(events[1].balance_before == Money::zero());
  CHECK(events[1].balance_after == money("20"));
  CHECK(ledger.account("1001").balance == money("20"));
  CHECK(ledger.account("1001").overdraft == money("5"));

  OpenAccount explicit_overdraft = open_body("1002");
  explicit_overdraft.overdraft = money("0");
  ledger.apply(explicit_overdraft);
  CHECK(ledger.account("1002").overdraft == Money::zero());
}

TEST_CASE("engine: OpenAccount rejects each broken rule", "[engine][open]") {
  TestLedger ledger;
  ledger.open("agent-1", AccountType::agent);
  ledger.open("1001");
  CHECK(ledger.rejection(open_body("bad id!")) == Errc::invalid_account_id);
  CHECK(ledger.rejection(open_body(std::string(65, 'a'))) == Errc::invalid_account_id);
  CHECK(ledger.rejection(open_body("1001")) == Errc::account_exists);
  CHECK(ledger.rejection(open_body("1002", "")) == Errc::invalid_argument);
  OpenAccount long_name = open_body("1002");
  long_name.settings.name = std::string(257, 'n');
  CHECK(ledger.rejection(long_name) == Errc::invalid_argument);

  OpenAccount negative_min = open_body("1002");
  negative_min.settings.monthly_min = money("-1");
  CHECK(ledger.rejection(negative_min) == Errc::amount_must_not_be_negative);
  OpenAccount min_above_max = open_body("1002");
  min_above_max.settings.monthly_min = money("10");
  min_above_max.settings.monthly_max = money("5");
  CHECK(ledger.rejection(min_above_max) == Errc::monthly_range_invalid);

  OpenAccount missing_parent = open_body("1002");
  missing_parent.settings.parent = "nobody";
  CHECK(ledger.rejection(missing_parent) == Errc::parent_not_found);
  OpenAccount parent_not_agent = open_body("1002");
  parent_not_agent.settings.parent = "1001";
  CHECK(ledger.rejection(parent_not_agent) == Errc::parent_not_agent);
  OpenAccount agent_with_parent = open_body("agent-2");
  agent_with_parent.settings.type = AccountType::agent;
  agent_with_parent.settings.parent = "agent-1";
  CHECK(ledger.rejection(agent_with_parent) == Errc::parent_not_allowed);
  OpenAccount own_parent = open_body("1002");
  own_parent.settings.parent = "1002";
  CHECK(ledger.rejection(own_parent) == Errc::parent_not_allowed);

  OpenAccount negative_overdraft = open_body("1002");
  negative_overdraft.overdraft = money("-0.01");
  CHECK(ledger.rejection(negative_overdraft) == Errc::amount_must_not_be_negative);
  OpenAccount zero_balance = open_body("1002");
  zero_balance.initial_balance = money("0");
  CHECK(ledger.rejection(zero_balance) == Errc::amount_must_be_positive);
}

TEST_CASE("engine: decide_into appends to the given events and leaves them as they were on a refusal",
          "[engine][open]") {
  TestLedger ledger;
  const Context context{.now = ledger.now};
  std::vector<Event> events(1);
  events[0].memo = "an earlier command's event";
  OpenAccount refused = open_body("1001");
  refused.initial_balance = money("0");  // refused after the account_opened event was added
  CHECK(decide_into(ledger.state, command(refused), context, events).error().code ==
        Errc::amount_must_be_positive);
  REQUIRE(events.size() == 1);
  CHECK(events[0].memo == "an earlier command's event");

  OpenAccount open = open_body("1001");
  open.initial_balance = money("20");
  REQUIRE(decide_into(ledger.state, command(open), context, events).ok());
  REQUIRE(events.size() == 3);
  CHECK(events[0].memo == "an earlier command's event");
  const Result<std::vector<Event>> decided = decide(ledger.state, command(open), context);
  REQUIRE(decided.ok());
  CHECK(std::vector<Event>(events.begin() + 1, events.end()) == *decided);
}

TEST_CASE("engine: sub-accounts are counted and block changing an agent's type", "[engine][update]") {
  TestLedger ledger;
  ledger.open("agent-1", AccountType::agent);
  ledger.open("sub-1", AccountType::direct, "agent-1");
  CHECK(ledger.account("agent-1").sub_accounts == 1);
  UpdateAccount to_direct = update_body("agent-1");
  to_direct.type = AccountType::direct;
  CHECK(ledger.rejection(to_direct) == Errc::account_has_sub_accounts);
  UpdateAccount detach = update_body("sub-1");
  detach.parent = "";
  ledger.apply(detach);
  CHECK(ledger.account("agent-1").sub_accounts == 0);
  ledger.apply(to_direct);
  CHECK(ledger.account("agent-1").settings.type == AccountType::direct);
}

TEST_CASE("engine: UpdateAccount changes only the given fields and rejects each broken rule",
          "[engine][update]") {
  TestLedger ledger;
  ledger.open("1001");
  ledger.open("agent-1", AccountType::agent);
  UpdateAccount update = update_body("1001");
  update.name = "Bob";
  update.expires_on = parse_date("2027-01-31").value();
  update.locked = true;
  ledger.apply(update);
  const AccountState& account = ledger.account("1001");
  CHECK(account.settings.name == "Bob");
  CHECK(account.settings.expires_on == parse_date("2027-01-31").value());
  CHECK(account.settings.locked);
  CHECK(account.settings.type == AccountType::direct);

  UpdateAccount remove_expiry = update_body("1001");
  remove_expiry.expires_on = std::optional<Date>{};
  ledger.apply(remove_expiry);
  CHECK_FALSE(ledger.account("1001").settings.expires_on.has_value());

  CHECK(ledger.rejection(update_body("nobody")) == Errc::account_not_found);
  CHECK(ledger.rejection(update_body("1001")) == Errc::nothing_to_change);
  UpdateAccount empty_name = update_body("1001");
  empty_name.name = "";
  CHECK(ledger.rejection(empty_name) == Errc::invalid_argument);
  UpdateAccount bad_range = update_body("1001");
  bad_range.monthly_min = money("3");
  bad_range.monthly_max = money("2");
  CHECK(ledger.rejection(bad_range) == Errc::monthly_range_invalid);
  UpdateAccount parent_missing = update_body("1001");
  parent_missing.parent = "nobody";
  CHECK(ledger.rejection(parent_missing) == Errc::parent_not_found);
  UpdateAccount agent_gets_parent = update_body("agent-1");
  agent_gets_parent.parent = "agent-1";
  CHECK(ledger.rejection(agent_gets_parent) == Errc::parent_not_allowed);
}

TEST_CASE("engine: Pay adds the amount and rejects each broken rule", "[engine][pay]") {
  TestLedger ledger;
  ledger.open("1001");
  const std::vector<Event> events = ledger.apply(pay("1001", "12.50"));
  REQUIRE(events.size() == 1);
  CHECK(events[0].amount == money("12.50"));
  CHECK(events[0].balance_before == Money::zero());
  CHECK(events[0].balance_after == money("12.50"));
  CHECK(events[0].operator_name == "admin");
  CHECK(events[0].time == ledger.now);
  CHECK(ledger.account("1001").balance == money("12.50"));

  CHECK(ledger.rejection(pay("nobody", "1")) == Errc::account_not_found);
  CHECK(ledger.rejection(pay("1001", "0")) == Errc::amount_must_be_positive);
  CHECK(ledger.rejection(pay("1001", "-1")) == Errc::amount_must_be_positive);
  Pay long_memo = pay("1001", "1");
  long_memo.memo = std::string(1025, 'm');
  CHECK(ledger.rejection(long_memo) == Errc::invalid_argument);

  ledger.apply(Adjust{"1001", Money::from_micros(INT64_MAX - money("12.50").micros()), ""});
  CHECK(ledger.rejection(pay("1001", "0.000001")) == Errc::balance_would_overflow);
}

TEST_CASE("engine: a payment extends the expiration by SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY",
          "[engine][pay]") {
  TestLedger ledger;
  ledger.now = at("2026-11-25T10:00:00Z");
  OpenAccount future = open_body("future");
  future.settings.expires_on = parse_date("2026-12-10").value();
  OpenAccount past = open_body("past");
  past.settings.expires_on = parse_date("2026-10-01").value();
  ledger.apply(future);
  ledger.apply(past);
  ledger.open("never");

  ledger.apply(pay("future", "1"));  // parameter 0: no change
  CHECK(ledger.account("future").settings.expires_on == parse_date("2026-12-10").value());

  ledger.apply(SetParameter{"SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY", 30});
  ledger.apply(pay("future", "1"));
  CHECK(ledger.account("future").settings.expires_on == parse_date("2027-01-09").value());
  const std::vector<Event> events = ledger.apply(pay("past", "1"));
  CHECK(events[0].expires_before == parse_date("2026-10-01").value());
  CHECK(events[0].expires_after == parse_date("2026-12-25").value());  // from the payment day
  ledger.apply(pay("never", "1"));
  CHECK_FALSE(ledger.account("never").settings.expires_on.has_value());
}

TEST_CASE("engine: Credit sets the overdraft limit without touching the balance", "[engine][credit]") {
  TestLedger ledger;
  ledger.open("1001");
  ledger.apply(pay("1001", "3"));
  const std::vector<Event> events = ledger.apply(SetCredit{"1001", money("50"), ""});
  CHECK(events[0].type == EventType::credit_set);
  CHECK(events[0].amount == money("50"));
  CHECK(events[0].overdraft_before == Money::zero());
  CHECK(events[0].overdraft_after == money("50"));
  CHECK(events[0].balance_after == money("3"));
  CHECK(ledger.account("1001").overdraft == money("50"));
  ledger.apply(SetCredit{"1001", money("0"), ""});
  CHECK(ledger.account("1001").overdraft == Money::zero());
  CHECK(ledger.rejection(SetCredit{"nobody", money("1"), ""}) == Errc::account_not_found);
  CHECK(ledger.rejection(SetCredit{"1001", money("-1"), ""}) == Errc::amount_must_not_be_negative);
}

TEST_CASE("engine: MakeZero records minus the balance it removed", "[engine][zero]") {
  TestLedger ledger;
  ledger.open("1001");
  ledger.apply(pay("1001", "7.25"));
  std::vector<Event> events = ledger.apply(MakeZero{"1001", ""});
  CHECK(events[0].amount == money("-7.25"));
  CHECK(events[0].balance_after == Money::zero());
  ledger.apply(Adjust{"1001", money("-2"), ""});
  events = ledger.apply(MakeZero{"1001", ""});
  CHECK(events[0].amount == money("2"));
  CHECK(ledger.account("1001").balance == Money::zero());
  CHECK(ledger.rejection(MakeZero{"nobody", ""}) == Errc::account_not_found);
}

TEST_CASE("engine: Adjust moves a signed amount", "[engine][adjust]") {
  TestLedger ledger;
  ledger.open("1001");
  ledger.apply(Adjust{"1001", money("-3.10"), "fix"});
  CHECK(ledger.account("1001").balance == money("-3.10"));
  CHECK(ledger.rejection(Adjust{"1001", money("0"), ""}) == Errc::amount_must_not_be_zero);
  CHECK(ledger.rejection(Adjust{"nobody", money("1"), ""}) == Errc::account_not_found);
  ledger.apply(Adjust{"1001", Money::from_micros(INT64_MIN + money("3.10").micros()), ""});
  CHECK(ledger.rejection(Adjust{"1001", money("-0.000001"), ""}) == Errc::balance_would_overflow);
}

TEST_CASE("engine: Reverse undoes one record exactly once", "[engine][reverse]") {
  TestLedger ledger;
  ledger.open("1001");                               // 1
  ledger.apply(pay("1001", "10"));                   // 2
  ledger.apply(SetCredit{"1001", money("40"), ""});  // 3
  ledger.apply(MakeZero{"1001", ""});                // 4
  ledger.apply(Adjust{"1001", money("2.5"), ""});    // 5

  std::vector<Event> events = ledger.apply(Reverse{LogPosition{4}, "undo zero"});
  CHECK(events[0].type == EventType::reversal_recorded);
  CHECK(events[0].reverses == LogPosition{4});
  CHECK(events[0].reversed_type == PaymentType::make_zero);
  CHECK(events[0].amount == money("10"));
  CHECK(ledger.account("1001").balance == money("12.5"));

  events = ledger.apply(Reverse{LogPosition{2}, ""});  // 7
  CHECK(events[0].amount == money("-10"));
  CHECK(ledger.account("1001").balance == money("2.5"));

  events = ledger.apply(Reverse{LogPosition{3}, ""});  // 8: credit back to the previous limit
  CHECK(events[0].amount == Money::zero());
  CHECK(ledger.account("1001").overdraft == Money::zero());

  events = ledger.apply(Reverse{LogPosition{5}, ""});  // 9
  CHECK(ledger.account("1001").balance == Money::zero());

  CHECK(ledger.rejection(Reverse{LogPosition{2}, ""}) == Errc::record_already_reversed);
  CHECK(ledger.rejection(Reverse{LogPosition{6}, ""}) == Errc::record_not_reversible);
  CHECK(ledger.rejection(Reverse{LogPosition{1}, ""}) == Errc::record_not_found);  // not a record
  CHECK(ledger.rejection(Reverse{LogPosition{99}, ""}) == Errc::record_not_found);
}

TEST_CASE("engine: a credit can be reversed only while its limit is in force", "[engine][reverse]") {
  TestLedger ledger;
  ledger.open("1001");
  ledger.apply(SetCredit{"1001", money("10"), ""});  // 2
  ledger.apply(SetCredit{"1001", money("20"), ""});  // 3
  CHECK(ledger.rejection(Reverse{LogPosition{2}, ""}) == Errc::record_not_reversible);
  ledger.apply(Reverse{LogPosition{3}, ""});
  CHECK(ledger.account("1001").overdraft == money("10"));
}

TEST_CASE("engine: SetParameter checks the name and range", "[engine][parameters]") {
  TestLedger ledger;
  ledger.apply(SetParameter{"SERVER_MINIMUM_CONSUMPTION_ENABLED", 0});
  CHECK(ledger.state.parameters.minimum_consumption_enabled == 0);
  CHECK(ledger.rejection(SetParameter{"NO_SUCH_PARAMETER", 1}) == Errc::unknown_parameter);
  CHECK(ledger.rejection(SetParameter{"SERVER_MINIMUM_CONSUMPTION_ENABLED", 2}) ==
        Errc::parameter_out_of_range);
  CHECK(ledger.rejection(SetParameter{"SERVER_MINIMUM_CONSUMPTION_CHARGE_TIME", 25}) ==
        Errc::parameter_out_of_range);
  CHECK(ledger.rejection(SetParameter{"SERVER_CUSTOMER_OVERDRAFT_LIMIT", -1}) ==
        Errc::parameter_out_of_range);

  const ParameterInfo* info = find_parameter("SERVER_CUSTOMER_OVERDRAFT_LIMIT");
  REQUIRE(info != nullptr);
  CHECK(parse_parameter_value(*info, "12.50").value() == money("12.50").micros());
  CHECK(parse_parameter_value(*info, "-1").error().code == Errc::parameter_out_of_range);
  const ParameterInfo* days = find_parameter("SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY");
  CHECK(parse_parameter_value(*days, "30").value() == 30);
  CHECK(parse_parameter_value(*days, "3.5").error().code == Errc::invalid_argument);
}

TEST_CASE("engine: a command ID must be printable", "[engine]") {
  TestLedger ledger;
  ledger.open("1001");
  Context context{.now = ledger.now};
  CHECK(decide(ledger.state, command(pay("1001", "1"), ""), context).error().code == Errc::invalid_argument);
  CHECK(decide(ledger.state, command(pay("1001", "1"), "has space"), context).error().code ==
        Errc::invalid_argument);
}

TEST_CASE("engine: account status follows the precedence locked, expired, no credit, monthly maximum",
          "[engine][status]") {
  const Timestamp now = at("2026-11-25T10:00:00Z");
  AccountSettings settings;
  CHECK(account_status(settings, money("1"), Money::zero(), Money::zero(), now) == AccountStatus::active);
  CHECK(account_status(settings, Money::zero(), Money::zero(), Money::zero(), now) ==
        AccountStatus::no_credit);
  CHECK(account_status(settings, money("-5"), money("10"), Money::zero(), now) == AccountStatus::active);
  settings.monthly_max = money("100");
  CHECK(account_status(settings, money("1"), Money::zero(), money("100"), now) ==
        AccountStatus::monthly_max_reached);
  settings.expires_on = parse_date("2026-11-25").value();
  CHECK(account_status(settings, money("1"), Money::zero(), Money::zero(), now) == AccountStatus::active);
  settings.expires_on = parse_date("2026-11-24").value();
  CHECK(account_status(settings, money("1"), Money::zero(), Money::zero(), now) == AccountStatus::expired);
  settings.locked = true;
  CHECK(account_status(settings, money("1"), Money::zero(), Money::zero(), now) == AccountStatus::locked);
}

}  // namespace paystream::testing
