#pragma once
// The `paystream` command line: builds the CLI11 application and runs the chosen subcommand.
namespace paystream {

// Returns the process exit code (see tools/commands/exit_codes.h). Never throws.
int run_cli(int argc, char** argv);

}  // namespace paystream
