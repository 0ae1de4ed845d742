#include "tools/http/auth.h"

#include <cctype>

namespace paystream::http {
namespace {

Error unauthenticated(std::string message) { return make_error(Errc::unauthenticated, std::move(message)); }

// The token of "Bearer TOKEN" (the scheme is case-insensitive, RFC 7235); "" when malformed.
std::string_view bearer_token(std::string_view authorization) {
  constexpr std::string_view scheme = "bearer";
  if (authorization.size() <= scheme.size() || authorization[scheme.size()] != ' ') return {};
  for (size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != scheme[i]) return {};
  }
  std::string_view token = authorization.substr(scheme.size() + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

}  // namespace

Result<Caller> authenticate(const ApiBackend& backend, std::string_view authorization) {
  if (authorization.empty())
    return unauthenticated("this endpoint needs an Authorization: Bearer TOKEN header");
  const std::string_view token = bearer_token(authorization);
  if (token.empty()) return unauthenticated("the Authorization header must be \"Bearer TOKEN\"");
  return backend.authenticate_token(token);
}

Result<Caller> caller_of_token(const LedgerState& state, std::string_view token) {
  Result<std::string> name = authenticate(state, token);
  if (!name) return name.error();
  Result<Access> access = access_of(state, *name);
  if (!access) return unauthenticated(access.error().message);
  return Caller{*name, *access};
}

Status check_caller_may_read(const ApiBackend& backend, const Caller& caller, std::string_view account_id) {
  if (caller.access.role != OperatorRole::agent) return ok_status();
  Status status = ok_status();
  backend.read_accounts_of(caller.access.agent_account, [&](const LedgerState& state) {
    status = check_may_read(state, caller.access, account_id);
  });
  return status;
}

std::optional<std::vector<std::string>> caller_visible_accounts(const ApiBackend& backend,
                                                                const Caller& caller) {
  if (caller.access.role != OperatorRole::agent) return std::nullopt;
  std::optional<std::vector<std::string>> accounts;
  backend.read_accounts_of(caller.access.agent_account, [&](const LedgerState& state) {
    accounts = visible_accounts(state, caller.access);
  });
  return accounts;
}

}  // namespace paystream::http
