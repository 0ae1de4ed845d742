// replay --verify on a real data directory: a clean one verifies, an altered event is named by its
// position, and a dropped projection is rebuilt from the log on open.
#include "tools/commands/replay.h"

#include <rocksdb/db.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <set>
#include <sstream>

#include "engine/domain/state_codec.h"
#include "events/codec.h"
#include "tests/support/temp_dir.h"
#include "tools/runtime/runtime.h"

namespace paystream::testing {
namespace {

Command pay_command(const std::string& account, int64_t units, const std::string& id,
                    const std::string& memo) {
  return Command{id, "admin", Pay{account, Money::from_micros(units * 1'000'000), memo, PaymentMethod::cash}};
}

void populate(const std::string& data_dir, int payments) {
  LedgerOptions options;
  options.data_dir = data_dir;
  Result<std::unique_ptr<Runtime>> runtime = open_runtime(options);
  REQUIRE(runtime.ok());
  Ledger& ledger = *(*runtime)->ledger;
  for (const char* id : {"1001", "1002"}) {
    OpenAccount open{id, {}, {}, {}};
    open.settings.name = std::string("Customer ") + id;
    REQUIRE(ledger.submit(Command{std::string("open-") + id, "admin", open}).ok());
  }
  std::vector<Command> commands;
  for (int i = 0; i < payments; ++i) {
    commands.push_back(
        pay_command(i % 2 ? "1001" : "1002", 1 + i, "pay-" + std::to_string(i), "memo-" + std::to_string(i)));
  }
  for (const Result<Outcome>& outcome : ledger.submit_all(commands)) REQUIRE(outcome.ok());
  REQUIRE(ledger.submit(Command{"zero", "admin", MakeZero{"1001", ""}}).ok());
  REQUIRE(ledger.submit(Command{"rev", "admin", Reverse{LogPosition{3}, "oops"}}).ok());
  REQUIRE(ledger.close().ok());
}

struct RawDb {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  std::vector<std::string> names;
  explicit RawDb(const std::string& path) {
    REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : names) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), path, descriptors, &handles, &raw).ok());
    db.reset(raw);
  }
  ~RawDb() {
    for (auto* handle : handles) (void)db->DestroyColumnFamilyHandle(handle);
    (void)db->Close();
  }
  rocksdb::ColumnFamilyHandle* family(const std::string& name) {
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) return handles[i];
    }
    FAIL("no column family " << name);
    return nullptr;
  }
};

int verify(const std::string& data_dir, std::string& output) {
  std::ostringstream out, err;
  const int code = run_replay_verify(data_dir, out, err);
  output = out.str() + err.str();
  return code;
}

}  // namespace

TEST_CASE("tools: replay --verify passes on an untouched data directory", "[tools][replay]") {
  TempDir dir;
  populate(dir.path("data"), 600);
  std::string output;
  CHECK(verify(dir.path("data"), output) == 0);
  INFO(output);
  CHECK(output.find("hash chain: intact, 604 events") != std::string::npos);
  CHECK(output.find("match their rebuild") != std::string::npos);
}

TEST_CASE("tools: an altered byte in a stored event is named by its log position", "[tools][replay]") {
  for (const uint64_t target : {uint64_t{5}, uint64_t{300}, uint64_t{602}}) {
    TempDir dir;
    populate(dir.path("data"), 600);
    {
      RawDb raw(dir.path("data"));
      std::unique_ptr<rocksdb::Iterator> it(raw.db->NewIterator(rocksdb::ReadOptions(), raw.family("log")));
      it->SeekForPrev(big_endian_key(target));
      REQUIRE(it->Valid());
      const uint64_t first = read_big_endian(it->key().ToStringView());
      std::vector<std::string> events = decode_log_entry(it->value().ToStringView()).value();
      std::string& encoded = events[target - first];
      const std::string memo = "memo-" + std::to_string(target - 3);
      const size_t at = encoded.find(memo);
      REQUIRE(at != std::string::npos);
      encoded[at] = 'M';  // one byte: still a valid event, no longer the one that was hashed
      REQUIRE(
          raw.db->Put(rocksdb::WriteOptions(), raw.family("log"), it->key(), encode_log_entry(events)).ok());
    }
    std::string output;
    CHECK(verify(dir.path("data"), output) == 1);
    INFO(output);
    CHECK(output.find("log position " + std::to_string(target) + " was altered") != std::string::npos);
  }
}

