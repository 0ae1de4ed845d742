#include <algorithm>

#include "projections_fixture.h"
#include "record_queries.h"

namespace paystream::testing {
namespace {

// Minute `n` of 2026-11-01, UTC.
Timestamp minute(int n) { return Timestamp{at("2026-11-01T00:00:00Z").micros + int64_t{n} * 60'000'000}; }

// Records at positions 3, 4, 5, 7, 8, 9, 10, 12; 7 and 8 share a time; 11 renames account 1001.
std::vector<Event> sample_log() {
  EventMaker make;
  return {make.open("1001", "Alice", minute(0)),
          make.open("1002", "Bob", minute(0), AccountType::agent),
          make.pay("1001", money("10"), minute(1), "admin", "first"),
          make.pay("1002", money("5"), minute(2), "finance"),
          make.credit("1001", money("20"), minute(3)),
          make.parameter(minute(3)),
          make.adjust("1001", money("-2.5"), minute(4), "finance"),
          make.pay("1001", money("1.000001"), minute(4)),
          make.zero("1002", minute(5)),
          make.reverse("1001", LogPosition{3}, money("10"), minute(6)),
          make.update("1001", minute(6), [](AccountSettings& settings) { settings.name = "Alice B"; }),
          make.pay("1001", money("3"), minute(7), "finance")};
}

}  // namespace

TEST_CASE("projections: records come in log order with the row as recorded", "[projections][records]") {
  ProjectionDb db;
  db.apply(sample_log());
  Result<RecordPage> page = db.projections().records(unlimited());
  REQUIRE(page.ok());
  CHECK(ids(page->rows) == std::vector<uint64_t>{3, 4, 5, 7, 8, 9, 10, 12});

  const RecordRow& reversal = page->rows[6];
  CHECK(reversal.type == PaymentType::reversal);
  CHECK(reversal.reverses == LogPosition{3});
  CHECK(reversal.amount == money("-10"));
  CHECK(reversal.balance_before == money("8.500001"));
  CHECK(reversal.balance_after == money("-1.499999"));
  CHECK(reversal.time == minute(6));
  CHECK(page->rows[0].memo == "first");
  CHECK(page->rows[2].type == PaymentType::credit);
  CHECK(page->rows[2].amount == money("20"));
  CHECK(page->rows[5].type == PaymentType::make_zero);
  CHECK(page->rows[5].amount == money("-5"));
  // The name when the record was made: the rename at position 11 shows from record 12 on.
  CHECK(page->rows[6].account_name == "Alice");
  CHECK(page->rows[7].account_name == "Alice B");
}

TEST_CASE("projections: records filter by account, type and operator", "[projections][records]") {
  ProjectionDb db;
  db.apply(sample_log());
  RecordQuery query = unlimited();
  query.account_id = "1001";
  CHECK(query_ids(db.projections(), query) == std::vector<uint64_t>{3, 5, 7, 8, 10, 12});
  query.type = PaymentType::payment;
  CHECK(query_ids(db.projections(), query) == std::vector<uint64_t>{3, 8, 12});
  query.operator_name = "finance";
  CHECK(query_ids(db.projections(), query) == std::vector<uint64_t>{12});

  query = unlimited();
  query.operator_name = "finance";
  CHECK(query_ids(db.projections(), query) == std::vector<uint64_t>{4, 7, 12});
  query = unlimited();
  query.type = PaymentType::adjustment;
  CHECK(query_ids(db.projections(), query) == std::vector<uint64_t>{7});
  query.account_id = "1002";
  CHECK(query_ids(db.projections(), query).empty());
  query = unlimited();
  query.account_id = "1003";  // no such account: no rows, not an error
  CHECK(query_ids(db.projections(), query).empty());
  query.account_id = "10";  // a prefix of real IDs matches none of them
  CHECK(query_ids(db.projections(), query).empty());
}

TEST_CASE("projections: records outside the visible accounts are never returned", "[projections][records]") {
  ProjectionDb db;
  db.apply(sample_log());
  RecordQuery query = unlimited();
  query.visible_accounts = std::vector<std::string>{"1001"};
  CHECK(query_ids(db.projections(), query) == std::vector<uint64_t>{3, 5, 7, 8, 10, 12});
  query.operator_name = "finance";
  CHECK(query_ids(db.projections(), query) == std::vector<uint64_t>{7, 12});
  query = unlimited();
  query.visible_accounts = std::vector<std::string>{"1001"};
  query.account_id = "1002";  // asked for, but not visible
  CHECK(query_ids(db.projections(), query).empty());
  query.account_id = "1001";
  CHECK(query_ids(db.projections(), query) == std::vector<uint64_t>{3, 5, 7, 8, 10, 12});
  query = unlimited();
  query.visible_accounts = std::vector<std::string>{};
  CHECK(query_ids(db.projections(), query).empty());
  query.limit = 2;  // pages of a visible subset still follow the cursor
  query.visible_accounts = std::vector<std::string>{"1001"};
  std::vector<uint64_t> paged;
  while (true) {
    RecordPage page = db.projections().records(query).value();
    for (const RecordRow& row : page.rows) paged.push_back(row.id.value);
    if (page.next_cursor.empty()) break;
    query.cursor = page.next_cursor;
  }
  CHECK(paged == std::vector<uint64_t>{3, 5, 7, 8, 10, 12});
}

TEST_CASE("projections: a visible set's records merge in log order and page like the whole log",
          "[projections][records]") {
  ProjectionDb db;
  db.apply(sample_log());
  const std::vector<std::string> visible = {"1001", "1002", "no-such"};
  for (const std::optional<PaymentType> type :
       {std::optional<PaymentType>{}, std::optional(PaymentType::payment)}) {
    RecordQuery all = unlimited();
    all.type = type;
    std::vector<uint64_t> expected;
    const RecordPage whole = db.projections().records(all).value();
    for (const RecordRow& row : whole.rows) {
      if (row.account_id == "1001" || row.account_id == "1002") expected.push_back(row.id.value);
    }
    REQUIRE(expected.size() >= 3);
    for (size_t limit : {size_t{0}, size_t{1}, size_t{2}, size_t{3}}) {
      RecordQuery query = unlimited();
      query.type = type;
      query.visible_accounts = visible;
      query.limit = limit;
      std::vector<uint64_t> paged;
      while (true) {
        RecordPage page = db.projections().records(query).value();
        for (const RecordRow& row : page.rows) paged.push_back(row.id.value);
        if (page.next_cursor.empty()) break;
        query.cursor = page.next_cursor;
      }
      INFO("limit " << limit);
      CHECK(paged == expected);
    }
  }
}

TEST_CASE("projections: a time range includes its start and excludes its end", "[projections][records]") {
  ProjectionDb db;
  db.apply(sample_log());
  RecordQuery query = unlimited();
  query.from = minute(4);  // exactly the time of records 7 and 8
  query.to = minute(6);    // exactly the time of record 10, excluded
  CHECK(query_ids(db.projections(), query) == std::vector<uint64_t>{7, 8, 9});
  query.from = Timestamp{minute(4).micros + 1};
  CHECK(query_ids(db.projections(), query) == std::vector<uint64_t>{9});
  query.account_id = "1001";
  query.from = minute(3);
  query.to = minute(7);
  CHECK(query_ids(db.projections(), query) == std::vector<uint64_t>{5, 7, 8, 10});
  query.from = minute(7);
  query.to = minute(7);
  CHECK(query_ids(db.projections(), query).empty());
}

TEST_CASE("projections: every time range matches a brute-force filter", "[projections][records]") {
  ProjectionDb db;
  db.apply(sample_log());
  const std::vector<RecordRow> all = db.projections().records(unlimited()).value().rows;
  std::vector<Timestamp> edges;
  for (int n = -1; n <= 9; ++n) {
    for (int64_t nudge : {-1, 0, 1}) edges.push_back(Timestamp{minute(n).micros + nudge});
  }
  for (const std::optional<std::string>& account :
       {std::optional<std::string>(), std::optional<std::string>("1001")}) {
    for (Timestamp from : edges) {
      for (Timestamp to : edges) {
        RecordQuery query = unlimited();
        query.account_id = account;
        query.from = from;
        query.to = to;
        INFO("from " << format_timestamp(from) << " to " << format_timestamp(to));
        CHECK(query_ids(db.projections(), query) == expected_ids(all, query));
      }
    }
  }
}

TEST_CASE("projections: pages follow the cursor without losing or repeating a row",
          "[projections][records]") {
  ProjectionDb db;
  db.apply(sample_log());
  const std::vector<RecordRow> all = db.projections().records(unlimited()).value().rows;
  std::vector<RecordQuery> queries(4, unlimited());
  queries[1].account_id = "1001";
  queries[2].operator_name = "admin";
  queries[3].from = minute(2);
  queries[3].to = minute(7);
  queries[3].type = PaymentType::payment;
  for (const RecordQuery& base : queries) {
    for (size_t limit = 1; limit <= 9; ++limit) {
      RecordQuery query = base;
      query.limit = limit;
      INFO("limit " << limit);
      CHECK(ids(all_pages(db.projections(), query)) == expected_ids(all, base));
    }
  }
  RecordQuery query;
  query.limit = 3;
  Result<RecordPage> first = db.projections().records(query);
  REQUIRE(first.ok());
  CHECK(ids(first->rows) == std::vector<uint64_t>{3, 4, 5});
  CHECK_FALSE(first->next_cursor.empty());
  query.limit = 5;  // a page size may change between pages
  query.cursor = first->next_cursor;
  Result<RecordPage> second = db.projections().records(query);
  REQUIRE(second.ok());
  CHECK(ids(second->rows) == std::vector<uint64_t>{7, 8, 9, 10, 12});
  CHECK(second->next_cursor.empty());  // exactly the last rows: nothing more
}

TEST_CASE("projections: bad cursors and account IDs are usage errors", "[projections][records]") {
  ProjectionDb db;
  db.apply(sample_log());
  for (const char* cursor : {"abc", "0", "-1", "007", "+3", "3 ", "99999999999999999999999"}) {
    RecordQuery query;
    query.cursor = cursor;
    Result<RecordPage> page = db.projections().records(query);
    INFO(cursor);
    REQUIRE_FALSE(page.ok());
    CHECK(page.error().code == Errc::invalid_argument);
  }
  RecordQuery query;
  query.cursor = "1000";  // past the end: an empty page
  CHECK(db.projections().records(query).value().rows.empty());
  query.cursor.clear();
  query.account_id = std::string("10\0", 3);
  Result<RecordPage> page = db.projections().records(query);
  REQUIRE_FALSE(page.ok());
  CHECK(page.error().code == Errc::invalid_account_id);
}

TEST_CASE("projections: for_each_record streams one page and an empty log has none",
          "[projections][records]") {
  ProjectionDb db;
  RecordQuery query = unlimited();
  CHECK(db.projections().records(query).value().rows.empty());
  query.from = minute(0);
  query.to = minute(10);
  CHECK(db.projections().records(query).value().rows.empty());

  db.apply(sample_log());
  std::vector<RecordRow> streamed;
  query = RecordQuery{};
  query.limit = 4;
  query.cursor = "4";
  REQUIRE(
      db.projections().for_each_record(query, [&](const RecordRow& row) { streamed.push_back(row); }).ok());
  CHECK(ids(streamed) == std::vector<uint64_t>{4, 5, 7, 8});
}

TEST_CASE("projections: a time range is found by binary search, not by a scan", "[projections][records]") {
  ProjectionDb db;
  EventMaker make;
  std::vector<Event> events{make.open("1001", "Alice", minute(0))};
  constexpr int records = 4000;
  for (int i = 1; i <= records; ++i) events.push_back(make.pay("1001", money("1"), minute(i)));
  db.apply(events);
  RecordQuery query;
  query.from = minute(2500);
  query.to = minute(2503);
  const uint64_t seeks_before = db.seeks();
  Result<RecordPage> page = db.projections().records(query);
  REQUIRE(page.ok());
  CHECK(ids(page->rows) == std::vector<uint64_t>{2501, 2502, 2503});
  // Two searches of about log2(4000) = 12 steps (and 2 seeks to find the last record) each, and one seek to
  // start the scan.
  const uint64_t seeks = db.seeks() - seeks_before;
  CHECK(seeks <= 2 * 16 + 1);
  const std::vector<RecordRow> all = db.projections().records(unlimited()).value().rows;
  for (int from : {0, 1, 2, 1999, 2000, 3999, 4000, 4001}) {
    query = unlimited();
    query.from = minute(from);
    query.to = minute(from + 2);
    CHECK(query_ids(db.projections(), query) == expected_ids(all, query));
  }
}

}  // namespace paystream::testing

