#include "tools/commands/kafka_command_json.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "tools/runtime/command_json.h"

namespace paystream {

using json = nlohmann::json;

Result<KafkaCommand> kafka_command_from_json_text(std::string_view text,
                                                  const std::string& default_operator) {
  Result<json> parsed = parse_json_text(text);
  if (!parsed) return parsed.error();
  json object = std::move(*parsed);
  const bool reversal = object.is_object() && object.contains("type") && object.at("type") == "reverse";
  if (!reversal || !object.contains("account")) {
    Result<Command> command = command_from_json(object, default_operator);
    if (!command) return command.error();
    if (const auto* reverse = std::get_if<Reverse>(&command->body)) {
      return make_error(
          Errc::invalid_argument,
          fmt::format("a reversal on Kafka needs \"account\", the account of record {}: it decides "
                      "the partition (docs/kafka.md)",
                      reverse->record.value));
    }
    return KafkaCommand{std::move(*command), ""};
  }
  if (!object.at("account").is_string())
    return make_error(Errc::invalid_argument, "\"account\" must be a string");
  std::string account = object.at("account").get<std::string>();
  object.erase("account");
  Result<Command> command = command_from_json(object, default_operator);
  if (!command) return command.error();
  return KafkaCommand{std::move(*command), std::move(account)};
}

std::string command_id_of_json_text(std::string_view text) {
  const json object = json::parse(text.begin(), text.end(), nullptr, false);
  if (!object.is_object() || !object.contains("command_id") || !object.at("command_id").is_string())
    return "";
  return object.at("command_id").get<std::string>();
}

Result<Command> read_kafka_json_command(std::string_view text, std::string_view key,
                                        std::string* command_id) {
  if (command_id != nullptr) {
    const std::string named = command_id_of_json_text(text);
    if (check_command_id(named)) *command_id = named;
  }
  Result<json> parsed = parse_json_text(text);
  if (!parsed) return parsed.error();
  if (!parsed->is_object() || !parsed->contains("operator")) {
    return make_error(Errc::invalid_argument,
                      "a JSON command on Kafka must name its \"operator\" (no default applies there)");
  }
  json object = std::move(*parsed);
  if (object.contains("type") && object.at("type") == "reverse" && object.contains("account")) {
    if (!object.at("account").is_string() || object.at("account").get<std::string>() != key) {
      return make_error(Errc::invalid_argument,
                        fmt::format("the reversal's \"account\" is not its key '{}'", key));
    }
    object.erase("account");  // the key stands for it, as a Cap'n Proto reversal's does
  }
  Result<Command> command = command_from_json(object, "");
  if (!command) return command.error();
  if (command->command_id.empty()) {
    return make_error(Errc::invalid_argument,
                      "a JSON command on Kafka must name its \"command_id\": nobody can give it one "
                      "there, and a command sent again without one would apply twice");
  }
  return command;
}

}  // namespace paystream
