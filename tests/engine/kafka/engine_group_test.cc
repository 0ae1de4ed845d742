// Two engine instances in one consumer group on the mock cluster, each running its loop in its own
// thread: the second one joining takes some partitions over, the first one leaving hands its
// partitions to the second; no command is lost or applied twice.
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <thread>

#include "engine/kafka_client/events_reader.h"
#include "tests/support/kafka/engine_fixture.h"
#include "tests/support/kafka/topic_reader.h"

namespace paystream {
namespace {

std::string payments(int from, int count, int accounts) {
  std::string lines;
  for (int i = from; i < from + count; ++i) {
    lines += R"({"type":"pay","account":"G-)" + std::to_string(i % accounts) + R"(","amount":")" +
             std::to_string(i % 9 + 1) + R"(","command_id":"g-)" + std::to_string(i) + "\"}\n";
  }
  return lines;
}

std::string opens(int accounts) {
  std::string lines;
  for (int a = 0; a < accounts; ++a) {
    lines += R"({"type":"open_account","account":"G-)" + std::to_string(a) +
             R"(","name":"n","command_id":"open-)" + std::to_string(a) + "\"}\n";
  }
  return lines;
}

// One instance in the group, running in its own thread until stopped.
class GroupInstance {
 public:
  GroupInstance(const testing::MockKafka& kafka, const std::string& data_dir, int timeout_ms = 10'000,
                size_t batch_commands_max = 1000) {
    EngineLoopOptions options;
    options.connection.bootstrap = kafka.cluster->bootstrap();
    options.group = "group-test";
    options.data_dir = data_dir;
    options.timeout_ms = timeout_ms;
    options.batch_commands_max = batch_commands_max;
    options.consumer_settings = {{"heartbeat.interval.ms", "100"}, {"session.timeout.ms", "6000"}};
    Result<std::unique_ptr<KafkaEngineLoop>> loop = KafkaEngineLoop::open(options);
    REQUIRE(loop.ok());
    loop_ = std::move(*loop);
    thread_ = std::thread([this] { result_ = loop_->run(stop_); });
  }
  ~GroupInstance() { (void)stop(); }
  Status stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return result_;
  }
  const EngineLoopTotals& totals() const { return loop_->totals(); }  // after stop() only

 private:
  std::unique_ptr<KafkaEngineLoop> loop_;
  std::atomic<bool> stop_ = false;
  Status result_ = ok_status();
  std::thread thread_;
};

// Waits (bounded) until P.results answers at least `count` distinct command IDs (a takeover answers
// its last batch again, so messages are not commands).
void wait_for_results(const testing::MockKafka& kafka, size_t count) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(testing::engine_wait_ms);
  while (testing::read_results(kafka).size() < count) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a condition, bounded above
  }
}

TEST_CASE(
    "kafka engine group: a second instance joining and the first leaving move partitions without losing or "
    "repeating a command",
    "[kafka][engine-group]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 4);
  e2e::TemporaryDirectory directory;
  const std::string all = opens(16) + payments(0, 300, 16) + payments(300, 300, 16) + payments(600, 300, 16);
  testing::publish(kafka, opens(16) + payments(0, 300, 16));
  GroupInstance first(kafka, directory.file("a"));
  wait_for_results(kafka, 316);
  testing::publish(kafka, payments(300, 300, 16));
  GroupInstance second(kafka, directory.file("b"));  // joins: the partitions are shared out again
  wait_for_results(kafka, 616);
  REQUIRE(first.stop().ok());  // leaves: the second one gets every partition
  testing::publish(kafka, payments(600, 300, 16));
  wait_for_results(kafka, 916);
  REQUIRE(second.stop().ok());
  CHECK(first.totals().commands + second.totals().commands == 916);
  CHECK(first.totals().commands >= 316);  // all of the first part, perhaps some of the second
  CHECK(second.totals().takeovers >= 4);
  // The group's committed offsets, which only Kafka's lag tools read, stand at the end of P.commands.
  int64_t committed = 0;
  for (const int64_t offset : testing::committed_offsets(
           kafka.cluster->bootstrap(), "group-test", kafka.names.commands, kafka.layout.command_partitions)) {
    committed += offset;
  }
  CHECK(committed == testing::topic_end(kafka.cluster->bootstrap(), kafka.names.commands,
                                        kafka.layout.command_partitions));

  // A third instance rebuilds every partition from the history (and b's checkpoints are not its own).
  std::unique_ptr<KafkaEngineLoop> check = testing::open_loop(kafka, directory.file("c"));
  testing::take_all(*check);
  CHECK(testing::kafka_balances(*check) == testing::embedded_balances(all));
  const auto results = testing::distinct_results(kafka);
  CHECK(results.size() == 916);
  for (const auto& [id, outcomes] : results) {
    INFO(id);
    REQUIRE(outcomes.size() == 1);
    CHECK(outcomes[0]["ok"] == true);
  }
}

