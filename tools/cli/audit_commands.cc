// audit explain | export | verify: the auditor's tools (docs/cli.md "Audit").
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "tools/cli/commands.h"
#include "tools/cli/kafka_config_option.h"
#include "tools/cli/output.h"
#include "tools/cli/remote_query.h"
#include "tools/cli/server.h"
#include "tools/commands/data_dir.h"
#include "tools/commands/exit_codes.h"
#include "tools/commands/replay.h"
#include "tools/commands/replay_kafka.h"
#include "tools/runtime/arguments.h"
#include "tools/runtime/audit.h"
#include "tools/runtime/retention.h"

namespace paystream {
namespace {

struct ExplainArgs {
  std::string account;
  std::optional<std::string> as_of;
};

int run_explain(const GlobalOptions& options, const ExplainArgs& args) {
  if (Result<OutputFormat> format = check_output_options(options, XlsxUse::allowed); !format) {
    return report_error(format.error(), std::cerr);
  }
  if (Status valid = account_id_argument("ACCOUNT", args.account); !valid)
    return report_error(valid.error(), std::cerr);
  std::optional<Timestamp> as_of;
  if (args.as_of) {
    Result<Timestamp> moment = as_of_argument("--as-of", *args.as_of);
    if (!moment) return report_error(moment.error(), std::cerr);
    as_of = *moment;
  }
  Result<std::optional<ServerLogin>> login = server_login(options);
  if (!login) return report_error(login.error(), std::cerr);
  if (*login) {
    UrlParams params;
    if (args.as_of) params.emplace_back("as_of", *args.as_of);
    return print_remote_query(options, **login, "/v1/audit/accounts/" + args.account, params);
  }
  Result<std::unique_ptr<QuerySource>> source = QuerySource::open(options);
  if (!source) return report_error(source.error(), std::cerr);
  Result<std::unique_ptr<Printer>> printer = Printer::open(options, explain_columns(), XlsxUse::allowed);
  if (!printer) return report_error(printer.error(), std::cerr);
  Status explained = explain_account((*source)->projections(), args.account, as_of, now_utc(),
                                     [&](const std::vector<std::string>& cells) { (*printer)->row(cells); });
  if (!explained) return report_error(explained.error(), std::cerr);
  if (Status finished = (*printer)->finish(); !finished) return report_error(finished.error(), std::cerr);
  return static_cast<int>(ExitCode::ok);
}

struct ExportArgs {
  std::optional<std::string> from, to;
};

int run_export(const GlobalOptions& options, const ExportArgs& args) {
  if (Status local =
          refuse_server(options, "audit export", "it reads the log of a data directory; run it there");
      !local) {
    return report_error(local.error(), std::cerr);
  }
  // JSON lines are the export's one format; "table" is --format's default.
  if (options.format != "table" && options.format != "json") {
    return report_error(
        make_error(
            Errc::invalid_argument,
            fmt::format("audit export writes JSON lines only: --format {} does not apply", options.format)),
        std::cerr);
  }
  std::optional<Timestamp> from, to;
  if (Status range = time_range_arguments("--from", args.from, "--to", args.to, from, to); !range) {
    return report_error(range.error(), std::cerr);
  }
  Result<std::unique_ptr<QuerySource>> source = QuerySource::open(options);
  if (!source) return report_error(source.error(), std::cerr);
  std::ofstream file;
  if (!options.output.empty()) {
    file.open(options.output, std::ios::binary | std::ios::trunc);
    if (!file) {
      return report_error(make_error(Errc::io_error, fmt::format("cannot write '{}'", options.output)),
                          std::cerr);
    }
  }
  std::ostream& out = options.output.empty() ? std::cout : file;
  uint64_t events = 0;
  Status exported = (*source)->projections().for_each_log_event(
      from, to, [&](const Event& event, std::string_view encoded) {
        out << audit_event_line(event, encoded) << '\n';
        ++events;
      });
  if (!exported) return report_error(exported.error(), std::cerr);
  out.flush();
  if (!out) return report_error(make_error(Errc::io_error, "writing the export failed"), std::cerr);
  if (!options.output.empty()) std::cerr << fmt::format("exported {} events to {}\n", events, options.output);
  return static_cast<int>(ExitCode::ok);
}

struct OperationsArgs {
  std::optional<std::string> operator_name, account, from, to;
};

int run_operations(const GlobalOptions& options, const OperationsArgs& args) {
  if (Result<OutputFormat> format = check_output_options(options, XlsxUse::allowed); !format) {
    return report_error(format.error(), std::cerr);
  }
  OperationsQuery query;
  query.operator_name = args.operator_name;
  if (args.account) {
    if (Status valid = account_id_argument("--account", *args.account); !valid)
      return report_error(valid.error(), std::cerr);
    query.account_id = *args.account;
  }
  if (Status range = time_range_arguments("--from", args.from, "--to", args.to, query.from, query.to);
      !range) {
    return report_error(range.error(), std::cerr);
  }
  Result<std::optional<ServerLogin>> login = server_login(options);
  if (!login) return report_error(login.error(), std::cerr);
  if (*login) {
    UrlParams params;
    for (auto [name, value] : {std::pair{"operator", &args.operator_name},
                               {"account", &args.account},
                               {"from", &args.from},
                               {"to", &args.to}}) {
      if (*value) params.emplace_back(name, **value);
    }
    return print_remote_query(options, **login, "/v1/audit/operations", params);
  }
  Result<std::unique_ptr<QuerySource>> source = QuerySource::open(options);
  if (!source) return report_error(source.error(), std::cerr);
  Result<std::unique_ptr<Printer>> printer = Printer::open(options, operations_columns(), XlsxUse::allowed);
  if (!printer) return report_error(printer.error(), std::cerr);
  Status listed = list_operations((*source)->projections(), query,
                                  [&](const std::vector<std::string>& cells) { (*printer)->row(cells); });
  if (!listed) return report_error(listed.error(), std::cerr);
  if (Status finished = (*printer)->finish(); !finished) return report_error(finished.error(), std::cerr);
  return static_cast<int>(ExitCode::ok);
}

struct VerifyArgs {
  KafkaConnection kafka;
  std::optional<std::string> export_dir;
};

// --export-dir: after the rebuild, each cleanup reconciled with its export file.
int verify_exports(const GlobalOptions& options, const std::string& export_dir) {
  Result<std::unique_ptr<QuerySource>> source = QuerySource::open(options);
  if (!source) return report_error(source.error(), std::cerr);
  if (Status reconciled = verify_cleanup_exports((*source)->projections(), export_dir, std::cout);
      !reconciled) {
    return report_error(reconciled.error(), std::cerr);
  }
  return static_cast<int>(ExitCode::ok);
}

int run_verify(const GlobalOptions& options, const VerifyArgs& args) {
  if (Status local =
          refuse_server(options, "audit verify",
                        "it rebuilds every projection from the log of a data directory; run it there");
      !local) {
    return report_error(local.error(), std::cerr);
  }
  const std::string dir = options.data_dir_or_default();
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error)) {
    return report_error(make_error(Errc::io_error, fmt::format("no data directory at '{}'", dir)), std::cerr);
  }
  if (args.export_dir && !std::filesystem::is_directory(*args.export_dir, error)) {
    return report_error(
        make_error(Errc::invalid_argument, fmt::format("--export-dir {}: not a folder", *args.export_dir)),
        std::cerr);
  }
  const int verified = args.kafka.bootstrap.empty()
                           ? run_replay_verify(dir, std::cout, std::cerr)
                           : run_replay_verify_kafka(args.kafka, dir, std::cout, std::cerr);
  if (verified != static_cast<int>(ExitCode::ok) || !args.export_dir) return verified;
  return verify_exports(options, *args.export_dir);
}

}  // namespace

