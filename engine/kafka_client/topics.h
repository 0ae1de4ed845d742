#pragma once
// The four topics of Kafka mode (docs/kafka.md) and their creation when missing:
//   P.commands  upstream publishes commands, keyed by account ID
//   P.events    the log, co-partitioned with commands (commands partition p -> events partition p)
//   P.results   one outcome per command, keyed by command ID
//   P.control   operators and parameters: exactly one partition, read by every instance
//   P.card-secrets  what recognises each phone card's PIN, co-partitioned with commands, compacted,
//               read by engine instances only (docs/kafka.md, "Phone cards in Kafka mode")
// Existing topics are never changed; their partition counts are checked.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/kafka_client/client.h"
#include "engine/kafka_client/metadata.h"

namespace paystream {

enum class TopicKind { commands, events, results, control };

struct TopicNames {
  std::string commands;
  std::string events;
  std::string results;
  std::string control;
  std::string card_secrets;
  const std::string& of(TopicKind kind) const;
};

// "<prefix>.commands" and so on. invalid_argument unless the prefix is 1-240 of A-Za-z0-9._-
// (Kafka's topic-name characters; the longest name then stays under Kafka's 249).
Result<TopicNames> topic_names(std::string_view prefix);

inline constexpr int32_t topic_partitions_max = 10'000;

struct TopicDefaults {
  int32_t partitions = 6;  // of commands, events and results, when none of commands and events exists
  int32_t replication_factor_max = 3;
  int32_t min_insync_replicas_max = 2;
};

struct TopicSpec {
  std::string name;
  int32_t partitions = 0;
  int32_t replication_factor = 0;
  std::vector<std::pair<std::string, std::string>> configs;  // topic-level settings, by Kafka's names
  bool operator==(const TopicSpec&) const = default;
};

// What to create so that the four topics exist, given what the cluster has (pure):
// - commands and events get the partition count of whichever of them exists (an error names both
//   counts when both exist and differ), or the default; a missing results topic gets it too;
// - control gets 1 partition (an error when it exists with more);
// - card-secrets gets the commands' count (an error when it exists with another), compacted;
// - replication factor min(replication_factor_max, brokers); min.insync.replicas
//   min(min_insync_replicas_max, replication factor); events and control keep everything
//   (cleanup.policy=delete, retention.ms=-1, retention.bytes=-1).
// An empty plan means every topic is there.
Result<std::vector<TopicSpec>> plan_topics(const ClusterMetadata& cluster, const TopicNames& names,
                                           const TopicDefaults& defaults);

// Makes topics: the Admin API on a real cluster (admin.h), the mock cluster's own call in
// dev-broker and tests (mock_cluster.h).
class TopicCreator {
 public:
  virtual ~TopicCreator() = default;
  // Creates every topic of `topics`; one that already exists (another instance won a race) is
  // fine. On a refusal, a kafka_error naming the topic and the broker's reason.
  [[nodiscard]] virtual Status create(const std::vector<TopicSpec>& topics) = 0;
};

// The partition counts of the topics once they all exist.
struct TopicLayout {
  int32_t command_partitions = 0;  // = event partitions
  int32_t result_partitions = 0;
};

// Reads the metadata, creates what plan_topics says is missing, and waits (up to timeout_ms) until
// the cluster reports all four. Calling it again when they exist creates nothing.
Result<TopicLayout> ensure_topics(KafkaClient& client, const TopicNames& names, const TopicDefaults& defaults,
                                  TopicCreator& creator, int timeout_ms);

}  // namespace paystream
