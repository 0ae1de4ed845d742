// decode_event on arbitrary bytes (a corrupt log entry, a hostile Kafka message): an Error or an
// event, never a crash; an event it accepts encodes (encode_event asserts on anything a replay
// would refuse) and decodes back to itself.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "events/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const paystream::Result<paystream::Event> event = paystream::decode_event(bytes);
  if (!event) return 0;
  const paystream::Result<paystream::Event> again = paystream::decode_event(paystream::encode_event(*event));
  PAYSTREAM_ASSERT(again.ok() && *again == *event);
  return 0;
}