namespace paystream::testing {
namespace {

// A log over several entries: `count` records spread over four accounts (IDs that prefix one
// another), two operators, several types, runs of equal times that cross entry boundaries, a
// rename of each account every so often and times on both sides of 1970. Applied in groups of
// uneven size, so entries (at most 256 events each) start at odd positions.
std::vector<Event> long_log(int count) {
  EventMaker make;
  const std::vector<std::string> accounts{"7", "70", "7.", "A-1"};
  const Timestamp start{-90'000'000};  // 90 s before 1970
  std::vector<Event> events;
  for (const std::string& id : accounts) events.push_back(make.open(id, "name " + id + " v0", start));
  int version = 0;
  for (int i = 0; i < count; ++i) {
    const std::string& id = accounts[static_cast<size_t>(i * 7 + i / 5) % accounts.size()];
    const Timestamp time{start.micros + int64_t{i / 40} * 3'000'000};  // 40 events per time
    const std::string operator_name = i % 3 == 0 ? "finance" : "admin";
    if (i % 97 == 50) {
      events.push_back(make.update(id, time, [&](AccountSettings& settings) {
        settings.name = "name " + id + " v" + std::to_string(++version);
      }));
    }
    if (i % 11 == 0) {
      events.push_back(make.credit(id, money("100"), time, operator_name));
    } else if (i % 13 == 0) {
      events.push_back(make.adjust(id, money("-1.5"), time, operator_name));
    } else if (i % 29 == 0) {
      events.push_back(make.parameter(time));
    } else {
      events.push_back(make.pay(id, money("2"), time, operator_name));
    }
  }
  return events;
}

void apply_unevenly(ProjectionDb& db, const std::vector<Event>& events) {
  const std::vector<size_t> sizes{300, 1, 255, 513, 17, 256, 700};
  size_t start = 0;
  for (size_t i = 0; start < events.size(); ++i) {
    const size_t size = std::min(sizes[i % sizes.size()], events.size() - start);
    db.apply(std::span<const Event>(events).subspan(start, size));
    start += size;
  }
}

const std::vector<std::string> long_log_accounts{"7", "70", "7.", "A-1"};

}  // namespace

TEST_CASE("projections: rows read from the log equal the rows stored by account", "[projections][records]") {
  ProjectionDb db;
  const std::vector<Event> events = long_log(2000);
  apply_unevenly(db, events);
  const std::vector<RecordRow> stored = rows_by_account(db.projections(), long_log_accounts);
  const std::vector<RecordRow> from_log = db.projections().records(unlimited()).value().rows;
  REQUIRE(from_log.size() == stored.size());
  REQUIRE(from_log.size() > 1900);
  CHECK(from_log == stored);
  // Every record event is there once, in log order.
  std::vector<uint64_t> expected;
  for (const Event& event : events) {
    if (is_payment_record(event.type)) expected.push_back(event.position.value);
  }
  CHECK(ids(from_log) == expected);
}

TEST_CASE("projections: names in records are the names when they were made, from the log too",
          "[projections][records]") {
  ProjectionDb db;
  EventMaker make;
  std::vector<Event> events{make.open("1001", "Alice", minute(0)), make.open("10010", "Other", minute(0))};
  for (int i = 0; i < 600; ++i) {
    if (i % 200 == 100) {
      events.push_back(make.update("1001", minute(i), [i](AccountSettings& settings) {
        settings.name = "Alice " + std::to_string(i);
      }));
    }
    if (i == 300) {  // not a rename: the name stays, so the history gets no row
      events.push_back(
          make.update("1001", minute(i), [](AccountSettings& settings) { settings.locked = true; }));
    }
    events.push_back(make.pay(i % 2 == 0 ? "1001" : "10010", money("1"), minute(i)));
  }
  apply_unevenly(db, events);
  const std::vector<RecordRow> all = db.projections().records(unlimited()).value().rows;
  REQUIRE(all.size() == 600);
  for (const RecordRow& row : all) {
    INFO("record " << row.id.value);
    if (row.account_id == "10010") {
      CHECK(row.account_name == "Other");
      continue;
    }
    const int64_t n = (row.time.micros - minute(0).micros) / 60'000'000;
    const std::string name = n < 100 ? "Alice" : n < 300 ? "Alice 100" : n < 500 ? "Alice 300" : "Alice 500";
    CHECK(row.account_name == name);
  }
  CHECK(all == rows_by_account(db.projections(), {"1001", "10010"}));
  // One name row per opening and per real rename.
  std::unique_ptr<rocksdb::Iterator> it(
      db.db().NewIterator(rocksdb::ReadOptions(), db.family("account_names")));
  size_t names = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++names;
  CHECK(names == 2 + 3);

  // A page that starts after a rename, with the cache of an earlier page gone: still the right name.
  RecordQuery query;
  query.limit = 5;
  query.from = minute(301);
  Result<RecordPage> page = db.projections().records(query);
  REQUIRE(page.ok());
  CHECK(page->rows.at(1).account_name == "Alice 300");
}

TEST_CASE("projections: log-backed queries page across entries and filter like brute force",
          "[projections][records]") {
  ProjectionDb db;
  apply_unevenly(db, long_log(1500));
  const std::vector<RecordRow> all = db.projections().records(unlimited()).value().rows;
  std::vector<RecordQuery> queries(5, unlimited());
  queries[1].type = PaymentType::credit;
  queries[2].operator_name = "finance";
  queries[3].type = PaymentType::payment;
  queries[3].operator_name = "admin";
  queries[3].from = Timestamp{-60'000'000};
  queries[3].to = Timestamp{90'000'000};
  queries[4].account_id = "7";
  queries[4].from = Timestamp{-1};
  for (const RecordQuery& base : queries) {
    for (size_t limit : {1, 7, 255, 256, 257, 600}) {
      RecordQuery query = base;
      query.limit = limit;
      INFO("limit " << limit);
      CHECK(ids(all_pages(db.projections(), query)) == expected_ids(all, base));
    }
  }
}

TEST_CASE("projections: time ranges over log entries match brute force at every edge",
          "[projections][records]") {
  ProjectionDb db;
  apply_unevenly(db, long_log(1200));
  const std::vector<RecordRow> all = db.projections().records(unlimited()).value().rows;
  std::vector<Timestamp> edges{Timestamp{INT64_MIN}, Timestamp{INT64_MAX}};
  for (int64_t step = -1; step <= 32; ++step) {
    for (int64_t nudge : {-1, 0, 1}) edges.push_back(Timestamp{-90'000'000 + step * 3'000'000 + nudge});
  }
  check_time_ranges(db.projections(), all, {std::nullopt, "70", "7"}, edges,
                    {Timestamp{INT64_MAX}, Timestamp{-60'000'000}, Timestamp{0}, Timestamp{1}});
}

TEST_CASE("projections: any cursor starts the page at that position, with or without an account",
          "[projections][records]") {
  ProjectionDb db;
  const std::vector<Event> events = long_log(700);
  apply_unevenly(db, events);
  const std::vector<RecordRow> all = db.projections().records(unlimited()).value().rows;
  for (const std::optional<std::string>& account :
       {std::optional<std::string>(), std::optional<std::string>("7.")}) {
    for (uint64_t cursor = 1; cursor <= events.size() + 2; ++cursor) {
      RecordQuery query = unlimited();
      query.account_id = account;
      query.cursor = std::to_string(cursor);
      const std::vector<uint64_t> expected = expected_ids(all, query);  // the rows from the cursor on
      INFO("cursor " << cursor);
      CHECK(query_ids(db.projections(), query) == expected);
    }
  }
}

}  // namespace paystream::testing
