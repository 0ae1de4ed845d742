#pragma once
// The API on one embedded data directory: the Runtime's Ledger decides, its projections answer.
#include "tools/http/api_backend.h"
#include "tools/runtime/runtime.h"

namespace paystream::http {

class EmbeddedBackend final : public ApiBackend {
 public:
  explicit EmbeddedBackend(Runtime& runtime) : runtime_(runtime) {}

  Result<Outcome> submit(Command command) override { return runtime_.ledger->submit(std::move(command)); }
  std::vector<Result<Outcome>> submit_all(std::vector<Command> commands) override {
    return runtime_.ledger->submit_all(std::move(commands));
  }
  std::optional<Result<Outcome>> find_outcome(const std::string& command_id) const override;
  Result<Caller> authenticate_token(std::string_view token) const override;
  void read_control(const std::function<void(const LedgerState&)>& read) const override {
    runtime_.ledger->read_state(read);
  }
  void read_accounts_of(std::string_view /*account_id*/,
                        const std::function<void(const LedgerState&)>& read) const override {
    runtime_.ledger->read_state(read);
  }
  void read_account_states(const std::function<void(const LedgerState&)>& read) const override {
    runtime_.ledger->read_state(read);
  }
  const Projections& projections() const override { return runtime_.projections(); }
  BackendPositions positions() const override;

 private:
  Runtime& runtime_;
};

}  // namespace paystream::http
