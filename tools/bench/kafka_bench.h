#pragma once
// `paystream bench-kafka`: Kafka mode end to end on librdkafka's mock cluster in this process (or on a
// real cluster with --kafka):
// `accounts` accounts opened and `commands` payments (or call charges) published with the publisher, then one
// engine loop instance taking every partition and deciding the backlog into events and results. Prints one
// JSON object: the publish time, the takeover time, the engine's commands/s from its first step until the
// last result was committed (with `instances` engine loops sharing the partitions), and the projector's
// catch-up over the whole events topic (events/s, into a scratch directory); checks that the balances add up
// to what was paid.
#include <cstdint>
#include <ostream>
#include <string>

#include "engine/kafka_client/client.h"

namespace paystream {

struct KafkaBenchOptions {
  int brokers = 1;
  int32_t partitions = 6;
  uint64_t accounts = 1'000;
  // Not more by default: 6 partitions of 100,000 payments' events outgrow the mock's 5 MiB per
  // partition, and the projector cannot read a history whose start was deleted.
  uint64_t commands = 50'000;
  size_t batch_commands_max = 1'000;
  int instances = 1;     // engine loops, each with its share of the partitions and its own thread
  bool charges = false;  // the commands are call charges (CDRs) instead of payments
  // A real cluster's bootstrap instead of the mock (empty: the mock); the run makes topics of its
  // own on it, under a prefix of its own ("bench-" and random hex), and leaves them there.
  std::string bootstrap;
  KafkaProperties properties;  // --kafka-config, with a real cluster
};

// Exit code 0, or 1 when something failed or the balances do not add up.
int run_kafka_bench(const KafkaBenchOptions& options, std::ostream& out, std::ostream& err);

}  // namespace paystream
