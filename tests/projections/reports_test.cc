// The reports against sums made here, over the events the test wrote: settlement by day and by
// month, agent income, clearing balances, and balances as of past moments.
#include <catch2/catch.hpp>
#include <map>
#include <random>

#include "projections/period_totals.h"
#include "tests/projections/projections_fixture.h"

namespace paystream::testing {
namespace {

struct Expected {
  std::map<std::pair<int32_t, AccountType>, MovementTotals> by_day;  // (day, type)
};

// Payments, adjustments, credits, make-zero, reversals, charges and minimum charges over 70 days
// (two month boundaries), on direct, agent and clearing accounts, counted here as they are written.
class History {
 public:
  explicit History(ProjectionDb& db) : db_(db) {}

  void open(const std::string& id, AccountType type, Timestamp time, const std::string& parent = "") {
    db_.apply(std::vector{events_.open(id, id + " name", time, type)});
    types_[id] = type;
    if (!parent.empty()) {
      db_.apply(std::vector{
          events_.update(id, time, [&](AccountSettings& settings) { settings.parent = parent; })});
      parents_[id] = parent;
    }
  }

  void write(const Event& event) {
    db_.apply(std::vector{event});
    MovementTotals& day = expected_.by_day[{date_of(event.time).days, types_.at(event.account_id)}];
    // Counted by hand rather than by MovementTotals' own counting, which is under test.
    const Micros128 moved = Micros128{event.balance_after.micros()} - event.balance_before.micros();
    day.net += moved;
    CountedSum& sum =
        event.type == EventType::charge_recorded ? day.charges : day.of(payment_type_of(event.type));
    ++sum.count;
    if (event.type == EventType::reversal_recorded) {
      sum.micros += moved;
    } else if (event.type != EventType::credit_set) {
      sum.micros += event.amount.micros();
    }
  }

  EventMaker& events() { return events_; }
  const Expected& expected() const { return expected_; }
  const std::map<std::string, AccountType>& types() const { return types_; }

 private:
  ProjectionDb& db_;
  EventMaker events_;
  Expected expected_;
  std::map<std::string, AccountType> types_;
  std::map<std::string, std::string> parents_;
};

Timestamp day_time(int day, int hour) {
  return Timestamp{start_of(Date{date_from_civil(2026, 10, 1).days + day}).micros +
                   int64_t{hour} * 3'600'000'000};
}

void write_random_history(History& history, uint32_t seed) {
  history.open("AG", AccountType::agent, day_time(0, 0));
  history.open("C1", AccountType::direct, day_time(0, 0), "AG");
  history.open("C2", AccountType::direct, day_time(0, 0), "AG");
  history.open("D1", AccountType::direct, day_time(0, 0));
  history.open("V1", AccountType::clearing, day_time(0, 0));
  std::mt19937 random(seed);
  const std::vector<std::string> ids{"AG", "C1", "C2", "D1", "V1"};
  std::vector<std::pair<std::string, Event>> payments;
  for (int day = 0; day < 70; ++day) {
    for (int hour = 1; hour < 24; hour += 1 + static_cast<int>(random() % 6)) {
      const std::string& id = ids[random() % ids.size()];
      const Money amount = Money::from_micros(static_cast<int64_t>(1 + random() % 50'000'000));
      EventMaker& events = history.events();
      const Timestamp time = day_time(day, hour);
      switch (random() % 7) {
        case 0:
        case 1: {
          const Event paid = events.pay(id, amount, time);
          payments.emplace_back(id, paid);
          history.write(paid);
          break;
        }
        case 2:
          history.write(events.charge(id, amount, time));
          break;
        case 3:
          history.write(events.adjust(id, random() % 2 ? amount : amount.checked_negate().value(), time));
          break;
        case 4:
          history.write(events.credit(id, amount, time));
          break;
        case 5:
          if (random() % 3 == 0) {
            history.write(events.zero(id, time));
          } else {
            history.write(events.minimum(id, amount, time));
          }
          break;
        default:
          if (!payments.empty()) {
            const auto [paid_id, paid] = payments.back();
            payments.pop_back();
            history.write(events.reverse(paid_id, paid.position, paid.amount, time));
          }
          break;
      }
    }
  }
}

// The expected settlement rows, summed here from the days.
std::vector<SettlementRow> expected_settlement(const Expected& expected, Date from, Date to,
                                               ReportPeriod by) {
  std::vector<SettlementRow> rows;
  std::map<AccountType, Micros128> balance;
  for (const auto& [key, totals] : expected.by_day) {
    if (key.first < from.days) balance[key.second] += totals.net;
  }
  Date start = from;
  while (start <= to) {
    Date next =
        by == ReportPeriod::day ? add_days(start, 1) : first_day_of_month(month_of(start_of(start)) + 1);
    const Date last = std::min(to, add_days(next, -1));
    for (const AccountType type : {AccountType::direct, AccountType::agent, AccountType::clearing}) {
      SettlementRow row{
          .first_day = start, .last_day = last, .type = type, .opening = balance[type], .moved = {}};
      for (Date day = start; day <= last; day = add_days(day, 1)) {
        if (const auto found = expected.by_day.find({day.days, type}); found != expected.by_day.end())
          row.moved.add(found->second);
      }
      row.closing = row.opening + row.moved.net;
      balance[type] = row.closing;
      if (row.opening != 0 || row.closing != 0 || row.moved != MovementTotals{}) rows.push_back(row);
    }
    start = next;
  }
  return rows;
}

void require_same(const std::vector<SettlementRow>& got, const std::vector<SettlementRow>& want) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("row " << i << ": " << format_date(want[i].first_day) << " " << account_type_name(want[i].type));
    CHECK(got[i].first_day == want[i].first_day);
    CHECK(got[i].last_day == want[i].last_day);
    CHECK(got[i].type == want[i].type);
    CHECK(format_micros(got[i].opening) == format_micros(want[i].opening));
    CHECK(got[i].moved == want[i].moved);
    CHECK(format_micros(got[i].closing) == format_micros(want[i].closing));
    CHECK(got[i].balanced);
  }
}

}  // namespace

