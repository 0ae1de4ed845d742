#pragma once
// `paystream serve --kafka`: the engine loop of Kafka mode (engine/kafka/engine_loop.h) in a
// consumer group on P.commands, until SIGINT or SIGTERM; then every partition is released
// (checkpointed) and the group left. docs/kafka.md, "paystream serve --kafka".
#include <ostream>
#include <string>

#include "engine/kafka/engine_loop.h"

namespace paystream {

struct ServeKafkaOptions {
  EngineLoopOptions loop;
  TopicDefaults topics;  // for topics that do not exist yet
};

// Makes sure the four topics exist (creating missing ones), runs the loop, and prints one JSON line
// of totals on `out` when it stops. Progress notices go to `err`. Exit code: 0 after a signal, 1
// when Kafka or the checkpoint directory fails, 2 for invalid options.
// The loop's totals as the one JSON line `serve --kafka` prints when it stops.
std::string engine_totals_json(const EngineLoopTotals& totals);

int run_serve_kafka(const ServeKafkaOptions& options, std::ostream& out, std::ostream& err);

}  // namespace paystream
