// Operator roles, agent permissions and operator names: their text forms, as the CLI, the HTTP
// API and the docs spell them.
#include <fmt/format.h>

#include "events/event.h"

namespace paystream {
namespace {

constexpr Permission every_permission[] = {Permission::pay_self,          Permission::pay_sub_accounts,
                                           Permission::set_overdraft,     Permission::adjust,
                                           Permission::set_own_overdraft, Permission::reverse,
                                           Permission::reverse_any};

}  // namespace

const char* operator_role_name(OperatorRole role) {
  switch (role) {
    case OperatorRole::admin:
      return "admin";
    case OperatorRole::finance:
      return "finance";
    case OperatorRole::agent:
      return "agent";
    case OperatorRole::auditor:
      return "auditor";
  }
  return "unknown";
}

std::optional<OperatorRole> parse_operator_role(std::string_view text) {
  for (OperatorRole role :
       {OperatorRole::admin, OperatorRole::finance, OperatorRole::agent, OperatorRole::auditor}) {
    if (text == operator_role_name(role)) return role;
  }
  return std::nullopt;
}

const char* permission_name(Permission permission) {
  switch (permission) {
    case Permission::pay_self:
      return "pay-self";
    case Permission::pay_sub_accounts:
      return "pay-sub-accounts";
    case Permission::set_overdraft:
      return "set-overdraft";
    case Permission::adjust:
      return "adjust";
    case Permission::set_own_overdraft:
      return "set-own-overdraft";
    case Permission::reverse:
      return "reverse";
    case Permission::reverse_any:
      return "reverse-any";
  }
  return "unknown";
}

std::optional<Permission> parse_permission(std::string_view text) {
  for (Permission permission : every_permission) {
    if (text == permission_name(permission)) return permission;
  }
  return std::nullopt;
}

std::string permissions_text(uint32_t permissions) {
  std::string text;
  for (Permission permission : every_permission) {
    if ((permissions & static_cast<uint32_t>(permission)) == 0) continue;
    if (!text.empty()) text += ',';
    text += permission_name(permission);
  }
  return text;
}

Result<uint32_t> parse_permissions(std::string_view comma_separated) {
  uint32_t permissions = 0;
  if (comma_separated.empty()) return permissions;
  size_t start = 0;
  while (true) {
    const size_t comma = comma_separated.find(',', start);
    const std::string_view item =
        comma_separated.substr(start, comma == std::string_view::npos ? comma : comma - start);
    const std::optional<Permission> permission = parse_permission(item);
    if (!permission) {
      return make_error(
          Errc::invalid_argument,
          fmt::format("unknown permission '{}': expected pay-self, pay-sub-accounts, set-overdraft, "
                      "adjust, set-own-overdraft, reverse or reverse-any",
                      item));
    }
    permissions |= static_cast<uint32_t>(*permission);
    if (comma == std::string_view::npos) return permissions;
    start = comma + 1;
  }
}

Status check_operator_name(std::string_view name) {
  if (is_valid_account_id(name)) return ok_status();
  return make_error(Errc::invalid_argument,
                    fmt::format("invalid operator name '{}': expected 1-64 characters of A-Za-z0-9._-, other "
                                "than '.' and '..'",
                                name));
}

}  // namespace paystream
