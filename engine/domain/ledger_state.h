#pragma once
// The state the engine decides against: every account and the system parameters in force.
// Built only by evolve() from the log (or from a checkpoint of an earlier evolve).
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "events/account_status.h"
#include "events/event.h"

namespace paystream {

struct Parameters {
  int64_t pay_delay_expire_days = 0;             // SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY
  int64_t minimum_consumption_charge_hour = 24;  // SERVER_MINIMUM_CONSUMPTION_CHARGE_TIME
  int64_t minimum_consumption_enabled = 1;       // SERVER_MINIMUM_CONSUMPTION_ENABLED
  int64_t customer_overdraft_limit_micros = 0;   // SERVER_CUSTOMER_OVERDRAFT_LIMIT
  // AGENT_OVERDRAFT_LIMIT_MAX: the highest overdraft an agent operator may set. Zero until an admin
  // raises it, so no agent can grant credit that no admin has bounded.
  int64_t agent_overdraft_limit_max_micros = 0;
  // RECORD_RETENTION_DAYS: payment records older than this many days leave the query tables once a
  // day, exported first (domain.md "Retention"). 0 keeps them forever.
  int64_t record_retention_days = 0;
  bool operator==(const Parameters&) const = default;
};

struct ParameterInfo {
  const char* name;
  const char* meaning;
  bool is_money;  // given and shown as a decimal amount
  int64_t min;
  int64_t max;
};
const std::vector<ParameterInfo>& parameter_catalog();
const ParameterInfo* find_parameter(std::string_view name);
int64_t parameter_value(const Parameters& parameters, std::string_view name);
void set_parameter_value(Parameters& parameters, std::string_view name, int64_t value);
// Parses a value given on the command line or in JSON ("30", or "12.50" for money parameters).
Result<int64_t> parse_parameter_value(const ParameterInfo& info, std::string_view text);
std::string format_parameter_value(const ParameterInfo& info, int64_t value);

// An account's consumption (charged calls) by the calls' calendar month, UTC: the latest month
// charged and the month before it, which that month's minimum charge still needs. Earlier months
// live in the projections' monthly totals only.
struct Consumption {
  int32_t month = 0;  // month_of() of `current`
  Money current;
  Money previous;  // of month - 1
  bool operator==(const Consumption&) const = default;
};
// After a call of `month` charged `amount` (>= 0); nullopt when a total would overflow. A call
// older than the month before `month` changes nothing here.
std::optional<Consumption> add_consumption(const Consumption& consumption, int32_t month, Money amount);

struct AccountState {
  std::string id;
  AccountSettings settings;
  Money balance;
  Money overdraft;
  Consumption consumption;
  Timestamp opened;                   // when its AccountOpened was appended
  int32_t minimum_charged_month = 0;  // the latest month whose minimum was charged (0: none)
  uint32_t sub_accounts = 0;
  std::vector<uint64_t> reversed_records;  // sorted positions of this account's reversed records
  LogPosition last_position;
  bool operator==(const AccountState&) const = default;
};

// A phone card (domain.md "Phone cards"). Its PIN is not here: the engine keeps what recognises
// it apart (CardSecret), and decide() is given it in the Context.
enum class CardUse : uint8_t { unused = 0, used = 1, disabled = 2 };
inline constexpr uint32_t card_pin_failures_max = 5;  // the 5th wrong PIN locks the card

struct CardState {
  std::string number;
  std::string batch;
  Money value;
  Date expires;  // the last day it can be redeemed
  CardUse use = CardUse::unused;
  uint32_t pin_failures = 0;
  std::string redeemed_into;  // the account its value paid, once used
  Timestamp issued;
  Timestamp changed;  // when it was last used, disabled or given a wrong PIN
  LogPosition last_position;
  bool operator==(const CardState&) const = default;
};
// What a reader sees: "unused", "used", "disabled", "locked" or "expired" (in that precedence),
// as of the day `today`.
enum class CardStatus : uint8_t { unused, used, disabled, locked, expired };
CardStatus card_status(const CardState& card, Date today);
const char* card_status_name(CardStatus status);
std::optional<CardStatus> parse_card_status(std::string_view text);

struct LedgerState {
  std::unordered_map<std::string, AccountState> accounts;
  std::unordered_map<std::string, CardState> cards;  // by number

  Parameters parameters;
  std::map<std::string, OperatorSettings> operators;  // by name
  LogPosition last_position;
  Timestamp last_time;

  // Derived from the above (rebuild_indexes() after loading a checkpoint; evolve() keeps them).
  std::unordered_map<std::string, std::string> operator_by_token_id;
  std::unordered_map<std::string, std::set<std::string>> sub_accounts_of;  // agent -> its sub-accounts
  std::map<std::string, uint64_t> card_batches;                            // name -> cards issued in it

  const AccountState* find(std::string_view id) const;
  const OperatorSettings* find_operator(std::string_view name) const;
  const CardState* find_card(std::string_view number) const;
};

void rebuild_indexes(LedgerState& state);

// The account's consumption in `month` (a month_of() index) as far as the state knows it: the
// month of its latest charged call and the month before are kept; earlier months read as zero.
Money consumption_in(const AccountState& account, int32_t month);
// When the monthly minimum of `month` is charged: at SERVER_MINIMUM_CONSUMPTION_CHARGE_TIME (an
// hour, 24 = the end of the day) of the first day of the next month, UTC.
Timestamp minimum_due_time(int32_t month, int64_t charge_hour);
// The latest month whose minimum is due at `now` (the month before now's, or the one before that
// while now's month's charge hour has not come).
int32_t latest_due_month(Timestamp now, int64_t charge_hour);

// What the minimum of `month` would charge the account (domain.md "Monthly minimum"), the parameters
// and the due time aside: the one rule decide() and the minimum's schedule both apply.
enum class MinimumVerdict { charge, already_charged, opened_after, consumption_gone, reached };
struct MinimumShortfall {
  MinimumVerdict verdict = MinimumVerdict::charge;
  Money consumed;   // the month's consumption (when still kept)
  Money shortfall;  // > 0 when verdict is charge
};
MinimumShortfall minimum_shortfall(const AccountState& account, int32_t month);

// The account's status and call authorization as of `now` (events/account_status.h).
CallAuthorization authorize_call(const AccountState& account, Timestamp now);

}  // namespace paystream
