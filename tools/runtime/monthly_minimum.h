#pragma once
// Charging the monthly minimum (domain.md "Monthly minimum"): the commands of one month, and the
// schedule that submits them once the month's charge time has come, also after the engine was
// down over it. The engine's decide() makes each charge once: the command ID is derived from
// account and month, and the account state remembers the last month charged. So several
// schedules (Kafka mode's gateways), restarts and runs by hand never charge twice.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/domain/clock.h"
#include "engine/domain/outcome.h"
#include "engine/embedded/ledger.h"
#include "tools/runtime/periodic_thread.h"

namespace paystream {

// One MinimumCharge per account of `state` that the engine would charge for `month` (a minimum above
// its consumption of the month, opened before the month ended, not charged for it yet, the month's
// consumption still kept), in account ID order.
std::vector<Command> minimum_commands(const LedgerState& state, int32_t month,
                                      const std::string& operator_name);

// What the schedule works on: the states holding the accounts (the embedded ledger's one, or each
// Kafka partition's; all hold the same parameters), and where commands are submitted.
struct MinimumTarget {
  std::function<void(const std::function<void(const LedgerState&)>&)> read_states;
  std::function<std::vector<Result<Outcome>>(std::vector<Command>)> submit_all;
};
MinimumTarget minimum_target(Ledger& ledger);

struct MinimumRunCount {
  int32_t month = 0;
  size_t charged = 0;  // records made
  size_t skipped = 0;  // refused: consumption reached the minimum, or the charge is not due
  size_t failed = 0;   // refused otherwise (forbidden, a full disk, an outcome pending): run again later
};

// Submits the minimum commands of `month`, in group commits.
MinimumRunCount run_monthly_minimum(const MinimumTarget& target, int32_t month,
                                    const std::string& operator_name);

// In `paystream serve`: at start and then every `interval`, charges the latest month whose charge
// time has come (SERVER_MINIMUM_CONSUMPTION_CHARGE_TIME of the next month's first day) when charging
// is on. Every check builds the month's commands again, so what failed, or what a state learns
// later, is charged at a later check; a month fully charged gives none.
class MinimumSchedule {
 public:
  using Log = std::function<void(const std::string&)>;
  MinimumSchedule(MinimumTarget target, Clock& clock, std::string operator_name,
                  std::chrono::milliseconds interval, Log log);
  MinimumSchedule(const MinimumSchedule&) = delete;
  MinimumSchedule& operator=(const MinimumSchedule&) = delete;

  // One check now, on the caller's thread (what the schedule's thread does each interval):
  // nullopt when there was nothing to submit.
  std::optional<MinimumRunCount> check();

 private:
  MinimumTarget target_;
  Clock& clock_;
  std::string operator_name_;
  Log log_;
  PeriodicThread thread_;  // last: started once every other member is
};

}  // namespace paystream
