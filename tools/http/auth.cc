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

Result<Caller> authenticate(const Ledger& ledger, std::string_view authorization) {
  if (authorization.empty()) return unauthenticated("this endpoint needs an Authorization: Bearer TOKEN header");
  const std::string_view token = bearer_token(authorization);
  if (token.empty()) return unauthenticated("the Authorization header must be \"Bearer TOKEN\"");
  Result<Caller> caller = unauthenticated("");
  ledger.read_state([&](const LedgerState& state) {
    Result<std::string> name = authenticate(state, token);
    if (!name) {
      caller = name.error();
      return;
    }
    Result<Access> access = access_of(state, *name);
    if (!access) {
      caller = unauthenticated(access.error().message);
      return;
    }
    caller = Caller{*name, *access};
  });
  return caller;
}

void read_ledger_state(const Ledger& ledger, const std::function<void(const LedgerState&)>& read) {
  ledger.read_state(read);
}

Status check_caller_may_read(const Ledger& ledger, const Caller& caller, std::string_view account_id) {
  if (caller.access.role != OperatorRole::agent) return ok_status();
  Status status = ok_status();
  ledger.read_state([&](const LedgerState& state) { status = check_may_read(state, caller.access, account_id); });
  return status;
}

std::optional<std::vector<std::string>> caller_visible_accounts(const Ledger& ledger, const Caller& caller) {
  if (caller.access.role != OperatorRole::agent) return std::nullopt;
  std::optional<std::vector<std::string>> accounts;
  ledger.read_state([&](const LedgerState& state) { accounts = visible_accounts(state, caller.access); });
  return accounts;
}

}  // namespace paystream::http
