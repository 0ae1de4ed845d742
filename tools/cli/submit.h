#pragma once
// The write path shared by every command that changes something, locally or on a server: submit
// through the ledger (durable when it returns), then print what it produced.
#include "events/command.h"
#include "tools/cli/ledger_access.h"
#include "tools/cli/options.h"

namespace paystream {

// The command's operator is --operator locally, the token's on a server (a given --command-id is
// in `command` already). Returns the exit code. A command ID seen before prints its first outcome
// and notes "(already applied)" on stderr; that is a success.
int submit_and_print(const GlobalOptions& options, Command command, Shows shows);

// Rows in the chosen format to standard output or --output (no xlsx), with `extra` JSON members.
Status print_rows(const GlobalOptions& options, std::vector<Column> columns, const std::vector<Cells>& rows,
                  const std::vector<std::pair<std::string, std::string>>& extra);

}  // namespace paystream
