#pragma once
// `paystream apply`: applies commands given as JSON lines (see tools/command_json.h), in order,
// group-committed in chunks, and prints one JSON outcome line per input line only after that
// command is durable. A killed process leaves no acknowledged command unapplied, and re-running
// the same input applies nothing twice (command IDs).
#include <istream>
#include <ostream>
#include <string>

#include "engine/ledger.h"

namespace paystream {

struct ApplyOptions {
  std::string default_operator = "admin";
  size_t chunk_commands_max = 1024;
};

// Exit code: 0 when every line was applied (or was a duplicate), 3 when any was refused by the
// rules or malformed (those lines change nothing; the others are still applied), 1 on an I/O error.
int run_apply(Ledger& ledger, const ApplyOptions& options, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace paystream
