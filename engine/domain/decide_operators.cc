// decide for the operator commands: adding one, disabling one, rotating its token. The token itself
// never reaches the engine: the command carries its credential (engine/domain/access.h checks tokens).
#include <fmt/format.h>

#include "engine/domain/decide_support.h"

namespace paystream {
namespace {

using namespace decide_support;

constexpr size_t token_id_chars = 16;
constexpr size_t token_salt_bytes = 16;
constexpr size_t token_hash_bytes = 32;

bool is_hex(std::string_view text) {
  return text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

Status check_credential(const LedgerState& state, const TokenCredential& token) {
  if (token.id.size() != token_id_chars || !is_hex(token.id) || token.salt.size() != token_salt_bytes ||
      token.hash.size() != token_hash_bytes) {
    return reject(Errc::invalid_argument,
                  "malformed token credential (16 hex characters of ID, 16 bytes of salt, "
                  "32 bytes of hash)");
  }
  if (state.operator_by_token_id.contains(token.id)) {
    return reject(Errc::invalid_argument, "token ID already in use; issue a new token");
  }
  return ok_status();
}

Status check_role_fields(const LedgerState& state, const OperatorSettings& settings, const Context& context) {
  if (settings.role != OperatorRole::agent) {
    if (!settings.agent_account.empty() || settings.permissions != 0) {
      return reject(Errc::invalid_argument,
                    fmt::format("only agent operators have an agent account and permissions; '{}' is {}",
                                settings.name, operator_role_name(settings.role)));
    }
    return ok_status();
  }
  if (settings.agent_account.empty()) {
    return reject(Errc::invalid_argument,
                  fmt::format("agent operator '{}' needs the agent account it acts for", settings.name));
  }
  if ((settings.permissions & ~all_permissions) != 0) {
    return reject(Errc::invalid_argument, fmt::format("unknown permission bits {:#x}", settings.permissions));
  }
  if (!context.all_accounts_known) return ok_status();
  const AccountState* agent = state.find(settings.agent_account);
  if (agent == nullptr) return account_not_found(settings.agent_account);
  if (agent->settings.type != AccountType::agent) {
    return reject(Errc::invalid_argument, fmt::format("account '{}' is a {} account, not an agent", agent->id,
                                                      account_type_name(agent->settings.type)));
  }
  return ok_status();
}

size_t enabled_admins(const LedgerState& state) {
  size_t count = 0;
  for (const auto& [name, settings] : state.operators) {
    count += settings.role == OperatorRole::admin && !settings.disabled ? 1 : 0;
  }
  return count;
}

const OperatorSettings* existing_operator(const LedgerState& state, std::string_view name, Error& error) {
  const OperatorSettings* settings = state.find_operator(name);
  if (settings == nullptr)
    error = reject(Errc::operator_not_found, fmt::format("operator '{}' does not exist", name));
  return settings;
}

Status add_operator_event(Events& events, EventType type, const Command& command, const Context& context,
                          OperatorSettings settings) {
  add_base_event(events, type, command, context, "").operator_settings = std::move(settings);
  return ok_status();
}

}  // namespace

Status decide_add_operator(const LedgerState& state, const Command& command, const AddOperator& add,
                           const Context& context, Events& events) {
  const OperatorSettings& settings = add.settings;
  if (Status status = check_operator_name(settings.name); !status) return status.error();
  if (settings.disabled) return reject(Errc::invalid_argument, "a new operator cannot start disabled");
  if (state.find_operator(settings.name) != nullptr) {
    return reject(Errc::operator_exists, fmt::format("operator '{}' already exists", settings.name));
  }
  // Until the first operator exists anyone acts as admin; it must be an admin, or nobody could
  // manage operators afterwards.
  if (state.operators.empty() && settings.role != OperatorRole::admin) {
    return reject(Errc::invalid_argument, "the first operator must have the admin role");
  }
  if (Status status = check_role_fields(state, settings, context); !status) return status.error();
  if (Status status = check_credential(state, settings.token); !status) return status.error();
  return add_operator_event(events, EventType::operator_added, command, context, settings);
}

Status decide_disable_operator(const LedgerState& state, const Command& command,
                               const DisableOperator& disable, const Context& context, Events& events) {
  Error error{};
  const OperatorSettings* current = existing_operator(state, disable.name, error);
  if (current == nullptr) return error;
  if (current->disabled) {
    return reject(Errc::nothing_to_change, fmt::format("operator '{}' is already disabled", disable.name));
  }
  if (current->role == OperatorRole::admin && enabled_admins(state) == 1) {
    return reject(
        Errc::forbidden,
        fmt::format("operator '{}' is the last enabled admin; add another admin first", disable.name));
  }
  OperatorSettings settings = *current;
  settings.disabled = true;
  return add_operator_event(events, EventType::operator_updated, command, context, std::move(settings));
}

Status decide_rotate_operator_token(const LedgerState& state, const Command& command,
                                    const RotateOperatorToken& rotate, const Context& context,
                                    Events& events) {
  Error error{};
  const OperatorSettings* current = existing_operator(state, rotate.name, error);
  if (current == nullptr) return error;
  if (Status status = check_credential(state, rotate.token); !status) return status.error();
  OperatorSettings settings = *current;
  settings.token = rotate.token;
  return add_operator_event(events, EventType::operator_updated, command, context, std::move(settings));
}

}  // namespace paystream
