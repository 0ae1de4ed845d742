#include "tools/commands/serve_kafka.h"

#include <fmt/format.h>

#include <mutex>

#include "engine/kafka_client/admin.h"
#include "tools/commands/exit_codes.h"
#include "tools/commands/stop_signals.h"

namespace paystream {
namespace {

Status ensure_kafka_topics(const ServeKafkaOptions& options) {
  Result<TopicNames> names = topic_names(options.loop.connection.topic_prefix);
  if (!names) return names.error();
  Result<KafkaConfig> config = client_config(options.loop.connection.endpoint());
  if (!config) return config.error();
  Result<std::unique_ptr<KafkaClient>> client =
      KafkaClient::create(KafkaClientType::producer, std::move(*config));
  if (!client) return client.error();
  AdminTopicCreator creator(**client, options.loop.timeout_ms);
  Result<TopicLayout> layout =
      ensure_topics(**client, *names, options.topics, creator, options.loop.timeout_ms);
  if (!layout) return layout.error();
  return ok_status();
}

}  // namespace

std::string engine_totals_json(const EngineLoopTotals& totals) {
  return fmt::format(
      "{{\"commands\":{},\"control_copies\":{},\"batches\":{},\"aborted\":{},\"takeovers\":{},"
      "\"dropped\":{}}}",
      totals.commands, totals.control_copies, totals.batches, totals.aborted, totals.takeovers,
      totals.dropped);
}

int run_serve_kafka(const ServeKafkaOptions& options, std::ostream& out, std::ostream& err) {
  StopSignals signals;  // before librdkafka starts its threads
  std::mutex err_mutex;
  ServeKafkaOptions serve = options;
  serve.loop.notice = [&](const std::string& line) {
    std::lock_guard lock(err_mutex);
    err << "paystream: serve --kafka: " << line << std::endl;
  };
  if (Status topics = ensure_kafka_topics(serve); !topics) return report_error(topics.error(), err);
  Result<std::unique_ptr<KafkaEngineLoop>> loop = KafkaEngineLoop::open(serve.loop);
  if (!loop) return report_error(loop.error(), err);
  signals.listen();
  serve.loop.notice(fmt::format("in group '{}' on {} ({} partitions); Ctrl-C stops", serve.loop.group,
                                serve.loop.connection.bootstrap, (*loop)->layout().command_partitions));
  const Status ran = (*loop)->run(signals.stop());
  out << engine_totals_json((*loop)->totals()) << std::endl;
  if (!ran) return report_error(ran.error(), err);
  return 0;
}

}  // namespace paystream
