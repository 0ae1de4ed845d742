// publish and dev-broker: the command lines of Kafka mode's first tools; the work is
// run_publish's (tools/commands/publish.h) and run_dev_broker's (tools/commands/dev_broker.h).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "tools/bench/kafka_bench.h"
#include "tools/cli/commands.h"
#include "tools/cli/kafka_config_option.h"
#include "tools/cli/output.h"
#include "tools/cli/server.h"
#include "tools/commands/dev_broker.h"
#include "tools/commands/exit_codes.h"
#include "tools/commands/project_kafka.h"
#include "tools/commands/publish.h"

namespace paystream {
namespace {

struct PublishArgs {
  PublishOptions publish;
  std::string file = "-";
};

int run_publish_command(const GlobalOptions& options, const PublishArgs& args) {
  if (Status local =
          refuse_server(options, "publish", "it publishes to Kafka (--kafka), not to a paystream server");
      !local) {
    return report_error(local.error(), std::cerr);
  }
  if (Status valid = operator_argument(options.operator_name); !valid)
    return report_error(valid.error(), std::cerr);
  PublishOptions publish = args.publish;
  publish.default_operator = options.operator_name;
  if (publish.topics.partitions < 1 || publish.topics.partitions > topic_partitions_max) {
    return report_usage_error(fmt::format("--partitions: must be 1-{}", topic_partitions_max), std::cerr);
  }
  if (publish.producer.delivery_timeout_ms < 1) {
    return report_usage_error("--delivery-timeout-ms: must be greater than 0", std::cerr);
  }
  std::ifstream file;
  Result<std::istream*> input = open_input_file(args.file, file);
  if (!input) return report_error(input.error(), std::cerr);
  std::istream& in = **input;
  return run_publish(publish, in, std::cout, std::cerr);
}

struct DevBrokerArgs {
  DevBrokerOptions broker;
};

int run_dev_broker_command(const GlobalOptions& options, const DevBrokerArgs& args) {
  if (Status local = refuse_server(options, "dev-broker", "it starts a local Kafka mock cluster"); !local) {
    return report_error(local.error(), std::cerr);
  }
  return run_dev_broker(args.broker, std::cout, std::cerr);
}

int run_project_command(const GlobalOptions& options, const ProjectKafkaOptions& args) {
  if (Status local = refuse_server(options, "project", "it reads Kafka (--kafka) into the local --data");
      !local) {
    return report_error(local.error(), std::cerr);
  }
  ProjectKafkaOptions project = args;
  project.projector.directory =
      (std::filesystem::path(options.data_dir_or_default()) / kafka_projections_dir_name).string();
  return run_project_kafka(project, std::cout, std::cerr);
}

int run_kafka_bench_command(const GlobalOptions& /*options*/, const KafkaBenchOptions& args) {
  return run_kafka_bench(args, std::cout, std::cerr);
}

void add_topic_prefix_option(CLI::App& command, std::string& prefix) {
  command
      .add_option("--topic-prefix", prefix,
                  "Topics are P.commands, P.events, P.results, P.control (default "
                  "paystream)")
      ->type_name("P");
}

void add_partitions_option(CLI::App& command, int32_t& partitions) {
  command
      .add_option("--partitions", partitions,
                  "Partitions of commands, events and results when they are created (default 6)")
      ->type_name("N");
}

}  // namespace

void add_kafka_commands(CLI::App& app, Cli& cli) {
  auto publish_args = std::make_shared<PublishArgs>();
  CLI::App* publish = add_leaf_command(
      app, "publish",
      "Publish commands given as JSON lines to Kafka (P.commands, P.control); one JSON line each", cli);
  publish
      ->add_option("--kafka", publish_args->publish.connection.bootstrap,
                   "Kafka bootstrap address host:port,...")
      ->type_name("BOOTSTRAP")
      ->required();
  add_topic_prefix_option(*publish, publish_args->publish.connection.topic_prefix);
  add_kafka_config_option(*publish, publish_args->publish.connection.properties);
  publish->add_flag("--json", publish_args->publish.as_json,
                    "Publish each command as its JSON (header content-type: application/json) instead of "
                    "Cap'n Proto, as an upstream system without Cap'n Proto would (docs/kafka.md \"JSON "
                    "commands\")");
  publish->add_option("--file", publish_args->file, "Read the lines from FILE (default -: standard input)")
      ->type_name("FILE");
  add_partitions_option(*publish, publish_args->publish.topics.partitions);
  publish
      ->add_option("--delivery-timeout-ms", publish_args->publish.producer.delivery_timeout_ms,
                   "Give up on a command not acknowledged within N ms, retries included (default 60000)")
      ->type_name("N");
  set_action(*publish, cli, publish_args, &run_publish_command);

  auto broker_args = std::make_shared<DevBrokerArgs>();
  CLI::App* broker =
      add_leaf_command(app, "dev-broker",
                       "Run librdkafka's mock Kafka cluster on loopback, in memory only, until Ctrl-C", cli);
  broker->add_option("--brokers", broker_args->broker.broker_count, "Number of brokers (default 3)")
      ->type_name("N")
      ->check(CLI::Range(1, 32));
  add_topic_prefix_option(*broker, broker_args->broker.topic_prefix);
  add_partitions_option(*broker, broker_args->broker.topics.partitions);
  set_action(*broker, cli, broker_args, &run_dev_broker_command);

  auto project_args = std::make_shared<ProjectKafkaOptions>();
  CLI::App* project = add_leaf_command(app, "project",
                                       "Build the projections (records, balances) from the events on Kafka "
                                       "into DIR/kafka-projections under --data; "
                                       "queries on --data DIR then read them",
                                       cli);
  project
      ->add_option("--kafka", project_args->projector.connection.bootstrap,
                   "Kafka bootstrap address host:port,...")
      ->type_name("BOOTSTRAP")
      ->required();
  add_topic_prefix_option(*project, project_args->projector.connection.topic_prefix);
  add_kafka_config_option(*project, project_args->projector.connection.properties);
  project_args->projector.offsets_group = std::string(default_projections_group);
  project
      ->add_option("--projections-group", project_args->projector.offsets_group,
                   "The consumer group told where the projections stand, so that Kafka's tools show "
                   "their lag (default paystream-projections)")
      ->type_name("G");
  project->add_flag(
      "--until-caught-up", project_args->until_caught_up,
      "Stop once every events partition is read to the end it has at start (default: follow until "
      "Ctrl-C)");
  set_action(*project, cli, project_args, &run_project_command);

  auto bench_args = std::make_shared<KafkaBenchOptions>();
  CLI::App* bench = add_leaf_command(
      app, "bench-kafka",
      "Benchmark Kafka mode end to end on an in-process mock cluster (or --kafka): publish, then engine "
      "instances decide the backlog, then the projector catches up",
      cli);
  bench->add_option("--brokers", bench_args->brokers, "Mock brokers (default 1)")
      ->type_name("N")
      ->check(CLI::Range(1, 32));
  bench->add_option("--partitions", bench_args->partitions, "Partitions (default 6)")
      ->type_name("N")
      ->check(CLI::Range(1, 256));
  bench->add_option("--accounts", bench_args->accounts, "Accounts (default 1000)")->type_name("N");
  bench->add_option("--commands", bench_args->commands, "Payments (default 50000)")->type_name("M");
  bench->add_flag("--charges", bench_args->charges, "Publish call charges (CDRs) instead of payments");
  bench
      ->add_option("--batch-commands", bench_args->batch_commands_max,
                   "Most commands of one partition in one batch (default 1000)")
      ->type_name("N")
      ->check(CLI::Range(size_t{1}, size_t{100'000}));
  bench
      ->add_option("--instances", bench_args->instances,
                   "Engine instances sharing the partitions, each in its own thread (default 1)")
      ->type_name("N")
      ->check(CLI::Range(1, 64));
  bench
      ->add_option(
          "--kafka", bench_args->bootstrap,
          "A real Kafka cluster (host:port,...) instead of the mock: topics of the run's own are made "
          "on it and left there")
      ->type_name("BOOTSTRAP");
  add_kafka_config_option(*bench, bench_args->properties);
  set_action(*bench, cli, bench_args, &run_kafka_bench_command);
}

}  // namespace paystream
