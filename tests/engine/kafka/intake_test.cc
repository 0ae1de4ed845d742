#include <catch2/catch.hpp>
#include <sstream>

#include "engine/kafka/command_intake.h"
#include "engine/kafka_client/routing.h"
#include "events/codec.h"
#include "tests/support/kafka/kafka_fixture.h"
#include "tests/support/kafka/publish_fixture.h"
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

}  // namespace
}  // namespace paystream
