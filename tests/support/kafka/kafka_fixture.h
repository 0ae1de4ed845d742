#pragma once
// A mock Kafka cluster with paystream's topics, for the tests of this folder.
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "engine/kafka_client/client.h"
#include "engine/kafka_client/mock_cluster.h"
#include "engine/kafka_client/topics.h"

namespace paystream::testing {

inline std::unique_ptr<KafkaClient> kafka_client(const std::string& bootstrap) {
  Result<KafkaConfig> config = client_config(KafkaEndpoint(bootstrap));
  REQUIRE(config.ok());
  Result<std::unique_ptr<KafkaClient>> client =
      KafkaClient::create(KafkaClientType::producer, std::move(*config));
  REQUIRE(client.ok());
  return std::move(*client);
}

inline std::unique_ptr<MockCluster> start_mock_cluster(int brokers) {
  Result<std::unique_ptr<MockCluster>> cluster = MockCluster::start(brokers);
  REQUIRE(cluster.ok());
  return std::move(cluster).value();
}

struct MockKafka {
  std::unique_ptr<MockCluster> cluster;
  TopicNames names;
  TopicLayout layout;
};

// A running mock cluster of `brokers` brokers whose four topics exist (`partitions` each but control).
inline MockKafka mock_kafka(int brokers, int32_t partitions = 6, const std::string& prefix = "paystream") {
  std::unique_ptr<MockCluster> cluster = start_mock_cluster(brokers);
  Result<TopicNames> names = topic_names(prefix);
  REQUIRE(names.ok());
  std::unique_ptr<KafkaClient> client = kafka_client(cluster->bootstrap());
  MockTopicCreator creator(*cluster);
  TopicDefaults defaults;
  defaults.partitions = partitions;
  Result<TopicLayout> layout = ensure_topics(*client, *names, defaults, creator, 10'000);
  INFO((layout ? std::string() : layout.error().message));
  REQUIRE(layout.ok());
  return MockKafka{std::move(cluster), std::move(*names), *layout};
}

}  // namespace paystream::testing
