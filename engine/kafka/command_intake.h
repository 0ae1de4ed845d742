#pragma once
// The engine's first look at a message from P.commands or P.control (docs/kafka.md): decode it and
// check that it was routed as engine/kafka_client/routing.h says. A message failing a check is answered
// as that command's refusal (its outcome in the batch), never a reason to stop the partition: one
// bad producer must not halt every account of a partition.
#include <cstdint>
#include <string>
#include <string_view>

#include "events/command.h"

namespace paystream {

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
