#include "engine/kafka_client/events_reader.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <memory>

#include "engine/kafka_client/metadata.h"

namespace paystream {
namespace {

constexpr int poll_ms = 100;

Result<std::unique_ptr<KafkaClient>> committed_reader(const KafkaEndpoint& endpoint,
                                                      std::string_view group = "paystream-reader") {
  Result<KafkaConfig> config = client_config(endpoint);
  if (!config) return config.error();
  // Offsets are the reader's own business (stored with what it builds), never the group's.
  for (const auto& [name, value] : {std::pair<std::string_view, std::string_view>{"group.id", group},
                                    {"enable.auto.commit", "false"},
                                    {"enable.auto.offset.store", "false"},
                                    {"isolation.level", "read_committed"},
                                    // A history whose start is gone (retention, the mock's 5 MiB
                                    // per partition) is an error, never a silent jump to its end.
                                    {"auto.offset.reset", "error"},
                                    {"enable.partition.eof", "true"},
                                    // Catching up ends at an empty fetch: do not let the broker hold it.
                                    {"fetch.wait.max.ms", "10"}}) {
    if (Status set = config->set(name, value); !set) return set.error();
  }
  return KafkaClient::create(KafkaClientType::consumer, std::move(*config));
}

Status assign(KafkaClient& reader, const std::string& topic, const std::map<int32_t, int64_t>& from_offsets) {
  std::unique_ptr<rd_kafka_topic_partition_list_t, void (*)(rd_kafka_topic_partition_list_t*)> assignment(
      rd_kafka_topic_partition_list_new(static_cast<int>(from_offsets.size())),
      &rd_kafka_topic_partition_list_destroy);
  for (const auto& [partition, offset] : from_offsets)
    rd_kafka_topic_partition_list_add(assignment.get(), topic.c_str(), partition)->offset = offset;
  const rd_kafka_resp_err_t error = rd_kafka_assign(reader.native(), assignment.get());
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return kafka_error(fmt::format("cannot read topic '{}' ({} partitions)", topic, from_offsets.size()),
                       error);
  }
  return ok_status();
}

using AcceptedVisitor = std::function<Status(int64_t, const EventBatch&)>;
using IgnoredVisitor = std::function<void(int64_t, const EventBatch&, BatchVerdict)>;

// Judges one message; false at the end of the partition.
Result<bool> take(const rd_kafka_message_t& message, BatchAcceptance& acceptance, EventsReadSummary& summary,
                  const AcceptedVisitor& on_accepted, const IgnoredVisitor& on_ignored) {
  if (message.err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    summary.next_offset = message.offset;
    return false;
  }
  if (message.err != RD_KAFKA_RESP_ERR_NO_ERROR) return kafka_error("cannot read the events", message.err);
  const std::string_view bytes(static_cast<const char*>(message.payload), message.len);
  Result<EventBatch> batch = decode_event_batch(bytes);
  if (!batch) {
    return make_error(Errc::corruption, fmt::format("events partition {} offset {}: {}", message.partition,
                                                    message.offset, batch.error().message));
  }
  summary.next_offset = message.offset + 1;
  const BatchVerdict verdict = acceptance.offer(*batch);
  if (verdict == BatchVerdict::gap) {
    return make_error(Errc::corruption,
                      fmt::format("events partition {} offset {}: batch {} of owner '{}' follows batch {}",
                                  message.partition, message.offset, batch->sequence, batch->owner,
                                  acceptance.position().sequence));
  }
  if (verdict != BatchVerdict::accepted) {
    ++summary.ignored[verdict];
    if (on_ignored) on_ignored(message.offset, *batch, verdict);
    return true;
  }
  ++summary.accepted;
  if (Status visited = on_accepted(message.offset, *batch); !visited) return visited.error();
  return true;
}

}  // namespace

