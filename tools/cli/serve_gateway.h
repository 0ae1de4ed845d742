#pragma once
// `paystream serve --kafka B --listen HOST:PORT`: the HTTP API on Kafka (tools/http/kafka_backend.h)
// and, unless --api-only, an engine loop instance beside it in the same process.
#include <functional>

#include "tools/commands/serve_kafka.h"
#include "tools/commands/stop_signals.h"
#include "tools/http/kafka_backend.h"

namespace paystream {

struct KafkaGatewayOptions {
  ServeKafkaOptions engine;
  bool run_engine = true;
  http::KafkaBackendOptions backend;
};

// Opens the backend (creating missing topics, reading the projections and results up to the
// topics' ends), starts the engine loop in its own thread, and calls serve(backend, signals), which
// serves until SIGINT or SIGTERM. Then the engine loop is stopped (partitions released). An engine
// loop that fails stops the server too (exit 1), so that a supervisor restarts the process.
int run_kafka_gateway(const KafkaGatewayOptions& options,
                      const std::function<int(http::ApiBackend&, StopSignals&)>& serve);

}  // namespace paystream
