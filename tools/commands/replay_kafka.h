#pragma once
// `paystream replay --verify --kafka BOOTSTRAP [--topic-prefix P]`: the auditor's check of Kafka
// mode's projections (DIR/kafka-projections): the history is read again from the events topic,
// through the reader's rule and the hash chain of each partition, into a scratch store, up to the
// offsets the live projections have reached, and every row is compared. Returns the exit code.
#include <ostream>
#include <string>

#include "engine/kafka_client/client.h"

namespace paystream {

int run_replay_verify_kafka(const KafkaConnection& connection, const std::string& data_dir, std::ostream& out,
                            std::ostream& err);

}  // namespace paystream
