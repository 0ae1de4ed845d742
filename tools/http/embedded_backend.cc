#include "tools/http/embedded_backend.h"

#include "tools/http/auth.h"

namespace paystream::http {

std::optional<Result<Outcome>> EmbeddedBackend::find_outcome(const std::string& command_id) const {
  Result<std::optional<Outcome>> found = runtime_.ledger->find_outcome(command_id);
  if (!found) return Result<Outcome>(found.error());
  if (!*found) return std::nullopt;
  return Result<Outcome>(std::move(**found));
}

Result<Caller> EmbeddedBackend::authenticate_token(std::string_view token) const {
  Result<Caller> caller = make_error(Errc::unauthenticated, "");
  runtime_.ledger->read_state([&](const LedgerState& state) { caller = caller_of_token(state, token); });
  return caller;
}

BackendPositions EmbeddedBackend::positions() const {
  BackendPositions positions;
  positions.log_end = runtime_.ledger->end().value;
  if (Result<LogPosition> applied = runtime_.projections().applied_position(); applied) {
    positions.projection_lag = positions.log_end > applied->value ? positions.log_end - applied->value : 0;
  }
  return positions;
}

}  // namespace paystream::http
