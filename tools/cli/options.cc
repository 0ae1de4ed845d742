#include "tools/cli/options.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdlib>

#include "events/command.h"

namespace paystream {

void add_global_options(CLI::App& app, GlobalOptions& options, WithOperator with_operator) {
  app.add_option("--data", options.data_dir, "Data directory (default ./paystream-data)")
      ->type_name("DIR")
      ->group("Global options");
  if (with_operator == WithOperator::yes) {
    app.add_option("--operator", options.operator_name, "Operator recorded with each change (default admin)")
        ->type_name("NAME")
        ->group("Global options")
        ->each([&options](const std::string&) { options.operator_given = true; });
  }
  app.add_option("--format", options.format, "Output format: table, json, csv or xlsx (default table)")
      ->type_name("FORMAT")
      ->group("Global options");
  app.add_option("--output", options.output, "Write the output to FILE instead of standard output")
      ->type_name("FILE")
      ->group("Global options");
  app.add_option("--min-free-bytes", options.free_bytes_min,
                 "Refuse write commands while the data directory's file system has less free space (default "
                 "67108864, 64 MiB)")
      ->type_name("N")
      ->group("Global options");
  // Not CLI11's envname: these options are on the root and on every subcommand, and CLI11 would let
  // a subcommand's environment value overwrite a --server given before the subcommand's name; and
  // the commands that only work locally must tell a --server typed now from an exported variable.
  app.add_option("--server", options.server,
                 "Talk to this paystream server instead of a data directory (env PAYSTREAM_SERVER)")
      ->type_name("URL")
      ->group("Global options");
  app.add_option("--token", options.token, "Bearer token for --server (env PAYSTREAM_TOKEN)")
      ->type_name("TOKEN")
      ->group("Global options");
}

void read_server_environment(GlobalOptions& options) {
  const auto variable = [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
  };
  if (!options.server) {
    options.server = variable("PAYSTREAM_SERVER");
    options.server_from_environment = options.server.has_value();
  }
  if (!options.token) options.token = variable("PAYSTREAM_TOKEN");
}

}  // namespace paystream
