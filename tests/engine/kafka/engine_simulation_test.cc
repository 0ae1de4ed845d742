// The simulator's Kafka-mode half (docs/reliability.md, "The simulator"): rounds of random commands
// on librdkafka's mock cluster of three brokers, and between them, drawn from a seed, the faults the
// mock can inject: EndTxn, Produce and AddPartitionsToTxn requests failing (retriable, abortable and
// fenced), a broker down and up again, and an engine instance crashing (dropped without a release)
// and taken over by a new one with a new batch size. Afterwards every command has exactly one
// accepted outcome in the events and one result, and the balances are embedded mode's for the same
// commands. The seed decides the commands and the faults; the mock's threads decide the timing, so
// unlike the embedded simulator a seed does not give the same log byte for byte.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <random>
#include <thread>

#include "tests/support/kafka/engine_fixture.h"
#include "tests/support/run_process.h"

namespace paystream {
namespace {

using testing::line_count;

// Kafka protocol ApiKeys, and rd_kafka_resp_err_t codes the brokers answer with.
constexpr int16_t produce_request = 0;
constexpr int16_t add_partitions_request = 24;
constexpr int16_t end_txn_request = 26;
constexpr int request_timed_out = 7;
constexpr int coordinator_not_available = 15;
constexpr int not_coordinator = 16;
constexpr int not_enough_replicas = 19;
constexpr int concurrent_transactions = 51;
constexpr int producer_fenced = 90;

struct Run {
  explicit Run(uint64_t seed) : random(seed), kafka(testing::mock_kafka(3, 3)) {}
  std::mt19937_64 random;
  testing::MockKafka kafka;
  e2e::TemporaryDirectory directory;
  std::unique_ptr<KafkaEngineLoop> loop;
  int instances = 0;
  uint64_t below(uint64_t bound) { return random() % bound; }

  // A new instance (a new checkpoint folder, or the last one's), batches of 1-60 commands.
  void start_instance() {
    const std::string data = directory.file(fmt::format("instance-{}", below(2) == 0 ? instances : 0));
    ++instances;
    loop = testing::open_loop(kafka, data, 1 + below(60), 1 + below(5));
    take_missing();
  }
  // Takes every partition it does not hold (at the start, or after a fault made it drop one).
  void take_missing() {
    for (int32_t partition = 0; partition < loop->layout().command_partitions; ++partition) {
      const std::vector<int32_t> owned = loop->owned();
      if (std::find(owned.begin(), owned.end(), partition) != owned.end()) continue;
      const Result<bool> taken = loop->take(partition);
      INFO((taken ? std::string() : taken.error().message));
      REQUIRE(taken.ok());
    }
  }
  std::vector<int> errors(const std::vector<int>& from) {
    std::vector<int> drawn;
    for (uint64_t i = 0, count = 1 + below(3); i < count; ++i) drawn.push_back(from[below(from.size())]);
    return drawn;
  }
  // One fault, drawn.
  void fault() {
    switch (below(7)) {
      case 0:
        kafka.cluster->push_request_errors(
            end_txn_request,
            errors({coordinator_not_available, not_coordinator, concurrent_transactions, request_timed_out}));
        break;
      case 1:
        kafka.cluster->push_request_errors(produce_request, errors({not_enough_replicas, request_timed_out}));
        break;
      case 2:
        kafka.cluster->push_request_errors(add_partitions_request,
                                           errors({coordinator_not_available, concurrent_transactions}));
        break;
      case 3:
        kafka.cluster->push_request_errors(end_txn_request, {producer_fenced});  // the partition is dropped
        break;
      case 4: {
        // Down for a moment while the instance works: its transactions wait for the broker.
        const int32_t broker = static_cast<int32_t>(1 + below(3));
        const auto down_for = std::chrono::milliseconds(200 + below(1500));
        REQUIRE(kafka.cluster->set_broker_down(broker).ok());
        std::thread outage([&, broker, down_for] {
          std::this_thread::sleep_for(down_for);  // the outage itself, not a wait for a result
          (void)kafka.cluster->set_broker_up(broker);
        });
        const auto until = std::chrono::steady_clock::now() + down_for;
        while (std::chrono::steady_clock::now() < until) (void)loop->step(20);  // it may fail meanwhile
        outage.join();
        break;
      }
      case 5:
        for (uint64_t steps = below(20); steps > 0; --steps) (void)loop->step(20);  // in the middle of it
        loop.reset();  // crashed: no release, no checkpoint
        start_instance();
        break;
      default:
        break;
    }
  }
  // Steps until every published command has a result, retaking what a fault made it drop.
  void settle(size_t commands) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (int round = 0;; ++round) {
      if (round % 10 == 0 && testing::distinct_results(kafka).size() >= commands) return;
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      take_missing();
      (void)loop->step(20);  // a step that fails (a broker still away) is tried again
    }
  }
};

}  // namespace

TEST_CASE(
    "kafka simulator: seeded commands and faults (transactional request errors, a broker down, crashed "
    "instances "
    "taken over): one outcome per command, and embedded mode's balances",
    "[kafka][engine-loop][sim]") {
  const uint64_t seed = GENERATE(1, 2, 3);
  INFO("seed " << seed);
  Run run(seed);
  run.start_instance();
  std::string published;
  for (int round = 0; round < 8; ++round) {
    const std::string lines =
        testing::ledger_lines(6, static_cast<int>(20 + run.below(80)), fmt::format("s{}r{}", seed, round));
    testing::publish(run.kafka, lines);
    published += lines;
    run.fault();
    run.settle(line_count(published));
  }
  CHECK(testing::kafka_balances(*run.loop) == testing::embedded_balances(published));
  testing::check_one_accepted_outcome_per_command(run.kafka, line_count(published));
  // The mock neither aborts a crashed instance's open transaction nor reads committed only, so a
  // command decided again after a takeover shows two results there (the first one's from a batch
  // the reader's rule ignores, above). They must say the same.
  const auto results = testing::distinct_results(run.kafka);
  CHECK(results.size() == line_count(published));
  for (const auto& [id, outcomes] : results) {
    INFO(id);
    for (const nlohmann::json& outcome : outcomes) {
      CHECK(outcome["ok"] == outcomes[0]["ok"]);
      CHECK(outcome.value("error", nlohmann::json()) == outcomes[0].value("error", nlohmann::json()));
    }
  }
}

}  // namespace paystream
