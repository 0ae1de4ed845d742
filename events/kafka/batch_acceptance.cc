#include "events/kafka/batch_acceptance.h"

namespace paystream {

const char* batch_verdict_name(BatchVerdict verdict) {
  switch (verdict) {
    case BatchVerdict::accepted:
      return "accepted";
    case BatchVerdict::superseded_epoch:
      return "superseded_epoch";
    case BatchVerdict::lost_takeover:
      return "lost_takeover";
    case BatchVerdict::no_takeover:
      return "no_takeover";
    case BatchVerdict::repeated:
      return "repeated";
    case BatchVerdict::gap:
      return "gap";
  }
  return "unknown";
}

BatchVerdict BatchAcceptance::offer(const EventBatch& batch) {
  if (batch.epoch < position_.epoch) return BatchVerdict::superseded_epoch;
  if (batch.is_takeover()) {
    // Two takeovers that read the same end race to the same epoch: the first one written wins.
    if (batch.epoch == position_.epoch) {
      return batch.owner == position_.owner ? BatchVerdict::repeated : BatchVerdict::lost_takeover;
    }
    position_ = BatchPosition{batch.epoch, batch.owner, 0};
    return BatchVerdict::accepted;
  }
  // A batch is written only after its owner saw its marker accepted, so a newer epoch without one
  // (or any batch before the partition's first marker) is not part of the history.
  if (batch.epoch > position_.epoch) return BatchVerdict::no_takeover;
  if (batch.owner != position_.owner) return BatchVerdict::lost_takeover;
  if (batch.sequence <= position_.sequence) return BatchVerdict::repeated;
  if (batch.sequence != position_.sequence + 1) return BatchVerdict::gap;
  position_.sequence = batch.sequence;
  return BatchVerdict::accepted;
}

}  // namespace paystream
