#pragma once
// Taking over one partition in Kafka mode (docs/kafka.md, design note, "The loop", step 1): read
// the events partition to its end through the reader's rule, write a takeover marker one epoch
// above what was accepted, then read on and see whether that marker was accepted. Two instances
// taking the same partition at once both reach the same epoch; the marker written first wins,
// and the other learns it lost and must leave the partition alone. The steps are separate so
// that tests can interleave two instances; take_over() runs them in order.
#include <cstdint>
#include <functional>
#include <string>

#include "engine/kafka_client/events_reader.h"
#include "engine/kafka_client/transactions.h"

namespace paystream {

struct TakeoverOptions {
  KafkaEndpoint endpoint;
  std::string events_topic;
  int32_t partition = 0;
  std::string owner;  // unique per takeover (random): tells two takeovers of one epoch apart
  int timeout_ms = 30'000;
};

class PartitionTakeover {
 public:
  // Resumes from a checkpoint: the reader's position and the events offset it had reached.
  // `on_accepted` sees every accepted batch in order (the caller rebuilds its state from them).
  PartitionTakeover(TakeoverOptions options, BatchPosition checkpoint, int64_t checkpoint_offset,
                    std::function<Status(int64_t, const EventBatch&)> on_accepted);
  // The same, with the checkpoint's command and control positions (the marker carries them on
  // when no batch follows the checkpoint).
  PartitionTakeover(TakeoverOptions options, BatchPosition checkpoint, int64_t checkpoint_offset,
                    int64_t next_command_offset, int64_t next_control_offset,
                    std::function<Status(int64_t, const EventBatch&)> on_accepted);

  // 1. Reads to the end of the partition.
  Status catch_up();
  // 2. Writes the marker for epoch = accepted + 1 in a transaction of `producer`, carrying the
  //    accepted next command offset.
  Status claim(TransactionalProducer& producer);
  // 3. Reads on until this takeover's marker has been read (a committed transaction can take a
  //    moment to become readable) and then to the end; true when the accepted position is this
  //    takeover's. kafka_error when the marker does not show within the timeout.
  Result<bool> confirm();

  // All three. false: another instance holds the partition now.
  Result<bool> take_over(TransactionalProducer& producer);

  const BatchPosition& position() const { return acceptance_.position(); }
  // Where the commands of the partition are to be read from: the accepted batches' position.
  int64_t next_command_offset() const { return next_command_offset_; }
  // Where P.control is to be copied from into this partition.
  int64_t next_control_offset() const { return next_control_offset_; }
  int64_t events_offset() const { return events_offset_; }

 private:
  Status read_to_end();

  TakeoverOptions options_;
  BatchAcceptance acceptance_;
  int64_t events_offset_;
  int64_t next_command_offset_ = 0;
  int64_t next_control_offset_ = 0;
  bool own_marker_read_ = false;
  std::function<Status(int64_t, const EventBatch&)> on_accepted_;
};

}  // namespace paystream
