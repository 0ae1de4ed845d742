// The projections of Kafka mode: the engine loop decides commands on the mock cluster, the
// projector builds the projections from P.events, and they are compared with embedded mode's for
// the same commands; the projector resumes from its stored offsets; replay --verify reads the
// history again from the topic and names a tampered row.
#include "tools/kafka/projector.h"

#include <rocksdb/db.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <sstream>

#include "tests/support/kafka/engine_fixture.h"
#include "tests/support/kafka/topic_reader.h"
#include "tools/commands/replay_kafka.h"
#include "tools/runtime/runtime.h"

namespace paystream {
namespace {

using testing::ledger_lines;
using testing::line;
using testing::line_count;

constexpr int catch_up_ms = 20'000;

std::unique_ptr<KafkaProjector> open_projector(const testing::MockKafka& kafka,
                                               const std::string& directory) {
  ProjectorOptions options;
  options.connection.bootstrap = kafka.cluster->bootstrap();
  options.directory = directory;
  Result<std::unique_ptr<KafkaProjector>> projector = KafkaProjector::open(options);
  INFO((projector ? std::string() : projector.error().message));
  REQUIRE(projector.ok());
  return std::move(*projector);
}

void catch_up(KafkaProjector& projector) {
  const Status caught_up = projector.catch_up(catch_up_ms);
  INFO((caught_up ? std::string() : caught_up.error().message));
  REQUIRE(caught_up.ok());
}

std::unique_ptr<Runtime> embedded_runtime(const std::string& directory) {
  LedgerOptions options;
  options.data_dir = directory;
  options.sync = false;
  Result<std::unique_ptr<Runtime>> runtime = open_runtime(options);
  REQUIRE(runtime.ok());
  return std::move(*runtime);
}

void submit_lines(Runtime& runtime, const std::string& lines) {
  std::vector<Command> commands;
  std::istringstream in(lines);
  for (std::string text; std::getline(in, text);) {
    Result<nlohmann::json> object = parse_json_text(text);
    REQUIRE(object.ok());
    if ((*object)["type"] == "reverse") object->erase("account");  // Kafka's key, not a field
    Result<Command> command = command_from_json(*object, "admin");
    REQUIRE(command.ok());
    commands.push_back(std::move(*command));
  }
  (void)runtime.ledger->submit_all(std::move(commands));
}

std::vector<BalanceRow> all_balances(const Projections& projections, Timestamp now) {
  BalanceQuery query;
  query.now = now;
  Result<BalancePage> page = projections.balances(query);
  REQUIRE(page.ok());
  return page->rows;
}

// What a record says apart from where and when it was made (its ID names its partition in Kafka
// mode, and the two runs have their own clocks); a reversal's target is left out for that reason.
struct RecordFacts {
  std::string account_id, account_name, operator_name, memo;
  PaymentType type;
  int64_t amount, before, after;
  bool operator==(const RecordFacts&) const = default;
};

std::map<std::string, std::vector<RecordFacts>> records_by_account(const Projections& projections) {
  RecordQuery query;
  query.limit = 0;
  std::map<std::string, std::vector<RecordFacts>> facts;
  REQUIRE(projections
              .for_each_record(query,
                               [&](const RecordRow& row) {
                                 facts[row.account_id].push_back(
                                     RecordFacts{row.account_id, row.account_name, row.operator_name,
                                                 row.memo, row.type, row.amount.micros(),
                                                 row.balance_before.micros(), row.balance_after.micros()});
                               })
              .ok());
  return facts;
}

// The ID of the account's first payment record.
uint64_t first_payment_of(const Projections& projections, const std::string& account) {
  RecordQuery query;
  query.account_id = account;
  query.type = PaymentType::payment;
  query.limit = 1;
  Result<RecordPage> page = projections.records(query);
  REQUIRE(page.ok());
  REQUIRE(page->rows.size() == 1);
  return page->rows[0].id.value;
}

// Every account's records chain (each starts from the balance the one before left) and end at its
// balance: nothing applied twice, nothing lost.
void check_balances_follow_records(const Projections& projections) {
  RecordQuery query;
  query.limit = 0;
  std::map<std::string, int64_t> last_after;
  REQUIRE(
      projections
          .for_each_record(query,
                           [&](const RecordRow& row) {
                             INFO(row.account_id << " record " << row.id.value);
                             const auto previous =
                                 last_after.try_emplace(row.account_id, row.balance_before.micros()).first;
                             CHECK(row.balance_before.micros() == previous->second);
                             previous->second = row.balance_after.micros();
                           })
          .ok());
  for (const BalanceRow& row : all_balances(projections, Timestamp{0})) {
    INFO(row.account_id);
    REQUIRE(last_after.contains(row.account_id));  // every account here was opened with a balance
    CHECK(row.balance.micros() == last_after.at(row.account_id));
  }
}

TEST_CASE("kafka projector: the projections of Kafka mode equal embedded mode's for the same commands",
          "[kafka][projector]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 3);
  e2e::TemporaryDirectory directory;
  const std::string lines = ledger_lines(9, 150, "p");
  testing::publish(kafka, lines);
  std::unique_ptr<KafkaEngineLoop> loop = testing::open_loop(kafka, directory.file("kafka"), 40);
  testing::take_all(*loop);
  testing::step_until(*loop, [&] { return loop->totals().commands == line_count(lines); });
  std::unique_ptr<KafkaProjector> projector = open_projector(kafka, directory.file("projections"));
  catch_up(*projector);
  std::unique_ptr<Runtime> embedded = embedded_runtime(directory.file("embedded"));
  submit_lines(*embedded, lines);

  // A reversal of each side's own record ID for the same payment.
  const uint64_t kafka_record = first_payment_of(projector->store().projections(), "C-4");
  const uint64_t embedded_record = first_payment_of(embedded->projections(), "C-4");
  CHECK(kafka_record > uint64_t{1} << 48);  // C-4 is not on partition 0 (murmur2 of its key)
  testing::publish(kafka, line(R"({"type":"reverse","account":"C-4","record":)" +
                               std::to_string(kafka_record) + R"(,"command_id":"undo"})"));
  submit_lines(*embedded, line(R"({"type":"reverse","record":)" + std::to_string(embedded_record) +
                               R"(,"command_id":"undo"})"));
  testing::step_until(*loop, [&] { return loop->totals().commands == line_count(lines) + 1; });
  catch_up(*projector);

  const Projections& from_kafka = projector->store().projections();
  const Timestamp now{embedded->ledger->snapshot().last_time.micros};
  const std::vector<BalanceRow> balances = all_balances(from_kafka, now);
  CHECK(balances.size() == 9);
  CHECK(balances == all_balances(embedded->projections(), now));
  CHECK(records_by_account(from_kafka) == records_by_account(embedded->projections()));
  CHECK(records_by_account(from_kafka).at("C-4").back().type == PaymentType::reversal);
  check_balances_follow_records(from_kafka);
  CHECK(projector->totals().events == [&] {
    uint64_t events = 0;
    for (const int32_t partition : loop->owned()) {
      events += loop->engine(partition)->state().last_position.value - partition_base(partition);
    }
    return events;
  }());
}

TEST_CASE(
    "kafka projector: a restart resumes from the stored offsets, and replay --verify reads the topic again "
    "and "
    "names a tampered row",
    "[kafka][projector]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 2);
  e2e::TemporaryDirectory directory;
  const std::string data = directory.file("data");
  const std::string store = data + "/" + kafka_projections_dir_name;
  const std::string first = ledger_lines(6, 80, "a");
  testing::publish(kafka, first);
  std::unique_ptr<KafkaEngineLoop> loop = testing::open_loop(kafka, directory.file("kafka"), 30);
  testing::take_all(*loop);
  testing::step_until(*loop, [&] { return loop->totals().commands == line_count(first); });
  uint64_t first_events = 0;
  {
    std::unique_ptr<KafkaProjector> projector = open_projector(kafka, store);
    catch_up(*projector);
    first_events = projector->totals().events;
    CHECK(first_events > 80);
  }
  const std::string second = ledger_lines(6, 40, "b");
  testing::publish(kafka, second);
  testing::step_until(*loop,
                      [&] { return loop->totals().commands == line_count(first) + line_count(second); });
  std::unique_ptr<KafkaProjector> projector = open_projector(kafka, store);
  catch_up(*projector);
  // Only what came after: the b- commands (their account opens are refused: the accounts exist).
  CHECK(projector->totals().events > 0);
  CHECK(projector->totals().events < first_events);
  check_balances_follow_records(projector->store().projections());
  projector.reset();

  KafkaConnection connection;
  connection.bootstrap = kafka.cluster->bootstrap();
  {
    std::ostringstream out, err;
    CHECK(run_replay_verify_kafka(connection, data, out, err) == 0);
    INFO(out.str() << err.str());
    CHECK_THAT(out.str(), Catch::Contains("hash chain: intact") && Catch::Contains("match their rebuild"));
  }
  {
    // One balance row changed behind the projector's back.
    std::string scope;
    {
      Result<std::unique_ptr<KafkaProjectionStore>> reading =
          KafkaProjectionStore::open(store, KafkaProjectionStore::Access::read);
      REQUIRE(reading.ok());
      scope = (*reading)->scope();
    }
    Result<std::unique_ptr<KafkaProjectionStore>> opened =
        KafkaProjectionStore::open(store, KafkaProjectionStore::Access::write, scope);
    REQUIRE(opened.ok());
    rocksdb::ColumnFamilyHandle* balances = (*opened)->compared_families().front();
    std::string row;
    REQUIRE((*opened)->db()->Get(rocksdb::ReadOptions(), balances, "C-2", &row).ok());
    row.back() ^= 1;
    REQUIRE((*opened)->db()->Put(rocksdb::WriteOptions(), balances, "C-2", row).ok());
  }
  std::ostringstream out, err;
  CHECK(run_replay_verify_kafka(connection, data, out, err) == 1);
  CHECK_THAT(out.str(), Catch::Contains("DIFFERS balances: row C-2 differs from its rebuild"));
}

TEST_CASE(
    "kafka projector: its offsets group is told where the stored projections stand, and it measures its "
    "lag behind the topic's end",
    "[kafka][projector]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 2);
  e2e::TemporaryDirectory directory;
  const std::string lines = ledger_lines(6, 80, "l");
  testing::publish(kafka, lines);
  std::unique_ptr<KafkaEngineLoop> loop = testing::open_loop(kafka, directory.file("kafka"), 10);
  testing::take_all(*loop);
  testing::step_until(*loop, [&] { return loop->totals().commands == line_count(lines); });

  ProjectorOptions options;
  options.connection.bootstrap = kafka.cluster->bootstrap();
  options.directory = directory.file("projections");
  options.offsets_group = "lag-watchers";
  options.messages_per_round = 1;
  Result<std::unique_ptr<KafkaProjector>> opened = KafkaProjector::open(options);
  REQUIRE(opened.ok());
  KafkaProjector& projector = **opened;
  // One batch stored of the many there are: the rest is its lag.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(catch_up_ms);
  while (projector.totals().accepted == 0) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    REQUIRE(projector.step(100).ok());
  }
  CHECK(projector.lag_offsets() > 1);
  catch_up(projector);
  CHECK(projector.lag_offsets() == 0);

