// replay --verify and bench: thin shells over the runtime's entry points (tools/commands/replay.h,
// tools/bench/bench.h), which print their own reports.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <vector>

#include "tools/bench/bench.h"
#include "tools/bench/card_bench.h"
#include "tools/bench/charge_bench.h"
#include "tools/bench/report_bench.h"
#include "tools/cli/commands.h"
#include "tools/cli/kafka_config_option.h"
#include "tools/cli/server.h"
#include "tools/commands/data_dir.h"
#include "tools/commands/exit_codes.h"
#include "tools/commands/replay.h"
#include "tools/commands/replay_kafka.h"
#include "tools/runtime/card_batch.h"

namespace paystream {
namespace {

struct ReplayArgs {
  bool verify = false;
  KafkaConnection kafka;  // Kafka mode: the history is the events topic
};

int run_replay(const GlobalOptions& options, const ReplayArgs& args) {
  if (Status local = refuse_server(options, "replay",
                                   "it reads the whole log of a data directory; run it where the "
                                   "server's data directory is (with the server stopped)");
      !local) {
    return report_error(local.error(), std::cerr);
  }
  if (!args.verify) return report_usage_error("replay: give --verify (the only mode so far)", std::cerr);
  const std::string dir = options.data_dir_or_default();
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error)) {
    return report_error(make_error(Errc::io_error, fmt::format("no data directory at '{}'", dir)), std::cerr);
  }
  if (!args.kafka.bootstrap.empty()) return run_replay_verify_kafka(args.kafka, dir, std::cout, std::cerr);
  return run_replay_verify(dir, std::cout, std::cerr);
}

// A fresh directory under $TMPDIR (or /tmp) for a bench run without --data.
Result<std::string> make_temporary_directory() {
  std::error_code error;
  std::filesystem::path base = std::filesystem::temp_directory_path(error);
  if (error) base = "/tmp";
  std::string pattern = (base / "paystream-bench-XXXXXX").string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) {
    return make_error(Errc::io_error, fmt::format("cannot create a temporary directory like '{}'", pattern));
  }
  return std::string(buffer.data());
}

// --data when given, else a fresh temporary directory.
Result<std::string> bench_data_dir(const GlobalOptions& options) {
  if (options.data_dir) return *options.data_dir;
  return make_temporary_directory();
}

struct BenchArgs {
  BenchOptions bench;
};

int run_bench_command(const GlobalOptions& options, const BenchArgs& args) {
  if (Status local = refuse_server(options, "bench", "it measures the embedded ledger on a data directory");
      !local) {
    return report_error(local.error(), std::cerr);
  }
  BenchOptions bench = args.bench;
  if (bench.accounts == 0 || bench.commands == 0 || bench.threads == 0 || bench.batch == 0) {
    return report_usage_error("bench: --accounts, --commands, --threads and --batch must be greater than 0",
                              std::cerr);
  }
  Result<std::string> dir = bench_data_dir(options);
  if (!dir) return report_error(dir.error(), std::cerr);
  bench.data_dir = *dir;
  const int code = run_bench(bench, std::cout, std::cerr);
  if (bench.keep) std::cerr << "bench data directory kept at " << bench.data_dir << '\n';
  return code;
}

struct ChargeBenchArgs {
  ChargeBenchOptions bench;
};

int run_charge_bench_command(const GlobalOptions& options, const ChargeBenchArgs& args) {
  if (Status local =
          refuse_server(options, "bench-charges", "it measures the embedded ledger on a data directory");
      !local) {
    return report_error(local.error(), std::cerr);
  }
  ChargeBenchOptions bench = args.bench;
  if (bench.accounts == 0 || bench.commands == 0 || bench.threads == 0 || bench.batch == 0 ||
      bench.singles == 0 || bench.authorizations == 0) {
    return report_usage_error("bench-charges: every count must be greater than 0", std::cerr);
  }
  Result<std::string> dir = bench_data_dir(options);
  if (!dir) return report_error(dir.error(), std::cerr);
  bench.data_dir = *dir;
  const int code = run_charge_bench(bench, std::cout, std::cerr);
  if (bench.keep) std::cerr << "bench data directory kept at " << bench.data_dir << '\n';
  return code;
}

