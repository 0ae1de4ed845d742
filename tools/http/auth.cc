#include "tools/http/auth.h"

#include "tools/http/api_context.h"

namespace paystream::http {

// Until operators exist in the engine, every request acts as admin.
Result<Caller> authenticate(const Ledger& /*ledger*/, std::string_view /*authorization*/) {
  return Caller{"admin"};
}

}  // namespace paystream::http

namespace paystream::http {

void read_ledger_state(const Ledger& ledger, const std::function<void(const LedgerState&)>& read) {
  const LedgerState state = ledger.snapshot();
  read(state);
}

}  // namespace paystream::http
