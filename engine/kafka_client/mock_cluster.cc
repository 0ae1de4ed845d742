#include "engine/kafka_client/mock_cluster.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

namespace paystream {

Result<std::unique_ptr<MockCluster>> MockCluster::start(int broker_count) {
  if (broker_count < 1 || broker_count > mock_brokers_max) {
    return make_error(Errc::invalid_argument,
                      fmt::format("a mock cluster has 1-{} brokers, not {}", mock_brokers_max, broker_count));
  }
  // The owner only hosts the cluster: with no bootstrap address it never connects anywhere.
  Result<std::unique_ptr<KafkaClient>> owner = KafkaClient::create(KafkaClientType::producer, base_config());
  if (!owner) return owner.error();
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new((*owner)->native(), broker_count);
  if (cluster == nullptr) return make_error(Errc::kafka_error, "cannot start librdkafka's mock cluster");
  return std::unique_ptr<MockCluster>(new MockCluster(std::move(*owner), cluster, broker_count));
}

MockCluster::MockCluster(std::unique_ptr<KafkaClient> owner, rd_kafka_mock_cluster_s* cluster,
                         int broker_count)
    : owner_(std::move(owner)),
      cluster_(cluster),
      broker_count_(broker_count),
      bootstrap_(rd_kafka_mock_cluster_bootstraps(cluster)) {}

MockCluster::~MockCluster() {
  rd_kafka_mock_cluster_destroy(cluster_);  // before its owner handle, which it uses
}

Result<MockCluster::TopicCreated> MockCluster::create_topic(const std::string& name, int32_t partitions,
                                                            int32_t replication_factor) {
  const rd_kafka_resp_err_t error =
      rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, replication_factor);
  if (error == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) return TopicCreated::existed;
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR)
    return kafka_error(fmt::format("cannot create topic '{}'", name), error);
  return TopicCreated::created;
}

Status MockCluster::set_broker_down(int32_t broker_id) {
  const rd_kafka_resp_err_t error = rd_kafka_mock_broker_set_down(cluster_, broker_id);
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR)
    return kafka_error(fmt::format("mock broker {} down", broker_id), error);
  return ok_status();
}

Status MockCluster::set_broker_up(int32_t broker_id) {
  const rd_kafka_resp_err_t error = rd_kafka_mock_broker_set_up(cluster_, broker_id);
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR)
    return kafka_error(fmt::format("mock broker {} up", broker_id), error);
  return ok_status();
}

void MockCluster::push_request_errors(int16_t api_key, const std::vector<int>& errors) {
  std::vector<rd_kafka_resp_err_t> codes;
  for (int error : errors) codes.push_back(static_cast<rd_kafka_resp_err_t>(error));
  rd_kafka_mock_push_request_errors_array(cluster_, api_key, codes.size(), codes.data());
}

Status MockCluster::push_broker_request_errors(int32_t broker_id, int16_t api_key,
                                               const std::vector<std::pair<int, int>>& errors) {
  // The C call is variadic only; push the pairs one at a time, which stacks them in order.
  for (const auto& [error, delay_ms] : errors) {
    const rd_kafka_resp_err_t pushed = rd_kafka_mock_broker_push_request_error_rtts(
        cluster_, broker_id, api_key, 1, static_cast<rd_kafka_resp_err_t>(error), delay_ms);
    if (pushed != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return kafka_error(fmt::format("mock broker {} request errors", broker_id), pushed);
    }
  }
  return ok_status();
}

Status MockTopicCreator::create(const std::vector<TopicSpec>& topics) {
  for (const TopicSpec& topic : topics) {
    Result<MockCluster::TopicCreated> created =
        cluster_.create_topic(topic.name, topic.partitions, topic.replication_factor);
    if (!created) return created.error();
  }
  return ok_status();
}

}  // namespace paystream
