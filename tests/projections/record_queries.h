#pragma once
// Record-query helpers shared by the projections' tests: a query without a page limit, the IDs a
// query returns, every page of a query through its cursors, and what a query must return by brute
// force over all records.
#include <algorithm>
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "projections/projections.h"

namespace paystream::testing {

inline std::vector<uint64_t> ids(const std::vector<RecordRow>& rows) {
  std::vector<uint64_t> result;
  for (const RecordRow& row : rows) result.push_back(row.id.value);
  return result;
}

inline RecordQuery unlimited() {
  RecordQuery query;
  query.limit = 0;
  return query;
}

inline std::vector<uint64_t> query_ids(Projections& projections, const RecordQuery& query) {
  Result<RecordPage> page = projections.records(query);
  INFO((page ? std::string() : page.error().message));
  REQUIRE(page.ok());
  CHECK(page->next_cursor.empty());
  return ids(page->rows);
}

// Every page of a query, following the cursors.
inline std::vector<RecordRow> all_pages(Projections& projections, RecordQuery query) {
  std::vector<RecordRow> rows;
  for (int pages = 0; pages < 10000; ++pages) {
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

// The rows stored by account (records_by_account) for these accounts, in position order: the
// reference the log-backed all-accounts rows must equal.
inline std::vector<RecordRow> rows_by_account(Projections& projections,
                                              const std::vector<std::string>& accounts) {
  std::vector<RecordRow> rows;
  for (const std::string& id : accounts) {
    RecordQuery query = unlimited();
    query.account_id = id;
    const std::vector<RecordRow> page = projections.records(query).value().rows;
    rows.insert(rows.end(), page.begin(), page.end());
  }
  std::sort(rows.begin(), rows.end(), [](const RecordRow& a, const RecordRow& b) { return a.id < b.id; });
  return rows;
}

// What a query must return, by brute force over all records (given in position order).
inline std::vector<uint64_t> expected_ids(const std::vector<RecordRow>& all, const RecordQuery& query) {
  const uint64_t cursor = query.cursor.empty() ? 0 : std::stoull(query.cursor);
  std::vector<uint64_t> result;
  for (const RecordRow& row : all) {
    if (row.id.value < cursor) continue;
    if (query.account_id && row.account_id != *query.account_id) continue;
    if (query.visible_accounts && std::find(query.visible_accounts->begin(), query.visible_accounts->end(),
                                            row.account_id) == query.visible_accounts->end()) {
      continue;
    }
    if (query.from && row.time < *query.from) continue;
    if (query.to && row.time >= *query.to) continue;
    if (query.type && row.type != *query.type) continue;
    if (query.operator_name && row.operator_name != *query.operator_name) continue;
    result.push_back(row.id.value);
  }
  return result;
}

// Every (from, to) and (no from, to = from) range, for all accounts and for each given one, against
// the brute-force answer.
inline void check_time_ranges(Projections& projections, const std::vector<RecordRow>& all,
                              const std::vector<std::optional<std::string>>& accounts,
                              const std::vector<Timestamp>& froms, const std::vector<Timestamp>& tos) {
  for (const std::optional<std::string>& account : accounts) {
    for (Timestamp from : froms) {
      for (Timestamp to : tos) {
        RecordQuery query = unlimited();
        query.account_id = account;
        query.from = from;
        query.to = to;
        INFO("account " << account.value_or("(all)") << " from " << from.micros << " to " << to.micros);
        CHECK(query_ids(projections, query) == expected_ids(all, query));
        query.from.reset();
        query.to = from;
        CHECK(query_ids(projections, query) == expected_ids(all, query));
      }
    }
  }
}

}  // namespace paystream::testing