void add_charge_bench(CLI::App& app, Cli& cli) {
  auto args = std::make_shared<ChargeBenchArgs>();
  ChargeBenchOptions& options = args->bench;
  CLI::App* bench = add_leaf_command(
      app, "bench-charges",
      "Charges against payments, and call authorization latency (a fresh data directory)", cli);
  bench->add_option("--accounts", options.accounts, "Accounts (default 100000)")->type_name("N");
  bench
      ->add_option("--commands", options.commands, "Payments, then as many charges, batched (default 200000)")
      ->type_name("M");
  bench->add_option("--singles", options.singles, "Payments, then charges, one per submit (default 20000)")
      ->type_name("S");
  bench->add_option("--threads", options.threads, "Submitting threads (default 8)")->type_name("T");
  bench->add_option("--batch", options.batch, "Commands per submit from each thread (default 256)")
      ->type_name("B");
  bench->add_option("--authorizations", options.authorizations, "Authorizations to time (default 200000)")
      ->type_name("A");
  bench->add_flag("--keep", options.keep, "Keep the data directory afterwards");
  set_action(*bench, cli, args, &run_charge_bench_command);
}

struct CardBenchArgs {
  CardBenchOptions bench;
};

int run_card_bench_command(const GlobalOptions& options, const CardBenchArgs& args) {
  if (Status local =
          refuse_server(options, "bench-cards", "it measures the embedded ledger on a data directory");
      !local) {
    return report_error(local.error(), std::cerr);
  }
  CardBenchOptions bench = args.bench;
  if (bench.cards == 0 || bench.threads == 0 || bench.cards > card_batch_cards_max) {
    return report_usage_error(
        fmt::format("bench-cards: --cards is 1-{} and --threads at least 1", card_batch_cards_max),
        std::cerr);
  }
  Result<std::string> dir = bench_data_dir(options);
  if (!dir) return report_error(dir.error(), std::cerr);
  bench.data_dir = *dir;
  const int code = run_card_bench(bench, std::cout, std::cerr);
  if (bench.keep) std::cerr << "bench data directory kept at " << bench.data_dir << '\n';
  return code;
}

void add_card_bench(CLI::App& app, Cli& cli) {
  auto args = std::make_shared<CardBenchArgs>();
  CardBenchOptions& options = args->bench;
  CLI::App* bench = add_leaf_command(
      app, "bench-cards",
      "A phone card batch's issue time and memory, and redemptions (a fresh data directory)", cli);
  bench->add_option("--cards", options.cards, "Cards in the batch (default 100000)")->type_name("N");
  bench->add_option("--redemptions", options.redemptions, "Cards redeemed afterwards (default 20000)")
      ->type_name("R");
  bench->add_option("--threads", options.threads, "Redeeming threads (default 8)")->type_name("T");
  bench->add_flag("--keep", options.keep, "Keep the data directory afterwards");
  set_action(*bench, cli, args, &run_card_bench_command);
}

struct ReportBenchArgs {
  ReportBenchOptions bench;
};

int run_report_bench_command(const GlobalOptions& options, const ReportBenchArgs& args) {
  if (Status local =
          refuse_server(options, "bench-reports", "it measures the embedded ledger on a data directory");
      !local) {
    return report_error(local.error(), std::cerr);
  }
  ReportBenchOptions bench = args.bench;
  if (bench.accounts <= bench.agents + 100 || bench.records == 0 || bench.days == 0 || bench.threads == 0 ||
      bench.batch == 0 || bench.repeats == 0) {
    return report_usage_error(
        "bench-reports: --accounts must exceed --agents + 100, and every other count must be greater than 0",
        std::cerr);
  }
  Result<std::string> dir = bench_data_dir(options);
  if (!dir) return report_error(dir.error(), std::cerr);
  bench.data_dir = *dir;
  const int code = run_report_bench(bench, std::cout, std::cerr);
  if (bench.keep) std::cerr << "bench data directory kept at " << bench.data_dir << '\n';
  return code;
}

