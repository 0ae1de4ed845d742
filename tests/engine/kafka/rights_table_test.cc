// The rights table (tests/engine/domain/rights_table.h) through Kafka mode's partition engine, which
// decides every command of its partition: the same rows as in embedded mode, each from a fresh
// engine of the same scenario (all its accounts on the partition under test).
#include "tests/engine/domain/rights_table.h"

#include <catch2/catch.hpp>
#include <map>

#include "engine/kafka/partition_engine.h"
#include "engine/kafka_client/routing.h"

namespace paystream {
namespace {

constexpr int32_t partitions = 4;
constexpr int32_t partition = 1;
const Timestamp now{1'700'000'000'000'000};

// The first account ID of the form <prefix><i> that murmur2 puts on the partition under test.
std::string account_on_partition(const std::string& prefix) {
  for (int i = 0;; ++i) {
    std::string id = prefix + std::to_string(i);
    if (partition_of_key(id, partitions) == partition) return id;
  }
}

const testing::rights::Accounts& accounts() {
  static const testing::rights::Accounts chosen{.agent = account_on_partition("AG-"),
                                                .sub = account_on_partition("SUB-"),
                                                .other_agent = account_on_partition("BG-"),
                                                .other_sub = account_on_partition("OTHER-"),
                                                .fresh = account_on_partition("NEW-")};
  return chosen;
}

struct ScenarioEngine {
  PartitionEngine engine{partition, partitions};
  std::map<std::string, std::vector<uint64_t>> positions;
  int64_t offset = 0;

  ScenarioEngine() {
    EventBatch marker;
    marker.epoch = 1;
    marker.owner = "owner-a";
    marker.command_partition = partition;
    REQUIRE(engine.apply_accepted(marker, {1, "owner-a", 0}).ok());
  }

  // One command through decide_batch, as the engine loop gives it: the message key is the account
  // (for a reversal, the account its record must belong to).
  BatchOutcome run(const Command& command, bool from_control, const std::string& key) {
    std::optional<DecidedBatch> decided =
        engine.decide_batch({IncomingCommand{offset++, from_control, key, command, {}}}, now);
    REQUIRE(decided);
    REQUIRE(decided->commands.size() == 1);
    const DecidedCommand& one = decided->commands[0];
    if (one.outcome.error_code.empty()) positions[command.command_id] = one.positions;
    return one.outcome;
  }
};

ScenarioEngine scenario() {
  ScenarioEngine scenario;
  for (const Command& command : testing::rights::setup_commands(accounts())) {
    const BatchOutcome outcome = scenario.run(command,
                                              std::holds_alternative<AddOperator>(command.body) ||
                                                  std::holds_alternative<SetParameter>(command.body),
                                              "");
    INFO(command.command_id << ": " << outcome.error_message);
    REQUIRE(outcome.error_code.empty());
  }
  return scenario;
}

}  // namespace

TEST_CASE(
    "kafka partition engine: the rights table holds for every role, permission, command kind and target",
    "[kafka][partition-engine][rights-table]") {
  namespace rights = testing::rights;
  const ScenarioEngine start = scenario();
  size_t rows = 0;
  for (const rights::Actor& actor : rights::actors()) {
    for (const std::string& kind : rights::every_kind()) {
      for (rights::Target target : rights::every_target) {
        ScenarioEngine scenario = start;
        const rights::RecordSource source = rights::record_source(accounts(), kind, target);
        const LogPosition record{
            kind.starts_with("reverse") ? scenario.positions.at(source.command_id).at(source.event) : 0};
        const Command command = rights::row_command(actor, kind, target, accounts(), record);
        const LogPosition last_before = scenario.engine.state().last_position;
        const BatchOutcome outcome =
            scenario.run(command, rights::is_control(kind), rights::account_of(accounts(), target));
        INFO(actor.name << " / " << kind << " / " << rights::target_name(target) << ": "
                        << (outcome.error_code.empty() ? std::string("allowed") : outcome.error_message));
        if (rights::allowed(actor, kind, target)) {
          CHECK(outcome.error_code.empty());
        } else {
          CHECK(outcome.error_code == "forbidden");
          CHECK(scenario.engine.state().last_position == last_before);
        }
        ++rows;
      }
    }
  }
  CHECK(rows == rights::actors().size() * rights::every_kind().size() * 3);
}

}  // namespace paystream
