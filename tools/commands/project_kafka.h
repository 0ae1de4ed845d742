#pragma once
// `paystream project --kafka BOOTSTRAP [--topic-prefix P] [--data DIR] [--until-caught-up]`: the
// projector of Kafka mode (tools/kafka/projector.h) into DIR/kafka-projections, until SIGINT or
// SIGTERM, or (--until-caught-up) until every events partition is read to the end it had at start.
#include <ostream>

#include "tools/kafka/projector.h"

namespace paystream {

struct ProjectKafkaOptions {
  ProjectorOptions projector;
  bool until_caught_up = false;
  int catch_up_timeout_ms = 600'000;
};

// Prints one JSON line of totals on `out` when it stops; notices on `err`. Exit code: 0 after a
// signal or once caught up, 1 when Kafka, the store or the history fails (corruption names the
// partition and offset; nothing after it is written).
int run_project_kafka(const ProjectKafkaOptions& options, std::ostream& out, std::ostream& err);

}  // namespace paystream
