// Authorization rules (domain.md "Agents and operators"). Refusals name the operator and what it
// lacks, never whether an account outside its tree exists.
#include "engine/domain/access.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/domain/salted_hash.h"

namespace paystream {
namespace {

constexpr std::string_view token_prefix = "pst_";
constexpr size_t token_id_chars = 16;

Error forbidden(std::string message) { return make_error(Errc::forbidden, std::move(message)); }

Error unauthenticated() {
  return make_error(Errc::unauthenticated, "the bearer token is not valid (unknown, rotated or disabled)");
}

bool in_tree(const LedgerState& state, const Access& access, std::string_view account_id) {
  if (account_id == access.agent_account) return true;
  const auto subs = state.sub_accounts_of.find(access.agent_account);
  return subs != state.sub_accounts_of.end() && subs->second.contains(std::string(account_id));
}

bool has(const Access& access, Permission permission) {
  return (access.permissions & static_cast<uint32_t>(permission)) != 0;
}

Status agent_may(const LedgerState& state, const Access& access, std::string_view account_id,
                 Permission permission, std::string_view what) {
  if (!in_tree(state, access, account_id)) {
    return forbidden(fmt::format("operator '{}' acts only on agent '{}' and its sub-accounts, not on '{}'",
                                 access.operator_name, access.agent_account, account_id));
  }
  if (!has(access, permission)) {
    return forbidden(fmt::format("operator '{}' may not {}: it lacks the {} permission", access.operator_name,
                                 what, permission_name(permission)));
  }
  return ok_status();
}

// A payment into the agent itself needs pay-self; into a sub-account, pay-sub-accounts.
Permission payment_permission(const Access& access, std::string_view account_id) {
  return account_id == access.agent_account ? Permission::pay_self : Permission::pay_sub_accounts;
}

// The agent's own overdraft is the credit it lives on: a right of its own, apart from its customers'.
Permission credit_permission(const Access& access, std::string_view account_id) {
  return account_id == access.agent_account ? Permission::set_own_overdraft : Permission::set_overdraft;
}

// An agent sets an overdraft, directly or by reversing a credit back to the older limit.
Status agent_may_set_limit(const LedgerState& state, const Access& access, std::string_view account_id,
                           Money limit, std::string_view what) {
  if (Status status = agent_may(state, access, account_id, credit_permission(access, account_id), what);
      !status) {
    return status;
  }
  const Money ceiling = Money::from_micros(state.parameters.agent_overdraft_limit_max_micros);
  if (limit <= ceiling) return ok_status();
  return forbidden(
      fmt::format("operator '{}' may not set an overdraft of {} on '{}': agent operators may set at "
                  "most AGENT_OVERDRAFT_LIMIT_MAX = {}",
                  access.operator_name, limit.to_string(), account_id, ceiling.to_string()));
}

// Whether one of the agent's own operators (any operator of the same agent account) made the record.
bool made_in_own_tree(const LedgerState& state, const Access& access, const Event& record) {
  const OperatorSettings* maker = state.find_operator(record.operator_name);
  return maker != nullptr && maker->role == OperatorRole::agent &&
         maker->agent_account == access.agent_account;
}

// reverse-any: any record of the tree; reverse: those the agent's own operators made. Then the
// record's kind: undoing a payment only debits the account; undoing a credit sets the older limit
// again, so it needs what setting that limit needs; undoing an adjustment is an adjustment.
Status agent_may_reverse(const LedgerState& state, const Access& access, const Event* target) {
  if (target == nullptr || !is_payment_record(target->type)) {
    return forbidden(
        fmt::format("operator '{}' may reverse only records of its own tree", access.operator_name));
  }
  if (!in_tree(state, access, target->account_id)) {
    return forbidden(fmt::format("operator '{}' acts only on agent '{}' and its sub-accounts, not on '{}'",
                                 access.operator_name, access.agent_account, target->account_id));
  }
  if (!has(access, Permission::reverse_any)) {
    if (!has(access, Permission::reverse)) {
      return forbidden(fmt::format("operator '{}' may not reverse a record: it lacks the reverse permission",
                                   access.operator_name));
    }
    if (!made_in_own_tree(state, access, *target)) {
      return forbidden(
          fmt::format("operator '{}' may reverse only records made by operators of agent '{}' (record "
                      "{} was not): that needs the reverse-any permission",
                      access.operator_name, access.agent_account, target->position.value));
    }
  }
  switch (target->type) {
    case EventType::payment_recorded:
      return ok_status();
    case EventType::credit_set:
      return agent_may_set_limit(state, access, target->account_id, target->overdraft_before,
                                 "reverse this credit");
    case EventType::adjustment_recorded:
      return agent_may(state, access, target->account_id, Permission::adjust, "reverse this adjustment");
    default:
      return forbidden(fmt::format("operator '{}' (agent) may not reverse a {} record", access.operator_name,
                                   payment_type_name(payment_type_of(target->type))));
  }
}

struct AgentRights {
  const LedgerState& state;
  const Access& access;
  const Event* reversal_target;
  bool account_elsewhere;

