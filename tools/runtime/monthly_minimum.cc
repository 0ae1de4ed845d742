#include "tools/runtime/monthly_minimum.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

namespace paystream {
namespace {

constexpr size_t chunk_commands = 1024;

}  // namespace

std::vector<Command> minimum_commands(const LedgerState& state, int32_t month,
                                      const std::string& operator_name) {
  std::vector<std::string> accounts;
  for (const auto& [id, account] : state.accounts) {
    // What decide() would charge: so that, once a month is charged, checking it again submits nothing.
    if (minimum_shortfall(account, month).verdict == MinimumVerdict::charge) accounts.push_back(id);
  }
  std::sort(accounts.begin(), accounts.end());
  std::vector<Command> commands;
  commands.reserve(accounts.size());
  for (const std::string& id : accounts) {
    commands.push_back(Command{minimum_command_id(id, month), operator_name, MinimumCharge{id, month}});
  }
  return commands;
}

MinimumTarget minimum_target(Ledger& ledger) {
  return MinimumTarget{
      .read_states =
          [&ledger](const std::function<void(const LedgerState&)>& read) { ledger.read_state(read); },
      .submit_all =
          [&ledger](std::vector<Command> commands) { return ledger.submit_all(std::move(commands)); }};
}

MinimumRunCount run_monthly_minimum(const MinimumTarget& target, int32_t month,
                                    const std::string& operator_name) {
  std::vector<Command> commands;
  target.read_states([&](const LedgerState& state) {
    std::vector<Command> of_state = minimum_commands(state, month, operator_name);
    std::move(of_state.begin(), of_state.end(), std::back_inserter(commands));
  });
  MinimumRunCount count{.month = month};
  for (size_t begin = 0; begin < commands.size(); begin += chunk_commands) {
    const size_t end = std::min(commands.size(), begin + chunk_commands);
    std::vector<Command> chunk(commands.begin() + static_cast<std::ptrdiff_t>(begin),
                               commands.begin() + static_cast<std::ptrdiff_t>(end));
    for (const Result<Outcome>& outcome : target.submit_all(std::move(chunk))) {
      // Not charged by the rules (or charged before): skipped. Anything else (forbidden, a full disk,
      // an outcome still pending) may go otherwise next time.
      if (outcome && !outcome->duplicate) {
        ++count.charged;
      } else if (outcome || outcome.error().code == Errc::nothing_to_change) {
        ++count.skipped;
      } else {
        ++count.failed;
      }
    }
  }
  return count;
}

MinimumSchedule::MinimumSchedule(MinimumTarget target, Clock& clock, std::string operator_name,
                                 std::chrono::milliseconds interval, Log log)
    : target_(std::move(target)),
      clock_(clock),
      operator_name_(std::move(operator_name)),
      log_(std::move(log)),
      thread_(interval, [this] { check(); }) {}

std::optional<MinimumRunCount> MinimumSchedule::check() {
  // Every state holds the same parameters (in Kafka mode each partition applies every control
  // command); the first one read is enough.
  std::optional<Parameters> parameters;
  target_.read_states([&](const LedgerState& state) {
    if (!parameters) parameters = state.parameters;
  });
  if (!parameters) return std::nullopt;
  if (parameters->minimum_consumption_enabled != 1) return std::nullopt;
  // Run at every check, not once per month: a state may still be catching up (a Kafka gateway's
  // projector) when the month comes due. Once a month is charged, its commands are none.
  const int32_t due = latest_due_month(clock_.now(), parameters->minimum_consumption_charge_hour);
  const MinimumRunCount count = run_monthly_minimum(target_, due, operator_name_);
  if (count.charged == 0 && count.skipped == 0 && count.failed == 0) return std::nullopt;
  if (count.charged > 0 || count.failed > 0) {
    log_(fmt::format("monthly minimum of {}: {} accounts charged, {} not charged, {} failed{}",
                     format_month(due), count.charged, count.skipped, count.failed,
                     count.failed > 0 ? " (run again at the next check)" : ""));
  }
  return count;
}

}  // namespace paystream
