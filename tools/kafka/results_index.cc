#include "tools/kafka/results_index.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <numeric>

#include "engine/kafka_client/events_reader.h"
#include "engine/kafka_client/metadata.h"
#include "engine/kafka_client/topics.h"

namespace paystream {
namespace {

constexpr int poll_ms = 100;  // also how soon stop() is noticed
constexpr size_t messages_per_round_max = 1'000;
constexpr int retry_first_ms = 500;
constexpr int retry_max_ms = 30'000;

void warn(const std::string& message) { std::fprintf(stderr, "paystream: %s\n", message.c_str()); }

}  // namespace

Result<std::unique_ptr<KafkaResultsIndex>> KafkaResultsIndex::open(const KafkaConnection& connection,
                                                                   const std::string& directory,
                                                                   int timeout_ms) {
  Result<TopicNames> names = topic_names(connection.topic_prefix);
  if (!names) return names.error();
  Result<ClusterFacts> cluster = probe_cluster(connection.endpoint(), timeout_ms);
  if (!cluster) return cluster.error();
  const auto results = cluster->metadata.partitions_by_topic.find(names->results);
  if (results == cluster->metadata.partitions_by_topic.end()) {
    return make_error(Errc::kafka_error,
                      fmt::format("topic '{}' does not exist: no results to read (is --topic-prefix right?)",
                                  names->results));
  }
  std::unique_ptr<KafkaResultsIndex> index(new KafkaResultsIndex());
  index->connection_ = connection;
  index->topic_ = names->results;
  index->partitions_ = results->second;
  Result<std::unique_ptr<KafkaResultsStore>> store =
      KafkaResultsStore::open(directory, fmt::format("{}/{}", cluster->cluster_id, names->results));
  if (!store) return store.error();
  index->store_ = std::move(*store);
  Result<KafkaConfig> config = client_config(connection.endpoint());
  if (!config) return config.error();
  Result<std::unique_ptr<KafkaClient>> watermarks =
      KafkaClient::create(KafkaClientType::producer, std::move(*config));
  if (!watermarks) return watermarks.error();
  index->watermarks_ = std::move(*watermarks);
  index->next_offsets_ = index->from_offsets();
  index->reading_ = index->next_offsets_;
  return index;
}

KafkaResultsIndex::~KafkaResultsIndex() { stop(); }

std::map<int32_t, int64_t> KafkaResultsIndex::from_offsets() const {
  std::map<int32_t, int64_t> from;
  for (int32_t partition = 0; partition < partitions_; ++partition) {
    const auto stored = store_->next_offsets().find(partition);
    from[partition] = stored == store_->next_offsets().end() ? 0 : stored->second;
  }
  return from;
}

Status KafkaResultsIndex::start() {
  {
    std::lock_guard lock(mutex_);
    if (running_ || stopping_)
      return make_error(Errc::invalid_argument, "the results index was started before");
  }
  // Opened here so that a configuration the client refuses is the caller's error, not a retry.
  Result<std::unique_ptr<EventsFollower>> follower =
      EventsFollower::open(connection_.endpoint(), topic_, reading_);
  if (!follower) return follower.error();
  follower_ = std::move(*follower);
  std::lock_guard lock(mutex_);
  running_ = true;
  thread_ = std::thread([this] { run(); });
  return ok_status();
}

void KafkaResultsIndex::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  running_ = false;
}

void KafkaResultsIndex::run() {
  int retry_ms = retry_first_ms;
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
    }
    const Status read = round();
    if (read) {
      retry_ms = retry_first_ms;
      continue;
    }
    warn(fmt::format("results index: {}; reading again from the stored offsets in {} ms",
                     read.error().message, retry_ms));
    ++read_errors_;
    // What was read but not written is read again: from the offsets the store holds.
    follower_.reset();
    reading_ = from_offsets();
    if (!pause(retry_ms)) break;
    retry_ms = std::min(retry_ms * 2, retry_max_ms);
  }
  follower_.reset();
}

Status KafkaResultsIndex::round() {
  if (!follower_) {
    Result<std::unique_ptr<EventsFollower>> follower =
        EventsFollower::open(connection_.endpoint(), topic_, reading_);
    if (!follower) return follower.error();
    follower_ = std::move(*follower);
  }
  Result<std::vector<FollowedMessage>> messages = follower_->poll(poll_ms, messages_per_round_max);
  if (!messages) return messages.error();
  const ResultsRound read = take(*messages);
  if (read.results.empty() && read.next_offsets.empty()) return ok_status();
  if (Status written = store_->write(read); !written) return written;
  publish(read);
  return ok_status();
}

