// Retention in Kafka mode: a records cleanup goes to the control topic, every partition decides it,
// and each partition's projections drop that partition's records before the date. The projections'
// cleanup row sums what the partitions removed, which equals what the export held; balances stay;
// replay --verify --kafka rebuilds the same query tables from the topic.
#include <atomic>
#include <catch2/catch.hpp>
#include <sstream>

#include "engine/kafka_client/producer.h"
#include "events/codec.h"
#include "tests/support/kafka/engine_fixture.h"
#include "tests/support/movable_clock.h"
#include "tools/commands/replay_kafka.h"
#include "tools/kafka/projector.h"
#include "tools/runtime/retention.h"

namespace paystream {
namespace {

using testing::ledger_lines;
using testing::line_count;

std::vector<RecordRow> all_records(const Projections& projections) {
  RecordQuery query;
  query.limit = 0;
  std::vector<RecordRow> rows;
  REQUIRE(projections.for_each_record(query, [&](const RecordRow& row) { rows.push_back(row); }).ok());
  return rows;
}

std::vector<BalanceRow> all_balances(const Projections& projections) {
  BalanceQuery query;
  query.now = parse_timestamp("2026-03-10T00:00:00Z").value();
  return projections.balances(query).value().rows;
}

TEST_CASE(
    "kafka retention: a cleanup on the control topic drops every partition's records before the date, "
    "and a replay agrees",
    "[kafka][retention]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 3);
  e2e::TemporaryDirectory directory;
  const std::string data = directory.file("data");
  MovableClock clock("2026-03-01T10:00:00Z");
  const std::unique_ptr<KafkaEngineLoop> opened =
      testing::open_loop(kafka, directory.file("kafka"), 40, 200, &clock);
  KafkaEngineLoop& loop = *opened;
  testing::take_all(loop);
  const std::string early = ledger_lines(8, 90, "early");
  testing::publish(kafka, early);
  testing::step_until(loop, [&] { return loop.totals().commands == line_count(early); });
  clock.set("2026-03-05T10:00:00Z");
  const std::string late = ledger_lines(8, 30, "late");
  testing::publish(kafka, late);
  testing::step_until(loop, [&] { return loop.totals().commands == line_count(early) + line_count(late); });

  ProjectorOptions projector_options;
  projector_options.connection.bootstrap = kafka.cluster->bootstrap();
  projector_options.directory = data + "/" + kafka_projections_dir_name;
  Result<std::unique_ptr<KafkaProjector>> projector = KafkaProjector::open(projector_options);
  REQUIRE(projector.ok());
  REQUIRE((*projector)->catch_up(20'000).ok());
  const Projections& projections = (*projector)->store().projections();
  const std::vector<RecordRow> records = all_records(projections);
  const std::vector<BalanceRow> balances = all_balances(projections);
  const Timestamp cutoff = parse_timestamp("2026-03-03T00:00:00Z").value();
  const auto early_records = static_cast<uint64_t>(
      std::count_if(records.begin(), records.end(), [&](const RecordRow& row) { return row.time < cutoff; }));
  REQUIRE(early_records > 0);
  REQUIRE(early_records < records.size());

  // What a gateway's submit does: the command on the control topic, decided by every partition.
  clock.set("2026-03-10T10:00:00Z");
  Result<std::unique_ptr<KafkaProducer>> producer =
      KafkaProducer::open(KafkaEndpoint(kafka.cluster->bootstrap()), {});
  REQUIRE(producer.ok());
  const uint64_t copies = loop.totals().control_copies;
  const CommandSubmitter submit = [&](Command command) -> Result<Outcome> {
    REQUIRE(
        (*producer)->produce(kafka.names.control, 0, command.command_id, encode_command(command), 1).ok());
    while ((*producer)->in_flight() > 0) (void)(*producer)->poll(100);
    testing::step_until(loop, [&] { return loop.totals().control_copies == copies + 3; });
    Event event;
    event.command_id = command.command_id;
    return Outcome{.events = {event}, .duplicate = false};
  };
  CleanupRequest request{.before = parse_date("2026-03-03").value(),
                         .export_file = directory.file("early.csv"),
                         .command_id = "retention:2026-03-03",
                         .operator_name = "admin",
                         .replace_export = false,
                         .exported_row = {},
                         .confirm = {}};
  Result<CleanupDone> done = clean_up_records(projections, request, clock.now(), submit);
  INFO((done ? std::string() : done.error().message));
  REQUIRE(done.ok());
  CHECK(done->exported.count == early_records);
  REQUIRE((*projector)->catch_up(20'000).ok());

  // Each partition dropped its own early records; together, what the export held.
  const std::vector<CleanupRow> cleanups = projections.record_cleanups().value();
  REQUIRE(cleanups.size() == 1);
  CHECK(cleanups[0].command_id == "retention:2026-03-03");
  CHECK(cleanups[0].cleanup.count == early_records);
  CHECK(cleanups[0].removed == early_records);
  const std::vector<RecordRow> kept = all_records(projections);
  CHECK(kept.size() == records.size() - early_records);
  for (const RecordRow& row : kept) CHECK(row.time >= cutoff);
  for (const BalanceRow& account : balances) {  // each account's own rows, which the cleanup deleted
    RecordQuery one;
    one.account_id = account.account_id;
    one.limit = 0;
    REQUIRE(projections.for_each_record(one, [&](const RecordRow& row) { CHECK(row.time >= cutoff); }).ok());
  }
  CHECK(all_balances(projections) == balances);
  projector->reset();  // the verification opens the store itself

  KafkaConnection connection;
  connection.bootstrap = kafka.cluster->bootstrap();
  std::ostringstream out, err;
  CHECK(run_replay_verify_kafka(connection, data, out, err) == 0);
  INFO(out.str() << err.str());
  CHECK_THAT(out.str(), Catch::Contains("match their rebuild"));
}

}  // namespace
}  // namespace paystream