void add_report_bench(CLI::App& app, Cli& cli) {
  auto args = std::make_shared<ReportBenchArgs>();
  ReportBenchOptions& options = args->bench;
  CLI::App* bench = add_leaf_command(
      app, "bench-reports",
      "Report times and memory over payments spread across a month (a fresh data directory)", cli);
  bench->add_option("--accounts", options.accounts, "Accounts (default 100000)")->type_name("N");
  bench->add_option("--agents", options.agents, "Agent accounts among them (default 1000)")->type_name("A");
  bench->add_option("--records", options.records, "Payments (default 10000000)")->type_name("M");
  bench->add_option("--days", options.days, "Days they spread over, ending yesterday (default 30)")
      ->type_name("D");
  bench->add_option("--threads", options.threads, "Submitting threads (default 8)")->type_name("T");
  bench->add_option("--batch", options.batch, "Commands per submit from each thread (default 256)")
      ->type_name("B");
  bench->add_option("--repeats", options.repeats, "Runs of each report (default 3)")->type_name("R");
  bench->add_flag("--keep", options.keep, "Keep the data directory afterwards");
  set_action(*bench, cli, args, &run_report_bench_command);
}

}  // namespace

void add_admin_commands(CLI::App& app, Cli& cli) {
  auto replay_args = std::make_shared<ReplayArgs>();
  CLI::App* replay = add_leaf_command(app, "replay", "Rebuild the projections from the log and compare", cli);
  replay->add_flag("--verify", replay_args->verify,
                   "Check the hash chain and compare rebuilt with live projections");
  CLI::Option* replay_kafka =
      replay
          ->add_option("--kafka", replay_args->kafka.bootstrap,
                       "Kafka mode: read the history from the events topic and verify DIR/kafka-projections")
          ->type_name("BOOTSTRAP");
  replay
      ->add_option("--topic-prefix", replay_args->kafka.topic_prefix,
                   "Kafka mode: the topics' prefix (default "
                   "paystream)")
      ->type_name("P");
  add_kafka_config_option(*replay, replay_args->kafka.properties)->needs(replay_kafka);
  set_action(*replay, cli, replay_args, &run_replay);

  auto bench_args = std::make_shared<BenchArgs>();
  BenchOptions& bench_options = bench_args->bench;
  CLI::App* bench =
      add_leaf_command(app, "bench", "Benchmark on a fresh data directory (default: a temporary one)", cli);
  bench->add_option("--accounts", bench_options.accounts, "Accounts (default 10000)")->type_name("N");
  bench->add_option("--commands", bench_options.commands, "Commands (default 200000)")->type_name("M");
  bench->add_option("--threads", bench_options.threads, "Submitting threads (default 8)")->type_name("T");
  bench->add_option("--batch", bench_options.batch, "Commands per submit from each thread (default 64)")
      ->type_name("B");
  bench
      ->add_option("--query-records", bench_options.query_table_records,
                   "Records the table holds before the record queries (default: what the mix made)")
      ->type_name("R");
  bench->add_option("--queries", bench_options.queries, "Record queries to time (default 2000)")
      ->type_name("Q");
  bench->add_flag("--keep", bench_options.keep, "Keep the data directory afterwards");
  set_action(*bench, cli, bench_args, &run_bench_command);
  add_charge_bench(app, cli);
  add_card_bench(app, cli);
  add_report_bench(app, cli);
}

}  // namespace paystream
