// records cleanup --before DATE --export FILE [--yes]: retention by hand (docs/cli.md "Retention").
// On a data directory the export is written here; with --server the server writes it into its
// export folder, under the file name given.
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "tools/cli/commands.h"
#include "tools/cli/output.h"
#include "tools/cli/progress_line.h"
#include "tools/cli/server.h"
#include "tools/cli/submit.h"
#include "tools/commands/data_dir.h"
#include "tools/commands/exit_codes.h"
#include "tools/runtime/arguments.h"
#include "tools/runtime/command_json.h"
#include "tools/runtime/retention.h"

namespace paystream {
namespace {

using json = nlohmann::json;

struct CleanupArgs {
  std::string before;
  std::string export_file;
  bool yes = false;
  std::string command_id;
};

std::vector<Column> cleanup_columns() {
  return {{"Command ID", "command_id", CellKind::text},   {"From", "from", CellKind::time},
          {"Before", "before", CellKind::time},           {"Records", "count", CellKind::integer},
          {"Export File", "export_file", CellKind::text}, {"SHA-256", "export_sha256", CellKind::text}};
}

Cells cleanup_cells(const std::string& command_id, const json& cleanup) {
  return {command_id,
          cleanup.value("from", ""),
          cleanup.value("before", ""),
          std::to_string(cleanup.value("count", uint64_t{0})),
          cleanup.value("export_file", ""),
          cleanup.value("export_sha256", "")};
}

// "y" or "yes" on the terminal; anything else, or end of input, is no.
bool ask(const std::string& question) {
  std::cerr << question << " [y/N] " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "y" || answer == "Y" || answer == "yes";
}

int print_done(const GlobalOptions& options, const std::string& command_id, const json& cleanup,
               bool duplicate) {
  if (duplicate) std::cerr << "paystream: (already applied) command " << command_id << '\n';
  Status printed = print_rows(options, cleanup_columns(), {cleanup_cells(command_id, cleanup)},
                              {{"command_id", command_id}});
  if (!printed) return report_error(printed.error(), std::cerr);
  return static_cast<int>(ExitCode::ok);
}

int run_local(const GlobalOptions& options, const CleanupArgs& args, Date before) {
  Result<std::unique_ptr<Runtime>> runtime = open_data_dir(options, DataDirUse::must_exist);
  if (!runtime) return report_error(runtime.error(), std::cerr);
  CleanupRequest request{.before = before,
                         .export_file = args.export_file,
                         .command_id = args.command_id,
                         .operator_name = options.operator_name,
                         .replace_export = false,
                         .exported_row = {},
                         .confirm = {}};
  if (!args.yes) {
    request.confirm = [](const CleanupExport& exported) {
      return ask(
          fmt::format("Exported {} payment records made before {} to {}. Remove them from the query "
                      "tables? (The events stay in the log.)",
                      exported.count, format_timestamp(exported.before), exported.file.string()));
    };
  }
  ProgressLine progress(args.export_file);
  request.exported_row = [&progress] { progress.count(); };
  Runtime& ledger = **runtime;
  Result<CleanupDone> done =
      clean_up_records(ledger.projections(), request, now_utc(),
                       [&ledger](Command command) { return ledger.ledger->submit(std::move(command)); });
  progress.done();
  Status closed = ledger.ledger->close();
  if (!done) return report_error(done.error(), std::cerr);
  if (done->cancelled) {
    std::cerr << "paystream: nothing removed; the export " << done->exported.file.string() << " stays\n";
    return static_cast<int>(ExitCode::ok);
  }
  if (!closed) return report_error(closed.error(), std::cerr);
  const RecordsCleanup cleanup{.from = done->exported.from,
                               .before = done->exported.before,
                               .count = done->exported.count,
                               .export_sha256 = done->exported.sha256,
                               .export_file = done->exported.file.string()};
  return print_done(options, done->command_id, cleanup_to_json(cleanup), done->duplicate);
}

int run_remote(const GlobalOptions& options, const CleanupArgs& args, const ServerLogin& login) {
  const std::string file_name = std::filesystem::path(args.export_file).filename().string();
  if (file_name != args.export_file) {
    return report_error(
        make_error(Errc::invalid_argument,
                   fmt::format("--export {}: with --server the export is written on the server, "
                               "into its export folder: give a file name, not a path",
                               args.export_file)),
        std::cerr);
  }
  if (!args.yes &&
      !ask(fmt::format("Export the payment records made before {} into {} on {}, then remove them "
                       "from its query tables? (The events stay in the log.)",
                       args.before, file_name, login.url.text))) {
    std::cerr << "paystream: nothing done\n";
    return static_cast<int>(ExitCode::ok);
  }
  Result<std::unique_ptr<HttpClient>> client = HttpClient::create(login.url, login.token);
  if (!client) return report_error(client.error(), std::cerr);
  json body = {{"before", args.before}, {"export_file", file_name}};
  if (!args.command_id.empty()) body["command_id"] = args.command_id;
  Result<HttpAnswer> answer = (*client)->post("/v1/maintenance/records-cleanup", body.dump());
  if (!answer) return report_error(answer.error(), std::cerr);
  // 202 (Kafka mode, not answered yet) is reported as outcome_pending, as for every write.
  if (answer->status != 200 && answer->status != 201)
    return report_error(answer_error(*answer, login.url), std::cerr);
  const json reply = json::parse(answer->body, nullptr, false);
  if (!reply.is_object() || !reply.contains("cleanup")) {
    return report_error(make_error(Errc::io_error, "the server's answer is not a cleanup"), std::cerr);
  }
  return print_done(options, reply.value("command_id", ""), reply["cleanup"],
                    reply.value("duplicate", false));
}

int run_cleanup(const GlobalOptions& options, const CleanupArgs& args) {
  if (Result<OutputFormat> format = check_output_options(options, XlsxUse::refused); !format) {
    return report_error(format.error(), std::cerr);
  }
  Result<Date> before = date_argument("--before", args.before);
  if (!before) return report_error(before.error(), std::cerr);
  if (!args.command_id.empty()) {
    if (Status valid = command_id_argument(args.command_id); !valid)
      return report_error(valid.error(), std::cerr);
  }
  // Asked on a terminal only: a script that forgot --yes must not hang, nor remove anything.
  if (!args.yes && ::isatty(STDIN_FILENO) == 0) {
    return report_error(
        make_error(Errc::invalid_argument,
                   "records cleanup asks for confirmation on a terminal: pass --yes to run it "
                   "without one"),
        std::cerr);
  }
  Result<std::optional<ServerLogin>> login = server_login(options);
  if (!login) return report_error(login.error(), std::cerr);
  if (*login) return run_remote(options, args, **login);
  return run_local(options, args, *before);
}

}  // namespace

void add_records_cleanup(CLI::App& records, Cli& cli) {
  auto args = std::make_shared<CleanupArgs>();
  CLI::App* cleanup = add_leaf_command(
      records, "cleanup", "Export the payment records before a date, then remove them from the query tables",
      cli);
  cleanup->add_option("--before", args->before, "Records made before this day (UTC) leave the query tables")
      ->type_name("DATE")
      ->required();
  cleanup->add_option("--export", args->export_file, "The export: FILE.csv or FILE.xlsx (never overwritten)")
      ->type_name("FILE")
      ->required();
  cleanup->add_flag("--yes", args->yes, "Do not ask for confirmation");
  add_command_id_option(*cleanup, args->command_id);
  set_action(*cleanup, cli, args, &run_cleanup);
}

}  // namespace paystream
