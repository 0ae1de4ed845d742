// The engine loop of Kafka mode on the mock cluster: commands published with the publisher, the
// loop run in process on explicitly taken partitions, the results read back from P.results, the
// balances compared with an embedded Ledger given the same commands.
#include <catch2/catch.hpp>

#include "engine/kafka_client/events_reader.h"
#include "engine/kafka_client/producer.h"
#include "tests/support/kafka/engine_fixture.h"

namespace paystream {
namespace {

using nlohmann::json;
using testing::ledger_lines;
using testing::line;
using testing::line_count;

constexpr int16_t produce_request = 0;  // Kafka protocol ApiKeys
constexpr int16_t end_txn_request = 26;
constexpr int not_enough_replicas = 19;  // rd_kafka_resp_err_t: retriable produce error
constexpr int coordinator_not_available = 15;

TEST_CASE("kafka engine loop: every command gets one outcome and the balances equal embedded mode",
          "[kafka][engine-loop]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 3);
  const std::string lines = ledger_lines(12, 240, "a");
  // The same commands again: every applied one is a duplicate, a refused one is decided again.
  const std::string again = ledger_lines(12, 240, "a");
  testing::publish(kafka, lines + again);
  e2e::TemporaryDirectory directory;
  std::unique_ptr<KafkaEngineLoop> loop = testing::open_loop(kafka, directory.file("kafka"));
  testing::take_all(*loop);
  const size_t total = line_count(lines) * 2;
  testing::step_until(*loop, [&] { return loop->totals().commands == total; });
  // Where the time went (bench-kafka prints it): each phase took some, and the commits were timed.
  CHECK(loop->totals().reading.count() > 0);
  CHECK(loop->totals().deciding.count() > 0);
  CHECK(loop->totals().writing.count() > 0);
  CHECK(loop->totals().committing.count() > 0);

  CHECK(testing::kafka_balances(*loop) == testing::embedded_balances(lines));
  const auto results = testing::distinct_results(kafka);
  REQUIRE(results.size() == line_count(lines));
  for (const auto& [id, outcomes] : results) {
    INFO(id);
    REQUIRE(outcomes.size() == 2);  // the first copy and the second
    const json& first = outcomes[0]["offset"] < outcomes[1]["offset"] ? outcomes[0] : outcomes[1];
    const json& second = &first == &outcomes[0] ? outcomes[1] : outcomes[0];
    CHECK(first["ok"] == second["ok"]);
    if (first["ok"] == true) {
      CHECK(first["duplicate"] == false);
      CHECK(second["duplicate"] == true);
      CHECK(first["positions"] == second["positions"]);
    } else {
      CHECK(first["error"]["code"] == second["error"]["code"]);
    }
    CHECK(first["epoch"] == 1);
  }
  CHECK(results.at("a-5")[0]["error"]["code"] == "account_not_found");
  testing::check_one_accepted_outcome_per_command(kafka, total);
}

TEST_CASE(
    "kafka engine loop: an instance stopped mid-way, and one that crashed, are continued by the next "
    "without losing or repeating a command",
    "[kafka][engine-loop]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 2);
  const std::string first = ledger_lines(8, 120, "r1");
  const std::string second = ledger_lines(8, 120, "r2");
  const std::string third = ledger_lines(8, 120, "r3");
  e2e::TemporaryDirectory directory;
  const std::string data = directory.file("kafka");
  testing::publish(kafka, first);
  {
    std::unique_ptr<KafkaEngineLoop> loop = testing::open_loop(kafka, data, 50);
    testing::take_all(*loop);
    testing::step_until(*loop, [&] { return loop->totals().commands == line_count(first); });
    for (const int32_t partition : loop->owned()) REQUIRE(loop->release(partition).ok());  // checkpointed
  }
  testing::publish(kafka, second);
  {
    // Resumes from the checkpoint; checkpoints every 2 batches of a partition; then "crashes":
    // dropped without a release.
    std::unique_ptr<KafkaEngineLoop> loop = testing::open_loop(kafka, data, 20, 2);
    testing::take_all(*loop);
    CHECK(loop->totals().replayed_batches == 2);  // from the release's checkpoint: only the new markers
    size_t accounts = 0;
    for (const int32_t partition : loop->owned())
      accounts += loop->engine(partition)->state().accounts.size();
    CHECK(accounts == 8);  // from the checkpoint and the history after it
    testing::step_until(*loop, [&] { return loop->totals().commands == line_count(second); });
  }
  testing::publish(kafka, third);
  std::unique_ptr<KafkaEngineLoop> loop = testing::open_loop(kafka, data, 50);
  testing::take_all(*loop);
  // The crashed instance wrote 8 batches (128 commands, 20 a batch, 2 partitions) and checkpointed
  // after every second one of a partition: at most one batch per partition, and the markers, replay.
  CHECK(loop->totals().replayed_batches <= 6);
  testing::step_until(*loop, [&] { return loop->totals().commands == line_count(third); });

  // The opens of r2 and r3 are refused (the accounts exist), as in embedded mode.
  CHECK(testing::kafka_balances(*loop) == testing::embedded_balances(first + second + third));
  testing::check_one_accepted_outcome_per_command(kafka, line_count(first) * 3);
  const auto results = testing::distinct_results(kafka);
  CHECK(results.size() == line_count(first) * 3);
  for (const auto& [id, outcomes] : results) {
    INFO(id);
    CHECK(outcomes.size() == 1);
  }
}

TEST_CASE("kafka engine loop: EndTxn and Produce errors during batches still give one outcome per command",
          "[kafka][engine-loop]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 2);
  const std::string lines = ledger_lines(6, 150, "f");
  e2e::TemporaryDirectory directory;
  std::unique_ptr<KafkaEngineLoop> loop = testing::open_loop(kafka, directory.file("kafka"), 20);
  testing::take_all(*loop);
  testing::publish(kafka, lines);
  kafka.cluster->push_request_errors(end_txn_request, {coordinator_not_available, not_enough_replicas});
  kafka.cluster->push_request_errors(produce_request, {not_enough_replicas, not_enough_replicas});
  testing::step_until(*loop, [&] { return loop->totals().commands == line_count(lines); });
  CHECK(loop->owned().size() == 2);  // nothing was dropped
  CHECK(testing::kafka_balances(*loop) == testing::embedded_balances(lines));
  testing::check_one_accepted_outcome_per_command(kafka, line_count(lines));
  const auto results = testing::distinct_results(kafka);
  CHECK(results.size() == line_count(lines));
  for (const auto& [id, outcomes] : results) {
    INFO(id);
    CHECK(outcomes.size() == 1);
  }
}

TEST_CASE("kafka engine loop: a parameter on the control topic reaches every partition, answered once",
          "[kafka][engine-loop]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 2);
  e2e::TemporaryDirectory directory;
  std::unique_ptr<KafkaEngineLoop> loop = testing::open_loop(kafka, directory.file("kafka"));
  testing::take_all(*loop);
  testing::publish(kafka,
                   line(R"({"type":"set_parameter","name":"SERVER_CUSTOMER_OVERDRAFT_LIMIT","value":"25",)"
                        R"("command_id":"param-1"})") +
                       line(R"({"type":"set_parameter","name":"SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY",)"
                            R"("value":"3",)"
                            R"("command_id":"param-1"})"));
  testing::step_until(*loop, [&] { return loop->totals().control_copies == 4; });
  std::string opens;
  for (int a = 0; a < 6; ++a) {
    opens += line(R"({"type":"open_account","account":"K-)" + std::to_string(a) +
                  R"(","name":"n","command_id":"k-)" + std::to_string(a) + "\"}");
  }
  testing::publish(kafka, opens);
  testing::step_until(*loop, [&] { return loop->totals().commands == 6; });
  for (const int32_t partition : loop->owned()) {
    const LedgerState& state = loop->engine(partition)->state();
    CHECK(state.parameters.customer_overdraft_limit_micros == 25'000'000);
    for (const auto& [id, account] : state.accounts) CHECK(account.overdraft.micros() == 25'000'000);
  }
  // One result per control command (from the owner of partition 0): the second reuses the ID.
  const auto results = testing::distinct_results(kafka);
  REQUIRE(results.at("param-1").size() == 2);
  for (const json& result : results.at("param-1")) {
    CHECK(result["topic"] == "control");
    CHECK(result["partition"] == 0);
    if (result["offset"] == 0) CHECK(result["ok"] == true);
    if (result["offset"] == 1) CHECK(result["error"]["code"] == "command_id_conflict");
  }
}

TEST_CASE("kafka engine loop: an operator added on the control topic is known in every partition",
          "[kafka][engine-loop]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 2);
  e2e::TemporaryDirectory directory;
  std::unique_ptr<KafkaEngineLoop> loop = testing::open_loop(kafka, directory.file("kafka"));
  testing::take_all(*loop);
  // publish has no JSON form for operators: the command is produced as an upstream system would.
  OperatorSettings admin;
  admin.name = "admin";
  admin.role = OperatorRole::admin;
  admin.token = TokenCredential{"0123456789abcdef", std::string(16, 's'), std::string(32, 'h')};
  const Command add{"op-1", "admin", AddOperator{admin}};
  Result<std::unique_ptr<KafkaProducer>> producer =
      KafkaProducer::open(KafkaEndpoint(kafka.cluster->bootstrap()), {});
  REQUIRE(producer.ok());
  REQUIRE((*producer)->produce(kafka.names.control, 0, "admin", encode_command(add), 1).ok());
  while ((*producer)->in_flight() > 0) (void)(*producer)->poll(100);
  testing::step_until(*loop, [&] { return loop->totals().control_copies == 2; });

  std::string lines;
  for (int a = 0; a < 4; ++a) {
    lines += line(R"({"type":"open_account","account":"K-)" + std::to_string(a) +
                  R"(","name":"n","command_id":"k-)" + std::to_string(a) + R"(","operator":")" +
                  (a % 2 == 0 ? "admin" : "stranger") + "\"}");
  }
  testing::publish(kafka, lines);
  testing::step_until(*loop, [&] { return loop->totals().commands == 4; });
  for (const int32_t partition : loop->owned()) {
    CHECK(loop->engine(partition)->state().find_operator("admin") != nullptr);
  }
  const auto results = testing::distinct_results(kafka);
  CHECK(results.at("op-1")[0]["ok"] == true);
  CHECK(results.at("k-0")[0]["ok"] == true);
  CHECK(results.at("k-1")[0]["error"]["code"] == "forbidden");  // operators exist now: "stranger" is none
}

