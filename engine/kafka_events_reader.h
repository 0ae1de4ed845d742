#pragma once
// Reading one events partition as Kafka mode's history: each message decoded as an EventBatch
// (events/event_batch.h) and judged by the reader's rule (events/batch_acceptance.h), with
// isolation.level=read_committed. The engine's state rebuild and the projections read this way.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "engine/kafka_client.h"
#include "events/batch_acceptance.h"

namespace paystream {

struct EventsReadSummary {
  uint64_t accepted = 0;
  std::map<BatchVerdict, uint64_t> ignored;  // how many of each kind were ignored
  int64_t next_offset = 0;                   // where to resume: the end that was reached
};

// Reads `partition` of `topic` from `from_offset` to the end it can read (read_committed: the
// last stable offset on a real cluster), calling `on_accepted` with each accepted batch and its
// offset, in order, and moving `acceptance` along; `on_ignored` (optional) sees the others. Stops with Errc::corruption naming the offset
// on a message that is not a well-formed batch or on a gap in an owner's sequence, with the
// callback's error, or with kafka_error when the end is not reached within timeout_ms.
Result<EventsReadSummary> read_event_batches(std::string_view bootstrap, const std::string& topic,
                                             int32_t partition, int64_t from_offset, BatchAcceptance& acceptance,
                                             const std::function<Status(int64_t, const EventBatch&)>& on_accepted,
                                             int timeout_ms,
                                             const std::function<void(int64_t, const EventBatch&, BatchVerdict)>&
                                                 on_ignored = nullptr);

}  // namespace paystream
