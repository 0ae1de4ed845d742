// A JSON command line (`paystream apply`, POST /v1/commands, `publish`) from arbitrary text: a
// clear Error or a command, never a crash, and a command it accepts prints back (command_to_json)
// to a line that parses to the same command.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tools/runtime/command_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const paystream::Result<paystream::Command> command = paystream::command_from_json_text(text, "admin");
  if (!command) {
    PAYSTREAM_ASSERT(!command.error().message.empty());
    return 0;
  }
  const paystream::Result<nlohmann::json> line = paystream::command_to_json(*command);
  if (!line) return 0;  // kinds with no line form (operators, card batches)
  const paystream::Result<paystream::Command> again = paystream::command_from_json(*line, "admin");
  PAYSTREAM_ASSERT(again.ok() && *again == *command);
  return 0;
}
