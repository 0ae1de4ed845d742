// decode_command on arbitrary bytes (what P.commands may carry from any producer): an Error or a
// command, never a crash; a command it accepts encodes and decodes back to itself.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "events/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const paystream::Result<paystream::Command> command = paystream::decode_command(bytes);
  if (!command) return 0;
  const paystream::Result<paystream::Command> again =
      paystream::decode_command(paystream::encode_command(*command));
  PAYSTREAM_ASSERT(again.ok() && *again == *command);
  return 0;
}
