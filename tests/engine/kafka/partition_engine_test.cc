// The partition engine without Kafka: batches decided from commands, and the same state rebuilt by
// another engine from those batches.
#include "engine/kafka/partition_engine.h"

#include <catch2/catch.hpp>

#include "engine/kafka/results.h"
#include "engine/kafka_client/routing.h"

namespace paystream {
namespace {

constexpr int32_t partitions = 4;
const Timestamp now{1'700'000'000'000'000};

// An account ID that murmur2 puts on `partition`.
std::string account_on(int32_t partition, int n = 0) {
  for (int i = 0;; ++i) {
    std::string id = "A-" + std::to_string(i);
    if (partition_of_key(id, partitions) == partition && n-- == 0) return id;
  }
}

IncomingCommand incoming(int64_t offset, Result<Command> command, std::string key = "") {
  return IncomingCommand{offset, false, std::move(key), std::move(command), {}};
}

Command open(const std::string& id, const std::string& account, const std::string& parent = "",
             AccountType type = AccountType::direct) {
  OpenAccount body;
  body.account_id = account;
  body.settings.name.assign("name");
  body.settings.parent = parent;
  body.settings.type = type;
  body.initial_balance = Money::from_micros(5'000'000);
  return Command{id, "admin", body};
}

Command pay(const std::string& id, const std::string& account, int64_t micros) {
  return Command{id, "admin", Pay{account, Money::from_micros(micros), "", PaymentMethod::cash}};
}

PartitionEngine taken_over(int32_t partition) {
  PartitionEngine engine(partition, partitions);
  EventBatch marker;
  marker.epoch = 1;
  marker.owner = "owner-a";
  marker.command_partition = partition;
  REQUIRE(engine.apply_accepted(marker, {1, "owner-a", 0}).ok());
  return engine;
}

TEST_CASE(
    "kafka partition engine: positions are numbered within the partition, and a rebuild from the batches "
    "gives the same state",
    "[kafka][partition-engine]") {
  PartitionEngine engine = taken_over(2);
  const std::string a = account_on(2);
  std::optional<DecidedBatch> decided =
      engine.decide_batch({incoming(0, open("o-1", a)), incoming(1, pay("p-1", a, 1'000'000))}, now);
  REQUIRE(decided);
  CHECK(decided->consumed == 2);
  CHECK(decided->batch.sequence == 1);
  CHECK(decided->batch.next_command_offset == 2);
  CHECK(decided->commands[0].positions ==
        std::vector<uint64_t>{(uint64_t{2} << 48) + 1, (uint64_t{2} << 48) + 2});
  CHECK(decided->commands[1].positions == std::vector<uint64_t>{(uint64_t{2} << 48) + 3});
  CHECK(partition_of_position(LogPosition{decided->commands[1].positions[0]}) == 2);
  CHECK(engine.state().find(a)->balance.micros() == 6'000'000);

  PartitionEngine rebuilt = taken_over(2);
  const EventBatch read_back = *decode_event_batch(encode_event_batch(decided->batch));
  REQUIRE(rebuilt.apply_accepted(read_back, {1, "owner-a", 1}).ok());
  CHECK(rebuilt.state().accounts == engine.state().accounts);
  CHECK(rebuilt.head() == engine.head());
  CHECK(rebuilt.next_command_offset() == 2);
  CHECK(rebuilt.records().size() == engine.records().size());
  CHECK(rebuilt.commands().size() == 2);

  // A batch whose hash chain does not follow on is refused.
  PartitionEngine other = taken_over(2);
  EventBatch broken = read_back;
  std::swap(broken.events[0], broken.events[1]);
  CHECK(other.apply_accepted(broken, {1, "owner-a", 1}).error().code == Errc::corruption);
}

TEST_CASE(
    "kafka partition engine: a command ID applied before answers with its first outcome, a different command "
    "under it is a conflict, a refused one is decided again",
    "[kafka][partition-engine]") {
  PartitionEngine engine = taken_over(0);
  const std::string a = account_on(0);
  (void)engine.decide_batch({incoming(0, open("o-1", a)), incoming(1, pay("p-1", a, 1'000'000)),
                             incoming(2, pay("p-2", account_on(0, 1), 1'000'000))},
                            now);
  std::optional<DecidedBatch> again =
      engine.decide_batch({incoming(3, pay("p-1", a, 1'000'000)), incoming(4, pay("p-1", a, 2'000'000)),
                           incoming(5, open("p-2", account_on(0, 1)))},
                          now);
  REQUIRE(again);
  CHECK(again->commands[0].outcome.duplicate);
  CHECK(again->commands[0].positions == std::vector<uint64_t>{3});
  CHECK(again->commands[1].outcome.error_code == "command_id_conflict");
  CHECK(again->commands[2].outcome.error_code.empty());  // p-2 was refused before: its ID was free
  CHECK(engine.state().find(a)->balance.micros() == 6'000'000);
  const std::string result = encode_result_json(again->commands[0], 0, 1);
  CHECK(result ==
        R"({"command_id":"p-1","ok":true,"duplicate":true,"positions":[3],"partition":0,"offset":3,)"
        R"("topic":"commands","epoch":1})");
}

TEST_CASE(
    "kafka partition engine: reversals find records in the partition only, parents must share the partition",
    "[kafka][partition-engine]") {
  PartitionEngine engine = taken_over(1);
  const std::string agent = account_on(1);
  const std::string far_agent = account_on(3);
  (void)engine.decide_batch({incoming(0, open("o-1", agent, "", AccountType::agent))}, now);
  const uint64_t payment = (uint64_t{1} << 48) + 2;  // the initial balance
  std::optional<DecidedBatch> decided = engine.decide_batch(
      {incoming(1, Command{"r-1", "admin", Reverse{LogPosition{payment}, ""}}, agent),
       incoming(2, Command{"r-2", "admin", Reverse{LogPosition{(uint64_t{3} << 48) + 2}, ""}}, agent),
       incoming(3, Command{"r-3", "admin", Reverse{LogPosition{payment}, ""}}, "someone-else"),
       incoming(4, open("o-2", account_on(1, 1), far_agent)),
       incoming(5, open("o-3", account_on(1, 2), agent)),
       incoming(6, make_error(Errc::corruption, "not a command")),
       IncomingCommand{7, false, "C-x", make_error(Errc::invalid_argument, "misrouted"), "pay-misrouted"}},
      now);
  REQUIRE(decided);
  CHECK(decided->commands[0].outcome.error_code.empty());
  CHECK(engine.state().find(agent)->balance.micros() == 0);
  CHECK(decided->commands[1].outcome.error_code == "record_not_found");
  CHECK_THAT(decided->commands[1].outcome.error_message, Catch::Contains("belongs to partition 3"));
  CHECK(decided->commands[2].outcome.error_code == "record_not_found");
  CHECK(decided->commands[3].outcome.error_code == "parent_not_found");
  CHECK_THAT(decided->commands[3].outcome.error_message, Catch::Contains("Kafka mode"));
  CHECK(decided->commands[4].outcome.error_code.empty());
  CHECK(decided->commands[5].outcome.command_id == "@1:6");
  CHECK(decided->commands[5].outcome.error_code == "corruption");
  // A misrouted command that decoded is answered under its own ID, so its sender can look it up.
  CHECK(decided->commands[6].outcome.command_id == "pay-misrouted");
  CHECK(decided->commands[6].outcome.error_code == "invalid_argument");
}

TEST_CASE(
    "kafka partition engine: charges and a monthly minimum decided on a partition, the minimum once, and a "
    "rebuild agrees",
    "[kafka][partition-engine][minimum]") {
  PartitionEngine engine = taken_over(1);
  const std::string a = account_on(1);
  Command opened = open("o-1", a);
  std::get<OpenAccount>(opened.body).settings.monthly_min = Money::from_micros(10'000'000);
  // 2023-11-14: opened, and a call of 4.
  const Charge call{.cdr_id = "c-1",
                    .account_id = a,
                    .amount = Money::from_micros(4'000'000),
                    .call_start = Timestamp{now.micros - 60'000'000},
                    .duration_seconds = 60,
                    .caller = "1",
                    .callee = "2"};
  std::optional<DecidedBatch> november = engine.decide_batch(
      {incoming(0, opened), incoming(1, Command{charge_command_id("c-1"), "admin", call})}, now);
  REQUIRE(november);
  CHECK(november->commands[1].outcome.error_code.empty());
  // 2023-12-05: November's minimum, sent twice (two gateways' schedules): charged once.
  const Timestamp december{now.micros + int64_t{21} * 86'400'000'000};
  const int32_t month = month_of(now);
  const Command minimum{minimum_command_id(a, month), "admin", MinimumCharge{a, month}};
  std::optional<DecidedBatch> charged =
      engine.decide_batch({incoming(2, minimum), incoming(3, minimum)}, december);
  REQUIRE(charged);
  CHECK(charged->commands[0].outcome.error_code.empty());
  CHECK(charged->commands[0].outcome.event_count == 1);
  CHECK(charged->commands[1].outcome.duplicate);
  CHECK(engine.state().find(a)->balance.micros() == 5'000'000 - 4'000'000 - 6'000'000);
  CHECK(engine.state().find(a)->minimum_charged_month == month);

  PartitionEngine rebuilt = taken_over(1);
  REQUIRE(rebuilt.apply_accepted(*decode_event_batch(encode_event_batch(november->batch)), {1, "owner-a", 1})
              .ok());
  REQUIRE(rebuilt.apply_accepted(*decode_event_batch(encode_event_batch(charged->batch)), {1, "owner-a", 2})
              .ok());
  CHECK(rebuilt.state().accounts == engine.state().accounts);
}

}  // namespace
}  // namespace paystream