TEST_CASE("projections: settlement equals the sums of the events, by day and by month",
          "[projections][reports]") {
  ProjectionDb db;
  History history(db);
  write_random_history(history, GENERATE(1u, 2u, 3u));
  const Date from = date_from_civil(2026, 10, 12);
  const Date to = date_from_civil(2026, 11, 25);
  for (const ReportPeriod by : {ReportPeriod::day, ReportPeriod::month}) {
    Result<std::vector<SettlementRow>> rows = db.projections().settlement({.from = from, .to = to, .by = by});
    REQUIRE(rows.ok());
    require_same(*rows, expected_settlement(history.expected(), from, to, by));
  }
  // The last closing balance of each type is the sum of that type's balance rows.
  Result<std::vector<SettlementRow>> whole =
      db.projections().settlement({.from = date_from_civil(2026, 1, 1), .to = date_from_civil(2026, 12, 31)});
  REQUIRE(whole.ok());
  for (const AccountType type : {AccountType::direct, AccountType::agent, AccountType::clearing}) {
    Micros128 sum = 0;
    BalanceQuery query;
    query.type = type;
    query.now = day_time(80, 0);
    Result<BalancePage> balances = db.projections().balances(query);
    REQUIRE(balances.ok());
    for (const BalanceRow& row : balances->rows) sum += row.balance.micros();
    Micros128 closing = 0;
    for (const SettlementRow& row : *whole) {
      if (row.type == type) closing = row.closing;
    }
    CHECK(format_micros(closing) == format_micros(sum));
  }
}

