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

struct AccountState {
  std::string id;
  AccountSettings settings;
  Money balance;
  Money overdraft;
  int32_t consumption_month = 0;  // month_of() the consumption below counts
  Money month_consumption;
  uint32_t sub_accounts = 0;
  std::vector<uint64_t> reversed_records;  // sorted positions of this account's reversed records
  LogPosition last_position;
  bool operator==(const AccountState&) const = default;
};

struct LedgerState {
  std::unordered_map<std::string, AccountState> accounts;
  Parameters parameters;
  std::map<std::string, OperatorSettings> operators;  // by name
  LogPosition last_position;
  Timestamp last_time;

  // Derived from the above (rebuild_indexes() after loading a checkpoint; evolve() keeps them).
  std::unordered_map<std::string, std::string> operator_by_token_id;
  std::unordered_map<std::string, std::set<std::string>> sub_accounts_of;  // agent -> its sub-accounts

  const AccountState* find(std::string_view id) const;
  const OperatorSettings* find_operator(std::string_view name) const;
};

void rebuild_indexes(LedgerState& state);

enum class AccountStatus { active, expired, no_credit, monthly_max_reached, locked };
const char* account_status_name(AccountStatus status);
// The status as of `now`; locked first, then expired, no credit, monthly maximum.
AccountStatus account_status(const AccountSettings& settings, Money balance, Money overdraft,
                             Money month_consumption, Timestamp now);

}  // namespace paystream