void add_audit_commands(CLI::App& app, Cli& cli) {
  CLI::App* group =
      app.add_subcommand("audit", "The auditor's tools: explain a balance, export or verify the log");
  group->require_subcommand(1);

  auto explain_args = std::make_shared<ExplainArgs>();
  CLI::App* explain =
      add_leaf_command(*group, "explain", "An account's balance and every event that made it, checked", cli);
  explain->add_option("ACCOUNT", explain_args->account, "Account ID")->required();
  explain
      ->add_option("--as-of", explain_args->as_of,
                   "The balance at this moment; a date alone is the end of that day")
      ->type_name("TIME");
  set_action(*explain, cli, explain_args, &run_explain);

  auto export_args = std::make_shared<ExportArgs>();
  CLI::App* exported = add_leaf_command(
      *group, "export",
      "The events as JSON lines with their hashes, for a tool other than paystream to check", cli);
  exported->add_option("--from", export_args->from, "Events recorded at or after this time")
      ->type_name("TIME");
  exported->add_option("--to", export_args->to, "Events recorded before this time (a date alone: its end)")
      ->type_name("TIME");
  set_action(*exported, cli, export_args, &run_export);

  auto operations_args = std::make_shared<OperationsArgs>();
  CLI::App* operations = add_leaf_command(
      *group, "operations",
      "Every operation that is not a payment or a charge, with who, when, and what it changed", cli,
      WithOperator::no);
  operations->add_option("--operator", operations_args->operator_name, "Only this operator's")
      ->type_name("NAME");
  operations->add_option("--account", operations_args->account, "Only those on this account")
      ->type_name("ID");
  operations->add_option("--from", operations_args->from, "At or after this time")->type_name("TIME");
  operations->add_option("--to", operations_args->to, "Before this time (a date alone: its end)")
      ->type_name("TIME");
  set_action(*operations, cli, operations_args, &run_operations);

  auto verify_args = std::make_shared<VerifyArgs>();
  CLI::App* verify = add_leaf_command(
      *group, "verify",
      "Check the hash chain and compare the projections with their rebuild (replay --verify)", cli);
  CLI::Option* verify_kafka =
      verify
          ->add_option("--kafka", verify_args->kafka.bootstrap,
                       "Kafka mode: read the history from the events topic and verify DIR/kafka-projections")
          ->type_name("BOOTSTRAP");
  verify->add_option("--topic-prefix", verify_args->kafka.topic_prefix, "Kafka mode: the topics' prefix")
      ->type_name("P");
  verify
      ->add_option("--export-dir", verify_args->export_dir,
                   "Also reconcile each records cleanup with its export file in DIR (count and SHA-256)")
      ->type_name("DIR");
  add_kafka_config_option(*verify, verify_args->kafka.properties)->needs(verify_kafka);
  set_action(*verify, cli, verify_args, &run_verify);
}

}  // namespace paystream
