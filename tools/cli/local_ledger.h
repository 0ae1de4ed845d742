#pragma once
// LedgerAccess on the data directory: the embedded runtime, acting as --operator.
#include <memory>

#include "tools/cli/ledger_access.h"
#include "tools/runtime/runtime.h"

namespace paystream {

// One account as `account show` prints it, from these projections (account_not_found when none).
Result<Cells> account_row(const Projections& projections, const std::string& account_id);

class LocalLedger final : public LedgerAccess {
 public:
  static Result<std::unique_ptr<LedgerAccess>> open(const GlobalOptions& options, DataDirUse use);

  Result<Written> submit(Command command, Shows shows) override;
  Result<Cells> account(const std::string& account_id) override;
  Status close() override;

 private:
  LocalLedger(std::unique_ptr<Runtime> runtime, std::string operator_name)
      : runtime_(std::move(runtime)), operator_name_(std::move(operator_name)) {}
  Result<std::vector<Cells>> rows_of(const Outcome& outcome, Shows shows, const std::string& token);

  std::unique_ptr<Runtime> runtime_;
  std::string operator_name_;
};

}  // namespace paystream
