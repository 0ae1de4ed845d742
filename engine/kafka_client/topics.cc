#include "engine/kafka_client/topics.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>

namespace paystream {
namespace {

constexpr size_t topic_prefix_bytes_max = 240;
constexpr int metadata_poll_interval_ms = 100;

bool is_topic_name_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-';
}

std::optional<int32_t> partitions_of(const ClusterMetadata& cluster, const std::string& topic) {
  const auto found = cluster.partitions_by_topic.find(topic);
  if (found == cluster.partitions_by_topic.end()) return std::nullopt;
  return found->second;
}

// The partition count commands and events share: whichever exists, or the default.
Result<int32_t> shared_partition_count(const ClusterMetadata& cluster, const TopicNames& names,
                                       const TopicDefaults& defaults) {
  const std::optional<int32_t> commands = partitions_of(cluster, names.commands);
  const std::optional<int32_t> events = partitions_of(cluster, names.events);
  if (commands && events && *commands != *events) {
    return make_error(
        Errc::kafka_error,
        fmt::format("topic '{}' has {} partitions but '{}' has {}: commands partition p is decided "
                    "into events partition p, so both must have the same count; recreate one of "
                    "them (docs/kafka.md)",
                    names.commands, *commands, names.events, *events));
  }
  if (commands) return *commands;
  if (events) return *events;
  return defaults.partitions;
}

TopicSpec spec(const std::string& name, int32_t partitions, int32_t replication_factor,
               const TopicDefaults& defaults, bool keep_forever) {
  TopicSpec topic{name, partitions, replication_factor, {}};
  const int32_t min_insync = std::min(defaults.min_insync_replicas_max, replication_factor);
  topic.configs.emplace_back("min.insync.replicas", std::to_string(min_insync));
  if (keep_forever) {
    topic.configs.emplace_back("cleanup.policy", "delete");
    topic.configs.emplace_back("retention.ms", "-1");
    topic.configs.emplace_back("retention.bytes", "-1");
  }
  return topic;
}

}  // namespace

const std::string& TopicNames::of(TopicKind kind) const {
  switch (kind) {
    case TopicKind::commands:
      return commands;
    case TopicKind::events:
      return events;
    case TopicKind::results:
      return results;
    case TopicKind::control:
      return control;
  }
  PAYSTREAM_ASSERT(false);
  return commands;
}

Result<TopicNames> topic_names(std::string_view prefix) {
  if (prefix.empty() || prefix.size() > topic_prefix_bytes_max ||
      !std::all_of(prefix.begin(), prefix.end(), is_topic_name_character)) {
    return make_error(
        Errc::invalid_argument,
        fmt::format("topic prefix '{}' is not 1-{} of A-Z a-z 0-9 . _ -", prefix, topic_prefix_bytes_max));
  }
  const std::string base(prefix);
  return TopicNames{base + ".commands", base + ".events", base + ".results", base + ".control",
                    base + ".card-secrets"};
}

Result<std::vector<TopicSpec>> plan_topics(const ClusterMetadata& cluster, const TopicNames& names,
                                           const TopicDefaults& defaults) {
  PAYSTREAM_ASSERT(defaults.partitions >= 1 && defaults.partitions <= topic_partitions_max);
  const std::optional<int32_t> control = partitions_of(cluster, names.control);
  if (control && *control != 1) {
    return make_error(
        Errc::kafka_error,
        fmt::format("topic '{}' has {} partitions; it must have exactly 1, so that every instance "
                    "reads operators and parameters in one order",
                    names.control, *control));
  }
  Result<int32_t> partitions = shared_partition_count(cluster, names, defaults);
  if (!partitions) return partitions.error();
  if (cluster.broker_count < 1) return make_error(Errc::kafka_error, "the Kafka cluster reported no broker");
  const int32_t replication_factor = std::min(defaults.replication_factor_max, cluster.broker_count);
  std::vector<TopicSpec> missing;
  const auto add_if_missing = [&](const std::string& name, int32_t count, bool keep_forever) {
    if (!partitions_of(cluster, name))
      missing.push_back(spec(name, count, replication_factor, defaults, keep_forever));
  };
  add_if_missing(names.commands, *partitions, false);
  add_if_missing(names.events, *partitions, true);
  add_if_missing(names.results, *partitions, false);
  add_if_missing(names.control, 1, true);
  const std::optional<int32_t> secrets = partitions_of(cluster, names.card_secrets);
  if (secrets && *secrets != *partitions) {
    return make_error(Errc::kafka_error,
                      fmt::format("topic '{}' has {} partitions but '{}' has {}: a card's secret lives in "
                                  "its commands partition, so both must have the same count",
                                  names.card_secrets, *secrets, names.commands, *partitions));
  }
  if (!secrets) {
    // One record per card, never changed: compaction keeps each card's latest (only) secret.
    TopicSpec card_secrets = spec(names.card_secrets, *partitions, replication_factor, defaults, false);
    card_secrets.configs.emplace_back("cleanup.policy", "compact");
    missing.push_back(std::move(card_secrets));
  }
  return missing;
}

Result<TopicLayout> ensure_topics(KafkaClient& client, const TopicNames& names, const TopicDefaults& defaults,
                                  TopicCreator& creator, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  bool created = false;
  while (true) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    Result<ClusterMetadata> cluster =
        read_cluster_metadata(client, std::max<int>(1, static_cast<int>(left.count())));
    if (!cluster) return cluster.error();
    Result<std::vector<TopicSpec>> missing = plan_topics(*cluster, names, defaults);
    if (!missing) return missing.error();
    if (missing->empty()) {
      return TopicLayout{cluster->partitions_by_topic.at(names.commands),
                         cluster->partitions_by_topic.at(names.results)};
    }
    if (!created) {
      if (Status made = creator.create(*missing); !made) return made.error();
      created = true;
    } else if (std::chrono::steady_clock::now() >= deadline) {
      return make_error(Errc::kafka_error,
                        fmt::format("topic '{}' was created but the cluster still does not list it "
                                    "after {} ms",
                                    missing->front().name, timeout_ms));
    }
    // A new topic reaches every broker's metadata a moment after CreateTopics returns.
    std::this_thread::sleep_for(std::chrono::milliseconds(created ? metadata_poll_interval_ms : 0));
  }
}

}  // namespace paystream
