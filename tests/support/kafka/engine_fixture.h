#pragma once
// Helpers for the tests of the engine loop: publish JSON lines with the publisher, run a loop on
// explicitly taken partitions until a condition holds (bounded), read P.results back, and apply the
// same lines to an embedded Ledger to compare balances.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "engine/embedded/ledger.h"
#include "engine/kafka/engine_loop.h"
#include "engine/kafka_client/events_reader.h"
#include "tests/support/kafka/kafka_fixture.h"
#include "tests/support/kafka/topic_reader.h"
#include "tests/support/run_process.h"
#include "tools/commands/publish.h"
#include "tools/runtime/command_json.h"

namespace paystream::testing {

inline constexpr int engine_wait_ms = 20'000;

inline std::string line(const std::string& text) { return text + "\n"; }

// Opens `accounts` accounts, then `count` commands over them: payments, adjustments, credits,
// zeroings and payments to an account that does not exist (refused), IDs "<prefix>-<i>".
inline std::string ledger_lines(int accounts, int count, const std::string& prefix) {
  std::string lines;
  for (int a = 0; a < accounts; ++a) {
    lines += line(R"({"type":"open_account","account":"C-)" + std::to_string(a) +
                  R"(","name":"n","balance":"10",)" + R"("command_id":")" + prefix + "-open-" +
                  std::to_string(a) + "\"}");
  }
  for (int i = 0; i < count; ++i) {
    const std::string account = "C-" + std::to_string(i % accounts);
    const std::string id = R"(,"command_id":")" + prefix + "-" + std::to_string(i) + "\"}";
    if (i % 13 == 5) {
      lines += line(R"({"type":"pay","account":"X-missing-)" + std::to_string(i) + R"(","amount":"1")" + id);
    } else if (i % 11 == 3) {
      lines += line(R"({"type":"credit","account":")" + account + R"(","limit":")" + std::to_string(i) +
                    "\"" + id);
    } else if (i % 17 == 7) {
      lines += line(R"({"type":"make_zero","account":")" + account + "\"" + id);
    } else if (i % 5 == 1) {
      lines += line(R"({"type":"adjust","account":")" + account + R"(","amount":"-1.25")" + id);
    } else {
      lines += line(R"({"type":"pay","account":")" + account + R"(","amount":")" + std::to_string(i % 7 + 1) +
                    "\"" + id);
    }
  }
  return lines;
}

inline size_t line_count(const std::string& lines) {
  return static_cast<size_t>(std::count(lines.begin(), lines.end(), '\n'));
}

inline void publish(const MockKafka& kafka, const std::string& lines) {
  PublishOptions options;
  options.connection.bootstrap = kafka.cluster->bootstrap();
  std::ostringstream out;
  Result<std::unique_ptr<CommandPublisher>> publisher = CommandPublisher::open(options, out);
  INFO((publisher ? std::string() : publisher.error().message));
  REQUIRE(publisher.ok());
  std::istringstream in(lines);
  uint64_t number = 0;
  for (std::string line; std::getline(in, line);) (*publisher)->publish_line(++number, line);
  const PublishTotals totals = (*publisher)->finish();
  INFO(out.str());
  REQUIRE(totals.delivered == number);
}

inline std::unique_ptr<KafkaEngineLoop> open_loop(const MockKafka& kafka, const std::string& data_dir,
                                                  size_t batch_commands_max = 100,
                                                  uint64_t checkpoint_batches = 200, Clock* clock = nullptr) {
  EngineLoopOptions options;
  options.clock = clock;
  options.checkpoint_batches = checkpoint_batches;
  options.connection.bootstrap = kafka.cluster->bootstrap();
  options.data_dir = data_dir;
  options.batch_commands_max = batch_commands_max;
  options.timeout_ms = 10'000;
  Result<std::unique_ptr<KafkaEngineLoop>> loop = KafkaEngineLoop::open(options);
  INFO((loop ? std::string() : loop.error().message));
  REQUIRE(loop.ok());
  return std::move(*loop);
}

inline void take_all(KafkaEngineLoop& loop) {
  for (int32_t partition = 0; partition < loop.layout().command_partitions; ++partition) {
    const Result<bool> taken = loop.take(partition);
    INFO((taken ? std::string() : taken.error().message));
    REQUIRE(taken.ok());
    REQUIRE(*taken);
  }
}