TEST_CASE("projections: a balance as of a moment is the balance row printed at that moment",
          "[projections][reports]") {
  ProjectionDb db;
  History history(db);
  std::vector<std::pair<Timestamp, std::vector<BalanceRow>>> printed;
  const auto print = [&](Timestamp now) {
    BalanceQuery query;
    query.now = now;
    Result<BalancePage> page = db.projections().balances(query);
    REQUIRE(page.ok());
    printed.emplace_back(now, page->rows);
  };
  history.open("A", AccountType::direct, day_time(0, 1));
  print(day_time(0, 2));
  history.write(history.events().pay("A", money("10"), day_time(0, 3)));
  history.open("B", AccountType::direct, day_time(0, 3));
  print(day_time(0, 3));  // an event at the very moment is included
  history.write(history.events().charge("A", money("2.5"), day_time(0, 5)));
  history.write(history.events().charge("A", money("1"), day_time(31, 5)));  // another month
  print(day_time(31, 6));
  history.write(history.events().credit("B", money("7"), day_time(40, 1)));
  db.apply(std::vector{history.events().update("B", day_time(40, 2), [](AccountSettings& settings) {
    settings.locked = true;
    settings.type = AccountType::clearing;
  })});
  print(day_time(40, 3));
  history.write(history.events().pay("A", money("1"), day_time(41, 1)));
  for (const auto& [moment, rows] : printed) {
    INFO(format_timestamp(moment));
    BalanceQuery query;
    query.as_of = moment;
    Result<BalancePage> as_of = db.projections().balances(query);
    REQUIRE(as_of.ok());
    CHECK(as_of->rows == rows);
  }
  // Filters apply to what the account was then: B was direct on day 0, clearing on day 40.
  BalanceQuery direct;
  direct.type = AccountType::direct;
  direct.as_of = day_time(0, 3);
  CHECK(db.projections().balances(direct)->rows.size() == 2);
  direct.as_of = day_time(40, 3);
  CHECK(db.projections().balances(direct)->rows.size() == 1);
  // Before anything existed: no row.
  BalanceQuery early;
  early.as_of = day_time(0, 0);
  CHECK(db.projections().balances(early)->rows.empty());
}

TEST_CASE("projections: a type change carries the balance from one type's settlement to the other's",
          "[projections][reports]") {
  ProjectionDb db;
  History history(db);
  history.open("A", AccountType::direct, day_time(0, 1));
  history.write(history.events().pay("A", money("30"), day_time(0, 2)));
  db.apply(std::vector{history.events().update(
      "A", day_time(3, 2), [](AccountSettings& settings) { settings.type = AccountType::clearing; })});
  Result<std::vector<SettlementRow>> rows = db.projections().settlement(
      {.from = date_from_civil(2026, 10, 2), .to = date_from_civil(2026, 10, 10), .by = ReportPeriod::month});
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 2);
  CHECK((*rows)[0].type == AccountType::direct);
  CHECK(format_micros((*rows)[0].opening) == "30.00");
  CHECK(format_micros((*rows)[0].moved.transferred) == "-30.00");
  CHECK(format_micros((*rows)[0].closing) == "0.00");
  CHECK((*rows)[1].type == AccountType::clearing);
  CHECK(format_micros((*rows)[1].moved.transferred) == "30.00");
  CHECK(format_micros((*rows)[1].closing) == "30.00");
  CHECK(((*rows)[0].balanced && (*rows)[1].balanced));
}

TEST_CASE("projections: agent income sums the sub-accounts of each event's time and the agent's own",
          "[projections][reports]") {
  ProjectionDb db;
  History history(db);
  EventMaker& events = history.events();
  history.open("AG", AccountType::agent, day_time(0, 0));
  history.open("AG2", AccountType::agent, day_time(0, 0));
  history.open("C1", AccountType::direct, day_time(0, 0), "AG");
  history.write(events.pay("C1", money("10"), day_time(1, 1)));
  history.write(events.charge("C1", money("0.40"), day_time(1, 2)));
  history.write(events.minimum("C1", money("1.5"), day_time(2, 1)));
  history.write(events.pay("AG", money("100"), day_time(2, 2)));
  // C1 moves to AG2: what it does afterwards is AG2's.
  db.apply(std::vector{
      events.update("C1", day_time(3, 0), [](AccountSettings& settings) { settings.parent = "AG2"; })});
  history.write(events.pay("C1", money("5"), day_time(3, 1)));
  history.write(events.pay("C1", money("7"), day_time(9, 1)));  // outside the period

  std::map<std::string, AgentIncomeRow> rows;
  AgentIncomeQuery query;
  query.from = date_from_civil(2026, 10, 1);
  query.to = date_from_civil(2026, 10, 5);
  REQUIRE(db.projections().for_each_agent_income(
      query, [&](const AgentIncomeRow& row) { rows[row.agent_id] = row; }));
  REQUIRE(rows.size() == 2);
  const MovementTotals& first = rows.at("AG").sub_accounts;
  CHECK(first.of(PaymentType::payment).count == 1);
  CHECK(format_micros(first.of(PaymentType::payment).micros) == "10.00");
  CHECK(first.charges.count == 1);
  CHECK(format_micros(first.charges.micros) == "0.40");
  CHECK(format_micros(first.of(PaymentType::minimum_consumption).micros) == "-1.50");
  CHECK(format_micros(first.net) == "8.10");
  CHECK(format_micros(rows.at("AG").own.of(PaymentType::payment).micros) == "100.00");
  CHECK(format_micros(rows.at("AG2").sub_accounts.of(PaymentType::payment).micros) == "5.00");
  CHECK(rows.at("AG2").own == MovementTotals{});

  // One agent, and an agent operator who sees only AG's tree.
  AgentIncomeQuery narrowed = query;
  narrowed.visible_accounts = std::vector<std::string>{"AG", "C1"};
  std::vector<std::string> seen;
  REQUIRE(db.projections().for_each_agent_income(
      narrowed, [&](const AgentIncomeRow& row) { seen.push_back(row.agent_id); }));
  CHECK(seen == std::vector<std::string>{"AG"});
  narrowed.agent = "C1";
  const Status not_agent = db.projections().for_each_agent_income(narrowed, [](const AgentIncomeRow&) {});
  REQUIRE_FALSE(not_agent.ok());
  CHECK(not_agent.error().code == Errc::invalid_argument);
}

