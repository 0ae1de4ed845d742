// apply: commands as JSON lines (tools/runtime/command_json.h), for upstream systems and scripts; the
// work is run_apply's (tools/commands/apply.h), or with --server remote_apply's (the chunks go to
// POST /v1/commands); this is its command line.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "tools/cli/commands.h"
#include "tools/cli/output.h"
#include "tools/cli/server.h"
#include "tools/client/remote_apply.h"
#include "tools/commands/apply.h"
#include "tools/commands/data_dir.h"
#include "tools/commands/exit_codes.h"

namespace paystream {
namespace {

struct ApplyArgs {
  std::string file = "-";
  size_t chunk = ApplyOptions{}.chunk_commands_max;
};

int run_apply_command(const GlobalOptions& options, const ApplyArgs& args) {
  if (Status valid = operator_argument(options.operator_name); !valid)
    return report_error(valid.error(), std::cerr);
  if (args.chunk == 0) return report_usage_error("--chunk: must be greater than 0", std::cerr);
  std::ifstream file;
  Result<std::istream*> input = open_input_file(args.file, file);
  if (!input) return report_error(input.error(), std::cerr);
  std::istream& in = **input;
  Result<std::optional<ServerLogin>> login = server_login(options);
  if (!login) return report_error(login.error(), std::cerr);
  if (*login) {
    Result<std::unique_ptr<HttpClient>> client = HttpClient::create((*login)->url, (*login)->token);
    if (!client) return report_error(client.error(), std::cerr);
    return run_apply_chunks(remote_apply_chunk(**client), args.chunk, in, std::cout, std::cerr);
  }
  Result<std::unique_ptr<Runtime>> runtime = open_data_dir(options, DataDirUse::create_if_missing);
  if (!runtime) return report_error(runtime.error(), std::cerr);
  ApplyOptions apply;
  apply.default_operator = options.operator_name;
  apply.chunk_commands_max = args.chunk;
  const int code = run_apply(*(*runtime)->ledger, apply, in, std::cout, std::cerr);
  if (Status closed = (*runtime)->ledger->close(); !closed) return report_error(closed.error(), std::cerr);
  return code;
}

}  // namespace

void add_apply_command(CLI::App& app, Cli& cli) {
  auto args = std::make_shared<ApplyArgs>();
  CLI::App* apply =
      add_leaf_command(app, "apply", "Apply commands given as JSON lines; one JSON outcome per line", cli);
  apply->add_option("--file", args->file, "Read the lines from FILE (default -: standard input)")
      ->type_name("FILE");
  apply->add_option("--chunk", args->chunk, "Commands per group commit (default 1024)")->type_name("N");
  set_action(*apply, cli, args, &run_apply_command);
}

}  // namespace paystream
