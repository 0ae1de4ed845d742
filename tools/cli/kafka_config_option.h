#pragma once
// --kafka-config FILE, for every command that talks to Kafka (tools/commands/kafka_config_file.h).
#include "engine/kafka_client/client.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace paystream {

// Adds --kafka-config FILE to `command`. The file is read while the command line is parsed, into
// `properties`: one that cannot be read or holds a refused property is a usage error (exit 2).
// Returns the option, for ->needs() where --kafka is optional.
CLI::Option* add_kafka_config_option(CLI::App& command, KafkaProperties& properties);

}  // namespace paystream
