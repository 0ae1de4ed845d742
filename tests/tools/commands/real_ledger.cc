#include "tests/tools/commands/real_ledger.h"

#include <fmt/format.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <set>
#include <thread>

#include "events/money.h"
#include "tests/support/kafka/publish_fixture.h"
#include "tests/support/kafka/topic_reader.h"

namespace paystream::kafka_real {

using nlohmann::json;

RealBroker topics_on(const std::string& bootstrap, const std::string& name) {
  RealBroker broker{bootstrap,
                    fmt::format("kr-{}-{}-{}", name, getpid(),
                                std::chrono::steady_clock::now().time_since_epoch().count() % 1'000'000)};
  const e2e::ProcessResult made =
      e2e::run_process({PAYSTREAM_BINARY, "publish", "--kafka", broker.bootstrap, "--topic-prefix",
                        broker.prefix, "--partitions", std::to_string(partitions), "--file", "/dev/null"});
  INFO(made.err);
  REQUIRE(made.exit_code == 0);
  return broker;
}

RealBroker real_broker(const std::string& name) {
  const char* kafka = std::getenv("PAYSTREAM_TEST_KAFKA");
  INFO("the kafka-real tests need PAYSTREAM_TEST_KAFKA=HOST:PORT (ctest -L kafka-real starts the broker)");
  REQUIRE(kafka != nullptr);
  REQUIRE(std::string_view(kafka).find(':') != std::string_view::npos);
  return topics_on(kafka, name);
}

std::string ledger_file(const e2e::TemporaryDirectory& directory, int accounts, int payments) {
  const std::string path = directory.file("in.jsonl");
  std::ofstream file(path);
  for (int a = 0; a < accounts; ++a) {
    file << R"({"type":"open_account","account":"C-)" << a << R"(","name":"n","command_id":"open-)" << a
         << "\"}\n";
  }
  file << testing::payment_lines(payments, accounts, "pay");
  return path;
}

std::map<std::string, nlohmann::json> results_of(const RealBroker& broker) {
  std::map<std::string, nlohmann::json> results;
  for (const testing::ConsumedMessage& message :
       testing::read_topic(broker.bootstrap, broker.prefix + ".results", partitions)) {
    results.emplace(message.key, json::parse(message.value));  // the first result of each ID
  }
  return results;
}

void wait_until(const std::function<bool()>& done, const std::string& log, int within_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(within_ms);
  while (!done()) {
    INFO(e2e::read_file(log));
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // polling a condition, bounded above
  }
}

void publish(const RealBroker& broker, const std::string& file) {
  const e2e::ProcessResult published =
      e2e::run_process({PAYSTREAM_BINARY, "publish", "--kafka", broker.bootstrap, "--topic-prefix",
                        broker.prefix, "--file", file});
  INFO(published.err);
  REQUIRE(published.exit_code == 0);
}

std::vector<std::string> serve_argv(const RealBroker& broker, const std::string& data, int batch_commands) {
  return {PAYSTREAM_BINARY,
          "serve",
          "--kafka",
          broker.bootstrap,
          "--topic-prefix",
          broker.prefix,
          "--group",
          broker.prefix,
          "--data",
          data,
          "--batch-commands",
          std::to_string(batch_commands),
          "--session-timeout-ms",
          "6000"};
}

History read_history(const RealBroker& broker) {
  History history;
  for (int32_t partition = 0; partition < partitions; ++partition) {
    BatchAcceptance acceptance;
    const Result<EventsReadSummary> read = read_event_batches(
        KafkaEndpoint(broker.bootstrap), broker.prefix + ".events", partition, 0, acceptance,
        [&](int64_t, const EventBatch& batch) {
          for (const BatchOutcome& outcome : batch.outcomes) {
            if (!outcome.from_control) ++history.outcomes[{partition, outcome.command_offset}];
          }
          return ok_status();
        },
        wait_ms, [&](int64_t, const EventBatch&, BatchVerdict verdict) { ++history.ignored[verdict]; });
    INFO((read ? std::string() : read.error().message));
    REQUIRE(read.ok());
  }
  return history;
}

std::map<std::pair<int32_t, int64_t>, int> accepted_outcomes(const RealBroker& broker) {
  return read_history(broker).outcomes;
}

void project_and_verify(const RealBroker& broker, const std::string& data) {
  const e2e::ProcessResult projected =
      e2e::run_process({PAYSTREAM_BINARY, "project", "--kafka", broker.bootstrap, "--topic-prefix",
                        broker.prefix, "--data", data, "--until-caught-up"});
  INFO(projected.err);
  REQUIRE(projected.exit_code == 0);
  const e2e::ProcessResult verified =
      e2e::run_process({PAYSTREAM_BINARY, "replay", "--verify", "--kafka", broker.bootstrap, "--topic-prefix",
                        broker.prefix, "--data", data});
  INFO(verified.out << verified.err);
  CHECK(verified.exit_code == 0);
}

json balance_rows(const std::string& data) {
  const e2e::ProcessResult balances =
      e2e::run_process({PAYSTREAM_BINARY, "balances", "--data", data, "--format", "json"});
  INFO(balances.err);
  REQUIRE(balances.exit_code == 0);
  return json::parse(balances.out)["rows"];
}

int64_t micros(const json& text) { return Money::parse(text.get<std::string>()).value().micros(); }

std::map<std::string, int64_t> paid_by_account(int accounts, int payments, int times) {
  std::map<std::string, int64_t> paid;
  for (int i = 0; i < payments; ++i) {
    paid["C-" + std::to_string(i % accounts)] += int64_t{times} * (i + 1) * 1'000'000;
  }
  return paid;
}

void check_balances_are_records(const std::string& data, const std::map<std::string, int64_t>& paid,
                                int payments) {
  const e2e::ProcessResult records =
      e2e::run_process({PAYSTREAM_BINARY, "records", "--data", data, "--format", "json", "--limit", "0"});
  INFO(records.err);
  REQUIRE(records.exit_code == 0);
  std::map<std::string, int64_t> recorded;
  std::set<std::string> record_ids;
  const json rows = json::parse(records.out)["rows"];
  for (const json& row : rows) {
    recorded[row["account_id"].get<std::string>()] += micros(row["amount"]);
    record_ids.insert(row["record_id"].get<std::string>());
  }
  CHECK(record_ids.size() == static_cast<size_t>(payments));
  std::map<std::string, int64_t> balances;
  for (const json& row : balance_rows(data))
    balances[row["account_id"].get<std::string>()] = micros(row["current_balance"]);
  CHECK(balances == recorded);
  CHECK(balances == paid);
}

void check_each_command_decided_once(const RealBroker& broker, size_t commands) {
  const History history = read_history(broker);
  CHECK(history.outcomes.size() == commands);
  for (const auto& [where, count] : history.outcomes) CHECK(count == 1);
  CHECK(history.ignored.count(BatchVerdict::superseded_epoch) == 0);
  CHECK(history.ignored.count(BatchVerdict::lost_takeover) == 0);
  const std::map<std::string, nlohmann::json> results = results_of(broker);
  CHECK(results.size() == commands);
  for (const auto& [id, result] : results) {
    INFO(id);
    CHECK(result["ok"] == true);
  }
}

size_t count_of(const std::string& text, const std::string& what) {
  size_t count = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++count;
  return count;
}

}  // namespace paystream::kafka_real
