// The rights table (tests/engine/domain/rights_table.h) through embedded mode's decide(): every actor,
// command kind and target, each from a fresh ledger of the same scenario.
#include "tests/engine/domain/rights_table.h"

#include <map>

#include "tests/engine/domain/engine_fixtures.h"

namespace paystream::testing {
namespace {

// decide, number, evolve; the events kept by position for reversals and by command ID.
struct ScenarioLedger {
  LedgerState state;
  std::vector<Event> log;
  std::map<std::string, std::vector<LogPosition>> positions;

  Result<std::vector<Event>> run(const Command& command) {
    Context context{.now = at("2026-11-25T10:00:00Z")};
    if (const Reverse* reverse = std::get_if<Reverse>(&command.body)) {
      const uint64_t index = reverse->record.value - 1;
      if (reverse->record.value >= 1 && index < log.size()) context.reversal_target = &log[index];
    }
    Result<std::vector<Event>> events = decide(state, command, context);
    if (!events) return events;
    for (Event& event : *events) {
      event.position = LogPosition{state.last_position.value + 1};
      evolve(state, event);
      log.push_back(event);
      positions[command.command_id].push_back(event.position);
    }
    return events;
  }
};

const rights::Accounts accounts{
    .agent = "A", .sub = "A-1", .other_agent = "B", .other_sub = "B-1", .fresh = "N"};

ScenarioLedger scenario() {
  ScenarioLedger ledger;
  for (const Command& command : rights::setup_commands(accounts)) {
    const Result<std::vector<Event>> events = ledger.run(command);
    INFO(command.command_id << ": " << (events ? std::string() : events.error().message));
    REQUIRE(events.ok());
  }
  return ledger;
}

}  // namespace

TEST_CASE(
    "access: the rights table holds for every role, permission, command kind and target (embedded mode)",
    "[engine][access][rights-table]") {
  const ScenarioLedger start = scenario();
  size_t rows = 0;
  for (const rights::Actor& actor : rights::actors()) {
    for (const std::string& kind : rights::every_kind()) {
      for (rights::Target target : rights::every_target) {
        ScenarioLedger ledger = start;
        const rights::RecordSource source = rights::record_source(accounts, kind, target);
        const LogPosition record = kind.starts_with("reverse")
                                       ? ledger.positions.at(source.command_id).at(source.event)
                                       : LogPosition{};
        const Command command = rights::row_command(actor, kind, target, accounts, record);
        const Result<std::vector<Event>> events = ledger.run(command);
        INFO(actor.name << " / " << kind << " / " << rights::target_name(target) << ": "
                        << (events ? std::string("allowed") : events.error().message));
        if (rights::allowed(actor, kind, target)) {
          CHECK(events.ok());
        } else {
          REQUIRE_FALSE(events.ok());
          CHECK(events.error().code == Errc::forbidden);
          CHECK(ledger.log.size() == start.log.size());
        }
        ++rows;
      }
    }
  }
  CHECK(rows == rights::actors().size() * rights::every_kind().size() * 3);
}

TEST_CASE("access: an ID in an agent's command-ID space is only for that agent's operators",
          "[engine][access][command-id]") {
  ScenarioLedger ledger = scenario();
  const Pay pay{"A-1", Money::from_micros(1), "", PaymentMethod::cash};
  CHECK(ledger.run(Command{"B:row", "agent.pay-subs", pay}).error().code == Errc::invalid_argument);
  CHECK(ledger.run(Command{"A:row", "agent.pay-subs", pay}).ok());
  CHECK(ledger.run(Command{"local-row", "agent.pay-subs", pay}).ok());  // a trusted edge's unscoped ID
  // The admin may not take an ID in an agent's space, but may use IDs with a ':' otherwise.
  CHECK(ledger.run(Command{"A:x", "admin", pay}).error().code == Errc::invalid_argument);
  CHECK(ledger.run(Command{"A:x", "fin", pay}).error().code == Errc::invalid_argument);
  CHECK(ledger.run(Command{"A-1:x", "admin", pay}).ok());

  const Access agent = access_of(ledger.state, "agent.pay-subs").value();
  CHECK(scoped_command_id(agent, "till-7") == "A:till-7");
  CHECK(scoped_command_id(agent, "A:till-7") == "A:till-7");  // as the agent sees it in its outcomes
  CHECK(scoped_command_id(agent, "B:till-7") == "A:B:till-7");
  CHECK(scoped_command_id(access_of(ledger.state, "admin").value(), "A:till-7") == "A:till-7");
}

}  // namespace paystream::testing
