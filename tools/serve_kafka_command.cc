#include "tools/serve_kafka_command.h"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "engine/kafka_admin.h"
#include "tools/cli_exit.h"

namespace paystream {
namespace {

Status ensure_kafka_topics(const ServeKafkaOptions& options) {
  Result<TopicNames> names = topic_names(options.loop.connection.topic_prefix);
  if (!names) return names.error();
  Result<KafkaConfig> config = client_config(options.loop.connection.bootstrap);
  if (!config) return config.error();
  Result<std::unique_ptr<KafkaClient>> client = KafkaClient::create(KafkaClientType::producer, std::move(*config));
  if (!client) return client.error();
  AdminTopicCreator creator(**client, options.loop.timeout_ms);
  Result<TopicLayout> layout = ensure_topics(**client, *names, options.topics, creator, options.loop.timeout_ms);
  if (!layout) return layout.error();
  return ok_status();
}

const sigset_t& stop_signals() {
  static const sigset_t set = [] {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGINT);
    sigaddset(&s, SIGTERM);
    return s;
  }();
  return set;
}

}  // namespace

int run_serve_kafka(const ServeKafkaOptions& options, std::ostream& out, std::ostream& err) {
  sigset_t previous;
  pthread_sigmask(SIG_BLOCK, &stop_signals(), &previous);  // before librdkafka starts its threads
  std::mutex err_mutex;
  ServeKafkaOptions serve = options;
  serve.loop.notice = [&](const std::string& line) {
    std::lock_guard lock(err_mutex);
    err << "paystream: serve --kafka: " << line << std::endl;
  };
  int code = 0;
  if (Status topics = ensure_kafka_topics(serve); !topics) {
    code = report_error(topics.error(), err);
  } else if (Result<std::unique_ptr<KafkaEngineLoop>> loop = KafkaEngineLoop::open(serve.loop); !loop) {
    code = report_error(loop.error(), err);
  } else {
    std::atomic<bool> stop = false;
    std::atomic<bool> signalled = false;
    std::thread waiter([&] {
      int received = 0;
      sigwait(&stop_signals(), &received);
      signalled = true;
      stop = true;
    });
    serve.loop.notice(fmt::format("in group '{}' on {} ({} partitions); Ctrl-C stops", serve.loop.group,
                                  serve.loop.connection.bootstrap, (*loop)->layout().command_partitions));
    const Status ran = (*loop)->run(stop);
    if (!signalled) ::kill(::getpid(), SIGTERM);  // the waiter returns
    waiter.join();
    const EngineLoopTotals& totals = (*loop)->totals();
    out << fmt::format("{{\"commands\":{},\"control_copies\":{},\"batches\":{},\"aborted\":{},\"takeovers\":{},"
                       "\"dropped\":{}}}",
                       totals.commands, totals.control_copies, totals.batches, totals.aborted, totals.takeovers,
                       totals.dropped)
        << std::endl;
    if (!ran) code = report_error(ran.error(), err);
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return code;
}

}  // namespace paystream
