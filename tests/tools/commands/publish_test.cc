#include "tools/commands/publish.h"

#include <catch2/catch.hpp>
#include <sstream>

#include "engine/kafka_client/routing.h"
#include "tests/support/kafka/kafka_fixture.h"
#include "tests/support/kafka/publish_fixture.h"
#include "tools/runtime/command_json.h"

namespace paystream {
namespace {

using nlohmann::json;
using testing::json_lines;
using testing::read_commands;

PublishOptions options_for(const testing::MockKafka& kafka) {
  PublishOptions options;
  options.connection.bootstrap = kafka.cluster->bootstrap();
  options.topic_timeout_ms = 10'000;
  return options;
}

const std::vector<std::string> input = {
    R"({"type":"open_account","account":"C-1001","name":"Alice","balance":"50","command_id":"open-1001"})",
    R"({"type":"open_account","account":"C-2002","name":"Bob","command_id":"open-2002"})",
    R"({"type":"pay","account":"C-1001","amount":"25.50","memo":"top-up","command_id":"pay-1"})",
    "",
    R"({"type":"pay","account":"C-1001","amount":12.5,"command_id":"bad-amount"})",
    R"({"type":"adjust","account":"C-2002","amount":"-3.10","operator":"ops","command_id":"adj-1"})",
    R"({"type":"reverse","record":3,"account":"C-1001","memo":"mistake","command_id":"rev-1"})",
    R"({"type":"reverse","record":3,"command_id":"rev-no-account"})",
    R"({"type":"set_parameter","name":"SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY","value":30,"command_id":"param-1"})",
    R"({"type":"make_zero","account":"C-2002"})",
    R"(not json)",
};

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

// The command a line should have been published as (its "account" member dropped on a reversal).
Command expected_command(std::string line) {
  json object = json::parse(line);
  if (object["type"] == "reverse") object.erase("account");
  Result<Command> command = command_from_json(object, "admin");
  REQUIRE(command.ok());
  return *command;
}

TEST_CASE("kafka publish: commands come back from the topics as published, keyed and partitioned by account",
          "[kafka][publish]") {
  const testing::MockKafka kafka = testing::mock_kafka(3);
  std::istringstream in(joined(input));
  std::ostringstream out, err;
  const int code = run_publish(options_for(kafka), in, out, err);
  INFO(err.str());
  CHECK(code == 3);  // three lines were refused; the others were published
  CHECK(err.str().empty());

  const std::vector<json> outcomes = json_lines(out.str());
  REQUIRE(outcomes.size() == 10);  // one per non-blank line, in input order
  const std::vector<int> lines = {1, 2, 3, 5, 6, 7, 8, 9, 10, 11};
  for (size_t i = 0; i < outcomes.size(); ++i) CHECK(outcomes[i]["line"] == lines[i]);
  CHECK(outcomes[3]["ok"] == false);
  CHECK(outcomes[3]["command_id"] == "bad-amount");
  CHECK(outcomes[3]["error"]["code"] == "invalid_amount");
  CHECK(outcomes[6]["ok"] == false);
  CHECK(outcomes[6]["error"]["code"] == "invalid_argument");
  CHECK_THAT(outcomes[6]["error"]["message"].get<std::string>(), Catch::Contains("needs \"account\""));
  CHECK(outcomes[9]["ok"] == false);
  CHECK(outcomes[9]["command_id"] == "");

  const std::vector<testing::PublishedCommand> commands =
      read_commands(kafka.cluster->bootstrap(), "paystream.commands", 6);
  REQUIRE(commands.size() == 6);
  std::map<std::string, testing::PublishedCommand> by_id;
  for (const testing::PublishedCommand& published : commands)
    by_id.emplace(published.command.command_id, published);
  for (size_t i : {0u, 1u, 2u, 4u, 5u, 8u}) {
    const json& outcome = outcomes[i];
    INFO(outcome.dump());
    REQUIRE(outcome["ok"] == true);
    CHECK(outcome["topic"] == "paystream.commands");
    const auto found = by_id.find(outcome["command_id"].get<std::string>());
    REQUIRE(found != by_id.end());
    const testing::ConsumedMessage& message = found->second.message;
    CHECK(message.partition == outcome["partition"]);
    CHECK(message.offset == outcome["offset"]);
    CHECK(message.partition == partition_of_key(message.key, 6));
    const Command& command = found->second.command;
    if (i != 8) CHECK(command == expected_command(input[lines[i] - 1]));
  }
  CHECK(by_id.at("rev-1").message.key == "C-1001");  // a reversal goes where its record's account is
  CHECK(by_id.at("open-1001").message.key == "C-1001");
  CHECK(by_id.at("adj-1").message.key == "C-2002");
  CHECK(by_id.at("adj-1").command.operator_name == "ops");
  // A line without a command_id gets a generated one, printed in its outcome.
  const std::string generated = outcomes[8]["command_id"];
  CHECK_THAT(generated, Catch::StartsWith("gen-"));
  CHECK(by_id.at(generated).message.key == "C-2002");
  // One account's commands keep their input order (one partition, increasing offsets).
  CHECK(by_id.at("open-1001").message.offset < by_id.at("pay-1").message.offset);
  CHECK(by_id.at("pay-1").message.offset < by_id.at("rev-1").message.offset);

  const std::vector<testing::PublishedCommand> control =
      read_commands(kafka.cluster->bootstrap(), "paystream.control", 1);
  REQUIRE(control.size() == 1);
  CHECK(control[0].message.key == "SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY");
  CHECK(control[0].command == expected_command(input[8]));
  CHECK(outcomes[7]["topic"] == "paystream.control");
  CHECK(outcomes[7]["partition"] == 0);
  CHECK(outcomes[7]["offset"] == 0);
}

TEST_CASE("kafka publish: a line naming a member twice is refused and not published", "[kafka][publish]") {
  const testing::MockKafka kafka = testing::mock_kafka(1);
  // Read with the last member winning, these would pay 6 and route the reversal to C-1001.
  std::istringstream in(joined({
      R"({"type":"pay","account":"C-1001","amount":"5","amount":"6","command_id":"pay-dup"})",
      R"({"type":"reverse","record":3,"account":"C-2002","account":"C-1001","command_id":"rev-dup"})",
  }));
  std::ostringstream out, err;
  CHECK(run_publish(options_for(kafka), in, out, err) == 3);
  const std::vector<json> outcomes = json_lines(out.str());
  REQUIRE(outcomes.size() == 2);
  for (const json& outcome : outcomes) {
    INFO(outcome.dump());
    CHECK(outcome["ok"] == false);
    CHECK(outcome["error"]["code"] == "invalid_argument");
    CHECK_THAT(outcome["error"]["message"].get<std::string>(), Catch::Contains("appears more than once"));
  }
  CHECK(testing::topic_end(kafka.cluster->bootstrap(), "paystream.commands", 6) == 0);
}

TEST_CASE("kafka publish: every line published gives exit 0, and nothing else is written",
          "[kafka][publish]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 3, "other");
  PublishOptions options = options_for(kafka);
  options.connection.topic_prefix = "other";
  std::istringstream in(testing::payment_lines(50, 7, "p"));
  std::ostringstream out, err;
  CHECK(run_publish(options, in, out, err) == 0);
  CHECK(json_lines(out.str()).size() == 50);
  CHECK(read_commands(kafka.cluster->bootstrap(), "other.commands", 3).size() == 50);
  CHECK(testing::topic_end(kafka.cluster->bootstrap(), "other.events", 3) == 0);
  CHECK(testing::topic_end(kafka.cluster->bootstrap(), "other.results", 3) == 0);
}

TEST_CASE("kafka publish: topics that are missing on a cluster without the Admin API stop it before any line",
          "[kafka][publish]") {
  std::unique_ptr<MockCluster> cluster = testing::start_mock_cluster(1);
  PublishOptions options;
  options.connection.bootstrap = cluster->bootstrap();
  options.topic_timeout_ms = 1'000;
  std::istringstream in(testing::payment_lines(3, 1, "p"));
  std::ostringstream out, err;
  CHECK(run_publish(options, in, out, err) == 1);
  CHECK(out.str().empty());
  CHECK_THAT(err.str(), Catch::StartsWith("paystream: cannot create topics 'paystream.commands'"));
  CHECK_THAT(err.str(), Catch::EndsWith("[kafka_error]\n"));
}

TEST_CASE("kafka publish: an invalid topic prefix is a usage error", "[kafka][publish]") {
  PublishOptions options;
  options.connection.bootstrap = "127.0.0.1:1";
  options.connection.topic_prefix = "no spaces";
  std::istringstream in("");
  std::ostringstream out, err;
  CHECK(run_publish(options, in, out, err) == 2);
  CHECK_THAT(err.str(), Catch::Contains("topic prefix 'no spaces'"));
}

}  // namespace
}  // namespace paystream
