#include "tools/commands/kafka_config_file.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace paystream {
namespace {

std::string_view trimmed(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const size_t last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

}  // namespace

Result<KafkaProperties> parse_kafka_config(std::string_view text, std::string_view file_name) {
  KafkaProperties properties;
  KafkaConfig trial;
  size_t number = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const std::string_view line = trimmed(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++number;
    if (line.empty() || line.front() == '#') continue;
    const size_t equals = line.find('=');
    if (equals == std::string_view::npos || trimmed(line.substr(0, equals)).empty()) {
      return make_error(Errc::invalid_argument,
                        fmt::format("--kafka-config {} line {}: not key=value", file_name, number));
    }
    const std::string name(trimmed(line.substr(0, equals)));
    const std::string value(trimmed(line.substr(equals + 1)));
    // Set before the file's properties are: the file would silently win over --kafka.
    if (name == "bootstrap.servers" || name == "metadata.broker.list") {
      return make_error(Errc::invalid_argument,
                        fmt::format("--kafka-config {} line {}: {} comes from --kafka, not from the file",
                                    file_name, number, name));
    }
    if (Status set = trial.set_quietly(name, value); !set) {
      return make_error(Errc::invalid_argument,
                        fmt::format("--kafka-config {} line {}: {}", file_name, number, set.error().message));
    }
    properties.emplace_back(name, value);
  }
  return properties;
}

Result<KafkaProperties> read_kafka_config_file(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return make_error(Errc::invalid_argument, fmt::format("--kafka-config {}: not a file", path));
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    return make_error(Errc::invalid_argument, fmt::format("--kafka-config {}: cannot read the file", path));
  }
  return parse_kafka_config(text.str(), path);
}

}  // namespace paystream
