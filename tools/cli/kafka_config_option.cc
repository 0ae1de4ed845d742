#include "tools/cli/kafka_config_option.h"

#include <CLI/CLI.hpp>

#include "tools/commands/kafka_config_file.h"

namespace paystream {

CLI::Option* add_kafka_config_option(CLI::App& command, KafkaProperties& properties) {
  return command
      .add_option_function<std::string>(
          "--kafka-config",
          [&properties](const std::string& path) {
            Result<KafkaProperties> read = read_kafka_config_file(path);
            if (!read) throw CLI::ValidationError(read.error().message);
            properties = std::move(*read);
          },
          "librdkafka properties for every Kafka client, one key=value a line (TLS, SASL: "
          "docs/kafka.md \"TLS and SASL\"); its values are never printed")
      ->type_name("FILE");
}

}  // namespace paystream
