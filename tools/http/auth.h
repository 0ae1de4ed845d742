#pragma once
// Authentication: `Authorization: Bearer TOKEN` -> the operator holding the token. The HTTP layer
// only authenticates; what the operator may do is decided by the engine (writes) and by the
// operator's access (reads), both from engine/access.h.
#include <string>
#include <string_view>

#include "engine/ledger.h"

namespace paystream::http {

struct Caller {
  std::string operator_name;  // put into every command the request submits
};

// Errc::unauthenticated for a missing or malformed header, or a token no enabled operator holds.
Result<Caller> authenticate(const Ledger& ledger, std::string_view authorization);

}  // namespace paystream::http
