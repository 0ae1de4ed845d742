#pragma once
// Reading one message of P.results back (docs/kafka.md, "Results"): the inverse of
// encode_result_json (engine/kafka/results.h). In tools/ because it parses with nlohmann-json,
// which the engine's libraries do not link.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "events/result.h"

namespace paystream {

// The outcome of one published command, as P.results says it.
struct CommandResult {
  std::string command_id;
  bool ok = false;
  bool duplicate = false;           // the ID was applied before, `positions` are the first outcome's
  std::vector<uint64_t> positions;  // the record IDs the command made (refused: those recording it, if any)
  std::string error_code;           // refused only: the errc name (never empty when !ok)
  std::string error_message;        // refused only
  int32_t partition = 0;            // the events partition that decided it
  int64_t offset = 0;               // the command's offset on P.commands (or P.control)
  bool from_control = false;        // "topic":"control"
  uint64_t epoch = 0;               // the deciding owner's epoch
  bool operator==(const CommandResult&) const = default;
};

// A result message is one short line; anything longer is not one.
inline constexpr size_t result_json_bytes_max = size_t{1} << 20;

// Every field encode_result_json writes, with its type and range: an applied result has
// "duplicate" and "positions" and no "error", a refused one the reverse. Members a later engine may
// add are ignored. corruption saying what is wrong otherwise (not JSON, a missing or mistyped
// field, a negative or too large number, an unknown "topic").
Result<CommandResult> decode_result_json(std::string_view json);

}  // namespace paystream