TEST_CASE(
    "kafka engine group: a broker down and back while the engine decides: "
    "every command is decided once",
    "[kafka][engine-group][faults]") {
  const testing::MockKafka kafka = testing::mock_kafka(3, 3);
  e2e::TemporaryDirectory directory;
  const std::string all = opens(12) + payments(0, 900, 12);
  testing::publish(kafka, all);
  // Batches of 20, so that many transactions are in flight when the broker goes. They time out
  // after 2 s a try (5 tries): a partition stuck behind the broker is dropped within seconds, and
  // taken over again (from the events) a second later.
  GroupInstance instance(kafka, directory.file("a"), 2'000, 20);
  wait_for_results(kafka, 100);
  REQUIRE(kafka.cluster->set_broker_down(1).ok());  // it leads some partitions and coordinates some
  std::this_thread::sleep_for(std::chrono::milliseconds(1'500));  // the outage
  REQUIRE(kafka.cluster->set_broker_up(1).ok());
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(3 * testing::engine_wait_ms);
  while (testing::distinct_results(kafka).size() < 912) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // polling a condition, bounded above
  }
  REQUIRE(instance.stop().ok());
  INFO("dropped " << instance.totals().dropped << ", takeovers " << instance.totals().takeovers);
  testing::check_one_accepted_outcome_per_command(kafka, 912);
  std::unique_ptr<KafkaEngineLoop> check = testing::open_loop(kafka, directory.file("c"));
  testing::take_all(*check);
  CHECK(testing::kafka_balances(*check) == testing::embedded_balances(all));
}

TEST_CASE(
    "kafka engine group: a partition dropped after a fatal transaction error is taken over again, and every "
    "command is decided once",
    "[kafka][engine-group][faults]") {
  constexpr int16_t end_txn_request = 26;  // Kafka protocol ApiKeys
  constexpr int producer_fenced = 90;      // rd_kafka_resp_err_t: fatal for a transactional producer
  const testing::MockKafka kafka = testing::mock_kafka(1, 2);
  e2e::TemporaryDirectory directory;
  const std::string all = opens(8) + payments(0, 400, 8);
  testing::publish(kafka, opens(8) + payments(0, 100, 8));
  GroupInstance instance(kafka, directory.file("a"), 2'000, 20);
  wait_for_results(kafka, 108);
  // The next EndTxn is refused as if a newer producer had fenced this one: the partition is dropped
  // with its state, and taken over again from the events a second later.
  kafka.cluster->push_request_errors(end_txn_request, {producer_fenced});
  testing::publish(kafka, payments(100, 300, 8));
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(2 * testing::engine_wait_ms);
  while (testing::distinct_results(kafka).size() < 408) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // polling a condition, bounded above
  }
  REQUIRE(instance.stop().ok());
  CHECK(instance.totals().dropped == 1);
  CHECK(instance.totals().takeovers == 3);  // 2 at the start, 1 again
  testing::check_one_accepted_outcome_per_command(kafka, 408);
  std::unique_ptr<KafkaEngineLoop> check = testing::open_loop(kafka, directory.file("c"));
  testing::take_all(*check);
  CHECK(testing::kafka_balances(*check) == testing::embedded_balances(all));
}

}  // namespace
TEST_CASE("kafka engine group: an instance that holds no partition says so, and how long it has waited",
          "[kafka][engine-group]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 1);
  e2e::TemporaryDirectory directory;
  std::mutex mutex;
  std::vector<std::string> said[2];
  std::unique_ptr<KafkaEngineLoop> loops[2];
  for (int i = 0; i < 2; ++i) {
    EngineLoopOptions options;
    options.connection.bootstrap = kafka.cluster->bootstrap();
    options.group = "idle-test";
    options.data_dir = directory.file("data-" + std::to_string(i));
    options.timeout_ms = 10'000;
    options.idle_notice_ms = 200;
    options.consumer_settings = {{"heartbeat.interval.ms", "100"}, {"session.timeout.ms", "6000"}};
    options.notice = [&mutex, &said, i](const std::string& line) {
      std::lock_guard lock(mutex);
      said[i].push_back(line);
    };
    Result<std::unique_ptr<KafkaEngineLoop>> loop = KafkaEngineLoop::open(options);
    REQUIRE(loop.ok());
    loops[i] = std::move(*loop);
  }
  std::atomic<bool> stop = false;
  Status results[2] = {ok_status(), ok_status()};
  std::thread threads[2];
  for (int i = 0; i < 2; ++i) threads[i] = std::thread([&, i] { results[i] = loops[i]->run(stop); });
  // One partition, two members: one of them owns nothing, and says so.
  const auto idle_line = [&]() -> std::string {
    std::lock_guard lock(mutex);
    for (const auto& lines : said) {
      for (const std::string& line : lines) {
        if (line.find("holds no partition of 'paystream.commands' after") != std::string::npos) return line;
      }
    }
    return {};
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(testing::engine_wait_ms);
  while (idle_line().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a condition, bounded above
  }
  stop = true;
  for (std::thread& thread : threads) thread.join();
  const std::string line = idle_line();
  INFO(line);
  CHECK_THAT(line, Catch::Contains("in group 'idle-test'"));
  CHECK_THAT(line, Catch::Contains("session.timeout.ms"));
  for (const Status& result : results) CHECK(result.ok());
}

}  // namespace paystream
