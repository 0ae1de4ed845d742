// Kafka mode: the projections fed partition by partition (events of partition p at (p << 48) | n),
// in any interleaving, and queried within each partition's applied position.
#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <string>

#include "projections_fixture.h"
#include "record_queries.h"

namespace paystream::testing {
namespace {

Timestamp minute(int n) { return Timestamp{at("2026-11-01T00:00:00Z").micros + int64_t{n} * 60'000'000}; }

// One partition's history: its accounts opened, then `count` events over them, three a minute from
// `first_minute` on (so runs of equal times), of every record type, with a parameter and a rename
// now and then (positions that are not records).
std::vector<Event> partition_log(int32_t partition, const std::vector<std::string>& accounts,
                                 int first_minute, int count) {
  EventMaker make(partition);
  std::vector<Event> events;
  for (size_t i = 0; i < accounts.size(); ++i) {
    events.push_back(make.open(accounts[i], "name " + accounts[i], minute(first_minute),
                               i == 1 ? AccountType::agent : AccountType::direct));
  }
  for (int i = 0; i < count; ++i) {
    const std::string& id = accounts[static_cast<size_t>(i) % accounts.size()];
    const Timestamp time = minute(first_minute + i / 3);
    const std::string operator_name = i % 4 == 0 ? "finance" : "admin";
    if (i % 50 == 25) {
      events.push_back(make.update(id, time, [i](AccountSettings& s) { s.name += fmt::format(" {}", i); }));
    } else if (i % 13 == 0) {
      events.push_back(make.parameter(time));
    } else if (i % 7 == 3) {
      events.push_back(make.credit(id, money("100"), time, operator_name));
    } else if (i % 11 == 5) {
      events.push_back(make.adjust(id, money("-1.5"), time, operator_name));
    } else {
      events.push_back(make.pay(id, money("2"), time, operator_name));
    }
  }
  return events;
}

std::vector<Event> slice(const std::vector<Event>& events, size_t from, size_t to) {
  return std::vector<Event>(events.begin() + static_cast<ptrdiff_t>(from),
                            events.begin() + static_cast<ptrdiff_t>(std::min(to, events.size())));
}

// Three partitions whose times overlap and go back from one partition to the next: partition 1's
// are all earlier than partition 0's, partition 2's overlap both. Partition 0 and 2 span several
// log entries.
struct ThreePartitions {
  std::vector<Event> p0 = partition_log(0, {"A", "T"}, 100, 320);
  std::vector<Event> p1 = partition_log(1, {"B", "U"}, 0, 120);
  std::vector<Event> p2 = partition_log(2, {"C", "D"}, 50, 400);
  // The batches, each of one partition, in the order of the task: p2, p0, p1, p2 again.
  std::vector<std::vector<Event>> batches() const {
    return {slice(p2, 0, 150), p0, p1, slice(p2, 150, p2.size())};
  }
  const std::vector<std::string> accounts{"A", "B", "C", "D", "T", "U"};
};

std::vector<uint64_t> record_positions(const std::vector<std::vector<Event>>& partitions) {
  std::vector<uint64_t> positions;
  for (const std::vector<Event>& events : partitions) {
    for (const Event& event : events) {
      if (is_payment_record(event.type)) positions.push_back(event.position.value);
    }
  }
  return positions;
}

// The records the partitions' histories hold (the query rows of all accounts), checked against them.
std::vector<RecordRow> applied_records(ProjectionDb& db, const ThreePartitions& data) {
  for (const std::vector<Event>& batch : data.batches()) db.apply(batch);
  const std::vector<RecordRow> all = db.projections().records(unlimited()).value().rows;
  REQUIRE(ids(all) == record_positions({data.p0, data.p1, data.p2}));
  return all;
}

}  // namespace

TEST_CASE("projections: each partition applies after its own applied position", "[projections][partitions]") {
  const ThreePartitions data;
  ProjectionDb db;
  CHECK(db.projections().applied_positions().value().empty());
  const std::vector<std::vector<Event>> batches = data.batches();
  db.apply(batches[0]);
  // Partition 0 applied nothing yet: the embedded ledger's position stays 0.
  CHECK(db.projections().applied_position().value() == LogPosition{0});
  CHECK(db.projections().applied_positions().value() ==
        std::map<int32_t, LogPosition>{{2, batches[0].back().position}});
  db.apply(batches[1]);
  db.projections().discard_cache();
  db.apply(batches[2]);
  db.reopen();  // the positions are read back lazily, per partition
  db.apply(batches[3]);

  const uint64_t last0 = data.p0.back().position.value;
  const uint64_t last1 = data.p1.back().position.value;
  const uint64_t last2 = data.p2.back().position.value;
  CHECK(last0 == data.p0.size());
  CHECK(last1 == partition_base(1) + data.p1.size());
  CHECK(partition_of_position(last2) == 2);
  CHECK(db.projections().applied_position().value() == LogPosition{last0});
  CHECK(db.projections().applied_positions().value() ==
        std::map<int32_t, LogPosition>{
            {0, LogPosition{last0}}, {1, LogPosition{last1}}, {2, LogPosition{last2}}});

  // Partition 0 keeps the embedded key; p > 0 appends p, u32 big-endian.
  std::vector<std::pair<std::string, std::string>> meta;
  std::unique_ptr<rocksdb::Iterator> it(
      db.db().NewIterator(rocksdb::ReadOptions(), db.family("projection_meta")));
  for (it->SeekToFirst(); it->Valid(); it->Next())
    meta.emplace_back(it->key().ToString(), it->value().ToString());
  using namespace std::string_literals;
  CHECK(meta == std::vector<std::pair<std::string, std::string>>{
                    {"applied_position", big_endian_u64(last0)},
                    {"applied_position\0\0\0\1"s, big_endian_u64(last1)},
                    {"applied_position\0\0\0\2"s, big_endian_u64(last2)}});
}

TEST_CASE("projections: partitions give the same rows in any interleaving", "[projections][partitions]") {
  const ThreePartitions data;
  const std::vector<std::vector<Event>> batches = data.batches();
  ProjectionDb first;
  for (const std::vector<Event>& batch : batches) first.apply(batch);
  ProjectionDb second;  // the same batches, partition by partition in another order
  for (size_t i : {2, 0, 3, 1}) second.apply(batches[i]);
  const auto contents = first.contents();
  CHECK(contents[0].size() == 6);   // balances
  CHECK(contents[2].size() > 600);  // records_by_account
  CHECK(second.contents() == contents);
  CHECK(second.log_contents() == first.log_contents());
  CHECK(second.projections().applied_positions().value() == first.projections().applied_positions().value());
}

TEST_CASE("projections: all-accounts records go partition by partition, in position order",
          "[projections][partitions]") {
  const ThreePartitions data;
  ProjectionDb db;
  const std::vector<RecordRow> all = applied_records(db, data);
  // The log-read rows (names included) are those stored by account.
  CHECK(all == rows_by_account(db.projections(), data.accounts));
  CHECK(partition_of_position(all.front().id.value) == 0);
  CHECK(partition_of_position(all.back().id.value) == 2);
  CHECK(all.front().time > all[all.size() / 2].time);  // times go back from partition 0 to 1

  std::vector<RecordQuery> queries(6, unlimited());
  queries[1].type = PaymentType::credit;
  queries[2].operator_name = "finance";
  queries[3].from = minute(30);  // the end of partition 1, the start of 2 and of 0
  queries[3].to = minute(110);
  queries[4].from = minute(60);
  queries[4].type = PaymentType::payment;
  queries[5].to = minute(101);
  for (const RecordQuery& base : queries) {
    const std::vector<uint64_t> expected = expected_ids(all, base);
    CHECK(query_ids(db.projections(), base) == expected);
    for (size_t limit : {1, 2, 255, 257}) {
      RecordQuery query = base;
      query.limit = limit;
      INFO("limit " << limit);
      CHECK(ids(all_pages(db.projections(), query)) == expected);
    }
  }
  // A time-ordered search over the whole log would miss these: partition 1's times are earlier.
  RecordQuery query = unlimited();
  query.from = minute(0);
  query.to = minute(5);
  const std::vector<uint64_t> early = query_ids(db.projections(), query);
  REQUIRE_FALSE(early.empty());
  for (uint64_t id : early) CHECK(partition_of_position(id) == 1);
}

TEST_CASE("projections: time ranges over partitions match brute force at every edge",
          "[projections][partitions]") {
  const ThreePartitions data;
  ProjectionDb db;
  const std::vector<RecordRow> all = applied_records(db, data);
  std::vector<Timestamp> edges{Timestamp{INT64_MIN}, Timestamp{INT64_MAX}};
  for (int n : {-1, 0, 1, 39, 40, 41, 49, 50, 51, 99, 100, 101, 150, 182, 183, 184, 206, 207, 300}) {
    for (int64_t nudge : {-1, 0, 1}) edges.push_back(Timestamp{minute(n).micros + nudge});
  }
  check_time_ranges(db.projections(), all, {std::nullopt, "C"}, edges,
                    {Timestamp{INT64_MAX}, minute(0), minute(45), minute(100), minute(150)});
}

TEST_CASE("projections: accounts and an agent's tree over partitions follow any cursor",
          "[projections][partitions]") {
  const ThreePartitions data;
  ProjectionDb db;
  const std::vector<RecordRow> all = applied_records(db, data);
  std::vector<RecordQuery> queries;
  for (const std::string& id : data.accounts) {
    queries.push_back(unlimited());
    queries.back().account_id = id;
  }
  queries.push_back(unlimited());  // all accounts
  queries.push_back(unlimited());  // a tree over three partitions, merged by position
  queries.back().visible_accounts = std::vector<std::string>{"A", "B", "C"};
  queries.push_back(queries.back());
  queries.back().from = minute(30);
  queries.back().to = minute(120);
  queries.back().operator_name = "admin";
  queries.push_back(queries.back());
  queries.back().account_id = "B";

  const auto last = [](const std::vector<Event>& events) { return events.back().position.value; };
  std::vector<uint64_t> cursors{1, 2, 17, last(data.p0), last(data.p0) + 1, partition_base(1) - 1};
  for (int32_t p : {1, 2, 3}) {
    cursors.insert(cursors.end(), {partition_base(p), partition_base(p) + 1, partition_base(p) + 2,
                                   partition_base(p) + 77, partition_base(p) + 233});
  }
  cursors.insert(cursors.end(), {last(data.p1), last(data.p1) + 1, last(data.p2), last(data.p2) + 1});
  for (size_t i = 0; i < all.size(); i += 37) cursors.push_back(all[i].id.value);

  for (const RecordQuery& base : queries) {
    REQUIRE_FALSE(expected_ids(all, base).empty());
    for (uint64_t cursor : cursors) {
      RecordQuery query = base;
      query.cursor = std::to_string(cursor);
      INFO("account " << base.account_id.value_or("-") << ", cursor " << cursor);
      CHECK(query_ids(db.projections(), query) == expected_ids(all, query));
    }
    for (size_t limit : {1, 2}) {
      RecordQuery query = base;
      query.limit = limit;
      CHECK(ids(all_pages(db.projections(), query)) == expected_ids(all, base));
    }
  }
  // An account of a partition before the cursor's is skipped without stepping through its rows.
  const uint64_t nexts_before = db.nexts();
  RecordQuery query = unlimited();
  query.account_id = "A";
  query.cursor = std::to_string(partition_base(2) + 1);
  CHECK(query_ids(db.projections(), query).empty());
  CHECK(db.nexts() - nexts_before < 10);  // the applied positions only, not A's 100+ rows

  // Each account's records are in its partition.
  for (const RecordRow& row : all) {
    const int32_t partition = row.account_id == "A" || row.account_id == "T"   ? 0
                              : row.account_id == "B" || row.account_id == "U" ? 1
                                                                               : 2;
    CHECK(partition_of_position(row.id.value) == partition);
  }
}

TEST_CASE("projections: nothing past a partition's applied position is shown", "[projections][partitions]") {
  const ThreePartitions data;
  ProjectionDb db;
  const std::vector<RecordRow> all = applied_records(db, data);
  // A log ahead of the projections: partition 3 not applied at all.
  db.append_log(partition_log(3, {"E", "F"}, 0, 60));
  CHECK(ids(db.projections().records(unlimited()).value().rows) == ids(all));

  // Rows of partition 1 beyond its stored position (a reader must not rely on rows and position
  // sharing a batch): 20 more events of partition 1 written, then its old position put back.
  const std::vector<Event> longer = partition_log(1, {"B", "U"}, 0, 140);  // p1, then 20 events more
  const std::vector<Event> extra = slice(longer, data.p1.size(), longer.size());
  REQUIRE(record_positions({extra}).size() > 5);
  db.apply(extra);
  using namespace std::string_literals;
  REQUIRE(db.db()
              .Put(rocksdb::WriteOptions(), db.family("projection_meta"), "applied_position\0\0\0\1"s,
                   big_endian_u64(data.p1.back().position.value))
              .ok());
  std::vector<RecordQuery> queries(3, unlimited());
  queries[1].account_id = "B";
  queries[2].visible_accounts = std::vector<std::string>{"A", "B", "U"};
  for (const std::string& cursor :
       std::vector<std::string>{"", "1", std::to_string(extra.front().position.value)}) {
    for (RecordQuery query : queries) {
      query.cursor = cursor;
      INFO("account " << query.account_id.value_or("-") << ", cursor " << cursor);
      CHECK(query_ids(db.projections(), query) == expected_ids(all, query));
    }
  }
}

TEST_CASE("projections: a malformed applied position is corruption", "[projections][partitions]") {
  const ThreePartitions data;
  using namespace std::string_literals;
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"applied_position\0\0"s, big_endian_u64(3)},                          // not a partition key
           {"applied_position\0\0\0\1"s, "1234"},                                 // not 8 bytes
           {"applied_position\0\0\0\1"s, big_endian_u64(partition_base(2) + 1)},  // another partition's
           {"applied_position\0\0\0\0"s, big_endian_u64(3)},     // partition 0 has the short key
           {"applied_position\0\1\0\0"s, big_endian_u64(3)}}) {  // beyond the numbering
    ProjectionDb db;
    db.apply(data.p0);
    REQUIRE(db.db().Put(rocksdb::WriteOptions(), db.family("projection_meta"), key, value).ok());
    INFO(key.size() << " " << value.size());
    Result<std::map<int32_t, LogPosition>> positions = db.projections().applied_positions();
    REQUIRE_FALSE(positions.ok());
    CHECK(positions.error().code == Errc::corruption);
    Result<RecordPage> page = db.projections().records(unlimited());
    REQUIRE_FALSE(page.ok());
    CHECK(page.error().code == Errc::corruption);
  }
}

}  // namespace paystream::testing
