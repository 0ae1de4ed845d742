#pragma once
// What a Kafka cluster says about itself: how many brokers, which topics with how many partitions.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/kafka_client/client.h"

namespace paystream {

struct ClusterMetadata {
  int32_t broker_count = 0;
  std::map<std::string, int32_t> partitions_by_topic;  // every topic the cluster reported
};

// Asks for every topic (never for one by name: on a broker with auto.create.topics.enable, a
// request naming a missing topic creates it with the broker's defaults). kafka_error when no
// broker answers within timeout_ms.
Result<ClusterMetadata> read_cluster_metadata(KafkaClient& client, int timeout_ms);

// The cluster's ID (checkpoints and projections are scoped by it, so rows of another cluster are
// never taken for this one's). kafka_error when the cluster does not say within timeout_ms.
Result<std::string> read_cluster_id(KafkaClient& client, int timeout_ms);

// Each of `partitions` of `topic`: the offset its next message will get (the high watermark), as the
// partition's leader says now. Any client works, so a reader can ask through a handle of its own
// while another thread consumes. kafka_error naming the partition when a leader does not answer.
Result<std::map<int32_t, int64_t>> read_end_offsets(KafkaClient& client, const std::string& topic,
                                                    const std::vector<int32_t>& partitions, int timeout_ms);

struct ClusterFacts {
  ClusterMetadata metadata;
  std::string cluster_id;
};

// Both of the above through a short-lived client of its own (what the engine loop and the projector
// learn before they start).
Result<ClusterFacts> probe_cluster(const KafkaEndpoint& endpoint, int timeout_ms);

}  // namespace paystream