Result<EventsReadSummary> read_event_batches(const KafkaEndpoint& endpoint, const std::string& topic,
                                             int32_t partition, int64_t from_offset,
                                             BatchAcceptance& acceptance, const AcceptedVisitor& on_accepted,
                                             int timeout_ms, const IgnoredVisitor& on_ignored) {
  Result<std::unique_ptr<KafkaClient>> reader = committed_reader(endpoint);
  if (!reader) return reader.error();
  if (Status assigned = assign(**reader, topic, {{partition, from_offset}}); !assigned)
    return assigned.error();
  EventsReadSummary summary;
  summary.next_offset = from_offset;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return make_error(Errc::kafka_error,
                        fmt::format("topic '{}' partition {}: the end was not reached within {} ms "
                                    "(at offset {})",
                                    topic, partition, timeout_ms, summary.next_offset));
    }
    std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> message(
        rd_kafka_consumer_poll((*reader)->native(), poll_ms), &rd_kafka_message_destroy);
    if (!message) continue;
    Result<bool> more = take(*message, acceptance, summary, on_accepted, on_ignored);
    if (!more) return more.error();
    if (!*more) break;
  }
  rd_kafka_consumer_close((*reader)->native());
  return summary;
}

Result<std::unique_ptr<EventsFollower>> EventsFollower::open(const KafkaEndpoint& endpoint,
                                                             const std::string& topic,
                                                             const std::map<int32_t, int64_t>& from_offsets,
                                                             std::string_view offsets_group) {
  Result<std::unique_ptr<KafkaClient>> reader =
      offsets_group.empty() ? committed_reader(endpoint) : committed_reader(endpoint, offsets_group);
  if (!reader) return reader.error();
  if (Status assigned = assign(**reader, topic, from_offsets); !assigned) return assigned.error();
  std::vector<int32_t> partitions;
  for (const auto& [partition, offset] : from_offsets) partitions.push_back(partition);
  return std::unique_ptr<EventsFollower>(
      new EventsFollower(std::move(*reader), topic, std::move(partitions)));
}

EventsFollower::~EventsFollower() { rd_kafka_consumer_close(reader_->native()); }

Result<std::vector<FollowedMessage>> EventsFollower::poll(int timeout_ms, size_t max) {
  std::vector<FollowedMessage> messages;
  int wait_ms = timeout_ms;
  while (messages.size() < max) {
    std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> message(
        rd_kafka_consumer_poll(reader_->native(), wait_ms), &rd_kafka_message_destroy);
    if (!message) break;
    wait_ms = 0;  // the first one came: take only what is already fetched
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      messages.push_back(FollowedMessage{
          .partition = message->partition, .offset = message->offset, .end_of_partition = true, .bytes = {}});
      continue;
    }
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return kafka_error(fmt::format("cannot read topic '{}' partition {} at offset {}", topic_,
                                     message->partition, message->offset),
                         message->err);
    }
    messages.push_back(
        FollowedMessage{.partition = message->partition,
                        .offset = message->offset,
                        .end_of_partition = false,
                        .bytes = std::string(static_cast<const char*>(message->payload), message->len)});
  }
  return messages;
}

Result<std::map<int32_t, int64_t>> EventsFollower::end_offsets(int timeout_ms) const {
  return read_end_offsets(*reader_, topic_, partitions_, timeout_ms);
}

std::map<int32_t, int64_t> EventsFollower::fetched_end_offsets() const {
  std::map<int32_t, int64_t> ends;
  for (const int32_t partition : partitions_) {
    int64_t low = 0;
    int64_t high = 0;
    const rd_kafka_resp_err_t error =
        rd_kafka_get_watermark_offsets(reader_->native(), topic_.c_str(), partition, &low, &high);
    if (error == RD_KAFKA_RESP_ERR_NO_ERROR && high >= 0) ends[partition] = high;
  }
  return ends;
}

Status EventsFollower::commit(const std::map<int32_t, int64_t>& next_offsets, bool wait) {
  if (next_offsets.empty()) return ok_status();
  std::unique_ptr<rd_kafka_topic_partition_list_t, void (*)(rd_kafka_topic_partition_list_t*)> list(
      rd_kafka_topic_partition_list_new(static_cast<int>(next_offsets.size())),
      &rd_kafka_topic_partition_list_destroy);
  for (const auto& [partition, offset] : next_offsets)
    rd_kafka_topic_partition_list_add(list.get(), topic_.c_str(), partition)->offset = offset;
  const rd_kafka_resp_err_t error = rd_kafka_commit(reader_->native(), list.get(), wait ? 0 : 1);
  if (wait && error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return kafka_error(fmt::format("cannot commit the offsets of topic '{}'", topic_), error);
  }
  return ok_status();
}

}  // namespace paystream