  std::vector<int64_t> stored;
  for (int32_t partition = 0; partition < 2; ++partition)
    stored.push_back(projector.store().progress_of(partition).next_offset);
  CHECK(stored.at(0) > 0);
  CHECK(stored.at(1) > 0);
  // The commit is asynchronous: it reaches the group coordinator within a few polls.
  std::vector<int64_t> committed;
  while ((committed = testing::committed_offsets(kafka.cluster->bootstrap(), "lag-watchers",
                                                 kafka.names.events, 2)) != stored) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    REQUIRE(projector.step(100).ok());
  }
  CHECK(committed == stored);
  // Nobody else's offsets: a rebuild (no group) commits none.
  CHECK(testing::committed_offsets(kafka.cluster->bootstrap(), "paystream-reader", kafka.names.events, 2) ==
        std::vector<int64_t>{-1, -1});
}

TEST_CASE(
    "kafka projector: a store of an older projection layout is refused with what to do, and left as it is",
    "[kafka][projector]") {
  e2e::TemporaryDirectory directory;
  const std::string store = directory.file("data") + "/" + kafka_projections_dir_name;
  REQUIRE(KafkaProjectionStore::open(store, KafkaProjectionStore::Access::write, "cluster/P.events").ok());
  {
    // What a build of layout 1 left beside the current families.
    std::vector<std::string> names;
    REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), store, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : names) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), store, descriptors, &handles, &raw).ok());
    rocksdb::ColumnFamilyHandle* retired = nullptr;
    REQUIRE(raw->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "records_by_account", &retired).ok());
    handles.push_back(retired);
    for (rocksdb::ColumnFamilyHandle* handle : handles) REQUIRE(raw->DestroyColumnFamilyHandle(handle).ok());
    delete raw;
  }
  for (const auto access : {KafkaProjectionStore::Access::write, KafkaProjectionStore::Access::read}) {
    Result<std::unique_ptr<KafkaProjectionStore>> opened =
        KafkaProjectionStore::open(store, access, "cluster/P.events");
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.error().code == Errc::invalid_argument);
    CHECK_THAT(opened.error().message, Catch::Contains("older layout (family 'records_by_account')") &&
                                           Catch::Contains("remove it to rebuild them from the cluster"));
  }
  std::vector<std::string> names;
  REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), store, &names).ok());
  CHECK(std::find(names.begin(), names.end(), "records_by_account") != names.end());
}

}  // namespace
}  // namespace paystream
