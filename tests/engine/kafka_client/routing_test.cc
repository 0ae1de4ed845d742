#include "engine/kafka_client/routing.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>

namespace paystream {
namespace {

Command command(CommandBody body) { return Command{"k-1", "admin", std::move(body)}; }

TEST_CASE("kafka routing: partitions follow Kafka's murmur2, as the Java producer computes it",
          "[kafka][routing]") {
  // With a partition count above the hash, the partition is the hash itself (its sign bit
  // cleared): these are the Java client's murmur2 values of "kafka" and "" (0xd067cf64, 0x106e08d9).
  constexpr int32_t all = std::numeric_limits<int32_t>::max();
  CHECK(partition_of_key("kafka", all) == 0x5067cf64);
  CHECK(partition_of_key("", all) == 0x106e08d9);
  CHECK(partition_of_key("kafka", 6) == 0x5067cf64 % 6);
  for (const char* account : {"C-1001", "C-1002", "AG-100", "x"}) {
    const int32_t partition = partition_of_key(account, 6);
    CHECK(partition >= 0);
    CHECK(partition < 6);
    CHECK(partition_of_key(account, 1) == 0);
  }
}

TEST_CASE("kafka routing: account commands are keyed by the account, parameters go to control",
          "[kafka][routing]") {
  CHECK(*route_command(command(Pay{"C-1", Money{}, "", PaymentMethod::cash}), "") ==
        CommandRoute{TopicKind::commands, "C-1"});
  CHECK(*route_command(command(OpenAccount{"C-2", {}, {}, {}}), "") ==
        CommandRoute{TopicKind::commands, "C-2"});
  UpdateAccount update;
  update.account_id = "C-3";
  CHECK(*route_command(command(update), "") == CommandRoute{TopicKind::commands, "C-3"});
  CHECK(*route_command(command(SetCredit{"C-4", Money{}, ""}), "") ==
        CommandRoute{TopicKind::commands, "C-4"});
  CHECK(*route_command(command(MakeZero{"C-5", ""}), "") == CommandRoute{TopicKind::commands, "C-5"});
  CHECK(*route_command(command(Adjust{"C-6", Money{}, ""}), "") == CommandRoute{TopicKind::commands, "C-6"});
  CHECK(*route_command(command(SetParameter{"SERVER_CUSTOMER_OVERDRAFT_LIMIT", 5}), "") ==
        CommandRoute{TopicKind::control, "SERVER_CUSTOMER_OVERDRAFT_LIMIT"});
}

TEST_CASE("kafka routing: a reversal is keyed by the account its caller names", "[kafka][routing]") {
  const Command reverse = command(Reverse{LogPosition{42}, "mistake"});
  CHECK(*route_command(reverse, "C-9") == CommandRoute{TopicKind::commands, "C-9"});
  const Result<CommandRoute> unnamed = route_command(reverse, "");
  REQUIRE(!unnamed.ok());
  CHECK(unnamed.error().code == Errc::invalid_argument);
  CHECK_THAT(unnamed.error().message, Catch::Contains("record 42"));
  CHECK(!route_command(reverse, "not an account").ok());
}

}  // namespace
}  // namespace paystream