// Steps the loop until `done` holds; fails the test after engine_wait_ms.
inline void step_until(KafkaEngineLoop& loop, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(engine_wait_ms);
  while (!done()) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    const Status stepped = loop.step(20);
    INFO((stepped ? std::string() : stepped.error().message));
    REQUIRE(stepped.ok());
  }
}

// The results read back, by command ID: every copy's JSON (an aborted transaction's copy shows on
// the mock, with the same bytes).
inline std::map<std::string, std::vector<std::string>> read_results(const MockKafka& kafka) {
  std::map<std::string, std::vector<std::string>> results;
  for (ConsumedMessage& message :
       read_topic(kafka.cluster->bootstrap(), kafka.names.results, kafka.layout.result_partitions)) {
    results[message.key].push_back(std::move(message.value));
  }
  return results;
}

// The distinct outcomes per command ID; every copy of one result is byte-identical, so one per
// message of the command ID that was decided.
inline std::map<std::string, std::vector<nlohmann::json>> distinct_results(const MockKafka& kafka) {
  std::map<std::string, std::vector<nlohmann::json>> distinct;
  for (auto& [id, copies] : read_results(kafka)) {
    std::vector<std::string> unique = copies;
    std::sort(unique.begin(), unique.end());
    unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
    for (const std::string& text : unique) distinct[id].push_back(nlohmann::json::parse(text));
  }
  return distinct;
}

using Balances = std::map<std::string, int64_t>;

inline Balances embedded_balances(const std::string& lines) {
  e2e::TemporaryDirectory directory;
  LedgerOptions options;
  options.data_dir = directory.file("ledger");
  options.sync = false;
  Result<std::unique_ptr<Ledger>> ledger = Ledger::open(options, nullptr);
  REQUIRE(ledger.ok());
  std::vector<Command> commands;
  std::istringstream in(lines);
  for (std::string line; std::getline(in, line);) {
    Result<nlohmann::json> object = parse_json_text(line);
    REQUIRE(object.ok());
    object->erase("account_for_kafka");
    Result<Command> command = command_from_json(*object, "admin");
    REQUIRE(command.ok());
    commands.push_back(std::move(*command));
  }
  (void)(*ledger)->submit_all(std::move(commands));
  Balances balances;
  for (const auto& [id, account] : (*ledger)->snapshot().accounts) balances[id] = account.balance.micros();
  return balances;
}

inline Balances kafka_balances(const KafkaEngineLoop& loop) {
  Balances balances;
  for (const int32_t partition : loop.owned()) {
    for (const auto& [id, account] : loop.engine(partition)->state().accounts)
      balances[id] = account.balance.micros();
  }
  return balances;
}

// Calls visit(partition, batch) for each batch the reader accepts on the events topic, partition by
// partition, in log order.
inline void read_accepted_batches(const MockKafka& kafka,
                                  const std::function<Status(int32_t, const EventBatch&)>& visit) {
  for (int32_t partition = 0; partition < kafka.layout.command_partitions; ++partition) {
    BatchAcceptance acceptance;
    const Result<EventsReadSummary> read = read_event_batches(
        KafkaEndpoint(kafka.cluster->bootstrap()), kafka.names.events, partition, 0, acceptance,
        [&](int64_t, const EventBatch& batch) { return visit(partition, batch); }, 10'000);
    INFO((read ? std::string() : read.error().message));
    REQUIRE(read.ok());
  }
}

// Every command offset of every partition has exactly one accepted outcome in the events topic.
inline void check_one_accepted_outcome_per_command(const MockKafka& kafka, size_t commands) {
  std::map<std::pair<int32_t, int64_t>, int> outcomes;
  read_accepted_batches(kafka, [&](int32_t partition, const EventBatch& batch) {
    for (const BatchOutcome& outcome : batch.outcomes) {
      if (!outcome.from_control) ++outcomes[{partition, outcome.command_offset}];
    }
    return ok_status();
  });
  CHECK(outcomes.size() == commands);
  for (const auto& [where, count] : outcomes) CHECK(count == 1);
}

}  // namespace paystream::testing
