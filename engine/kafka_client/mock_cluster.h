#pragma once
// librdkafka's mock Kafka cluster (rdkafka_mock.h): brokers on loopback ports inside this process,
// speaking the Kafka protocol, with fault injection. For `paystream dev-broker` and the tests. It
// keeps everything in memory: nothing survives the object. Its limits (librdkafka 2.0.2): no Admin
// API (topics are made with create_topic), no topic configs, topics named in a client's metadata
// request are auto-created with 4 partitions, transactional offsets are not stored, zombie
// producers are not fenced. docs/kafka.md has the list.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/kafka_client/client.h"
#include "engine/kafka_client/topics.h"

struct rd_kafka_mock_cluster_s;

namespace paystream {

inline constexpr int mock_brokers_max = 32;

class MockCluster {
 public:
  // Brokers get IDs 1..broker_count. invalid_argument outside 1..mock_brokers_max.
  static Result<std::unique_ptr<MockCluster>> start(int broker_count);
  ~MockCluster();
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  // "127.0.0.1:port,127.0.0.1:port,..."
  const std::string& bootstrap() const { return bootstrap_; }
  int broker_count() const { return broker_count_; }

  // The replication factor is capped at the number of brokers. An existing topic is left as it is.
  enum class TopicCreated { created, existed };
  Result<TopicCreated> create_topic(const std::string& name, int32_t partitions, int32_t replication_factor);

  // Fault injection. A broker set down drops its connections and refuses new ones until set up;
  // its partitions keep it as leader (no failover), so their clients wait.
  Status set_broker_down(int32_t broker_id);
  Status set_broker_up(int32_t broker_id);
  // The next requests of `api_key` (a Kafka protocol request type: Produce is 0) to any broker fail
  // with these errors (rd_kafka_resp_err_t values), one per request, in order.
  void push_request_errors(int16_t api_key, const std::vector<int>& errors);
  // The next requests of `api_key` to one broker: each pair is (error, round-trip delay in ms). An
  // error 0 with a delay processes the request but answers late.
  Status push_broker_request_errors(int32_t broker_id, int16_t api_key,
                                    const std::vector<std::pair<int, int>>& errors);

 private:
  MockCluster(std::unique_ptr<KafkaClient> owner, rd_kafka_mock_cluster_s* cluster, int broker_count);
  std::unique_ptr<KafkaClient> owner_;  // the mock cluster lives in a client handle, as librdkafka requires
  rd_kafka_mock_cluster_s* cluster_;
  int broker_count_;
  std::string bootstrap_;
};

// Creates topics with MockCluster::create_topic; their configs are dropped (the mock has none).
class MockTopicCreator : public TopicCreator {
 public:
  explicit MockTopicCreator(MockCluster& cluster) : cluster_(cluster) {}
  [[nodiscard]] Status create(const std::vector<TopicSpec>& topics) override;

 private:
  MockCluster& cluster_;
};

}  // namespace paystream
