#include "tools/bench/kafka_bench.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include "engine/kafka/engine_loop.h"
#include "engine/kafka_client/admin.h"
#include "engine/kafka_client/mock_cluster.h"
#include "tools/commands/exit_codes.h"
#include "tools/commands/publish.h"
#include "tools/kafka/projector.h"

namespace paystream {
namespace {

using BenchClock = std::chrono::steady_clock;

double seconds_since(BenchClock::time_point start) {
  return std::chrono::duration<double>(BenchClock::now() - start).count();
}

Status publish_all(const KafkaBenchOptions& options, const KafkaConnection& connection,
                   int64_t& paid_micros) {
  PublishOptions publish;
  publish.connection = connection;
  std::ostringstream outcomes;  // one line per command: not printed
  Result<std::unique_ptr<CommandPublisher>> publisher = CommandPublisher::open(publish, outcomes);
  if (!publisher) return publisher.error();
  uint64_t line = 0;
  for (uint64_t a = 0; a < options.accounts; ++a) {
    (*publisher)
        ->publish_line(
            ++line,
            fmt::format(R"({{"type":"open_account","account":"B-{}","name":"bench","command_id":"open-{}"}})",
                        a, a));
  }
  // Calls of a minute ago, so that none starts after the engine's clock.
  const std::string call_start =
      format_timestamp(Timestamp{std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count() -
                                 60'000'000});
  for (uint64_t i = 0; i < options.commands; ++i) {
    const uint64_t amount = i % 100 + 1;
    const uint64_t account = i % options.accounts;
    if (options.charges) {
      paid_micros -= static_cast<int64_t>(amount) * 1'000'000;
      (*publisher)
          ->publish_line(
              ++line,
              fmt::format(
                  R"({{"type":"charge","cdr_id":"c-{}","account":"B-{}","amount":"{}","start_time":"{}","duration_seconds":{},"caller":"4420","callee":"3130"}})",
                  i, account, amount, call_start, amount * 6));
    } else {
      paid_micros += static_cast<int64_t>(amount) * 1'000'000;
      (*publisher)
          ->publish_line(
              ++line, fmt::format(R"({{"type":"pay","account":"B-{}","amount":"{}","command_id":"pay-{}"}})",
                                  account, amount, i));
    }
    if (i % 10'000 == 0) {
      (*publisher)->poll(0);
      outcomes.str("");
    }
  }
  const PublishTotals totals = (*publisher)->finish();
  if (totals.delivered != line) {
    return make_error(Errc::kafka_error, fmt::format("only {} of {} commands were published: {}",
                                                     totals.delivered, line, totals.first_failure));
  }
  return ok_status();
}

// Each instance steps in its own thread (as separate processes would) until all commands are decided.
Status run_instances(std::vector<std::unique_ptr<KafkaEngineLoop>>& loops, uint64_t expected) {
  std::vector<std::atomic<uint64_t>> decided(loops.size());
  std::atomic<bool> failed = false;
  std::vector<Status> outcomes(loops.size(), ok_status());
  const auto total = [&] {
    uint64_t sum = 0;
    for (const std::atomic<uint64_t>& count : decided) sum += count.load();
    return sum;
  };
  std::vector<std::thread> threads;
  for (size_t i = 0; i < loops.size(); ++i) {
    threads.emplace_back([&, i] {
      const size_t owned = loops[i]->owned().size();
      while (!failed && total() < expected) {
        Status stepped = loops[i]->step(100);
        if (stepped && loops[i]->owned().size() != owned) {
          stepped = make_error(Errc::kafka_error, "a partition was dropped");
        }
        if (!stepped) {
          outcomes[i] = stepped;
          failed = true;
        }
        decided[i] = loops[i]->totals().commands;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const Status& outcome : outcomes) {
    if (!outcome) return outcome;
  }
  return ok_status();
}

// The projector over the whole events topic into a scratch directory: the catch-up time.
Result<double> project_all(const KafkaConnection& connection) {
  std::random_device random;
  const std::filesystem::path directory =
      std::filesystem::temp_directory_path() / fmt::format("paystream-bench-kafka-{:x}", random());
  double seconds = 0;
  {
    ProjectorOptions projector_options;
    projector_options.connection = connection;
    projector_options.directory = directory.string();
    Result<std::unique_ptr<KafkaProjector>> projector = KafkaProjector::open(projector_options);
    if (!projector) return projector.error();
    const BenchClock::time_point start = BenchClock::now();
    if (Status caught_up = (*projector)->catch_up(600'000); !caught_up) return caught_up.error();
    seconds = seconds_since(start);
  }
  std::error_code ignored;
  std::filesystem::remove_all(directory, ignored);
  return seconds;
}

}  // namespace

int run_kafka_bench(const KafkaBenchOptions& options, std::ostream& out, std::ostream& err) {
  if (options.accounts == 0 || options.commands == 0) {
    return report_error(make_error(Errc::invalid_argument, "--accounts and --commands must be at least 1"),
                        err);
  }
  if (options.instances > options.partitions) {
    return report_error(make_error(Errc::invalid_argument, "--instances: at most one per partition"), err);
  }
  std::unique_ptr<MockCluster> cluster;
  KafkaConnection connection;
  if (options.bootstrap.empty()) {
    Result<std::unique_ptr<MockCluster>> started = MockCluster::start(options.brokers);
    if (!started) return report_error(started.error(), err);
    cluster = std::move(*started);
    connection.bootstrap = cluster->bootstrap();
  } else {
    connection.bootstrap = options.bootstrap;
    connection.properties = options.properties;
    connection.topic_prefix = fmt::format("bench-{:08x}", std::random_device{}());
  }
  Result<TopicNames> names = topic_names(connection.topic_prefix);
  Result<KafkaConfig> config = client_config(connection.endpoint());
  if (!config) return report_error(config.error(), err);
  Result<std::unique_ptr<KafkaClient>> client =
      KafkaClient::create(KafkaClientType::producer, std::move(*config));
  if (!client) return report_error(client.error(), err);
  std::unique_ptr<TopicCreator> creator;
  if (cluster) {
    creator = std::make_unique<MockTopicCreator>(*cluster);
  } else {
    creator = std::make_unique<AdminTopicCreator>(**client, 30'000);
  }
  TopicDefaults defaults;
  defaults.partitions = options.partitions;
  if (Result<TopicLayout> layout = ensure_topics(**client, *names, defaults, *creator, 30'000); !layout) {
    return report_error(layout.error(), err);
  }
  int brokers = options.brokers;
  if (!cluster) {
    Result<ClusterMetadata> metadata = read_cluster_metadata(**client, 30'000);
    if (!metadata) return report_error(metadata.error(), err);
    brokers = metadata->broker_count;
  }

  const BenchClock::time_point publish_start = BenchClock::now();
  int64_t paid_micros = 0;
  if (Status published = publish_all(options, connection, paid_micros); !published) {
    return report_error(published.error(), err);
  }
  const double publish_seconds = seconds_since(publish_start);

  EngineLoopOptions loop_options;
  loop_options.connection = connection;
  loop_options.batch_commands_max = options.batch_commands_max;
  loop_options.notice = [&err](const std::string& line) {
    err << "paystream: bench-kafka: " << line << '\n';
  };
  std::vector<std::unique_ptr<KafkaEngineLoop>> loops;
  for (int instance = 0; instance < options.instances; ++instance) {
    Result<std::unique_ptr<KafkaEngineLoop>> loop = KafkaEngineLoop::open(loop_options);
    if (!loop) return report_error(loop.error(), err);
    loops.push_back(std::move(*loop));
  }
  const BenchClock::time_point takeover_start = BenchClock::now();
  // Instance i owns the partitions p with p % instances == i, as a consumer group would share them.
  for (int32_t partition = 0; partition < options.partitions; ++partition) {
    Result<bool> taken = loops[static_cast<size_t>(partition % options.instances)]->take(partition);
    if (!taken) return report_error(taken.error(), err);
    if (!*taken)
      return report_error(make_error(Errc::kafka_error, "a partition was taken by another instance"), err);
  }
  const double takeover_seconds = seconds_since(takeover_start);

  const uint64_t expected = options.accounts + options.commands;
  const BenchClock::time_point engine_start = BenchClock::now();
  if (Status ran = run_instances(loops, expected); !ran) return report_error(ran.error(), err);
  const double engine_seconds = seconds_since(engine_start);

  Result<double> projection_seconds = project_all(connection);
  if (!projection_seconds) return report_error(projection_seconds.error(), err);
  uint64_t events = 0;
  int64_t balance_micros = 0;
  EngineLoopTotals totals;
  for (const std::unique_ptr<KafkaEngineLoop>& loop : loops) {
    for (const int32_t partition : loop->owned()) {
      const PartitionEngine& engine = *loop->engine(partition);
      for (const auto& [id, account] : engine.state().accounts) balance_micros += account.balance.micros();
      events += engine.state().last_position.value - partition_base(partition);
    }
    totals.batches += loop->totals().batches;
    totals.aborted += loop->totals().aborted;
    totals.reading += loop->totals().reading;
    totals.deciding += loop->totals().deciding;
    totals.writing += loop->totals().writing;
    totals.committing += loop->totals().committing;
  }
  const auto in_seconds = [](std::chrono::nanoseconds time) {
    return std::chrono::duration<double>(time).count();
  };
  out << fmt::format(
      "{{\"cluster\":\"{}\",\"brokers\":{},\"partitions\":{},\"instances\":{},\"accounts\":{},\"{}\":{},"
      "\"batch_commands_max\":{},\"publish_seconds\":{:.3f},\"takeover_seconds\":{:.3f},"
      "\"engine_seconds\":{:.3f},\"engine_commands_per_second\":{:.0f},"
      "\"end_to_end_commands_per_second\":{:.0f},\"batches\":{},\"aborted\":{},"
      "\"engine_reading_seconds\":{:.3f},\"engine_deciding_seconds\":{:.3f},\"engine_writing_seconds\":{:.3f}"
      ","
      "\"transaction_commit_seconds\":{:.3f},"
      "\"projection_events\":{},\"projection_seconds\":{:.3f},\"projection_events_per_second\":{:.0f},"
      "\"balances_add_up\":{}}}\n",
      cluster ? "mock" : "real", brokers, options.partitions, options.instances, options.accounts,
      options.charges ? "charges" : "payments", options.commands, options.batch_commands_max, publish_seconds,
      takeover_seconds, engine_seconds, static_cast<double>(expected) / engine_seconds,
      static_cast<double>(expected) / (publish_seconds + takeover_seconds + engine_seconds), totals.batches,
      totals.aborted, in_seconds(totals.reading), in_seconds(totals.deciding), in_seconds(totals.writing),
      in_seconds(totals.committing), events, *projection_seconds,
      static_cast<double>(events) / *projection_seconds, balance_micros == paid_micros ? "true" : "false");
  return balance_micros == paid_micros ? 0 : 1;
}

}  // namespace paystream
