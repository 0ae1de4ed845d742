#include <fmt/format.h>

#include <random>

#include "projections_fixture.h"

namespace paystream::testing {
namespace {

// A seeded mix of every event type over a few accounts, as the engine would write it.
std::vector<Event> random_log(uint32_t seed, int length) {
  std::mt19937 random(seed);
  EventMaker make;
  std::vector<Event> events;
  std::vector<std::string> accounts;
  Timestamp time = at("2026-11-01T00:00:00Z");
  std::vector<std::pair<std::string, LogPosition>> payments;
  for (int i = 0; static_cast<int>(events.size()) < length; ++i) {
    time.micros += std::uniform_int_distribution<int64_t>(0, 2)(random) * 1'000'000;  // equal times too
    const std::string id = accounts.empty() ? "" : accounts[random() % accounts.size()];
    const Money amount = Money::from_micros(std::uniform_int_distribution<int64_t>(1, 99'000'000)(random));
    switch (accounts.size() < 3 ? 0 : random() % 8) {
      case 0: {
        accounts.push_back(fmt::format("acc-{:03}", accounts.size()));
        events.push_back(make.open(accounts.back(), "Zoë " + accounts.back(), time,
                                   static_cast<AccountType>(random() % 3)));
        break;
      }
      case 1:
        events.push_back(make.update(id, time, [&](AccountSettings& s) {
          s.type = static_cast<AccountType>(random() % 3);
          s.name += "+";
        }));
        break;
      case 2:
        events.push_back(make.credit(id, amount, time));
        break;
      case 3:
        events.push_back(make.zero(id, time));
        break;
      case 4:
        events.push_back(make.adjust(id, amount.checked_negate().value(), time, "finance"));
        break;
      case 5:
        events.push_back(make.parameter(time));
        break;
      default:
        events.push_back(make.pay(id, amount, time, "admin", "memo, \"" + std::to_string(i) + "\"\n"));
        break;
    }
  }
  return events;
}

}  // namespace

TEST_CASE("projections: the same events give the same bytes in any batch split", "[projections][apply]") {
  const std::vector<Event> events = random_log(20261125, 400);
  ProjectionDb whole;
  whole.apply(events);

  ProjectionDb one_by_one;
  for (const Event& event : events) one_by_one.apply(std::span<const Event>(&event, 1));

  ProjectionDb uneven;  // random splits, with the cache dropped and the database reopened between some
  std::mt19937 random(7);
  for (size_t start = 0; start < events.size();) {
    const size_t size = std::min<size_t>(1 + random() % 40, events.size() - start);
    uneven.apply(std::span<const Event>(events).subspan(start, size));
    start += size;
    if (random() % 4 == 0) uneven.projections().discard_cache();
    if (random() % 8 == 0) uneven.reopen();
  }
  const auto expected = whole.contents();
  CHECK(expected[0].size() > 3);    // balances
  CHECK(expected[2].size() > 100);  // records_by_account
  CHECK(one_by_one.contents() == expected);
  CHECK(uneven.contents() == expected);
  CHECK(uneven.projections().applied_position().value() == LogPosition{400});
}

TEST_CASE("projections: each touched account is written once per batch", "[projections][apply]") {
  ProjectionDb db;
  EventMaker make;
  const Timestamp time = at("2026-11-01T00:00:00Z");
  std::vector<Event> events{make.open("1001", "Alice", time), make.parameter(time)};
  for (int i = 0; i < 5; ++i) events.push_back(make.pay("1001", money("1"), time));
  rocksdb::WriteBatch batch;
  REQUIRE(db.projections().apply(events, batch).ok());
  // 5 records (by account only: the log serves the rest), 1 balance row, 1 type index entry, 1 name,
  // 1 position; the history: a row per event of the account (6); the day's totals of direct accounts:
  // one row, written once.
  CHECK(batch.Count() == 5 + 1 + 1 + 1 + 1 + 6 + 1);
  REQUIRE(db.db().Write(rocksdb::WriteOptions(), &batch).ok());
  CHECK(db.projections().applied_position().value() == LogPosition{7});

  rocksdb::WriteBatch empty;
  REQUIRE(db.projections().apply({}, empty).ok());  // nothing to apply writes nothing
  CHECK(empty.Count() == 0);
}

TEST_CASE("projections: the applied position survives a reopen and a dropped batch", "[projections][apply]") {
  ProjectionDb db;
  CHECK(db.projections().applied_position().value() == LogPosition{0});
  EventMaker make;
  const Timestamp time = at("2026-11-01T00:00:00Z");
  const std::vector<Event> first{make.open("1001", "Alice", time), make.pay("1001", money("5"), time)};
  const std::vector<Event> second{make.pay("1001", money("2"), time), make.pay("1001", money("3"), time)};
  db.apply(first);
  db.reopen();
  CHECK(db.projections().applied_position().value() == LogPosition{2});

  {
    rocksdb::WriteBatch dropped;  // the ledger's write of this batch failed
    REQUIRE(db.projections().apply(second, dropped).ok());
    db.projections().discard_cache();
  }
  CHECK(db.projections().applied_position().value() == LogPosition{2});
  db.apply(second);  // the same events again, from the database's state
  BalanceQuery query;
  query.account_id = "1001";
  CHECK(db.projections().balances(query).value().rows.at(0).balance == money("10"));
  RecordQuery records;
  CHECK(db.projections().records(records).value().rows.size() == 3);
}

TEST_CASE("projections: events that disagree with the rows are corruption", "[projections][apply]") {
  ProjectionDb db;
  EventMaker make;
  const Timestamp time = at("2026-11-01T00:00:00Z");
  db.apply(std::vector<Event>{make.open("1001", "Alice", time)});

  Event unknown = make.pay("1001", money("1"), time);
  unknown.account_id = "1002";
  rocksdb::WriteBatch batch;
  Status applied = db.projections().apply(std::span<const Event>(&unknown, 1), batch);
  REQUIRE_FALSE(applied.ok());
  CHECK(applied.error().code == Errc::corruption);

  Event mismatched = unknown;
  mismatched.account_id = "1001";
  mismatched.balance_before = money("3");
  applied = db.projections().apply(std::span<const Event>(&mismatched, 1), batch);
  REQUIRE_FALSE(applied.ok());
  CHECK(applied.error().code == Errc::corruption);

  Event reopened = make.open("1001", "Alice again", time);
  reopened.position = LogPosition{2};
  applied = db.projections().apply(std::span<const Event>(&reopened, 1), batch);
  REQUIRE_FALSE(applied.ok());
  CHECK(applied.error().code == Errc::corruption);
}

}  // namespace paystream::testing
