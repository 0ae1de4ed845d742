#pragma once
// The engine's first look at a message from P.commands or P.control (docs/kafka.md): decode it and
// check that it was routed as engine/kafka_client/routing.h says. A message failing a check is answered
// as that command's refusal (its outcome in the batch), never a reason to stop the partition: one
// bad producer must not halt every account of a partition.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "events/command.h"

namespace paystream {

// How a message's value is written, by its `content-type` header: none for Cap'n Proto
// (events/schema/), `application/json` for the JSON of `paystream apply` (docs/kafka.md, "JSON
// commands").
inline constexpr std::string_view content_type_header = "content-type";
inline constexpr std::string_view json_content_type = "application/json";

// Reads a JSON command, given its message's key (a reversal's account); `command_id` (optional)
// gets the ID the text names, also when it is refused. engine/ knows no JSON: tools/ gives it.
using JsonCommandReader =
    std::function<Result<Command>(std::string_view text, std::string_view key, std::string* command_id)>;

// The message's value as a Command: Cap'n Proto without a content type, the reader's for JSON
// (invalid_argument when this engine has none), invalid_argument for another content type.
Result<Command> read_command(std::string_view key, std::string_view value,
                             const std::optional<std::string>& content_type, const JsonCommandReader& json,
                             std::string* command_id = nullptr);

// The checks of admit_command below on a command already read (a refusal of the reading passes
// through).
Result<Command> admit_read_command(Result<Command> read, std::string_view key, int32_t partition,
                                   int32_t partition_count, std::string* command_id = nullptr);
// The checks of admit_control_command below on a command already read.
Result<Command> admit_read_control_command(Result<Command> read, std::string* command_id = nullptr);

// A message of P.commands partition `partition` (of `partition_count`): corruption when the bytes
// are not a Command; invalid_argument when the command is not about the account of its key (a
// reversal is taken to be about its key's account), when it belongs on P.control, or when the
// key's partition is not this one (the producer did not partition with murmur2).
// `command_id` (optional) gets the ID of a message that decoded, also when it is refused.
Result<Command> admit_command(std::string_view key, std::string_view value, int32_t partition,
                              int32_t partition_count, std::string* command_id = nullptr);

// A message of P.control: corruption when the bytes are not a Command; invalid_argument when the
// command is about an account (it belongs on P.commands).
Result<Command> admit_control_command(std::string_view value, std::string* command_id = nullptr);

}  // namespace paystream
