#include "tools/commands/dev_broker.h"

#include <fmt/format.h>
#include <signal.h>

#include "engine/kafka_client/mock_cluster.h"

namespace paystream {
namespace {

constexpr int topic_timeout_ms = 10'000;

int report(const Error& error, std::ostream& err) {
  err << "paystream: " << error.message << " [" << errc_name(error.code) << "]\n";
  return is_usage_error(error.code) ? 2 : 1;
}

// Makes the cluster and its topics through the same checks as a real cluster's (ensure_topics).
Result<std::unique_ptr<MockCluster>> start_cluster(const DevBrokerOptions& options, const TopicNames& names) {
  Result<std::unique_ptr<MockCluster>> cluster = MockCluster::start(options.broker_count);
  if (!cluster) return cluster.error();
  Result<KafkaConfig> config = client_config(KafkaEndpoint((*cluster)->bootstrap()));
  if (!config) return config.error();
  Result<std::unique_ptr<KafkaClient>> client =
      KafkaClient::create(KafkaClientType::producer, std::move(*config));
  if (!client) return client.error();
  MockTopicCreator creator(**cluster);
  Result<TopicLayout> layout = ensure_topics(**client, names, options.topics, creator, topic_timeout_ms);
  if (!layout) return layout.error();
  return std::move(*cluster);
}

}  // namespace

int run_dev_broker(const DevBrokerOptions& options, std::ostream& out, std::ostream& err) {
  if (options.topics.partitions < 1 || options.topics.partitions > topic_partitions_max) {
    return report(
        make_error(Errc::invalid_argument, fmt::format("--partitions: must be 1-{}, not {}",
                                                       topic_partitions_max, options.topics.partitions)),
        err);
  }
  Result<TopicNames> names = topic_names(options.topic_prefix);
  if (!names) return report(names.error(), err);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigset_t previous;
  pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);
  int code = 0;
  {
    Result<std::unique_ptr<MockCluster>> cluster = start_cluster(options, *names);
    if (!cluster) {
      code = report(cluster.error(), err);
    } else {
      err << fmt::format(
          "paystream: dev-broker: librdkafka's mock Kafka cluster, {} broker(s) on loopback, topics {}, {}, "
          "{} and {} "
          "({} partitions, control 1).\n"
          "paystream: dev-broker: it keeps nothing on disk: every topic and message is lost when it stops. "
          "For trying Kafka mode only. Stop it with Ctrl-C (SIGINT) or SIGTERM.\n",
          options.broker_count, names->commands, names->events, names->results, names->control,
          options.topics.partitions);
      err.flush();
      // After the notice, so that whoever reads the address has the notice too.
      out << (*cluster)->bootstrap() << std::endl;
      int received = 0;
      sigwait(&stop_signals, &received);
      err << "paystream: dev-broker: stopped; its topics and messages are gone\n";
    }
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return code;
}

}  // namespace paystream