TEST_CASE("tools: an altered last event is caught by the stored chain head", "[tools][replay]") {
  TempDir dir;
  populate(dir.path("data"), 10);
  {
    RawDb raw(dir.path("data"));
    std::unique_ptr<rocksdb::Iterator> it(raw.db->NewIterator(rocksdb::ReadOptions(), raw.family("log")));
    it->SeekToLast();
    REQUIRE(it->Valid());
    std::vector<std::string> events = decode_log_entry(it->value().ToStringView()).value();
    const size_t at = events.back().find("oops");
    REQUIRE(at != std::string::npos);
    events.back()[at] = 'O';
    REQUIRE(
        raw.db->Put(rocksdb::WriteOptions(), raw.family("log"), it->key(), encode_log_entry(events)).ok());
  }
  std::string output;
  CHECK(verify(dir.path("data"), output) == 1);
  INFO(output);
  CHECK(output.find("log position 14 was altered") != std::string::npos);
}

namespace {

// Rewrites the log entry holding `target` with its events changed by `edit` (given the entry's
// events and the index of target among them).
void edit_entry_of(const std::string& data_dir, uint64_t target,
                   const std::function<void(std::vector<std::string>&, size_t)>& edit) {
  RawDb raw(data_dir);
  std::unique_ptr<rocksdb::Iterator> it(raw.db->NewIterator(rocksdb::ReadOptions(), raw.family("log")));
  it->SeekForPrev(big_endian_key(target));
  REQUIRE(it->Valid());
  const uint64_t first = read_big_endian(it->key().ToStringView());
  std::vector<std::string> events = decode_log_entry(it->value().ToStringView()).value();
  REQUIRE(target - first + 1 < events.size());  // target and the event after it share the entry
  edit(events, target - first);
  REQUIRE(raw.db->Put(rocksdb::WriteOptions(), raw.family("log"), it->key(), encode_log_entry(events)).ok());
}

}  // namespace

TEST_CASE("tools: a deleted event is named by the position where the log breaks", "[tools][replay]") {
  TempDir dir;
  populate(dir.path("data"), 600);
  edit_entry_of(dir.path("data"), 300, [](std::vector<std::string>& events, size_t at) {
    events.erase(events.begin() + static_cast<std::ptrdiff_t>(at));
  });
  std::string output;
  CHECK(verify(dir.path("data"), output) == 1);
  INFO(output);
  CHECK(output.find("position 300") != std::string::npos);
}

TEST_CASE("tools: two swapped events are named by the position where the log breaks", "[tools][replay]") {
  TempDir dir;
  populate(dir.path("data"), 600);
  edit_entry_of(dir.path("data"), 300,
                [](std::vector<std::string>& events, size_t at) { std::swap(events[at], events[at + 1]); });
  std::string output;
  CHECK(verify(dir.path("data"), output) == 1);
  INFO(output);
  CHECK(output.find("position 300") != std::string::npos);
}

TEST_CASE("tools: only the families read by key get bloom filters in their files", "[tools][replay]") {
  TempDir dir;
  populate(dir.path("data"), 50);  // closing flushes every memtable into a file
  RawDb raw(dir.path("data"));
  auto filters_of = [&](const std::string& name) {
    rocksdb::TablePropertiesCollection tables;
    REQUIRE(raw.db->GetPropertiesOfAllTables(raw.family(name), &tables).ok());
    INFO(name);
    REQUIRE(!tables.empty());
    std::set<std::string> policies;
    for (const auto& [file, properties] : tables) policies.insert(properties->filter_policy_name);
    return policies;
  };
  for (const char* keyed : {"commands", "balances"}) {
    INFO(keyed);
    CHECK(filters_of(keyed) == std::set<std::string>{"bloomfilter"});
  }
  for (const char* scanned : {"log", "records_by_account_v3", "account_names", "balances_by_type"}) {
    INFO(scanned);
    CHECK(filters_of(scanned) == std::set<std::string>{""});
  }
}

