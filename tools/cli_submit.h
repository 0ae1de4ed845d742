#pragma once
// The write path shared by every command that changes something: submit through the ledger
// (durable when it returns), then print what it produced.
#include <string>

#include "events/command.h"
#include "tools/cli_options.h"

namespace paystream {

enum class Shows {
  records,    // the payment record(s) the command made
  account,    // the account, as a balance row
  parameter,  // the parameter that was set
  operator_settings,  // the operator, with `token` (made for this command) when it has one
};

// Fills in the operator from the global options (a given --command-id is in `command` already).
// Returns the exit code. A command ID seen before prints its first outcome and notes
// "(already applied)" on stderr; that is a success.
int submit_and_print(const GlobalOptions& options, Command command, Shows shows, const std::string& token = "");

}  // namespace paystream
