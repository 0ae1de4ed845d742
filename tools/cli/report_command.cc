// report NAME: the four reports (docs/cli.md "Reports"), locally or over --server.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>

#include "tools/cli/commands.h"
#include "tools/cli/output.h"
#include "tools/cli/remote_query.h"
#include "tools/commands/data_dir.h"
#include "tools/commands/exit_codes.h"
#include "tools/runtime/reports.h"

namespace paystream {
namespace {

struct ReportArgs {
  std::string name;
  ReportOptions options;
};

// The options under the API's names (the server reads them as prepare_report does here).
UrlParams remote_params(const ReportOptions& options) {
  UrlParams params;
  for (auto [name, value] : {std::pair{"from", &options.from},
                             {"to", &options.to},
                             {"as_of", &options.as_of},
                             {"by", &options.by},
                             {"type", &options.type},
                             {"agent", &options.agent}}) {
    if (*value) params.emplace_back(name, **value);
  }
  return params;
}

int run_report(const GlobalOptions& options, const ReportArgs& args) {
  if (Result<OutputFormat> format = check_output_options(options, XlsxUse::allowed); !format) {
    return report_error(format.error(), std::cerr);
  }
  // Checked here too, so that a mistake is told in the CLI's words before any connection.
  Result<PreparedReport> report =
      prepare_report(args.name, args.options, ReportOptionNames{"--"}, now_utc(), std::nullopt);
  if (!report) return report_error(report.error(), std::cerr);
  Result<std::optional<ServerLogin>> login = server_login(options);
  if (!login) return report_error(login.error(), std::cerr);
  if (*login)
    return print_remote_query(options, **login, "/v1/reports/" + args.name, remote_params(args.options));
  Result<std::unique_ptr<QuerySource>> source = QuerySource::open(options);
  if (!source) return report_error(source.error(), std::cerr);
  Result<std::unique_ptr<Printer>> printer = Printer::open(options, report->columns, XlsxUse::allowed);
  if (!printer) return report_error(printer.error(), std::cerr);
  Status streamed = report->rows((*source)->projections(),
                                 [&](const std::vector<std::string>& cells) { (*printer)->row(cells); });
  if (!streamed) return report_error(streamed.error(), std::cerr);
  if (Status finished = (*printer)->finish(); !finished) return report_error(finished.error(), std::cerr);
  return static_cast<int>(ExitCode::ok);
}

}  // namespace

void add_report_command(CLI::App& app, Cli& cli) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* report = add_leaf_command(app, "report",
                                      "Run a report: account-balance, clearing-balance, "
                                      "agent-income or settlement",
                                      cli);
  report->add_option("NAME", args->name, "account-balance, clearing-balance, agent-income or settlement")
      ->required();
  report
      ->add_option("--from", args->options.from,
                   "First day of the period (clearing-balance, agent-income, settlement)")
      ->type_name("YYYY-MM-DD");
  report->add_option("--to", args->options.to, "Last day of the period, included (agent-income, settlement)")
      ->type_name("YYYY-MM-DD");
  report
      ->add_option("--as-of", args->options.as_of,
                   "Balances as they were at this moment; a date alone is the end of that day "
                   "(account-balance, clearing-balance)")
      ->type_name("TIME");
  report->add_option("--by", args->options.by, "Periods of a day or a month (settlement; default month)")
      ->type_name("day|month");
  report->add_option("--type", args->options.type, "Only accounts of this type (account-balance)")
      ->type_name("TYPE");
  report->add_option("--agent", args->options.agent, "Only this agent's tree (account-balance, agent-income)")
      ->type_name("ID");
  set_action(*report, cli, args, &run_report);
}

}  // namespace paystream
