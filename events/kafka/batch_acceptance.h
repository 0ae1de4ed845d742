#pragma once
// The reader's rule of Kafka mode (docs/kafka.md, "The reader's rule"): which EventBatch messages
// of one events partition make its history. Every reader (the engine rebuilding a partition's
// state, the projections, an auditor) runs the same rule over the same bytes, so all agree even
// where Kafka does not hide or fence anything (librdkafka's mock cluster shows aborted and open
// transactions, and lets a zombie producer commit):
//   - a takeover marker with an epoch above the accepted one opens that epoch for its owner;
//   - a batch of the accepted epoch and owner, numbered one past the last, is accepted;
//   - anything else is ignored, saying why.
// Pure and deterministic; one object per partition, fed in offset order.
#include <cstdint>
#include <string>

#include "events/kafka/event_batch.h"

namespace paystream {

enum class BatchVerdict {
  accepted,
  superseded_epoch,  // older than the accepted epoch: a zombie's write after a takeover
  lost_takeover,     // the accepted epoch, another owner: a takeover that lost a race
  no_takeover,       // a newer epoch, or anything before the first marker, without its marker
  repeated,          // a sequence number already accepted: an aborted copy followed by its retry
  gap,               // a sequence number skipped: the history is broken (treat as corruption)
};

const char* batch_verdict_name(BatchVerdict verdict);

// Where a reader stands in a partition: what it accepted last. Checkpointed with the state.
struct BatchPosition {
  uint64_t epoch = 0;  // 0: nothing accepted yet
  std::string owner;
  uint64_t sequence = 0;
  bool operator==(const BatchPosition&) const = default;
};

class BatchAcceptance {
 public:
  BatchAcceptance() = default;
  explicit BatchAcceptance(BatchPosition from) : position_(std::move(from)) {}

  // Judges the next batch of the partition; moves the position when it is accepted.
  BatchVerdict offer(const EventBatch& batch);
  const BatchPosition& position() const { return position_; }

 private:
  BatchPosition position_;
};

}  // namespace paystream
