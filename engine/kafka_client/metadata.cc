#include "engine/kafka_client/metadata.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

namespace paystream {

Result<ClusterMetadata> read_cluster_metadata(KafkaClient& client, int timeout_ms) {
  const rd_kafka_metadata_t* metadata = nullptr;
  const rd_kafka_resp_err_t error = rd_kafka_metadata(client.native(), 1, nullptr, &metadata, timeout_ms);
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR)
    return kafka_error("cannot read the Kafka cluster's metadata", error);
  ClusterMetadata result;
  result.broker_count = metadata->broker_cnt;
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& topic = metadata->topics[i];
    // A topic being deleted or not yet known everywhere is reported with an error: not there yet.
    if (topic.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || topic.partition_cnt <= 0) continue;
    result.partitions_by_topic[topic.topic] = topic.partition_cnt;
  }
  rd_kafka_metadata_destroy(metadata);
  return result;
}

Result<std::string> read_cluster_id(KafkaClient& client, int timeout_ms) {
  char* cluster = rd_kafka_clusterid(client.native(), timeout_ms);
  if (cluster == nullptr) return make_error(Errc::kafka_error, "the Kafka cluster did not say its ID");
  std::string id(cluster);
  rd_kafka_mem_free(client.native(), cluster);
  return id;
}

Result<std::map<int32_t, int64_t>> read_end_offsets(KafkaClient& client, const std::string& topic,
                                                    const std::vector<int32_t>& partitions, int timeout_ms) {
  std::map<int32_t, int64_t> ends;
  for (const int32_t partition : partitions) {
    int64_t low = 0;
    int64_t high = 0;
    const rd_kafka_resp_err_t error =
        rd_kafka_query_watermark_offsets(client.native(), topic.c_str(), partition, &low, &high, timeout_ms);
    if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return kafka_error(fmt::format("cannot read the end of topic '{}' partition {}", topic, partition),
                         error);
    }
    ends[partition] = high;
  }
  return ends;
}

Result<ClusterFacts> probe_cluster(const KafkaEndpoint& endpoint, int timeout_ms) {
  Result<KafkaConfig> config = client_config(endpoint);
  if (!config) return config.error();
  Result<std::unique_ptr<KafkaClient>> probe =
      KafkaClient::create(KafkaClientType::producer, std::move(*config));
  if (!probe) return probe.error();
  Result<ClusterMetadata> metadata = read_cluster_metadata(**probe, timeout_ms);
  if (!metadata) return metadata.error();
  Result<std::string> cluster = read_cluster_id(**probe, timeout_ms);
  if (!cluster) return cluster.error();
  return ClusterFacts{std::move(*metadata), std::move(*cluster)};
}

}  // namespace paystream
