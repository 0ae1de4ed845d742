#pragma once
// Kafka mode's unit on the events topic: one EventBatch message per batch of commands of one
// partition, carrying the owner's epoch and the command position with the events, so that
// recovery and zombie detection follow from the log itself (docs/kafka.md, "Design note").
// Schema: events/kafka/schema/kafka.capnp. Decoding never throws: malformed bytes are Errc::corruption.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "events/result.h"

namespace paystream {

struct BatchOutcome {
  std::string command_id;
  int64_t command_offset = 0;
  std::string error_code;  // "" when applied; else the errc name of the refusal
  std::string error_message;
  uint32_t event_count = 0;
  bool duplicate = false;
  bool from_control = false;  // a P.control command: command_offset is its offset there
  std::string fingerprint;    // empty, or the first bytes of SHA-256 of the command's encoding
  bool operator==(const BatchOutcome&) const = default;
};

struct EventBatch {
  uint64_t epoch = 0;
  std::string owner;
  uint64_t sequence = 0;  // 0: the takeover marker that opens `epoch` for `owner`
  int32_t command_partition = 0;
  int64_t next_command_offset = 0;
  std::vector<std::string> events;  // encode_event bytes
  std::vector<BatchOutcome> outcomes;
  int64_t next_control_offset = 0;  // the first P.control offset not copied into this partition
  bool is_takeover() const { return sequence == 0; }
  bool operator==(const EventBatch&) const = default;
};

// One message must stay under Kafka's default message.max.bytes (1 MiB plus headers).
inline constexpr size_t event_batch_bytes_max = size_t{1} << 20;
inline constexpr size_t batch_owner_bytes_max = 64;
inline constexpr size_t outcome_fingerprint_bytes_max = 32;

// The rules of a well-formed batch, checked before writing and after reading: epoch >= 1; owner
// 1-64 printable ASCII characters; partition and offset not negative; a takeover marker holds no
// events and no outcomes; every other batch has at least one outcome, and the outcomes' event
// counts add up to the number of events; a duplicate or refused command made no events.
Status check_event_batch(const EventBatch& batch);

// Asserts check_event_batch and the size limit: the engine never writes what a reader refuses.
std::string encode_event_batch(const EventBatch& batch);
Result<EventBatch> decode_event_batch(std::string_view bytes);

}  // namespace paystream
