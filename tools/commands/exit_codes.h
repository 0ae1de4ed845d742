#pragma once
// Exit codes and error lines of the `paystream` command: the part of its contract scripts rely on.
// Every failure prints exactly one line on stderr, "paystream: <what was wrong, with the value>".
#include <ostream>
#include <string_view>

#include "events/result.h"

namespace paystream {

enum class ExitCode : int {
  ok = 0,
  failure = 1,   // operating errors: I/O, corruption, a locked data directory
  usage = 2,     // the command line could not be understood
  rejected = 3,  // the ledger's rules refused the command; nothing changed
};

ExitCode exit_code_of(Errc code);

// Prints "paystream: <message> [<errc name>]" and returns the exit code for the error's kind.
int report_error(const Error& error, std::ostream& err);
// For errors found by the command line layer itself (always a usage error).
int report_usage_error(std::string_view message, std::ostream& err);

}  // namespace paystream