  Status operator()(const Pay& pay) const {
    return agent_may(state, access, pay.account_id, payment_permission(access, pay.account_id),
                     "make this payment");
  }
  Status operator()(const SetCredit& credit) const {
    return agent_may_set_limit(state, access, credit.account_id, credit.limit, "change this overdraft");
  }
  Status operator()(const Adjust& adjust) const {
    return agent_may(state, access, adjust.account_id, Permission::adjust, "adjust a balance");
  }
  Status operator()(const Reverse&) const { return agent_may_reverse(state, access, reversal_target); }
  // A card pays like cash: the agent needs the right to pay the account. In Kafka mode an account
  // of another partition is checked there, by its RecordCardPayment.
  Status operator()(const RedeemCard& redeem) const {
    if (account_elsewhere) return ok_status();
    return agent_may(state, access, redeem.account_id, payment_permission(access, redeem.account_id),
                     "pay with a phone card");
  }
  Status operator()(const RecordCardPayment& payment) const {
    return agent_may(state, access, payment.account_id, payment_permission(access, payment.account_id),
                     "pay with a phone card");
  }
  template <class Other>
  Status operator()(const Other&) const {
    return forbidden(fmt::format("operator '{}' is an agent operator: it may not run {}",
                                 access.operator_name, command_name(CommandBody{Other{}})));
  }
};

bool is_administration(const CommandBody& body) {
  return std::holds_alternative<SetParameter>(body) || std::holds_alternative<AddOperator>(body) ||
         std::holds_alternative<DisableOperator>(body) || std::holds_alternative<RotateOperatorToken>(body) ||
         std::holds_alternative<IssueCards>(body) || std::holds_alternative<CleanUpRecords>(body);
}

}  // namespace

Result<std::string> authenticate(const LedgerState& state, std::string_view token) {
  if (!token.starts_with(token_prefix) || token.size() < token_prefix.size() + token_id_chars + 2) {
    return unauthenticated();
  }
  const std::string id(token.substr(token_prefix.size(), token_id_chars));
  const auto name = state.operator_by_token_id.find(id);
  if (name == state.operator_by_token_id.end()) return unauthenticated();
  const OperatorSettings* settings = state.find_operator(name->second);
  if (settings == nullptr || settings->disabled) return unauthenticated();
  if (!salted_hash_matches(settings->token.salt, settings->token.hash, token)) return unauthenticated();
  return settings->name;
}

Result<Access> access_of(const LedgerState& state, std::string_view operator_name) {
  if (state.operators.empty()) {
    return Access{.operator_name = std::string(operator_name),
                  .role = OperatorRole::admin,
                  .agent_account = {},
                  .permissions = 0};
  }
  const OperatorSettings* settings = state.find_operator(operator_name);
  if (settings == nullptr) return forbidden(fmt::format("operator '{}' is not registered", operator_name));
  if (settings->disabled) return forbidden(fmt::format("operator '{}' is disabled", operator_name));
  return Access{.operator_name = settings->name,
                .role = settings->role,
                .agent_account = settings->agent_account,
                .permissions = settings->permissions};
}

std::optional<std::vector<std::string>> visible_accounts(const LedgerState& state, const Access& access) {
  if (access.role != OperatorRole::agent) return std::nullopt;
  std::vector<std::string> accounts{access.agent_account};
  if (const auto subs = state.sub_accounts_of.find(access.agent_account);
      subs != state.sub_accounts_of.end()) {
    accounts.insert(accounts.end(), subs->second.begin(), subs->second.end());
  }
  std::sort(accounts.begin(), accounts.end());
  return accounts;
}

Status check_may_read(const LedgerState& state, const Access& access, std::string_view account_id) {
  if (access.role != OperatorRole::agent || in_tree(state, access, account_id)) return ok_status();
  return forbidden(fmt::format("operator '{}' sees only agent '{}' and its sub-accounts, not '{}'",
                               access.operator_name, access.agent_account, account_id));
}

Status check_may_audit(const Access& access) {
  if (access.role == OperatorRole::admin || access.role == OperatorRole::auditor) return ok_status();
  return forbidden(
      fmt::format("operator '{}' ({}) may not replay or verify the history: admin and auditor may",
                  access.operator_name, operator_role_name(access.role)));
}

std::string scoped_command_id(const Access& access, std::string_view command_id) {
  if (access.role != OperatorRole::agent) return std::string(command_id);
  const std::string prefix = access.agent_account + ':';
  if (command_id.starts_with(prefix)) return std::string(command_id);
  return prefix + std::string(command_id);
}

Status check_command_id_scope(const LedgerState& state, const Access& access, std::string_view command_id) {
  // Agent accounts are account IDs, which hold no ':', so only the text before the first one can be
  // an agent's prefix.
  const size_t colon = command_id.find(':');
  if (colon == std::string_view::npos) return ok_status();
  const std::string_view prefix = command_id.substr(0, colon);
  if (access.role == OperatorRole::agent && prefix == access.agent_account) return ok_status();
  for (const auto& [name, settings] : state.operators) {
    if (settings.role == OperatorRole::agent && settings.agent_account == prefix) {
      return make_error(
          Errc::invalid_argument,
          fmt::format("command ID '{}' is in agent '{}''s ID space: IDs starting with '{}:' are its "
                      "operators'",
                      command_id, prefix, prefix));
    }
  }
  return ok_status();
}

Status check_may_run(const LedgerState& state, const Access& access, const CommandBody& body,
                     const Event* reversal_target, bool account_elsewhere) {
  switch (access.role) {
    case OperatorRole::admin:
      return ok_status();
    case OperatorRole::auditor:
      return forbidden(fmt::format("operator '{}' is an auditor: read-only", access.operator_name));
    case OperatorRole::finance:
      if (!is_administration(body)) return ok_status();
      return forbidden(
          fmt::format("operator '{}' (finance) may not change parameters or operators, issue phone cards "
                      "or clean up records",
                      access.operator_name));
    case OperatorRole::agent:
      return std::visit(AgentRights{state, access, reversal_target, account_elsewhere}, body);
  }
  return forbidden("unknown role");
}

}  // namespace paystream
