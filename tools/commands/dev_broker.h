#pragma once
// `paystream dev-broker`: librdkafka's mock Kafka cluster on loopback ports, with paystream's
// topics created, for trying Kafka mode without a Kafka installation. It keeps everything in
// memory: all topics and messages are gone when it stops.
#include <ostream>
#include <string>

#include "engine/kafka_client/topics.h"

namespace paystream {

struct DevBrokerOptions {
  int broker_count = 3;
  std::string topic_prefix = "paystream";
  TopicDefaults topics;
};

// Starts the cluster, creates the four topics, prints the bootstrap address as one line on `out`
// (and flushes it, for scripts that read it), says on `err` that nothing is kept, then runs until
// SIGINT or SIGTERM. Those two signals are blocked in the calling thread (and so in librdkafka's
// threads, started after) and taken with sigwait. Exit code: 0 after a signal, 2 for invalid
// options, 1 when the cluster or its topics cannot be made.
int run_dev_broker(const DevBrokerOptions& options, std::ostream& out, std::ostream& err);

}  // namespace paystream
