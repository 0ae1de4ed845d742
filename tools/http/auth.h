#pragma once
// Authentication: `Authorization: Bearer TOKEN` -> the operator holding the token, and its access.
// The HTTP layer only authenticates: what an operator may change is decided by the engine (decide()
// refuses with Errc::forbidden), what it may read by engine/access.h, applied by the query routes.
#include <functional>
#include <string>
#include <string_view>

#include "engine/access.h"
#include "engine/ledger.h"

namespace paystream::http {

struct Caller {
  std::string operator_name;  // put into every command the request submits
  Access access;              // as of authentication, for reads
};

// Errc::unauthenticated for a missing or malformed header, or a token no enabled operator holds
// (the message never says which).
Result<Caller> authenticate(const Ledger& ledger, std::string_view authorization);

// Calls read(state) with the ledger's current state, without copying it; `read` must be quick.
void read_ledger_state(const Ledger& ledger, const std::function<void(const LedgerState&)>& read);

// For reads: Errc::forbidden unless the caller may see the account (engine/access.h).
Status check_caller_may_read(const Ledger& ledger, const Caller& caller, std::string_view account_id);
// The accounts the caller sees (nullopt: all), for RecordQuery/BalanceQuery::visible_accounts.
std::optional<std::vector<std::string>> caller_visible_accounts(const Ledger& ledger, const Caller& caller);

}  // namespace paystream::http
