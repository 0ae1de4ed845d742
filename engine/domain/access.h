#pragma once
// Authorization: who is acting and what it may see and do (domain.md "Agents and operators").
// Pure functions of the ledger state, so the engine's decide() and every reader (HTTP API, CLI,
// exports) apply the same rules. Roles: admin (all), finance (all but parameters and operators),
// agent (its agent account and sub-accounts, with the permissions it was given), auditor (read-only,
// including replay and verification).
//
// Until the first operator is added, a ledger has no operators to check against: whoever can
// reach it (the local data directory) acts as admin. `paystream serve` adds an admin first.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/domain/ledger_state.h"
#include "events/command.h"

namespace paystream {

struct Access {
  std::string operator_name;
  OperatorRole role = OperatorRole::admin;
  std::string agent_account;  // agent role only
  uint32_t permissions = 0;   // agent role only
};

// The enabled operator holding this bearer token (constant-time comparison of the hash).
// Errc::unauthenticated when none does (unknown, rotated or disabled); the message never says which.
Result<std::string> authenticate(const LedgerState& state, std::string_view token);

// The operator's rights. Errc::forbidden for an operator that is not registered or is disabled
// (while no operator is registered at all, anyone acts as admin).
Result<Access> access_of(const LedgerState& state, std::string_view operator_name);

// The accounts a reader sees: nullopt for every account; for an agent, its agent account and its
// sub-accounts as of `state`, sorted.
std::optional<std::vector<std::string>> visible_accounts(const LedgerState& state, const Access& access);

// Errc::forbidden unless the account is visible to the operator. An account outside an agent's tree
// is forbidden whether or not it exists, so an agent cannot probe for accounts.
Status check_may_read(const LedgerState& state, const Access& access, std::string_view account_id);

// Replay and verification of the whole history: admin and auditor.
Status check_may_audit(const Access& access);

// Whether the operator may run this command (checked by decide() before anything else; the
// reversal's target record comes from the caller, as for decide; account_elsewhere: a card redeemed
// in Kafka mode into an account of another partition, whose rights that partition checks).
Status check_may_run(const LedgerState& state, const Access& access, const CommandBody& body,
                     const Event* reversal_target, bool account_elsewhere = false);

// Command IDs: each agent has an ID space of its own, so that a command ID used outside its tree
// neither conflicts with nor answers for an agent's command (it is as if it did not exist). An agent
// operator's command ID is stored as "<agent account>:<ID it gave>"; every other ID is as given.
// scoped_command_id is what the edge (HTTP API) submits and looks up for the caller: for an agent
// the ID with its prefix (unchanged when it already has it), for any other role the ID itself.
std::string scoped_command_id(const Access& access, std::string_view command_id);

// Checked by decide() after check_may_run: an ID in an agent's space ("<agent account>:...", for
// an agent account some agent operator acts for) is only for that agent's operators
// (invalid_argument for any other). An agent operator's command without the prefix is accepted:
// only trusted edges submit one (the local CLI's --operator, `publish` to Kafka), as the HTTP API,
// where tokens are presented, scopes every agent's ID.
Status check_command_id_scope(const LedgerState& state, const Access& access, std::string_view command_id);

}  // namespace paystream
