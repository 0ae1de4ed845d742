// The engine's writing side on the mock cluster: transactional producers writing EventBatch
// messages to one events partition, and the reader's rule reading them back. The mock fences
// nothing and shows aborted transactions (docs/kafka.md, design note), so these tests show that
// the history readers agree on holds without either.
#include "engine/kafka_client/transactions.h"

#include <librdkafka/rdkafka.h>

#include <catch2/catch.hpp>
#include <vector>

#include "engine/kafka_client/events_reader.h"
#include "events/kafka/event_batch.h"
#include "tests/support/kafka/kafka_fixture.h"

namespace paystream {
namespace {

constexpr int16_t produce_request = 0;
constexpr int16_t end_txn_request = 26;
const std::string events_topic = "paystream.events";

EventBatch marker(uint64_t epoch, const std::string& owner) {
  EventBatch batch;
  batch.epoch = epoch;
  batch.owner = owner;
  return batch;
}

EventBatch batch(uint64_t epoch, const std::string& owner, uint64_t sequence, int64_t next_command_offset) {
  EventBatch made = marker(epoch, owner);
  made.sequence = sequence;
  made.next_command_offset = next_command_offset;
  made.outcomes = {
      {owner + "-" + std::to_string(sequence), next_command_offset - 1, "", "", 0, false, false, ""}};
  return made;
}

std::unique_ptr<TransactionalProducer> owner_producer(const MockCluster& cluster) {
  TransactionOptions options;
  options.timeout_ms = 10'000;
  Result<std::unique_ptr<TransactionalProducer>> producer =
      TransactionalProducer::open(KafkaEndpoint(cluster.bootstrap()), "paystream.engine.0", options);
  INFO((producer ? std::string() : producer.error().message));
  REQUIRE(producer.ok());
  return std::move(producer).value();
}

// Writes `batch` in a transaction of its own and returns what the commit said.
CommitOutcome write(TransactionalProducer& producer, const EventBatch& batch) {
  Result<CommitOutcome> outcome = producer.write({{events_topic, 0, "", encode_event_batch(batch)}});
  INFO((outcome ? std::string() : outcome.error().message));
  REQUIRE(outcome.ok());
  return *outcome;
}

struct History {
  std::vector<EventBatch> accepted;
  EventsReadSummary summary;
  uint64_t ignored(BatchVerdict verdict) const {
    const auto found = summary.ignored.find(verdict);
    return found == summary.ignored.end() ? 0 : found->second;
  }
};

History read_history(const MockCluster& cluster) {
  History history;
  BatchAcceptance acceptance;
  Result<EventsReadSummary> summary = read_event_batches(
      KafkaEndpoint(cluster.bootstrap()), events_topic, 0, 0, acceptance,
      [&](int64_t, const EventBatch& accepted) {
        history.accepted.push_back(accepted);
        return ok_status();
      },
      10'000);
  INFO((summary ? std::string() : summary.error().message));
  REQUIRE(summary.ok());
  history.summary = *summary;
  return history;
}

std::vector<std::string> labels(const std::vector<EventBatch>& batches) {
  std::vector<std::string> names;
  for (const EventBatch& batch : batches) names.push_back(batch.owner + std::to_string(batch.sequence));
  return names;
}

TEST_CASE(
    "kafka transactions: two owners writing one partition at once, readers keep the newer owner's batches",
    "[kafka][transactions]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 1);
  std::unique_ptr<TransactionalProducer> a = owner_producer(*kafka.cluster);
  CHECK(write(*a, marker(1, "a")) == CommitOutcome::committed);
  CHECK(write(*a, batch(1, "a", 1, 10)) == CommitOutcome::committed);
  // b takes the partition over under the same transactional.id. A real cluster would fence a now;
  // the mock lets it go on committing, as a zombie would.
  std::unique_ptr<TransactionalProducer> b = owner_producer(*kafka.cluster);
  CHECK(write(*b, marker(2, "b")) == CommitOutcome::committed);
  const Result<CommitOutcome> zombie =
      a->write({{events_topic, 0, "", encode_event_batch(batch(1, "a", 2, 20))}});
  CHECK(write(*b, batch(2, "b", 1, 20)) == CommitOutcome::committed);
  const Result<CommitOutcome> zombie_again =
      a->write({{events_topic, 0, "", encode_event_batch(batch(1, "a", 3, 30))}});
  CHECK(write(*b, batch(2, "b", 2, 30)) == CommitOutcome::committed);

  const History history = read_history(*kafka.cluster);
  CHECK(labels(history.accepted) == std::vector<std::string>{"a0", "a1", "b0", "b1", "b2"});
  CHECK(history.accepted.back().next_command_offset == 30);
  // Whether the zombie's writes reached the log depends on the cluster; readers ignore them either way.
  const uint64_t zombie_writes = (zombie.ok() ? 1u : 0u) + (zombie_again.ok() ? 1u : 0u);
  CHECK(history.ignored(BatchVerdict::superseded_epoch) == zombie_writes);
  INFO("zombie commits that succeeded: " << zombie_writes);
}

TEST_CASE("kafka transactions: a batch aborted and sent again is history once", "[kafka][transactions]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 1);
  std::unique_ptr<TransactionalProducer> owner = owner_producer(*kafka.cluster);
  CHECK(write(*owner, marker(1, "a")) == CommitOutcome::committed);
  const std::string bytes = encode_event_batch(batch(1, "a", 1, 5));
  REQUIRE(owner->begin().ok());
  REQUIRE(owner->produce({events_topic, 0, "", bytes}).ok());
  REQUIRE(owner->abort().ok());
  CHECK(write(*owner, batch(1, "a", 1, 5)) == CommitOutcome::committed);  // the same bytes again
  CHECK(write(*owner, batch(1, "a", 2, 9)) == CommitOutcome::committed);

  const History history = read_history(*kafka.cluster);
  CHECK(labels(history.accepted) == std::vector<std::string>{"a0", "a1", "a2"});
  // The mock shows the aborted copy (no read_committed there); a real cluster hides it.
  CHECK(history.ignored(BatchVerdict::repeated) <= 1);
}

TEST_CASE("kafka transactions: errors on EndTxn and on produce end in one committed copy of each batch",
          "[kafka][transactions]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 1);
  std::unique_ptr<TransactionalProducer> owner = owner_producer(*kafka.cluster);
  CHECK(write(*owner, marker(1, "a")) == CommitOutcome::committed);
  // Retriable errors on committing: librdkafka and commit() retry them.
  kafka.cluster->push_request_errors(end_txn_request, {RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE,
                                                       RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS});
  CHECK(write(*owner, batch(1, "a", 1, 3)) == CommitOutcome::committed);
  // A produce refused for good: the transaction must be aborted, then the batch is sent again.
  kafka.cluster->push_request_errors(produce_request, {RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE});
  CommitOutcome outcome = write(*owner, batch(1, "a", 2, 6));
  int attempts = 1;
  // librdkafka may abort the next attempt too, while it bumps the producer's epoch over the gap in
  // its sequence numbers; the batch goes on being sent, the same bytes each time.
  while (outcome == CommitOutcome::aborted && attempts < 5) {
    outcome = write(*owner, batch(1, "a", 2, 6));
    ++attempts;
  }
  CHECK(outcome == CommitOutcome::committed);
  CHECK(attempts >= 2);  // the refused produce did abort the first attempt
  const History history = read_history(*kafka.cluster);
  CHECK(labels(history.accepted) == std::vector<std::string>{"a0", "a1", "a2"});
}

TEST_CASE("kafka transactions: a message on the events topic that is not a batch stops the reader",
          "[kafka][transactions]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 1);
  std::unique_ptr<TransactionalProducer> owner = owner_producer(*kafka.cluster);
  CHECK(write(*owner, marker(1, "a")) == CommitOutcome::committed);
  Result<CommitOutcome> junk = owner->write({{events_topic, 0, "", "not a batch at all"}});
  REQUIRE(junk.ok());
  BatchAcceptance acceptance;
  const Result<EventsReadSummary> read = read_event_batches(
      KafkaEndpoint(kafka.cluster->bootstrap()), events_topic, 0, 0, acceptance,
      [](int64_t, const EventBatch&) { return ok_status(); }, 10'000);
  REQUIRE(!read.ok());
  CHECK(read.error().code == Errc::corruption);
  CHECK_THAT(read.error().message, Catch::StartsWith("events partition 0 offset 1: "));
}

}  // namespace
}  // namespace paystream
