#pragma once
// What the CLI's write commands and `account show` need of the ledger, wherever it is: the data
// directory (local_ledger.h) or a server (remote_ledger.h). Both answer with the cells of the rows
// the command prints, so the printing (submit.cc) is one code for both.
#include <memory>
#include <string>
#include <vector>

#include "events/command.h"
#include "projections/export/row_writer.h"
#include "tools/cli/options.h"
#include "tools/commands/data_dir.h"

namespace paystream {

// What a write command prints.
enum class Shows {
  records,            // the payment record(s) the command made
  account,            // the account, as `account show` prints it
  parameter,          // the parameter that was set
  operator_settings,  // the operator, with its new token (operator add, rotate) when it has one
  card,               // the phone card, as `card show` prints it
};

using Cells = std::vector<std::string>;

// The columns of what a command shows; `with_token`: operator add and rotate's Token column.
std::vector<Column> columns_of(Shows shows, bool with_token);

struct Written {
  std::string command_id;
  bool duplicate = false;   // the command ID was applied before: these are its first outcome's rows
  std::vector<Cells> rows;  // in columns_of(shows, !token.empty())
  std::string token;        // operator add and rotate: the new bearer token (never for a duplicate)
};

class LedgerAccess {
 public:
  virtual ~LedgerAccess() = default;
  // Submits the command (durable when it returns) as the acting operator (--operator locally, the
  // token's on a server), then reads back what it shows. Operator add and rotate make their token
  // where the ledger is: here locally, on the server over HTTP.
  virtual Result<Written> submit(Command command, Shows shows) = 0;
  // One account, as `account show` prints it (account_not_found when there is none).
  virtual Result<Cells> account(const std::string& account_id) = 0;
  virtual Status close() = 0;
};

// The server of --server/PAYSTREAM_SERVER when one is given, else the data directory (opened as
// `use` says). Usage errors as server_login (server.h).
Result<std::unique_ptr<LedgerAccess>> open_ledger_access(const GlobalOptions& options, DataDirUse use);

}  // namespace paystream