TEST_CASE("kafka engine loop: a takeover answers again for the last batch it read, with the same bytes",
          "[kafka][engine-loop]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 1);
  const std::string lines = ledger_lines(3, 27, "t");  // 30 commands: 3 batches of 10
  testing::publish(kafka, lines);
  e2e::TemporaryDirectory directory;
  {
    std::unique_ptr<KafkaEngineLoop> loop = testing::open_loop(kafka, directory.file("a"), 10);
    testing::take_all(*loop);
    testing::step_until(*loop, [&] { return loop->totals().commands == line_count(lines); });
  }  // gone without a release: a crash after its last batch (its results may be lost on the mock)
  std::map<std::string, std::vector<std::string>> before = testing::read_results(kafka);
  REQUIRE(before.size() == 30);
  for (const auto& [id, copies] : before) REQUIRE(copies.size() == 1);

  std::unique_ptr<KafkaEngineLoop> next = testing::open_loop(kafka, directory.file("b"), 10);
  testing::take_all(*next);
  const std::map<std::string, std::vector<std::string>> after = testing::read_results(kafka);
  REQUIRE(after.size() == 30);
  size_t answered_again = 0;
  for (const auto& [id, copies] : after) {
    INFO(id);
    if (copies.size() == 1) continue;
    REQUIRE(copies.size() == 2);
    CHECK(copies[0] == copies[1]);  // the same bytes: a reader cannot tell the copy from the first
    ++answered_again;
  }
  CHECK(answered_again == 10);  // exactly the last batch
  CHECK(after.at("t-26").size() == 2);
  CHECK(after.at("t-0").size() == 1);
}

}  // namespace
}  // namespace paystream
