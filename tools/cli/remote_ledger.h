#pragma once
// LedgerAccess on a paystream server (docs/api.md): commands go through POST /v1/commands (operator
// commands through /v1/operators...), acting as the token's operator; what they show is read back
// with the server's queries (the records and the account as the server's projections hold them).
#include <memory>

#include "tools/cli/ledger_access.h"
#include "tools/cli/server.h"
#include "tools/client/http_client.h"

namespace paystream {

// GET `path` (with format=json) from the server: its one JSON row as cells in the order of
// `columns`, or the server's refusal (e.g. account_not_found, card_not_found).
Result<Cells> remote_row(HttpClient& client, const std::string& path, const std::vector<Column>& columns);

class RemoteLedger final : public LedgerAccess {
 public:
  static Result<std::unique_ptr<LedgerAccess>> open(const ServerLogin& login);

  Result<Written> submit(Command command, Shows shows) override;
  Result<Cells> account(const std::string& account_id) override;
  Status close() override { return ok_status(); }

 private:
  explicit RemoteLedger(std::unique_ptr<HttpClient> client) : client_(std::move(client)) {}
  std::unique_ptr<HttpClient> client_;
};

}  // namespace paystream