TEST_CASE("tools: a changed projection row is reported, and a dropped projection is rebuilt on open",
          "[tools][replay]") {
  TempDir dir;
  populate(dir.path("data"), 50);
  const std::vector<std::string> families = Projections::column_families();
  {
    RawDb raw(dir.path("data"));
    rocksdb::ColumnFamilyHandle* balances = raw.family(families.front());
    std::unique_ptr<rocksdb::Iterator> it(raw.db->NewIterator(rocksdb::ReadOptions(), balances));
    it->SeekToFirst();
    REQUIRE(it->Valid());
    std::string value = it->value().ToString();
    value.back() = static_cast<char>(value.back() ^ 1);
    REQUIRE(raw.db->Put(rocksdb::WriteOptions(), balances, it->key(), value).ok());
  }
  std::string output;
  CHECK(verify(dir.path("data"), output) == 1);
  CHECK(output.find("differs from its rebuild") != std::string::npos);

  {
    RawDb raw(dir.path("data"));
    for (const std::string& name : families) REQUIRE(raw.db->DropColumnFamily(raw.family(name)).ok());
  }
  CHECK(verify(dir.path("data"), output) == 0);
  INFO(output);
}

}  // namespace paystream::testing

namespace paystream::testing {

TEST_CASE(
    "tools: projections of an older layout (a `records` or `records_by_account` family) are dropped "
    "and rebuilt on open",
    "[tools][replay]") {
  // Layout 1's families: `records` keyed by position, then `records_by_account` with fixed-width
  // rows; either one, left by an older build, makes the open rebuild every projection.
  const std::string retired = GENERATE(std::string("records"), std::string("records_by_account"));
  INFO(retired);
  TempDir dir;
  populate(dir.path("data"), 300);
  std::vector<RecordRow> before;
  {
    LedgerOptions options;
    options.data_dir = dir.path("data");
    Result<std::unique_ptr<Runtime>> runtime = open_runtime(options);
    REQUIRE(runtime.ok());
    RecordQuery query;
    query.limit = 0;
    before = (*runtime)->projections().records(query).value().rows;
  }
  REQUIRE(before.size() == 302);
  {
    // What an older build left: the retired family with a row of its layout, and a damaged row in
    // the current family, which the rebuild must replace.
    RawDb raw(dir.path("data"));
    rocksdb::ColumnFamilyHandle* old_family = nullptr;
    REQUIRE(raw.db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), retired, &old_family).ok());
    REQUIRE(raw.db->Put(rocksdb::WriteOptions(), old_family, big_endian_key(3), "old row").ok());
    REQUIRE(raw.db->DestroyColumnFamilyHandle(old_family).ok());
    REQUIRE(raw.db
                ->Put(rocksdb::WriteOptions(), raw.family("records_by_account_v3"),
                      std::string("1001\0", 5) + big_endian_key(4), "old row")
                .ok());
  }
  std::string output;
  CHECK(verify(dir.path("data"), output) == 0);
  INFO(output);
  {
    RawDb raw(dir.path("data"));
    CHECK(std::find(raw.names.begin(), raw.names.end(), retired) == raw.names.end());
  }
  LedgerOptions options;
  options.data_dir = dir.path("data");
  Result<std::unique_ptr<Runtime>> runtime = open_runtime(options);
  REQUIRE(runtime.ok());
  for (const std::optional<std::string>& account :
       {std::optional<std::string>(), std::optional<std::string>("1001")}) {
    RecordQuery query;
    query.limit = 0;
    query.account_id = account;
    std::vector<RecordRow> expected;
    for (const RecordRow& row : before) {
      if (!account || row.account_id == *account) expected.push_back(row);
    }
    CHECK((*runtime)->projections().records(query).value().rows == expected);
  }
}

}  // namespace paystream::testing
