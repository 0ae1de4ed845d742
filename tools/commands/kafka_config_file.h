#pragma once
// --kafka-config FILE: librdkafka properties for every Kafka client of a command (TLS, SASL), one
// `key=value` a line; blank lines and lines starting with '#' are skipped, spaces around the key and
// the value dropped. Each property is tried on a librdkafka configuration at once, so a misspelt
// one fails before anything connects. Errors name the file, the line and the property, never a
// value: the file holds passwords.
#include <string>
#include <string_view>

#include "engine/kafka_client/client.h"
#include "events/result.h"

namespace paystream {

Result<KafkaProperties> parse_kafka_config(std::string_view text, std::string_view file_name);
// invalid_argument when the file cannot be read, naming it.
Result<KafkaProperties> read_kafka_config_file(const std::string& path);

}  // namespace paystream
