#include <algorithm>
#include <catch2/catch.hpp>

#include "engine/kafka_client/admin.h"
#include "engine/kafka_client/metadata.h"
#include "tests/support/kafka/kafka_fixture.h"

namespace paystream {
namespace {

using testing::kafka_client;

std::vector<std::pair<std::string, std::string>> kept_forever(const std::string& min_insync) {
  return {{"min.insync.replicas", min_insync},
          {"cleanup.policy", "delete"},
          {"retention.ms", "-1"},
          {"retention.bytes", "-1"}};
}

std::vector<std::pair<std::string, std::string>> compacted(const std::string& min_insync) {
  return {{"min.insync.replicas", min_insync}, {"cleanup.policy", "compact"}};
}

// Counts what it is asked to create, and creates it on the mock.
class CountingCreator : public TopicCreator {
 public:
  explicit CountingCreator(MockCluster& cluster) : creator_(cluster) {}
  Status create(const std::vector<TopicSpec>& topics) override {
    created += topics.size();
    return creator_.create(topics);
  }
  size_t created = 0;

 private:
  MockTopicCreator creator_;
};

TEST_CASE("kafka topics: names come from the prefix, and a prefix Kafka would refuse is refused",
          "[kafka][topics]") {
  const Result<TopicNames> names = topic_names("paystream");
  REQUIRE(names.ok());
  CHECK(names->commands == "paystream.commands");
  CHECK(names->events == "paystream.events");
  CHECK(names->results == "paystream.results");
  CHECK(names->control == "paystream.control");
  CHECK(names->of(TopicKind::control) == "paystream.control");
  CHECK(topic_names("prod_eu-1.ledger").ok());
  for (const std::string& bad :
       std::vector<std::string>{"", "pay stream", "pay/stream", "pay:stream", std::string(241, 'p')}) {
    INFO(bad);
    CHECK(topic_names(bad).error().code == Errc::invalid_argument);
  }
}

TEST_CASE("kafka topics: the plan for an empty cluster follows the defaults and the broker count",
          "[kafka][topics]") {
  const TopicNames names = *topic_names("p");
  const Result<std::vector<TopicSpec>> plan = plan_topics(ClusterMetadata{5, {}}, names, TopicDefaults{});
  REQUIRE(plan.ok());
  const std::vector<std::pair<std::string, std::string>> insync_2 = {{"min.insync.replicas", "2"}};
  CHECK(*plan == std::vector<TopicSpec>{{"p.commands", 6, 3, insync_2},
                                        {"p.events", 6, 3, kept_forever("2")},
                                        {"p.results", 6, 3, insync_2},
                                        {"p.control", 1, 3, kept_forever("2")},
                                        {"p.card-secrets", 6, 3, compacted("2")}});
  // One broker: replication factor 1, and min.insync.replicas cannot exceed it.
  const Result<std::vector<TopicSpec>> single = plan_topics(ClusterMetadata{1, {}}, names, TopicDefaults{});
  REQUIRE(single.ok());
  CHECK(single->at(1) == TopicSpec{"p.events", 6, 1, kept_forever("1")});
  const Result<std::vector<TopicSpec>> two = plan_topics(ClusterMetadata{2, {}}, names, TopicDefaults{});
  CHECK(two->at(3) == TopicSpec{"p.control", 1, 2, kept_forever("2")});
}

TEST_CASE("kafka topics: the plan keeps existing topics and follows their partition count",
          "[kafka][topics]") {
  const TopicNames names = *topic_names("p");
  SECTION("events missing: it gets the partitions of commands") {
    const Result<std::vector<TopicSpec>> plan = plan_topics(
        ClusterMetadata{3, {{"p.commands", 12}, {"p.results", 2}, {"p.control", 1}, {"p.card-secrets", 12}}},
        names, {});
    REQUIRE(plan.ok());
    REQUIRE(plan->size() == 1);
    CHECK(plan->front().name == "p.events");
    CHECK(plan->front().partitions == 12);
  }
  SECTION("all there: nothing to do") {
    const Result<std::vector<TopicSpec>> plan = plan_topics(
        ClusterMetadata{
            3,
            {{"p.commands", 4}, {"p.events", 4}, {"p.results", 9}, {"p.control", 1}, {"p.card-secrets", 4}}},
        names, {});
    REQUIRE(plan.ok());
    CHECK(plan->empty());
  }
  SECTION("card secrets missing: they get the partitions of commands; another count is refused") {
    const Result<std::vector<TopicSpec>> plan = plan_topics(
        ClusterMetadata{3, {{"p.commands", 4}, {"p.events", 4}, {"p.results", 9}, {"p.control", 1}}}, names,
        {});
    REQUIRE(plan.ok());
    REQUIRE(plan->size() == 1);
    CHECK(plan->front() == TopicSpec{"p.card-secrets", 4, 3, compacted("2")});
    const Result<std::vector<TopicSpec>> differing = plan_topics(
        ClusterMetadata{3, {{"p.commands", 4}, {"p.events", 4}, {"p.card-secrets", 6}}}, names, {});
    REQUIRE(!differing.ok());
    CHECK_THAT(differing.error().message,
               Catch::Contains("'p.card-secrets' has 6 partitions but 'p.commands' has 4"));
  }
  SECTION("commands and events differ: an error names both counts") {
    const Result<std::vector<TopicSpec>> plan =
        plan_topics(ClusterMetadata{3, {{"p.commands", 6}, {"p.events", 4}}}, names, {});
    REQUIRE(!plan.ok());
    CHECK(plan.error().code == Errc::kafka_error);
    CHECK_THAT(plan.error().message, Catch::Contains("'p.commands' has 6 partitions but 'p.events' has 4"));
  }
  SECTION("control with more than one partition is refused") {
    const Result<std::vector<TopicSpec>> plan =
        plan_topics(ClusterMetadata{3, {{"p.control", 3}}}, names, {});
    REQUIRE(!plan.ok());
    CHECK_THAT(plan.error().message, Catch::Contains("'p.control' has 3 partitions; it must have exactly 1"));
  }
}

TEST_CASE("kafka topics: ensure_topics creates the five topics on the mock cluster, then creates nothing",
          "[kafka][topics]") {
  std::unique_ptr<MockCluster> cluster = testing::start_mock_cluster(3);
  std::unique_ptr<KafkaClient> client = kafka_client(cluster->bootstrap());
  const TopicNames names = *topic_names("paystream");
  CountingCreator creator(*cluster);
  TopicDefaults defaults;
  defaults.partitions = 5;
  const Result<TopicLayout> layout = ensure_topics(*client, names, defaults, creator, 10'000);
  REQUIRE(layout.ok());
  CHECK(layout->command_partitions == 5);
  CHECK(layout->result_partitions == 5);
  CHECK(creator.created == 5);
  const Result<ClusterMetadata> metadata = read_cluster_metadata(*client, 5'000);
  REQUIRE(metadata.ok());
  CHECK(metadata->broker_count == 3);
  CHECK(metadata->partitions_by_topic == std::map<std::string, int32_t>{{"paystream.commands", 5},
                                                                        {"paystream.events", 5},
                                                                        {"paystream.results", 5},
                                                                        {"paystream.control", 1},
                                                                        {"paystream.card-secrets", 5}});

  // Again, even with other defaults: the topics are there, so nothing is created or changed.
  defaults.partitions = 8;
  const Result<TopicLayout> again = ensure_topics(*client, names, defaults, creator, 10'000);
  REQUIRE(again.ok());
  CHECK(again->command_partitions == 5);
  CHECK(creator.created == 5);
}

TEST_CASE("kafka topics: ensure_topics refuses commands and events of different partition counts",
          "[kafka][topics]") {
  std::unique_ptr<MockCluster> cluster = testing::start_mock_cluster(1);
  REQUIRE(cluster->create_topic("paystream.commands", 6, 1).ok());
  REQUIRE(cluster->create_topic("paystream.events", 3, 1).ok());
  std::unique_ptr<KafkaClient> client = kafka_client(cluster->bootstrap());
  CountingCreator creator(*cluster);
  const Result<TopicLayout> layout = ensure_topics(*client, *topic_names("paystream"), {}, creator, 10'000);
  REQUIRE(!layout.ok());
  CHECK(layout.error().code == Errc::kafka_error);
  CHECK_THAT(layout.error().message,
             Catch::Contains("'paystream.commands' has 6 partitions but 'paystream.events' has 3"));
  CHECK(creator.created == 0);  // nothing is created when the existing ones do not fit together
}

TEST_CASE("kafka topics: a refused creation names the topic and the broker's reason", "[kafka][topics]") {
  CHECK(check_topic_creation({{"p.commands", 0, ""}, {"p.events", 36, "Topic 'p.events' already exists."}})
            .ok());
  const Status refused = check_topic_creation({{"p.commands", 0, ""},
                                               {"p.events", 44, "Unknown topic config name: retention.mss"},
                                               {"p.results", 29, ""}});
  REQUIRE(!refused.ok());
  CHECK(refused.error().code == Errc::kafka_error);
  CHECK(refused.error().message ==
        "the broker refused to create topic 'p.events': Unknown topic config name: retention.mss "
        "(POLICY_VIOLATION)");
  // No reason from the broker: librdkafka's description of the error code stands in.
  const Status bare = check_topic_creation({{"p.results", 29, ""}});
  CHECK_THAT(bare.error().message, Catch::StartsWith("the broker refused to create topic 'p.results': "));
  CHECK_THAT(bare.error().message, Catch::EndsWith("(TOPIC_AUTHORIZATION_FAILED)"));
}

TEST_CASE("kafka topics: the Admin API against the mock cluster, which lacks it, fails with a clear error",
          "[kafka][topics]") {
  std::unique_ptr<MockCluster> cluster = testing::start_mock_cluster(1);
  std::unique_ptr<KafkaClient> client = kafka_client(cluster->bootstrap());
  AdminTopicCreator creator(*client, 1'000);
  const Result<TopicLayout> layout = ensure_topics(*client, *topic_names("paystream"), {}, creator, 1'000);
  REQUIRE(!layout.ok());
  CHECK(layout.error().code == Errc::kafka_error);
  CHECK_THAT(layout.error().message,
             Catch::StartsWith("cannot create topics 'paystream.commands', 'paystream.events', "
                               "'paystream.results', 'paystream.control', 'paystream.card-secrets': "));
  CHECK_THAT(layout.error().message, Catch::Contains("create them beforehand"));
}

}  // namespace
}  // namespace paystream
