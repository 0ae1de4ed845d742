// Taking a partition over on the mock cluster: the history is read through the reader's rule, a
// marker raises the epoch, and of two instances taking over at once exactly one wins.
#include "engine/kafka_client/takeover.h"

#include <catch2/catch.hpp>
#include <vector>

#include "tests/support/kafka/kafka_fixture.h"

namespace paystream {
namespace {

const std::string events_topic = "paystream.events";

std::unique_ptr<TransactionalProducer> producer_for(const MockCluster& cluster) {
  TransactionOptions options;
  options.timeout_ms = 10'000;
  Result<std::unique_ptr<TransactionalProducer>> producer =
      TransactionalProducer::open(KafkaEndpoint(cluster.bootstrap()), "paystream.engine.0", options);
  INFO((producer ? std::string() : producer.error().message));
  REQUIRE(producer.ok());
  return std::move(producer).value();
}

// An instance's takeover, recording the batches it accepts as "<owner><sequence>".
struct Instance {
  std::vector<std::string> accepted;
  PartitionTakeover takeover;
  Instance(const MockCluster& cluster, const std::string& owner, BatchPosition from = {}, int64_t offset = 0)
      : takeover(TakeoverOptions{KafkaEndpoint(cluster.bootstrap()), events_topic, 0, owner, 10'000},
                 std::move(from), offset, [this](int64_t, const EventBatch& batch) {
                   accepted.push_back(batch.owner + std::to_string(batch.sequence));
                   return ok_status();
                 }) {}
};

void write_batch(TransactionalProducer& producer, uint64_t epoch, const std::string& owner, uint64_t sequence,
                 int64_t next_command_offset) {
  EventBatch batch;
  batch.epoch = epoch;
  batch.owner = owner;
  batch.sequence = sequence;
  batch.next_command_offset = next_command_offset;
  batch.outcomes = {
      {owner + "-cmd-" + std::to_string(sequence), next_command_offset - 1, "", "", 0, false, false, ""}};
  const Result<CommitOutcome> written = producer.write({{events_topic, 0, "", encode_event_batch(batch)}});
  REQUIRE(written.ok());
  REQUIRE(*written == CommitOutcome::committed);
}

bool took_over(PartitionTakeover& takeover, TransactionalProducer& producer) {
  const Result<bool> won = takeover.take_over(producer);
  INFO((won ? std::string() : won.error().message));
  REQUIRE(won.ok());
  return *won;
}

TEST_CASE("kafka takeover: the first owner of an empty partition opens epoch 1", "[kafka][takeover]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 1);
  std::unique_ptr<TransactionalProducer> producer = producer_for(*kafka.cluster);
  Instance a(*kafka.cluster, "a");
  CHECK(took_over(a.takeover, *producer));
  CHECK(a.takeover.position() == BatchPosition{1, "a", 0});
  CHECK(a.takeover.next_command_offset() == 0);
  CHECK(a.accepted == std::vector<std::string>{"a0"});
}

TEST_CASE(
    "kafka takeover: the next owner rebuilds from the history and resumes the commands where it stopped",
    "[kafka][takeover]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 1);
  std::unique_ptr<TransactionalProducer> first = producer_for(*kafka.cluster);
  Instance a(*kafka.cluster, "a");
  REQUIRE(took_over(a.takeover, *first));
  write_batch(*first, 1, "a", 1, 10);
  write_batch(*first, 1, "a", 2, 25);

  std::unique_ptr<TransactionalProducer> second = producer_for(*kafka.cluster);
  Instance b(*kafka.cluster, "b");
  CHECK(took_over(b.takeover, *second));
  CHECK(b.accepted == std::vector<std::string>{"a0", "a1", "a2", "b0"});
  CHECK(b.takeover.position() == BatchPosition{2, "b", 0});
  CHECK(b.takeover.next_command_offset() == 25);

  // The old owner, not fenced by the mock, writes on; the next takeover's history ignores it.
  write_batch(*first, 1, "a", 3, 40);
  write_batch(*second, 2, "b", 1, 31);
  std::unique_ptr<TransactionalProducer> third = producer_for(*kafka.cluster);
  Instance c(*kafka.cluster, "c");
  CHECK(took_over(c.takeover, *third));
  CHECK(c.accepted == std::vector<std::string>{"a0", "a1", "a2", "b0", "b1", "c0"});
  CHECK(c.takeover.next_command_offset() == 31);

  // Resuming from a checkpoint taken after b's marker reads only what follows it.
  std::unique_ptr<TransactionalProducer> fourth = producer_for(*kafka.cluster);
  Instance d(*kafka.cluster, "d", b.takeover.position(), b.takeover.events_offset());
  CHECK(took_over(d.takeover, *fourth));
  CHECK(d.accepted == std::vector<std::string>{"b1", "c0", "d0"});
  CHECK(d.takeover.position() == BatchPosition{4, "d", 0});
}

TEST_CASE(
    "kafka takeover: of two instances taking over at once, the first marker wins and the other knows it lost",
    "[kafka][takeover]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 1);
  std::unique_ptr<TransactionalProducer> first = producer_for(*kafka.cluster);
  Instance a(*kafka.cluster, "a");
  REQUIRE(took_over(a.takeover, *first));
  write_batch(*first, 1, "a", 1, 7);

  std::unique_ptr<TransactionalProducer> for_b = producer_for(*kafka.cluster);
  std::unique_ptr<TransactionalProducer> for_c = producer_for(*kafka.cluster);
  Instance b(*kafka.cluster, "b");
  Instance c(*kafka.cluster, "c");
  REQUIRE(b.takeover.catch_up().ok());
  REQUIRE(c.takeover.catch_up().ok());  // both have read the same end: both will claim epoch 2
  REQUIRE(b.takeover.claim(*for_b).ok());
  REQUIRE(c.takeover.claim(*for_c).ok());
  const Result<bool> b_won = b.takeover.confirm();
  const Result<bool> c_won = c.takeover.confirm();
  REQUIRE(b_won.ok());
  REQUIRE(c_won.ok());
  CHECK(*b_won);
  CHECK_FALSE(*c_won);
  CHECK(c.takeover.position() == BatchPosition{2, "b", 0});  // c knows who holds the partition
  CHECK(b.takeover.next_command_offset() == 7);

  // c's batches, should it write any, are not history; b's are.
  write_batch(*for_c, 2, "c", 1, 9);
  write_batch(*for_b, 2, "b", 1, 8);
  Instance reader(*kafka.cluster, "reader");
  REQUIRE(reader.takeover.catch_up().ok());
  CHECK(reader.accepted == std::vector<std::string>{"a0", "a1", "b0", "b1"});
  CHECK(reader.takeover.next_command_offset() == 8);
}

}  // namespace
}  // namespace paystream
