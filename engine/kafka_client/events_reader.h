#pragma once
// Reading one events partition as Kafka mode's history: each message decoded as an EventBatch
// (events/kafka/event_batch.h) and judged by the reader's rule (events/kafka/batch_acceptance.h), with
// isolation.level=read_committed. The engine's state rebuild and the projections read this way.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/kafka_client/client.h"
#include "events/kafka/batch_acceptance.h"

namespace paystream {

struct EventsReadSummary {
  uint64_t accepted = 0;
  std::map<BatchVerdict, uint64_t> ignored;  // how many of each kind were ignored
  int64_t next_offset = 0;                   // where to resume: the end that was reached
};

// Reads `partition` of `topic` from `from_offset` to the end it can read (read_committed: the
// last stable offset on a real cluster), calling `on_accepted` with each accepted batch and its
// offset, in order, and moving `acceptance` along; `on_ignored` (optional) sees the others. Stops with
// Errc::corruption naming the offset on a message that is not a well-formed batch or on a gap in an owner's
// sequence, with the callback's error, or with kafka_error when the end is not reached within timeout_ms.
Result<EventsReadSummary> read_event_batches(
    const KafkaEndpoint& endpoint, const std::string& topic, int32_t partition, int64_t from_offset,
    BatchAcceptance& acceptance, const std::function<Status(int64_t, const EventBatch&)>& on_accepted,
    int timeout_ms,
    const std::function<void(int64_t, const EventBatch&, BatchVerdict)>& on_ignored = nullptr);

// One message of an events partition as EventsFollower reads it: the bytes of a batch (to be
// decoded and judged by the caller), or the notice that the partition's end was reached at `offset`.
struct FollowedMessage {
  int32_t partition = 0;
  int64_t offset = 0;
  bool end_of_partition = false;
  std::string bytes;
};

// Follows several partitions of the events topic at once, read_committed, from the offsets the
// caller stored (the projections keep theirs with their rows; the group's offsets are never read).
// Nothing in it is particular to the events: the results index follows P.results with it too.
// Messages of one partition come in offset order; partitions interleave. Each time a partition's
// end is reached, one end_of_partition message says so.
class EventsFollower {
 public:
  // offsets_group (optional): the consumer group that commit() reports to.
  static Result<std::unique_ptr<EventsFollower>> open(const KafkaEndpoint& endpoint, const std::string& topic,
                                                      const std::map<int32_t, int64_t>& from_offsets,
                                                      std::string_view offsets_group = {});
  ~EventsFollower();
  EventsFollower(const EventsFollower&) = delete;
  EventsFollower& operator=(const EventsFollower&) = delete;

  // Up to `max` messages: waits up to timeout_ms for the first, then takes what is already there.
  // kafka_error on a read error (an offset that is gone: retention, the mock's size limit).
  Result<std::vector<FollowedMessage>> poll(int timeout_ms, size_t max);
  // Each followed partition's end offset as the broker says now (its high watermark).
  Result<std::map<int32_t, int64_t>> end_offsets(int timeout_ms) const;
  // The same as the last fetches told it, without asking the broker; a partition not fetched yet is
  // missing.
  std::map<int32_t, int64_t> fetched_end_offsets() const;
  // Tells the offsets group (open's offsets_group) where the caller stands, so that Kafka's own tools
  // show its lag, only ever after what the offsets stand for is stored. Asynchronous (a refusal is
  // not reported: the next commit carries newer offsets) unless `wait`, which reports it.
  Status commit(const std::map<int32_t, int64_t>& next_offsets, bool wait = false);

 private:
  EventsFollower(std::unique_ptr<KafkaClient> reader, std::string topic, std::vector<int32_t> partitions)
      : reader_(std::move(reader)), topic_(std::move(topic)), partitions_(std::move(partitions)) {}
  std::unique_ptr<KafkaClient> reader_;
  std::string topic_;
  std::vector<int32_t> partitions_;
};

}  // namespace paystream
