#include "engine/kafka/command_intake.h"

#include <fmt/format.h>

#include "engine/kafka_client/routing.h"
#include "events/codec.h"

namespace paystream {
namespace {

Error misrouted(std::string message) { return make_error(Errc::invalid_argument, std::move(message)); }

}  // namespace

Result<Command> read_command(std::string_view key, std::string_view value,
                             const std::optional<std::string>& content_type, const JsonCommandReader& json,
                             std::string* command_id) {
  if (!content_type) return decode_command(value);
  if (*content_type != json_content_type) {
    return make_error(Errc::invalid_argument,
                      fmt::format("content-type '{}' is not one the engine reads: '{}' for JSON, none for "
                                  "Cap'n Proto",
                                  *content_type, json_content_type));
  }
  if (!json) return make_error(Errc::invalid_argument, "this engine reads no JSON commands");
  return json(value, key, command_id);
}

Result<Command> admit_command(std::string_view key, std::string_view value, int32_t partition,
                              int32_t partition_count, std::string* command_id) {
  return admit_read_command(decode_command(value), key, partition, partition_count, command_id);
}

Result<Command> admit_read_command(Result<Command> command, std::string_view key, int32_t partition,
                                   int32_t partition_count, std::string* command_id) {
  if (!command) return command.error();
  if (command_id != nullptr && check_command_id(command->command_id)) *command_id = command->command_id;
  // For a reversal, the key is the account: route_command takes it as the record's account.
  Result<CommandRoute> route = route_command(*command, key, /*from_engine=*/true);
  if (!route) return misrouted(fmt::format("command '{}': {}", command->command_id, route.error().message));
  if (route->topic != TopicKind::commands) {
    return misrouted(fmt::format("command '{}' ({}) is about no account: publish it to the control topic",
                                 command->command_id, command_name(command->body)));
  }
  if (route->key != key) {
    return misrouted(
        fmt::format("command '{}' is about '{}' but keyed '{}'", command->command_id, route->key, key));
  }
  const int32_t owner = partition_of_key(key, partition_count);
  if (owner != partition) {
    return misrouted(
        fmt::format("command '{}': key '{}' belongs to partition {}, not {}: the producer must "
                    "partition by murmur2 of the key (docs/kafka.md)",
                    command->command_id, key, owner, partition));
  }
  return command;
}

Result<Command> admit_control_command(std::string_view value, std::string* command_id) {
  return admit_read_control_command(decode_command(value), command_id);
}

Result<Command> admit_read_control_command(Result<Command> command, std::string* command_id) {
  if (!command) return command.error();
  if (command_id != nullptr && check_command_id(command->command_id)) *command_id = command->command_id;
  Result<CommandRoute> route = route_command(*command, "");
  if (route && route->topic == TopicKind::control) return command;
  return misrouted(fmt::format("command '{}' ({}) is about an account: publish it to the commands topic",
                               command->command_id, command_name(command->body)));
}

}  // namespace paystream
