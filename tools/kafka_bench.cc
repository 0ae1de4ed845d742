#include "tools/kafka_bench.h"

#include <chrono>
#include <sstream>

#include <fmt/format.h>

#include "engine/kafka_engine_loop.h"
#include "engine/kafka_mock_cluster.h"
#include "tools/cli_exit.h"
#include "tools/publish_command.h"

namespace paystream {
namespace {

using BenchClock = std::chrono::steady_clock;

double seconds_since(BenchClock::time_point start) {
  return std::chrono::duration<double>(BenchClock::now() - start).count();
}

Status publish_all(const KafkaBenchOptions& options, const std::string& bootstrap, int64_t& paid_micros) {
  PublishOptions publish;
  publish.connection.bootstrap = bootstrap;
  std::ostringstream outcomes;  // one line per command: not printed
  Result<std::unique_ptr<CommandPublisher>> publisher = CommandPublisher::open(publish, outcomes);
  if (!publisher) return publisher.error();
  uint64_t line = 0;
  for (uint64_t a = 0; a < options.accounts; ++a) {
    (*publisher)->publish_line(
        ++line,
        fmt::format(R"({{"type":"open_account","account":"B-{}","name":"bench","command_id":"open-{}"}})", a, a));
  }
  for (uint64_t i = 0; i < options.commands; ++i) {
    const uint64_t amount = i % 100 + 1;
    paid_micros += static_cast<int64_t>(amount) * 1'000'000;
    (*publisher)->publish_line(
        ++line, fmt::format(R"({{"type":"pay","account":"B-{}","amount":"{}","command_id":"pay-{}"}})",
                            i % options.accounts, amount, i));
    if (i % 10'000 == 0) {
      (*publisher)->poll(0);
      outcomes.str("");
    }
  }
  const PublishTotals totals = (*publisher)->finish();
  if (totals.delivered != line) {
    return make_error(Errc::kafka_error, fmt::format("only {} of {} commands were published: {}", totals.delivered,
                                                     line, totals.first_failure));
  }
  return ok_status();
}

}  // namespace

int run_kafka_bench(const KafkaBenchOptions& options, std::ostream& out, std::ostream& err) {
  if (options.accounts == 0 || options.commands == 0) {
    return report_error(make_error(Errc::invalid_argument, "--accounts and --commands must be at least 1"), err);
  }
  Result<std::unique_ptr<MockCluster>> cluster = MockCluster::start(options.brokers);
  if (!cluster) return report_error(cluster.error(), err);
  Result<TopicNames> names = topic_names("paystream");
  Result<KafkaConfig> config = client_config((*cluster)->bootstrap());
  if (!config) return report_error(config.error(), err);
  Result<std::unique_ptr<KafkaClient>> client = KafkaClient::create(KafkaClientType::producer, std::move(*config));
  if (!client) return report_error(client.error(), err);
  MockTopicCreator creator(**cluster);
  TopicDefaults defaults;
  defaults.partitions = options.partitions;
  if (Result<TopicLayout> layout = ensure_topics(**client, *names, defaults, creator, 30'000); !layout) {
    return report_error(layout.error(), err);
  }

  const BenchClock::time_point publish_start = BenchClock::now();
  int64_t paid_micros = 0;
  if (Status published = publish_all(options, (*cluster)->bootstrap(), paid_micros); !published) {
    return report_error(published.error(), err);
  }
  const double publish_seconds = seconds_since(publish_start);

  EngineLoopOptions loop_options;
  loop_options.connection.bootstrap = (*cluster)->bootstrap();
  loop_options.batch_commands_max = options.batch_commands_max;
  loop_options.notice = [&err](const std::string& line) { err << "paystream: bench-kafka: " << line << '\n'; };
  Result<std::unique_ptr<KafkaEngineLoop>> loop = KafkaEngineLoop::open(loop_options);
  if (!loop) return report_error(loop.error(), err);
  const BenchClock::time_point takeover_start = BenchClock::now();
  for (int32_t partition = 0; partition < options.partitions; ++partition) {
    Result<bool> taken = (*loop)->take(partition);
    if (!taken) return report_error(taken.error(), err);
    if (!*taken) return report_error(make_error(Errc::kafka_error, "a partition was taken by another instance"), err);
  }
  const double takeover_seconds = seconds_since(takeover_start);

  const uint64_t expected = options.accounts + options.commands;
  const BenchClock::time_point engine_start = BenchClock::now();
  while ((*loop)->totals().commands < expected) {
    if (Status stepped = (*loop)->step(100); !stepped) return report_error(stepped.error(), err);
    if ((*loop)->owned().size() != static_cast<size_t>(options.partitions)) {
      return report_error(make_error(Errc::kafka_error, "a partition was dropped"), err);
    }
  }
  const double engine_seconds = seconds_since(engine_start);

  int64_t balance_micros = 0;
  for (const int32_t partition : (*loop)->owned()) {
    for (const auto& [id, account] : (*loop)->engine(partition)->state().accounts) {
      balance_micros += account.balance.micros();
    }
  }
  const EngineLoopTotals& totals = (*loop)->totals();
  out << fmt::format("{{\"brokers\":{},\"partitions\":{},\"accounts\":{},\"payments\":{},\"batch_commands_max\":{},"
                     "\"publish_seconds\":{:.3f},\"takeover_seconds\":{:.3f},\"engine_seconds\":{:.3f},"
                     "\"engine_commands_per_second\":{:.0f},\"end_to_end_commands_per_second\":{:.0f},"
                     "\"batches\":{},\"aborted\":{},\"balances_add_up\":{}}}\n",
                     options.brokers, options.partitions, options.accounts, options.commands,
                     options.batch_commands_max, publish_seconds, takeover_seconds, engine_seconds,
                     static_cast<double>(expected) / engine_seconds,
                     static_cast<double>(expected) / (publish_seconds + takeover_seconds + engine_seconds),
                     totals.batches, totals.aborted, balance_micros == paid_micros ? "true" : "false");
  return balance_micros == paid_micros ? 0 : 1;
}

}  // namespace paystream
