#include "projections/projections_internal.h"
#include "projections_fixture.h"

namespace paystream::testing {
namespace {

Timestamp day(const char* date) { return start_of(parse_date(date).value()); }

// 1001 direct 10; 1002 agent 0 (no credit); 1003 clearing -5 with credit 20; 1004 direct locked;
// 1005 direct expiring on 2026-11-30; 1006 direct -1 with credit 1 (available 0).
std::vector<Event> sample_log() {
  EventMaker make;
  const Timestamp time = day("2026-11-01");
  std::vector<Event> events{make.open("1001", "Alice", time),
                            make.open("1002", "Bob", time, AccountType::agent),
                            make.open("1003", "Carrier", time, AccountType::clearing, money("20")),
                            make.open("1004", "Dora", time),
                            make.open("1005", "Eve", time),
                            make.open("1006", "Finn", time)};
  events.push_back(make.pay("1001", money("10"), time));
  events.push_back(make.adjust("1003", money("-5"), time));
  events.push_back(make.pay("1004", money("7"), time));
  events.push_back(make.update("1004", time, [](AccountSettings& settings) { settings.locked = true; }));
  make.set_expiry_on_next_record("1005", parse_date("2026-11-30").value());
  events.push_back(make.pay("1005", money("3"), time));
  events.push_back(make.credit("1006", money("1"), time));
  events.push_back(make.adjust("1006", money("-1"), time));
  return events;
}

std::vector<std::string> account_ids(const std::vector<BalanceRow>& rows) {
  std::vector<std::string> result;
  for (const BalanceRow& row : rows) result.push_back(row.account_id);
  return result;
}

std::vector<std::string> query_ids(Projections& projections, const BalanceQuery& query) {
  Result<BalancePage> page = projections.balances(query);
  REQUIRE(page.ok());
  return account_ids(page->rows);
}

BalanceQuery as_of(const char* time) {
  BalanceQuery query;
  query.now = at(time);
  return query;
}

}  // namespace

TEST_CASE("projections: a balance row shows the account as of the query time", "[projections][balances]") {
  ProjectionDb db;
  db.apply(sample_log());
  BalanceQuery query = as_of("2026-11-15T12:00:00Z");
  query.account_id = "1003";
  Result<BalancePage> page = db.projections().balances(query);
  REQUIRE(page.ok());
  REQUIRE(page->rows.size() == 1);
  const BalanceRow& row = page->rows[0];
  CHECK(row.account_name == "Carrier");
  CHECK(row.type == AccountType::clearing);
  CHECK(row.balance == money("-5"));
  CHECK(row.overdraft == money("20"));
  CHECK(row.available == money("15"));
  CHECK(row.month_consumption == Money::zero());
  CHECK(row.status == "active");
  CHECK(page->next_cursor.empty());
  query.account_id = "1999";
  CHECK(query_ids(db.projections(), query).empty());
}

TEST_CASE("projections: balance status is derived in precedence order", "[projections][balances]") {
  ProjectionDb db;
  db.apply(sample_log());
  auto status_of = [&](const char* id, const char* now) {
    BalanceQuery query = as_of(now);
    query.account_id = id;
    return db.projections().balances(query).value().rows.at(0).status;
  };
  CHECK(status_of("1001", "2026-11-15T00:00:00Z") == "active");
  CHECK(status_of("1002", "2026-11-15T00:00:00Z") == "no_credit");  // balance + overdraft = 0
  CHECK(status_of("1006", "2026-11-15T00:00:00Z") == "no_credit");  // -1 + 1 = 0
  CHECK(status_of("1004", "2026-11-15T00:00:00Z") == "locked");     // locked, with credit
  // Usable through the whole expiration date, expired from the next day.
  CHECK(status_of("1005", "2026-11-30T23:59:59.999999Z") == "active");
  CHECK(status_of("1005", "2026-12-01T00:00:00Z") == "expired");
}

TEST_CASE("projections: status precedence and this month's consumption", "[projections][balances]") {
  BalanceState state;
  state.settings.expires_on = parse_date("2026-11-30").value();
  state.settings.monthly_max = money("50");
  state.balance = money("10");
  state.consumption_month = month_of(at("2026-11-10T00:00:00Z"));
  state.month_consumption = money("50");
  CHECK(balance_row("a", state, at("2026-11-20T00:00:00Z")).status == "monthly_max_reached");
  CHECK(balance_row("a", state, at("2026-11-20T00:00:00Z")).month_consumption == money("50"));
  // Consumption of November is not December's.
  CHECK(balance_row("a", state, at("2026-12-01T00:00:00Z")).month_consumption == Money::zero());
  CHECK(balance_row("a", state, at("2026-12-01T00:00:00Z")).status == "expired");
  state.balance = money("-10");
  CHECK(balance_row("a", state, at("2026-11-20T00:00:00Z")).status == "no_credit");  // before the maximum
  state.settings.locked = true;
  CHECK(balance_row("a", state, at("2026-12-20T00:00:00Z")).status == "locked");  // before expiry

  state = BalanceState{};
  state.balance = Money::from_micros(INT64_MAX - 1);
  state.overdraft = money("5");
  CHECK(balance_row("a", state, Timestamp{}).available == Money::from_micros(INT64_MAX));  // saturated
}

TEST_CASE("projections: balances filter by type and balance range", "[projections][balances]") {
  ProjectionDb db;
  db.apply(sample_log());
  BalanceQuery query = as_of("2026-11-15T00:00:00Z");
  CHECK(query_ids(db.projections(), query) ==
        std::vector<std::string>{"1001", "1002", "1003", "1004", "1005", "1006"});
  query.type = AccountType::direct;
  CHECK(query_ids(db.projections(), query) == std::vector<std::string>{"1001", "1004", "1005", "1006"});
  query.type = AccountType::clearing;
  CHECK(query_ids(db.projections(), query) == std::vector<std::string>{"1003"});
  query.type = AccountType::agent;
  CHECK(query_ids(db.projections(), query) == std::vector<std::string>{"1002"});

  query = as_of("2026-11-15T00:00:00Z");
  query.min = money("0");
  query.max = money("7");  // both bounds inclusive
  CHECK(query_ids(db.projections(), query) == std::vector<std::string>{"1002", "1004", "1005"});
  query.min.reset();
  query.max = money("-1");
  CHECK(query_ids(db.projections(), query) == std::vector<std::string>{"1003", "1006"});
  query.type = AccountType::direct;
  CHECK(query_ids(db.projections(), query) == std::vector<std::string>{"1006"});
  query.account_id = "1003";  // an account of another type
  CHECK(query_ids(db.projections(), query).empty());
  query.type.reset();
  CHECK(query_ids(db.projections(), query) == std::vector<std::string>{"1003"});
  query.min = money("-4.999999");  // above its balance
  CHECK(query_ids(db.projections(), query).empty());
}

TEST_CASE("projections: a search holds the ID or the name, letters in either case",
          "[projections][balances]") {
  ProjectionDb db;
  db.apply(sample_log());
  BalanceQuery query = as_of("2026-11-15T00:00:00Z");
  query.search = "E";  // Eve, Carrier and 1005's name; not Dora
  CHECK(query_ids(db.projections(), query) == std::vector<std::string>{"1001", "1003", "1005"});
  query.search = "100";  // the IDs
  CHECK(query_ids(db.projections(), query).size() == 6);
  query.search = "fINN";
  CHECK(query_ids(db.projections(), query) == std::vector<std::string>{"1006"});
  query.type = AccountType::clearing;
  CHECK(query_ids(db.projections(), query).empty());
}

TEST_CASE("projections: balances outside the visible accounts are never returned",
          "[projections][balances]") {
  ProjectionDb db;
  db.apply(sample_log());
  BalanceQuery query = as_of("2026-11-15T00:00:00Z");
  query.visible_accounts = std::vector<std::string>{"1002", "1004", "1005", "no-such"};
  CHECK(query_ids(db.projections(), query) == std::vector<std::string>{"1002", "1004", "1005"});
  query.type = AccountType::direct;
  CHECK(query_ids(db.projections(), query) == std::vector<std::string>{"1004", "1005"});
  query.type.reset();
  query.limit = 2;
  BalancePage first = db.projections().balances(query).value();
  CHECK(first.rows.size() == 2);
  query.cursor = first.next_cursor;
  BalancePage second = db.projections().balances(query).value();
  REQUIRE(second.rows.size() == 1);
  CHECK(second.rows[0].account_id == "1005");
  CHECK(second.next_cursor.empty());
  query = as_of("2026-11-15T00:00:00Z");
  query.visible_accounts = std::vector<std::string>{"1002"};
  query.account_id = "1003";
  CHECK(query_ids(db.projections(), query).empty());
}

TEST_CASE("projections: balance pages follow the last account ID", "[projections][balances]") {
  ProjectionDb db;
  db.apply(sample_log());
  for (std::optional<AccountType> type : {std::optional<AccountType>(), std::optional(AccountType::direct)}) {
    const std::vector<std::string> expected = [&] {
      BalanceQuery query;
      query.type = type;
      return query_ids(db.projections(), query);
    }();
    for (size_t limit = 1; limit <= 7; ++limit) {
      BalanceQuery query;
      query.type = type;
      query.limit = limit;
      std::vector<std::string> seen;
      for (int pages = 0; pages < 20; ++pages) {
        Result<BalancePage> page = db.projections().balances(query);
        REQUIRE(page.ok());
        for (const BalanceRow& row : page->rows) seen.push_back(row.account_id);
        if (page->next_cursor.empty()) break;
        CHECK(page->next_cursor == page->rows.back().account_id);
        query.cursor = page->next_cursor;
      }
      INFO("limit " << limit);
      CHECK(seen == expected);
    }
  }
  BalanceQuery query;
  query.cursor = "not a valid id!";
  Result<BalancePage> page = db.projections().balances(query);
  REQUIRE_FALSE(page.ok());
  CHECK(page.error().code == Errc::invalid_argument);
  query.cursor = "1001";
  query.account_id = "1001";  // the one row was on the previous page
  CHECK(query_ids(db.projections(), query).empty());
}

TEST_CASE("projections: a type change moves the account in the type index", "[projections][balances]") {
  ProjectionDb db;
  EventMaker make;
  const Timestamp time = day("2026-11-01");
  db.apply(std::vector<Event>{make.open("1001", "Alice", time), make.open("1002", "Bob", time)});
  db.apply(std::vector<Event>{
      make.update("1001", time, [](AccountSettings& s) { s.type = AccountType::agent; }),
      make.update("1001", time, [](AccountSettings& s) { s.type = AccountType::clearing; })});
  BalanceQuery query;
  query.type = AccountType::clearing;
  CHECK(query_ids(db.projections(), query) == std::vector<std::string>{"1001"});
  query.type = AccountType::agent;
  CHECK(query_ids(db.projections(), query).empty());
  query.type = AccountType::direct;
  CHECK(query_ids(db.projections(), query) == std::vector<std::string>{"1002"});
  const auto families = db.contents();
  CHECK(families[1].size() == 2);  // one index entry per account
}

}  // namespace paystream::testing
