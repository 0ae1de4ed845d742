#include <algorithm>

#include "projections_fixture.h"

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

std::vector<uint64_t> ids(const std::vector<RecordRow>& rows) {
  std::vector<uint64_t> result;
  for (const RecordRow& row : rows) result.push_back(row.id.value);
  return result;
}

std::vector<uint64_t> query_ids(Projections& projections, const RecordQuery& query) {
  Result<RecordPage> page = projections.records(query);
  REQUIRE(page.ok());
  CHECK(page->next_cursor.empty());
  return ids(page->rows);
}

// Every page of a query, following the cursors.
std::vector<RecordRow> all_pages(Projections& projections, RecordQuery query) {
  std::vector<RecordRow> rows;
  for (int pages = 0; pages < 100; ++pages) {
    Result<RecordPage> page = projections.records(query);
    REQUIRE(page.ok());
    if (query.limit != 0) CHECK(page->rows.size() <= query.limit);
    if (!page->next_cursor.empty()) CHECK(page->rows.size() == query.limit);
    rows.insert(rows.end(), page->rows.begin(), page->rows.end());
    if (page->next_cursor.empty()) return rows;
    query.cursor = page->next_cursor;
  }
  FAIL("paging did not end");
  return rows;
}

// What a query must return, by brute force over all records.
std::vector<uint64_t> expected_ids(const std::vector<RecordRow>& all, const RecordQuery& query) {
  std::vector<uint64_t> result;
  for (const RecordRow& row : all) {
    if (query.account_id && row.account_id != *query.account_id) continue;
    if (query.from && row.time < *query.from) continue;
    if (query.to && row.time >= *query.to) continue;
    if (query.type && row.type != *query.type) continue;
    if (query.operator_name && row.operator_name != *query.operator_name) continue;
    result.push_back(row.id.value);
  }
  return result;
}

RecordQuery unlimited() {
  RecordQuery query;
  query.limit = 0;
  return query;
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
