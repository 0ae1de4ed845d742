#pragma once
// Commands written as the JSON of `paystream apply`, for Kafka: `publish` reads its input lines with
// it, and the engine the messages of P.commands and P.control marked `content-type:
// application/json` (docs/kafka.md, "JSON commands"), so an upstream system in any language can
// send commands without Cap'n Proto.
#include <string>
#include <string_view>

#include "events/command.h"

namespace paystream {

// A command read for Kafka, with the account a reversal is routed by (docs/kafka.md).
struct KafkaCommand {
  Command command;
  std::string reversal_account;  // "" unless a reversal names "account"
};

// As command_from_json_text (parse_json_text, then command_from_json), plus "account" on a
// reversal: the record's account, which decides its partition. It is taken out of the object
// before the command is read, since the command itself names only the record.
Result<KafkaCommand> kafka_command_from_json_text(std::string_view text, const std::string& default_operator);

// The command_id a JSON text names ("" when it names none, or is no JSON object).
std::string command_id_of_json_text(std::string_view text);

// The engine's JsonCommandReader (engine/kafka/command_intake.h): a message of P.commands keyed
// `key` (P.control: ""). Stricter than `publish`, which fills in what a line leaves out: on Kafka
// nobody can, so the text must name its "operator" and its "command_id" (a charge's and a monthly
// minimum's come from the CDR and the month), and a reversal's "account", when given, must be
// the key.
Result<Command> read_kafka_json_command(std::string_view text, std::string_view key, std::string* command_id);

}  // namespace paystream
