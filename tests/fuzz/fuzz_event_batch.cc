// decode_event_batch on arbitrary bytes (what Kafka mode's events topic may hold from any
// producer, or damaged): an error or a batch, never a crash; an accepted batch is well formed
// (check_event_batch), encodes, and decodes to itself.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "events/kafka/event_batch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const paystream::Result<paystream::EventBatch> batch = paystream::decode_event_batch(bytes);
  if (!batch) return 0;
  PAYSTREAM_ASSERT(paystream::check_event_batch(*batch).ok());
  const paystream::Result<paystream::EventBatch> again =
      paystream::decode_event_batch(paystream::encode_event_batch(*batch));
  PAYSTREAM_ASSERT(again.ok() && *again == *batch);
  return 0;
}
