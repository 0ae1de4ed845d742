#include "tools/kafka/projector.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <limits>

#include "engine/kafka_client/metadata.h"
#include "engine/kafka_client/topics.h"

namespace paystream {
namespace {

// Scope of the rows: the cluster and the events topic, as the engine's checkpoints.
Result<std::pair<std::string, int32_t>> scope_and_partitions(const ProjectorOptions& options,
                                                             const std::string& events_topic) {
  Result<ClusterFacts> cluster = probe_cluster(options.connection.endpoint(), options.timeout_ms);
  if (!cluster) return cluster.error();
  const ClusterMetadata& metadata = cluster->metadata;
  const auto events = metadata.partitions_by_topic.find(events_topic);
  if (events == metadata.partitions_by_topic.end()) {
    return make_error(Errc::kafka_error,
                      fmt::format("topic '{}' does not exist: nothing to project (is --topic-prefix right?)",
                                  events_topic));
  }
  return std::pair{fmt::format("{}/{}", cluster->cluster_id, events_topic), events->second};
}

}  // namespace

Result<std::unique_ptr<KafkaProjector>> KafkaProjector::open(const ProjectorOptions& options) {
  Result<TopicNames> names = topic_names(options.connection.topic_prefix);
  if (!names) return names.error();
  Result<std::pair<std::string, int32_t>> found = scope_and_partitions(options, names->events);
  if (!found) return found.error();
  std::unique_ptr<KafkaProjector> projector(new KafkaProjector());
  projector->options_ = options;
  projector->scope_ = found->first;
  projector->partitions_ = found->second;
  Result<std::unique_ptr<KafkaProjectionStore>> store =
      KafkaProjectionStore::open(options.directory, KafkaProjectionStore::Access::write, projector->scope_);
  if (!store) return store.error();
  projector->store_ = std::move(*store);
  std::map<int32_t, int64_t> from;
  for (int32_t partition = 0; partition < projector->partitions_; ++partition) {
    const PartitionProgress progress = projector->store_->progress_of(partition);
    from[partition] = progress.next_offset;
    projector->acceptance_.emplace(partition, BatchAcceptance(progress.accepted));
    projector->reading_[partition] = progress;
  }
  Result<std::unique_ptr<EventsFollower>> follower =
      EventsFollower::open(options.connection.endpoint(), names->events, from, options.offsets_group);
  if (!follower) return follower.error();
  projector->follower_ = std::move(*follower);
  return projector;
}

Status KafkaProjector::take(const FollowedMessage& message,
                            std::map<int32_t, std::vector<CheckedBatch>>& pending) {
  const int32_t partition = message.partition;
  if (partition < 0 || partition >= partitions_) {
    return make_error(Errc::kafka_error, fmt::format("a message of events partition {}, beyond the {} known",
                                                     partition, partitions_));
  }
  const auto limit = limits_.find(partition);
  const int64_t end = limit == limits_.end() ? std::numeric_limits<int64_t>::max() : limit->second;
  PartitionProgress& reading = reading_[partition];
  if (message.end_of_partition) {
    // Offsets below the end that gave no message (a real cluster's transaction markers) are read.
    reading.next_offset = std::max(reading.next_offset, std::min(message.offset, end));
    return ok_status();
  }
  if (message.offset >= end) return ok_status();
  Result<EventBatch> batch = decode_event_batch(message.bytes);
  if (!batch) {
    return make_error(Errc::corruption, fmt::format("events partition {} offset {}: {}", partition,
                                                    message.offset, batch.error().message));
  }
  BatchAcceptance& acceptance = acceptance_.at(partition);
  const BatchPosition before = acceptance.position();
  const BatchVerdict verdict = acceptance.offer(*batch);
  if (verdict == BatchVerdict::gap) {
    return make_error(Errc::corruption,
                      fmt::format("events partition {} offset {}: batch {} of owner '{}' follows batch {}",
                                  partition, message.offset, batch->sequence, batch->owner, before.sequence));
  }
  if (verdict != BatchVerdict::accepted) {
    ++totals_.ignored;
    reading.next_offset = message.offset + 1;
    return ok_status();
  }
  Result<CheckedBatch> checked =
      check_accepted_batch(partition, message.offset, *batch, reading, acceptance.position());
  if (!checked) return checked.error();
  ++totals_.accepted;
  totals_.events += checked->events.size();
  reading = checked->after;
  pending[partition].push_back(std::move(*checked));
  return ok_status();
}

Status KafkaProjector::flush(std::map<int32_t, std::vector<CheckedBatch>>& pending) {
  for (auto& [partition, batches] : pending) {
    if (Status written = store_->write(batches); !written) return written;
    if (on_written_) on_written_(batches);
  }
  pending.clear();
  // Ignored messages after the last accepted one: their offsets move on too.
  for (const auto& [partition, reading] : reading_) {
    if (reading.next_offset > store_->progress_of(partition).next_offset) {
      if (Status skipped = store_->skip(partition, reading.next_offset, reading.accepted); !skipped)
        return skipped;
    }
  }
  return ok_status();
}

Status KafkaProjector::step(int timeout_ms) {
  Result<std::vector<FollowedMessage>> messages = follower_->poll(timeout_ms, options_.messages_per_round);
  if (!messages) return messages.error();
  std::map<int32_t, std::vector<CheckedBatch>> pending;
  for (const FollowedMessage& message : *messages) {
    if (Status taken = take(message, pending); !taken) {
      // What was read before the bad message is good: keep it, and stop at the bad one.
      if (Status flushed = flush(pending); !flushed) return flushed;
      (void)report_progress();
      return taken;
    }
  }
  Status flushed = flush(pending);
  if (flushed) (void)report_progress();  // asynchronous: never fails
  return flushed;
}

Status KafkaProjector::commit_offsets() { return report_progress(/*wait=*/true); }

Status KafkaProjector::report_progress(bool wait) {
  std::map<int32_t, int64_t> moved;
  uint64_t lag = 0;
  const std::map<int32_t, int64_t> ends = follower_->fetched_end_offsets();
  for (int32_t partition = 0; partition < partitions_; ++partition) {
    const int64_t stored = store_->progress_of(partition).next_offset;
    const auto end = ends.find(partition);
    if (end != ends.end() && end->second > stored) lag += static_cast<uint64_t>(end->second - stored);
    const auto committed = committed_.find(partition);
    // A wait commits all: an asynchronous commit before it may have been lost.
    if (wait || committed == committed_.end() || committed->second != stored) moved[partition] = stored;
  }
  lag_offsets_ = lag;
  const auto now = std::chrono::steady_clock::now();
  // One commit a second at most: a gateway steps many times a second under load.
  if (options_.offsets_group.empty() || (!wait && now - last_commit_ < std::chrono::seconds(1)))
    return ok_status();
  last_commit_ = now;
  if (Status committed = follower_->commit(moved, wait); !committed) return committed;
  for (const auto& [partition, offset] : moved) committed_[partition] = offset;
  return ok_status();
}

Status KafkaProjector::catch_up(int timeout_ms) {
  Result<std::map<int32_t, int64_t>> ends = follower_->end_offsets(options_.timeout_ms);
  if (!ends) return ends.error();
  return reach_ends(*ends, timeout_ms);
}

Status KafkaProjector::reach(const std::map<int32_t, int64_t>& targets, int timeout_ms) {
  limits_ = targets;
  return reach_ends(targets, timeout_ms);
}

Status KafkaProjector::reach_ends(const std::map<int32_t, int64_t>& targets, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  const auto reached = [&] {
    for (const auto& [partition, target] : targets) {
      if (store_->progress_of(partition).next_offset < target) return false;
    }
    return true;
  };
  while (!reached()) {
    if (stop_ != nullptr && *stop_) return ok_status();
    if (std::chrono::steady_clock::now() >= deadline) {
      return make_error(Errc::kafka_error,
                        fmt::format("the events were not read up to their end within {} ms", timeout_ms));
    }
    if (Status stepped = step(100); !stepped) return stepped;
  }
  return ok_status();
}

}  // namespace paystream
