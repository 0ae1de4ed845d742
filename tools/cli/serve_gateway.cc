#include "tools/cli/serve_gateway.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <iostream>
#include <mutex>
#include <thread>

#include "tools/commands/exit_codes.h"

namespace paystream {

int run_kafka_gateway(const KafkaGatewayOptions& options,
                      const std::function<int(http::ApiBackend&, StopSignals&)>& serve) {
  StopSignals signals;         // before librdkafka starts its threads
  ::signal(SIGPIPE, SIG_IGN);  // a client that hangs up is a failed write, not the end of the server
  std::mutex err_mutex;
  const auto notice = [&err_mutex](const std::string& line) {
    std::lock_guard lock(err_mutex);
    std::cerr << "paystream: serve --kafka: " << line << std::endl;
  };
  http::KafkaBackendOptions backend_options = options.backend;
  backend_options.notice = notice;
  notice("reading the projections and results up to the topics' ends");
  Result<std::unique_ptr<http::KafkaBackend>> backend = http::KafkaBackend::open(backend_options);
  if (!backend) return report_error(backend.error(), std::cerr);
  std::unique_ptr<KafkaEngineLoop> loop;
  std::atomic<bool> engine_stop = false;
  Status engine_ran = ok_status();
  std::thread engine;
  if (options.run_engine) {
    EngineLoopOptions loop_options = options.engine.loop;
    loop_options.notice = notice;
    Result<std::unique_ptr<KafkaEngineLoop>> opened = KafkaEngineLoop::open(loop_options);
    if (!opened) return report_error(opened.error(), std::cerr);
    loop = std::move(*opened);
    notice(fmt::format("engine in group '{}' on {} ({} partitions)", loop_options.group,
                       loop_options.connection.bootstrap, loop->layout().command_partitions));
    (*backend)->set_engine_notice(
        [engine_loop = loop.get(), group = loop_options.group]() -> std::optional<std::string> {
          const std::optional<std::chrono::seconds> waited = engine_loop->waiting_for_partitions();
          if (!waited) return std::nullopt;
          return fmt::format("this server's engine instance holds no partition after {} s in group '{}': {}",
                             waited->count(), group, engine_loop->idle_reason());
        });
    engine = std::thread([&] {
      engine_ran = loop->run(engine_stop);
      if (!engine_ran) {
        notice(fmt::format("the engine loop stopped: {}; stopping the server", engine_ran.error().message));
        ::kill(::getpid(), SIGTERM);  // StopSignals turns it into server.stop()
      }
    });
  }
  const int served = serve(**backend, signals);
  engine_stop = true;
  if (engine.joinable()) engine.join();
  if (loop) {
    std::cout << engine_totals_json(loop->totals()) << std::endl;
  }
  if (!engine_ran) return report_error(engine_ran.error(), std::cerr);
  if (served == static_cast<int>(ExitCode::ok)) {
    std::cerr << (loop ? "paystream: stopped; the engine loop released its partitions\n"
                       : "paystream: stopped\n");
  }
  return served;
}

}  // namespace paystream