TEST_CASE("projections: a clearing balance's opening, movements and closing agree to the microsecond",
          "[projections][reports]") {
  ProjectionDb db;
  History history(db);
  EventMaker& events = history.events();
  history.open("V", AccountType::clearing, day_time(0, 0));
  history.write(events.pay("V", money("100"), day_time(0, 5)));  // before the period
  history.write(events.pay("V", money("20"), day_time(4, 5)));
  history.write(events.charge("V", money("3"), day_time(6, 5)));
  history.write(events.adjust("V", money("-1"), day_time(7, 5)));
  history.write(events.pay("V", money("50"), day_time(7, 9)));  // after the as-of moment
  const ClearingQuery query{
      .from = date_from_civil(2026, 10, 3), .as_of = day_time(7, 6), .visible_accounts = {}};
  std::vector<ClearingRow> rows;
  REQUIRE(db.projections().for_each_clearing(query, [&](const ClearingRow& row) { rows.push_back(row); }));
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].opening == money("100"));
  CHECK(rows[0].closing == money("116"));
  CHECK(format_micros(rows[0].moved.of(PaymentType::payment).micros) == "20.00");
  CHECK(format_micros(rows[0].moved.charges.micros) == "3.00");
  CHECK(format_micros(rows[0].moved.of(PaymentType::adjustment).micros) == "-1.00");
  CHECK(format_micros(rows[0].moved.net) == "16.00");
  CHECK(rows[0].balanced);
}

TEST_CASE("projections: 128-bit totals print exactly and survive their encoding", "[projections][reports]") {
  CHECK(format_micros(0) == "0.00");
  CHECK(format_micros(-1) == "-0.000001");
  CHECK(format_micros(12'500'000) == "12.50");
  const Micros128 huge = Micros128{INT64_MAX} * 1000 + 7;
  CHECK(format_micros(huge) == "9223372036854775.807007");
  CHECK(format_micros(-huge) == "-9223372036854775.807007");
  MovementTotals totals;
  totals.of(PaymentType::payment) = {.count = 3, .micros = huge};
  totals.charges = {.count = 1, .micros = -huge};
  totals.net = Micros128{1} << 126;
  totals.transferred = -(Micros128{1} << 126) - (Micros128{1} << 126);  // the least 128-bit value
  const std::string bytes = encode_movement_totals(totals);
  Result<MovementTotals> decoded = decode_movement_totals(bytes);
  REQUIRE(decoded.ok());
  CHECK(*decoded == totals);
  for (size_t cut = 0; cut < bytes.size(); ++cut)
    CHECK_FALSE(decode_movement_totals(bytes.substr(0, cut)).ok());
  CHECK_FALSE(decode_movement_totals(bytes + '\0').ok());
}

}  // namespace paystream::testing
