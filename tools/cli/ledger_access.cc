#include "tools/cli/ledger_access.h"

#include "tools/cli/local_ledger.h"
#include "tools/cli/output.h"
#include "tools/cli/remote_ledger.h"
#include "tools/cli/server.h"
#include "tools/runtime/card_rows.h"

namespace paystream {

std::vector<Column> columns_of(Shows shows, bool with_token) {
  switch (shows) {
    case Shows::records:
      return record_columns();
    case Shows::account:
      return account_columns();
    case Shows::parameter:
      return parameter_columns();
    case Shows::operator_settings:
      return operator_columns(with_token);
    case Shows::card:
      return card_columns();
  }
  return {};
}

Result<std::unique_ptr<LedgerAccess>> open_ledger_access(const GlobalOptions& options, DataDirUse use) {
  Result<std::optional<ServerLogin>> login = server_login(options);
  if (!login) return login.error();
  if (*login) return RemoteLedger::open(**login);
  return LocalLedger::open(options, use);
}

}  // namespace paystream
