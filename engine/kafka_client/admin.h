#pragma once
// Topic creation through Kafka's Admin API (CreateTopics), for real clusters. librdkafka's mock
// cluster (2.0.2) does not implement CreateTopics: against it, create() times out waiting for a
// controller and says so; dev-broker and the tests use MockTopicCreator instead.
#include <string>
#include <vector>

#include "engine/kafka_client/topics.h"

namespace paystream {

class AdminTopicCreator : public TopicCreator {
 public:
  // `client` is borrowed and must outlive this object. `timeout_ms` bounds the whole request.
  AdminTopicCreator(KafkaClient& client, int timeout_ms) : client_(client), timeout_ms_(timeout_ms) {}
  [[nodiscard]] Status create(const std::vector<TopicSpec>& topics) override;

 private:
  KafkaClient& client_;
  int timeout_ms_;
};

// The broker's answer for one topic of a CreateTopics request.
struct TopicCreationResult {
  std::string topic;
  int error_code = 0;  // rd_kafka_resp_err_t; 0: created
  std::string reason;  // the broker's message, may be empty
};

// ok when every topic was created or already existed; otherwise a kafka_error naming the first
// refused topic, the broker's reason and the error's name (as "TOPIC_AUTHORIZATION_FAILED").
Status check_topic_creation(const std::vector<TopicCreationResult>& results);

}  // namespace paystream
