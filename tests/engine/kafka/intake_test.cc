#include <catch2/catch.hpp>
#include <sstream>

#include "engine/kafka/command_intake.h"
#include "engine/kafka_client/routing.h"
#include "events/codec.h"
#include "tests/support/kafka/kafka_fixture.h"
#include "tests/support/kafka/publish_fixture.h"
#include "tools/commands/kafka_command_json.h"
#include "tools/commands/publish.h"

namespace paystream {
namespace {

constexpr int32_t partitions = 6;

Command pay(const std::string& account) {
  return Command{"pay-" + account, "admin", Pay{account, Money{}, "", {}}};
}

TEST_CASE("kafka intake: a command keyed by its account on the account's partition is admitted",
          "[kafka][intake]") {
  const Command command = pay("C-1001");
  const int32_t partition = partition_of_key("C-1001", partitions);
  const Result<Command> admitted = admit_command("C-1001", encode_command(command), partition, partitions);
  REQUIRE(admitted.ok());
  CHECK(*admitted == command);
  const Command reverse{"rev-1", "admin", Reverse{LogPosition{3}, ""}};
  CHECK(admit_command("C-7", encode_command(reverse), partition_of_key("C-7", partitions), partitions).ok());
}

TEST_CASE("kafka intake: a misrouted or unreadable command is refused, naming what is wrong",
          "[kafka][intake]") {
  const int32_t home = partition_of_key("C-1001", partitions);
  const int32_t elsewhere = (home + 1) % partitions;
  std::string id;
  const Result<Command> wrong_partition =
      admit_command("C-1001", encode_command(pay("C-1001")), elsewhere, partitions, &id);
  CHECK(wrong_partition.error().code == Errc::invalid_argument);
  CHECK(id == "pay-C-1001");  // its refusal is filed under its own ID
  CHECK_THAT(wrong_partition.error().message,
             Catch::Contains("belongs to partition " + std::to_string(home)));

  const Result<Command> wrong_key =
      admit_command("C-2", encode_command(pay("C-1001")), partition_of_key("C-2", 6), 6);
  CHECK_THAT(wrong_key.error().message, Catch::Contains("about 'C-1001' but keyed 'C-2'"));

  const Command parameter{"p-1", "admin", SetParameter{"SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY", 3}};
  const Result<Command> control_here =
      admit_command("SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY", encode_command(parameter),
                    partition_of_key("SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY", 6), 6);
  CHECK_THAT(control_here.error().message, Catch::Contains("control topic"));

  std::string none;
  CHECK(admit_command("C-1001", "not a command", home, partitions, &none).error().code == Errc::corruption);
  CHECK(none.empty());
  CHECK(admit_command("C-1001", "", home, partitions).error().code == Errc::corruption);
}

TEST_CASE("kafka intake: the control topic admits commands about no account only", "[kafka][intake]") {
  const Command parameter{"p-1", "admin", SetParameter{"SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY", 3}};
  const Result<Command> admitted = admit_control_command(encode_command(parameter));
  REQUIRE(admitted.ok());
  CHECK(*admitted == parameter);
  CHECK_THAT(admit_control_command(encode_command(pay("C-1"))).error().message,
             Catch::Contains("commands topic"));
  CHECK(admit_control_command("junk").error().code == Errc::corruption);
}

TEST_CASE("kafka intake: every command publish writes is admitted where it lands", "[kafka][intake]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, partitions);
  PublishOptions options;
  options.connection.bootstrap = kafka.cluster->bootstrap();
  std::istringstream in(
      testing::payment_lines(120, 17, "pay") +
      R"({"type":"reverse","record":5,"account":"C-3","command_id":"rev-1"})" + "\n" +
      R"({"type":"set_parameter","name":"SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY","value":9})" + "\n");
  std::ostringstream out, err;
  REQUIRE(run_publish(options, in, out, err) == 0);
  const std::vector<testing::ConsumedMessage> commands =
      testing::read_topic(kafka.cluster->bootstrap(), kafka.names.commands, partitions);
  REQUIRE(commands.size() == 121);
  for (const testing::ConsumedMessage& message : commands) {
    const Result<Command> admitted = admit_command(message.key, message.value, message.partition, partitions);
    INFO((admitted ? std::string() : admitted.error().message));
    CHECK(admitted.ok());
  }
  const std::vector<testing::ConsumedMessage> control =
      testing::read_topic(kafka.cluster->bootstrap(), kafka.names.control, 1);
  REQUIRE(control.size() == 1);
  CHECK(admit_control_command(control[0].value).ok());
}

TEST_CASE(
    "kafka intake: a JSON command (content-type application/json) is read by the reader tools/ gives, "
    "and checked like a Cap'n Proto one",
    "[kafka][intake][json]") {
  const std::optional<std::string> json_type = std::string(json_content_type);
  const int32_t home = partition_of_key("C-1001", partitions);
  const auto admit = [&](std::string_view key, std::string_view text, int32_t partition, std::string* id) {
    return admit_read_command(read_command(key, text, json_type, &read_kafka_json_command, id), key,
                              partition, partitions, id);
  };
  std::string id;
  const Result<Command> paid = admit(
      "C-1001", R"({"type":"pay","account":"C-1001","amount":"2.5","operator":"ops","command_id":"j-1"})",
      home, &id);
  REQUIRE(paid.ok());
  CHECK(*paid == Command{"j-1", "ops", Pay{"C-1001", Money::parse("2.5").value(), "", {}}});
  CHECK(id == "j-1");
  // The same routing checks as Cap'n Proto's, the refusal under the command's own ID.
  id.clear();
  CHECK_THAT(
      admit("C-1001", R"({"type":"pay","account":"C-1001","amount":"1","operator":"ops","command_id":"j-2"})",
            (home + 1) % partitions, &id)
          .error()
          .message,
      Catch::Contains("belongs to partition"));
  CHECK(id == "j-2");
  // A reversal's key is its account; an "account" that says otherwise is refused.
  const int32_t c7 = partition_of_key("C-7", partitions);
  CHECK(admit("C-7", R"({"type":"reverse","record":3,"account":"C-7","operator":"ops","command_id":"r"})", c7,
              &id)
            .ok());
  CHECK(admit("C-7", R"({"type":"reverse","record":3,"operator":"ops","command_id":"r"})", c7, &id).ok());
  CHECK_THAT(
      admit("C-7", R"({"type":"reverse","record":3,"account":"C-8","operator":"ops","command_id":"r"})", c7,
            &id)
          .error()
          .message,
      Catch::Contains("not its key 'C-7'"));
}

TEST_CASE(
    "kafka intake: a JSON command names its operator and its ID, and malformed JSON, another content type "
    "or an engine without a reader is refused",
    "[kafka][intake][json]") {
  const std::optional<std::string> json_type = std::string(json_content_type);
  std::string id;
  const Result<Command> no_operator =
      read_command("C-1", R"({"type":"pay","account":"C-1","amount":"1","command_id":"j-3"})", json_type,
                   &read_kafka_json_command, &id);
  CHECK(no_operator.error().code == Errc::invalid_argument);
  CHECK_THAT(no_operator.error().message, Catch::Contains("must name its \"operator\""));
  CHECK(id == "j-3");
  CHECK_THAT(read_command("C-1", R"({"type":"pay","account":"C-1","amount":"1","operator":"ops"})", json_type,
                          &read_kafka_json_command)
                 .error()
                 .message,
             Catch::Contains("must name its \"command_id\""));
  // A charge's ID is its CDR's, whoever sends it.
  const Result<Command> charge = read_command(
      "C-1",
      R"({"type":"charge","account":"C-1","amount":"0.30","cdr_id":"cdr-9","operator":"switch","start_time":"2026-01-05T10:00:00Z","duration_seconds":60})",
      json_type, &read_kafka_json_command);
  INFO((charge ? std::string() : charge.error().message));
  CHECK(charge.ok());
  id.clear();
  CHECK(read_command("C-1", "{not json", json_type, &read_kafka_json_command, &id).error().code ==
        Errc::invalid_argument);
  CHECK(id.empty());
  CHECK_THAT(read_command("C-1", "{}", std::string("text/csv"), &read_kafka_json_command).error().message,
             Catch::Contains("content-type 'text/csv' is not one the engine reads"));
  CHECK_THAT(read_command("C-1", "{}", json_type, JsonCommandReader()).error().message,
             Catch::Contains("reads no JSON commands"));
  // No header: Cap'n Proto, as before.
  CHECK(read_command("C-1", encode_command(pay("C-1")), std::nullopt, &read_kafka_json_command).ok());
}

TEST_CASE("kafka intake: a JSON control command goes to the control topic only", "[kafka][intake][json]") {
  const std::optional<std::string> json_type = std::string(json_content_type);
  const Result<Command> parameter = admit_read_control_command(read_command(
      "",
      R"({"type":"set_parameter","name":"SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY","value":30,"operator":"admin","command_id":"p"})",
      json_type, &read_kafka_json_command));
  CHECK(parameter.ok());
  CHECK_THAT(
      admit_read_control_command(
          read_command("", R"({"type":"pay","account":"C-1","amount":"1","operator":"ops","command_id":"x"})",
                       json_type, &read_kafka_json_command))
          .error()
          .message,
      Catch::Contains("publish it to the commands topic"));
}

}  // namespace
}  // namespace paystream
