// The results index against the mock cluster: result messages produced on P.results with a plain
// producer (as the engine's would read, keyed by command ID), read by the index's thread; wait()
// for one published command message, wait_by_id() and lookup() by command ID, restart from the stored
// offsets, a message that is not a result, and a directory of another topic prefix.
#include "tools/kafka/results_index.h"

#include <librdkafka/rdkafka.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "engine/kafka/results.h"
#include "engine/kafka_client/producer.h"
#include "engine/kafka_client/routing.h"
#include "tests/support/kafka/kafka_fixture.h"
#include "tests/support/temp_dir.h"

namespace paystream {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kafka_wait_ms = 10'000;
constexpr int32_t events_partition = 2;  // the partition every result here says decided it

// A result message as the engine writes it: its key and its JSON.
struct ResultMessage {
  std::string key;
  std::string json;
};

ResultMessage applied(const std::string& id, int64_t offset, std::vector<uint64_t> positions,
                      bool duplicate = false, bool from_control = false) {
  DecidedCommand command;
  command.outcome.command_id = id;
  command.outcome.command_offset = offset;
  command.outcome.duplicate = duplicate;
  command.outcome.from_control = from_control;
  command.positions = std::move(positions);
  return {id, encode_result_json(command, from_control ? 0 : events_partition, 1)};
}

ResultMessage refused(const std::string& id, int64_t offset, const std::string& code) {
  DecidedCommand command;
  command.outcome.command_id = id;
  command.outcome.command_offset = offset;
  command.outcome.error_code = code;
  command.outcome.error_message = "refused: " + code;
  return {id, encode_result_json(command, events_partition, 1)};
}

// Produces the messages in order, each to the partition of its key, and waits for them all.
void produce(const testing::MockKafka& kafka, const std::vector<ResultMessage>& messages) {
  Result<std::unique_ptr<KafkaProducer>> producer =
      KafkaProducer::open(KafkaEndpoint(kafka.cluster->bootstrap()), {});
  REQUIRE(producer.ok());
  uint64_t token = 0;
  for (const ResultMessage& message : messages) {
    const int32_t partition = partition_of_key(message.key, kafka.layout.result_partitions);
    REQUIRE((*producer)->produce(kafka.names.results, partition, message.key, message.json, ++token).ok());
  }
  std::vector<Delivery> deliveries;
  const auto deadline = Clock::now() + std::chrono::milliseconds(kafka_wait_ms);
  while (deliveries.size() < messages.size() && Clock::now() < deadline) {
    for (Delivery& delivery : (*producer)->poll(100)) deliveries.push_back(std::move(delivery));
  }
  REQUIRE(deliveries.size() == messages.size());
  for (const Delivery& delivery : deliveries) REQUIRE(delivery.status.ok());
}

std::unique_ptr<KafkaResultsIndex> start_index(const testing::MockKafka& kafka, const std::string& directory,
                                               const std::string& prefix = "paystream") {
  Result<std::unique_ptr<KafkaResultsIndex>> index = KafkaResultsIndex::open(
      KafkaConnection{kafka.cluster->bootstrap(), prefix, {}}, directory, kafka_wait_ms);
  INFO((index ? std::string() : index.error().message));
  REQUIRE(index.ok());
  REQUIRE((*index)->start().ok());
  return std::move(*index);
}

void catch_up(KafkaResultsIndex& index) {
  const Status caught_up = index.caught_up(kafka_wait_ms);
  INFO((caught_up ? std::string() : caught_up.error().message));
  REQUIRE(caught_up.ok());
}

Clock::time_point in_ms(int ms) { return Clock::now() + std::chrono::milliseconds(ms); }

std::optional<CommandResult> wait_for(KafkaResultsIndex& index, const std::string& id, int64_t offset, int ms,
                                      bool from_control = false) {
  return index.wait(from_control, from_control ? 0 : events_partition, offset, id, in_ms(ms));
}

TEST_CASE("kafka results index: wait returns the result of the message it was published as",
          "[kafka][results_index]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 3);
  testing::TempDir directory;
  produce(kafka, {applied("pay-1", 5, {11}), applied("set-1", 3, {12}, false, true)});
  std::unique_ptr<KafkaResultsIndex> index = start_index(kafka, directory.path("kafka-results"));
  catch_up(*index);
  // Read before the call: found at once, even with a deadline already passed.
  const std::optional<CommandResult> before = index->wait(false, events_partition, 5, "pay-1", Clock::now());
  REQUIRE(before.has_value());
  CHECK(before->ok);
  CHECK(before->positions == std::vector<uint64_t>{11});
  const std::optional<CommandResult> control = wait_for(*index, "set-1", 3, 0, true);
  REQUIRE(control.has_value());
  CHECK(control->from_control);
  // The same offset on the other topic, or in another partition, is another message.
  CHECK_FALSE(index->wait(true, events_partition, 5, "pay-1", Clock::now()).has_value());
  CHECK_FALSE(index->wait(false, events_partition + 1, 5, "pay-1", Clock::now()).has_value());

  // Arriving while many threads wait, each for its own message.
  constexpr int waiters = 8;
  std::vector<std::optional<CommandResult>> answers(waiters);
  std::vector<std::thread> threads;
  for (int i = 0; i < waiters; ++i) {
    threads.emplace_back(
        [&, i] { answers[i] = wait_for(*index, "pay-w" + std::to_string(i), 100 + i, kafka_wait_ms); });
  }
  std::vector<ResultMessage> later;
  for (int i = 0; i < waiters; ++i) {
    later.push_back(applied("pay-w" + std::to_string(i), 100 + i, {uint64_t(20 + i)}));
  }
  produce(kafka, later);
  for (std::thread& thread : threads) thread.join();
  for (int i = 0; i < waiters; ++i) {
    REQUIRE(answers[i].has_value());
    CHECK(answers[i]->command_id == "pay-w" + std::to_string(i));
    CHECK(answers[i]->offset == 100 + i);
    CHECK(answers[i]->positions == std::vector<uint64_t>{uint64_t(20 + i)});
  }
}

TEST_CASE("kafka results index: wait times out, and never answers with another offset of the same ID",
          "[kafka][results_index]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 3);
  testing::TempDir directory;
  std::unique_ptr<KafkaResultsIndex> index = start_index(kafka, directory.path("kafka-results"));
  // The same command ID answered at offset 7 (applied), then at offset 9 (a duplicate).
  produce(kafka, {applied("pay-2", 7, {31}), applied("pay-2", 9, {31}, true)});
  const std::optional<CommandResult> second = wait_for(*index, "pay-2", 9, kafka_wait_ms);
  REQUIRE(second.has_value());
  CHECK(second->duplicate);
  const auto start = Clock::now();
  CHECK_FALSE(wait_for(*index, "pay-2", 8, 300).has_value());
  CHECK(Clock::now() - start >= std::chrono::milliseconds(300));
  CHECK_FALSE(wait_for(*index, "pay-never", 1, 200).has_value());
  const std::optional<CommandResult> first = wait_for(*index, "pay-2", 7, 0);
  REQUIRE(first.has_value());
  CHECK_FALSE(first->duplicate);
  // stop() releases the waiters before their deadline.
  std::optional<CommandResult> stopped = CommandResult{};
  std::thread waiter([&] { stopped = wait_for(*index, "pay-never", 2, 60'000); });
  const auto stopping = Clock::now();
  index->stop();
  waiter.join();
  CHECK_FALSE(stopped.has_value());
  CHECK(Clock::now() - stopping < std::chrono::seconds(10));
}

TEST_CASE(
    "kafka results index: wait_by_id answers a command known by its ID only, read before the call or "
    "after, and times out or stops otherwise",
    "[kafka][results_index]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 3);
  testing::TempDir directory;
  produce(kafka, {refused("card-payment:1:2", 4, "account_not_found")});
  std::unique_ptr<KafkaResultsIndex> index = start_index(kafka, directory.path("kafka-results"));
  catch_up(*index);
  // Read before the call: at once, even with a deadline already passed.
  const std::optional<CommandResult> before = index->wait_by_id("card-payment:1:2", Clock::now());
  REQUIRE(before.has_value());
  CHECK(before->error_code == "account_not_found");
  // Arriving while several threads wait, each for its own ID (the engine sends them on: no offset).
  constexpr int waiters = 4;
  std::vector<std::optional<CommandResult>> answers(waiters);
  std::vector<std::thread> threads;
  for (int i = 0; i < waiters; ++i) {
    threads.emplace_back([&, i] {
      answers[i] = index->wait_by_id("card-payment:7:" + std::to_string(i), in_ms(kafka_wait_ms));
    });
  }
  std::vector<ResultMessage> later;
  for (int i = 0; i < waiters; ++i) {
    later.push_back(applied("card-payment:7:" + std::to_string(i), 50 + i, {uint64_t(60 + i)}));
  }
  produce(kafka, later);
  for (std::thread& thread : threads) thread.join();
  for (int i = 0; i < waiters; ++i) {
    REQUIRE(answers[i].has_value());
    CHECK(answers[i]->ok);
    CHECK(answers[i]->offset == 50 + i);
    CHECK(answers[i]->positions == std::vector<uint64_t>{uint64_t(60 + i)});
  }
  // Other results arriving do not answer for it; the deadline does.
  std::optional<CommandResult> none = CommandResult{};
  const auto start = Clock::now();
  std::thread waiting([&] { none = index->wait_by_id("card-payment:8:1", start + std::chrono::seconds(1)); });
  produce(kafka, {applied("card-payment:8:2", 70, {71})});
  waiting.join();
  CHECK_FALSE(none.has_value());
  CHECK(Clock::now() - start >= std::chrono::seconds(1));
  // stop() releases a waiter before its deadline.
  std::optional<CommandResult> stopped = CommandResult{};
  std::thread waiter([&] { stopped = index->wait_by_id("card-payment:9:1", in_ms(60'000)); });
  const auto stopping = Clock::now();
  index->stop();
  waiter.join();
  CHECK_FALSE(stopped.has_value());
  CHECK(Clock::now() - stopping < std::chrono::seconds(10));
}

TEST_CASE("kafka results index: lookup keeps the first ok result, else the latest refusal",
          "[kafka][results_index]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 3);
  testing::TempDir directory;
  std::unique_ptr<KafkaResultsIndex> index = start_index(kafka, directory.path("kafka-results"));
  const auto lookup = [&](const std::string& id) {
    const std::optional<CommandResult> found = index->lookup(id);
    REQUIRE(found.has_value());
    return *found;
  };
  CHECK_FALSE(index->lookup("none").has_value());
  // In one burst (one round or several, as the reads fall).
  produce(kafka, {refused("a", 1, "account_not_found"), refused("a", 2, "forbidden"), applied("b", 3, {1}),
                  applied("b", 4, {1}, true), refused("b", 5, "command_id_conflict"),
                  refused("c", 6, "forbidden"), applied("c", 7, {2})});
  catch_up(*index);
  CHECK(lookup("a").error_code == "forbidden");
  CHECK(lookup("b").offset == 3);
  CHECK(lookup("c").offset == 7);
  // Round after round: refusal by a later refusal, then by an ok, which nothing replaces.
  const std::vector<std::pair<ResultMessage, int64_t>> steps = {
      {refused("d", 10, "account_not_found"), 10},
      {refused("d", 11, "forbidden"), 11},
      {applied("d", 12, {3}), 12},
      {applied("d", 13, {3}, true), 12},
      {refused("d", 14, "command_id_conflict"), 12}};
  for (const auto& [message, kept] : steps) {
    produce(kafka, {message});
    catch_up(*index);
    CHECK(lookup("d").offset == kept);
  }
  CHECK(lookup("d").ok);
  CHECK(lookup("d").positions == std::vector<uint64_t>{3});
}

TEST_CASE("kafka results index: copies of a result change nothing", "[kafka][results_index]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 3);
  testing::TempDir directory;
  std::unique_ptr<KafkaResultsIndex> index = start_index(kafka, directory.path("kafka-results"));
  // A takeover answers its last batch again; the mock shows an aborted copy: the same bytes.
  const ResultMessage refusal = refused("e", 20, "account_not_found");
  const ResultMessage ok = applied("f", 21, {4});
  produce(kafka, {refusal, ok, refusal, ok, ok});
  catch_up(*index);
  CHECK(index->results_read() == 5);
  const std::optional<CommandResult> answer = wait_for(*index, "e", 20, 0);
  REQUIRE(answer.has_value());
  CHECK(answer->error_code == "account_not_found");
  REQUIRE(index->lookup("e").has_value());
  CHECK(*index->lookup("e") == *answer);
  REQUIRE(index->lookup("f").has_value());
  CHECK(index->lookup("f")->offset == 21);
}

TEST_CASE("kafka results index: a restart resumes from the stored offsets", "[kafka][results_index]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 3);
  testing::TempDir directory;
  std::vector<ResultMessage> first;
  for (int i = 0; i < 30; ++i) first.push_back(applied("r-" + std::to_string(i), i, {uint64_t(i + 1)}));
  produce(kafka, first);
  {
    std::unique_ptr<KafkaResultsIndex> index = start_index(kafka, directory.path("kafka-results"));
    catch_up(*index);
    CHECK(index->results_read() == 30);
  }
  produce(kafka, {applied("r-new", 40, {41}), refused("r-refused", 41, "forbidden")});
  std::unique_ptr<KafkaResultsIndex> index = start_index(kafka, directory.path("kafka-results"));
  catch_up(*index);
  CHECK(index->results_read() == 2);  // only what came after the stored offsets
  for (const char* id : {"r-0", "r-29", "r-new", "r-refused"}) {
    INFO(id);
    CHECK(index->lookup(id).has_value());
  }
  CHECK(index->lookup("r-29")->positions == std::vector<uint64_t>{30});
  CHECK(wait_for(*index, "r-new", 40, 0).has_value());
  CHECK_FALSE(wait_for(*index, "r-0", 0, 0).has_value());  // read before the restart: lookup() answers
}

TEST_CASE("kafka results index: a message that is not a result is skipped", "[kafka][results_index]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 3);
  testing::TempDir directory;
  std::unique_ptr<KafkaResultsIndex> index = start_index(kafka, directory.path("kafka-results"));
  // All under one key, so in one partition: the good ones on both sides of the bad one.
  produce(kafka, {applied("g", 1, {1}),
                  {"g", "not a result"},
                  {"g", R"({"command_id":"g","ok":true})"},
                  refused("g", 2, "forbidden"),
                  applied("h", 3, {2})});
  const std::optional<CommandResult> after = wait_for(*index, "h", 3, kafka_wait_ms);
  CHECK(after.has_value());
  catch_up(*index);
  CHECK(index->results_skipped() == 2);
  CHECK(index->results_read() == 3);
  REQUIRE(index->lookup("g").has_value());
  CHECK(index->lookup("g")->offset == 1);
  CHECK(wait_for(*index, "g", 2, 0).has_value());
}

TEST_CASE("kafka results index: a read error is retried from the stored offsets", "[kafka][results_index]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 3);
  testing::TempDir directory;
  std::unique_ptr<KafkaResultsIndex> index = start_index(kafka, directory.path("kafka-results"));
  produce(kafka, {applied("i", 1, {1})});
  REQUIRE(wait_for(*index, "i", 1, kafka_wait_ms).has_value());
  // As if the offset read were deleted (retention): with auto.offset.reset=error, a read error.
  constexpr int16_t fetch_request = 1;  // the Kafka protocol's API key of Fetch
  kafka.cluster->push_request_errors(fetch_request, {RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE});
  const auto deadline = in_ms(kafka_wait_ms);
  while (index->read_errors() == 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a condition, bounded above
  }
  REQUIRE(index->read_errors() == 1);
  produce(kafka, {applied("j", 2, {2})});
  CHECK(wait_for(*index, "j", 2, kafka_wait_ms).has_value());
  catch_up(*index);
  CHECK(index->results_read() == 2);  // nothing read twice, nothing lost
  CHECK(index->lookup("i").has_value());
}

TEST_CASE("kafka results index: a directory of another topic prefix is refused", "[kafka][results_index]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 3);
  testing::TempDir directory;
  start_index(kafka, directory.path("kafka-results")).reset();
  REQUIRE(kafka.cluster->create_topic("other.results", 3, 1).ok());
  Result<std::unique_ptr<KafkaResultsIndex>> other =
      KafkaResultsIndex::open(KafkaConnection{kafka.cluster->bootstrap(), "other", {}},
                              directory.path("kafka-results"), kafka_wait_ms);
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().code == Errc::invalid_argument);
  INFO(other.error().message);
  CHECK(other.error().message.find("/paystream.results', not of '") != std::string::npos);
  // A prefix with no results topic is a Kafka error, before any directory is touched.
  Result<std::unique_ptr<KafkaResultsIndex>> missing = KafkaResultsIndex::open(
      KafkaConnection{kafka.cluster->bootstrap(), "missing", {}}, directory.path("elsewhere"), kafka_wait_ms);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == Errc::kafka_error);
  // The right prefix still opens it.
  start_index(kafka, directory.path("kafka-results")).reset();
}

}  // namespace
}  // namespace paystream
