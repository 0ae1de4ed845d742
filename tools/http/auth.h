#pragma once
// Authentication: `Authorization: Bearer TOKEN` -> the operator holding the token, and its access.
// The HTTP layer only authenticates: what an operator may change is decided by the engine (decide()
// refuses with Errc::forbidden), what it may read by engine/domain/access.h, applied by the query routes.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/http/api_backend.h"

namespace paystream::http {

// Errc::unauthenticated for a missing or malformed header, or a token no enabled operator holds
// (the message never says which).
Result<Caller> authenticate(const ApiBackend& backend, std::string_view authorization);

// The operator of `state` holding the token, and its access (ApiBackend::authenticate_token).
Result<Caller> caller_of_token(const LedgerState& state, std::string_view token);

// For reads: Errc::forbidden unless the caller may see the account (engine/domain/access.h).
Status check_caller_may_read(const ApiBackend& backend, const Caller& caller, std::string_view account_id);
// The accounts the caller sees (nullopt: all), for RecordQuery/BalanceQuery::visible_accounts.
std::optional<std::vector<std::string>> caller_visible_accounts(const ApiBackend& backend,
                                                                const Caller& caller);

}  // namespace paystream::http