ResultsRound KafkaResultsIndex::take(const std::vector<FollowedMessage>& messages) {
  ResultsRound read;
  for (const FollowedMessage& message : messages) {
    int64_t& next = reading_[message.partition];
    if (message.end_of_partition) {
      // Offsets below the end that gave no message (a real cluster's transaction markers) are read.
      if (message.offset > next) next = read.next_offsets[message.partition] = message.offset;
      continue;
    }
    next = read.next_offsets[message.partition] = message.offset + 1;
    Result<CommandResult> result = decode_result_json(message.bytes);
    if (!result) {
      // One bad message must not stop the answers of all the others behind it.
      warn(fmt::format("results partition {} offset {}: {} (skipped)", message.partition, message.offset,
                       result.error().message));
      ++results_skipped_;
      continue;
    }
    read.results.push_back(ReadResult{std::move(*result), message.bytes});
  }
  return read;
}

void KafkaResultsIndex::publish(const ResultsRound& read) {
  {
    std::lock_guard lock(mutex_);
    for (const auto& [partition, offset] : read.next_offsets) next_offsets_[partition] = offset;
    for (const ReadResult& result : read.results) remember(result.result);
    if (!read.results.empty()) ++rounds_written_;
  }
  results_read_ += read.results.size();
  cv_.notify_all();
}

void KafkaResultsIndex::remember(const CommandResult& result) {
  // A copy of a result already held (the same bytes, read again) keeps its place.
  const auto [entry, added] = recent_.try_emplace(
      ResultKey{result.from_control, result.partition, result.offset, result.command_id}, result);
  if (!added) return;
  recent_order_.push_back(entry);
  if (recent_order_.size() > recent_results_max) {
    recent_.erase(recent_order_.front());
    recent_order_.pop_front();
  }
}

bool KafkaResultsIndex::pause(int duration_ms) {
  std::unique_lock lock(mutex_);
  return !cv_.wait_for(lock, std::chrono::milliseconds(duration_ms), [this] { return stopping_; });
}

std::optional<CommandResult> KafkaResultsIndex::wait(bool from_control, int32_t partition, int64_t offset,
                                                     const std::string& command_id,
                                                     std::chrono::steady_clock::time_point deadline) {
  const ResultKey key{from_control, partition, offset, command_id};
  std::unique_lock lock(mutex_);
  cv_.wait_until(lock, deadline, [&] { return stopping_ || recent_.contains(key); });
  if (const auto found = recent_.find(key); found != recent_.end()) return found->second;
  return std::nullopt;
}

std::optional<CommandResult> KafkaResultsIndex::lookup(const std::string& command_id) const {
  Result<std::optional<CommandResult>> found = store_->lookup(command_id);
  if (!found) {
    warn(fmt::format("results index: looking up command '{}': {}", command_id, found.error().message));
    return std::nullopt;
  }
  return std::move(*found);
}

std::optional<CommandResult> KafkaResultsIndex::wait_by_id(const std::string& command_id,
                                                           std::chrono::steady_clock::time_point deadline) {
  uint64_t seen = 0;
  {
    std::lock_guard lock(mutex_);
    seen = rounds_written_;
  }
  for (;;) {
    // A round is published after it is written: one published after `seen` was taken is looked up
    // again below, one before it is in the store already.
    if (std::optional<CommandResult> found = lookup(command_id)) return found;
    std::unique_lock lock(mutex_);
    if (!cv_.wait_until(lock, deadline, [&] { return stopping_ || rounds_written_ != seen; }) || stopping_) {
      return std::nullopt;
    }
    seen = rounds_written_;
  }
}

Status KafkaResultsIndex::caught_up(int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::vector<int32_t> partitions(static_cast<size_t>(partitions_));
  std::iota(partitions.begin(), partitions.end(), 0);
  Result<std::map<int32_t, int64_t>> ends = read_end_offsets(*watermarks_, topic_, partitions, timeout_ms);
  if (!ends) return ends.error();
  const auto behind = [&]() -> std::optional<int32_t> {
    for (const auto& [partition, end] : *ends) {
      if (next_offsets_[partition] < end) return partition;
    }
    return std::nullopt;
  };
  std::unique_lock lock(mutex_);
  cv_.wait_until(lock, deadline, [&] { return !running_ || stopping_ || !behind(); });
  const std::optional<int32_t> partition = behind();
  if (!partition) return ok_status();
  return make_error(
      Errc::kafka_error,
      fmt::format("topic '{}' partition {}: {}, at offset {} of {}", topic_, *partition,
                  running_ && !stopping_ ? fmt::format("not read to its end within {} ms", timeout_ms)
                                         : std::string("the results index is not running"),
                  next_offsets_[*partition], ends->at(*partition)));
}

}  // namespace paystream
