#include "tools/kafka/result_decoding.h"

#include <fmt/format.h>

#include <limits>
#include <nlohmann/json.hpp>

#include "tools/runtime/command_json.h"

namespace paystream {
namespace {

using json = nlohmann::json;

// The deepest a result nests: the object, then "error" or "positions".
constexpr size_t result_depth_max = 2;

Error malformed(std::string_view why) {
  return make_error(Errc::corruption, fmt::format("a result {}", why));
}

// The member `name` of `object`; nullptr when absent.
const json* member(const json& object, const char* name) {
  const auto found = object.find(name);
  return found == object.end() ? nullptr : &*found;
}

Result<std::string> string_member(const json& object, const char* name) {
  const json* value = member(object, name);
  if (value == nullptr || !value->is_string()) return malformed(fmt::format("without a string \"{}\"", name));
  return value->get<std::string>();
}

Result<bool> bool_member(const json& object, const char* name) {
  const json* value = member(object, name);
  if (value == nullptr || !value->is_boolean())
    return malformed(fmt::format("without a boolean \"{}\"", name));
  return value->get<bool>();
}

// A whole number in 0..max. nlohmann-json keeps every non-negative integer literal unsigned, so a
// negative one or a fraction is refused by the type alone.
Result<uint64_t> number_of(const json& value, const char* name, uint64_t max) {
  if (!value.is_number_unsigned() || value.get<uint64_t>() > max) {
    return malformed(fmt::format("whose \"{}\" is not a whole number from 0 to {}", name, max));
  }
  return value.get<uint64_t>();
}

Result<uint64_t> number_member(const json& object, const char* name, uint64_t max) {
  const json* value = member(object, name);
  if (value == nullptr) return malformed(fmt::format("without \"{}\"", name));
  return number_of(*value, name, max);
}

Status decode_positions(const json& object, CommandResult& result) {
  Result<bool> duplicate = bool_member(object, "duplicate");
  if (!duplicate) return duplicate.error();
  result.duplicate = *duplicate;
  const json* positions = member(object, "positions");
  if (positions == nullptr || !positions->is_array()) return malformed("without a \"positions\" array");
  for (const json& position : *positions) {
    Result<uint64_t> value = number_of(position, "positions", std::numeric_limits<uint64_t>::max());
    if (!value) return value.error();
    result.positions.push_back(*value);
  }
  return ok_status();
}

Status decode_applied(const json& object, CommandResult& result) {
  if (member(object, "error") != nullptr) return malformed("that is ok but has an \"error\"");
  return decode_positions(object, result);
}

Status decode_refused(const json& object, CommandResult& result) {
  // A refusal whose events are recorded (a wrong card PIN, a card's payment refused) names them too.
  if (member(object, "duplicate") != nullptr || member(object, "positions") != nullptr) {
    if (Status recorded = decode_positions(object, result); !recorded) return recorded;
    if (result.positions.empty()) return malformed("that is not ok, with an empty \"positions\"");
  }
  const json* error = member(object, "error");
  if (error == nullptr || !error->is_object())
    return malformed("that is not ok, without an \"error\" object");
  Result<std::string> code = string_member(*error, "code");
  if (!code) return code.error();
  if (code->empty()) return malformed("whose error has an empty \"code\"");
  Result<std::string> message = string_member(*error, "message");
  if (!message) return message.error();
  result.error_code = std::move(*code);
  result.error_message = std::move(*message);
  return ok_status();
}

// partition, offset, topic and epoch: where the command was decided, common to both shapes.
Status decode_origin(const json& object, CommandResult& result) {
  Result<uint64_t> partition = number_member(object, "partition", std::numeric_limits<int32_t>::max());
  if (!partition) return partition.error();
  Result<uint64_t> offset = number_member(object, "offset", std::numeric_limits<int64_t>::max());
  if (!offset) return offset.error();
  Result<std::string> topic = string_member(object, "topic");
  if (!topic) return topic.error();
  if (*topic != "commands" && *topic != "control") {
    return malformed(fmt::format("of topic '{}', neither 'commands' nor 'control'", *topic));
  }
  Result<uint64_t> epoch = number_member(object, "epoch", std::numeric_limits<uint64_t>::max());
  if (!epoch) return epoch.error();
  result.partition = static_cast<int32_t>(*partition);
  result.offset = static_cast<int64_t>(*offset);
  result.from_control = *topic == "control";
  result.epoch = *epoch;
  return ok_status();
}

}  // namespace

Result<CommandResult> decode_result_json(std::string_view text) {
  if (text.size() > result_json_bytes_max) {
    return malformed(fmt::format("of {} bytes, more than {}", text.size(), result_json_bytes_max));
  }
  Result<json> parsed = parse_json_text(text, result_depth_max);
  if (!parsed) return make_error(Errc::corruption, fmt::format("a result: {}", parsed.error().message));
  const json& object = *parsed;
  if (!object.is_object()) return malformed("that is not a JSON object");
  CommandResult result;
  Result<std::string> command_id = string_member(object, "command_id");
  if (!command_id) return command_id.error();
  result.command_id = std::move(*command_id);
  Result<bool> ok = bool_member(object, "ok");
  if (!ok) return ok.error();
  result.ok = *ok;
  if (Status shape = result.ok ? decode_applied(object, result) : decode_refused(object, result); !shape) {
    return shape.error();
  }
  if (Status origin = decode_origin(object, result); !origin) return origin.error();
  return result;
}

}  // namespace paystream
