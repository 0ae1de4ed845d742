#pragma once
// Helpers for the tests of `publish`: outcome lines and commands read back from the topics.
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "events/codec.h"
#include "tests/support/kafka/topic_reader.h"

namespace paystream::testing {

inline std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

// `count` payments spread over `accounts` accounts, with command IDs "<prefix>-<i>".
inline std::string payment_lines(int count, int accounts, const std::string& prefix) {
  std::string lines;
  for (int i = 0; i < count; ++i) {
    lines += R"({"type":"pay","account":"C-)" + std::to_string(i % accounts) + R"(","amount":")" +
             std::to_string(i + 1) + R"(","command_id":")" + prefix + "-" + std::to_string(i) + "\"}\n";
  }
  return lines;
}

struct PublishedCommand {
  ConsumedMessage message;
  Command command;
};

// Every command on `topic`, decoded (the test fails on one that does not decode).
inline std::vector<PublishedCommand> read_commands(const std::string& bootstrap, const std::string& topic,
                                                   int32_t partitions) {
  std::vector<PublishedCommand> commands;
  for (ConsumedMessage& message : read_topic(bootstrap, topic, partitions)) {
    Result<Command> command = decode_command(message.value);
    INFO((command ? std::string() : command.error().message));
    REQUIRE(command.ok());
    commands.push_back({std::move(message), std::move(*command)});
  }
  return commands;
}

// How many times each command ID was written.
inline std::map<std::string, int> copies_by_command_id(const std::vector<PublishedCommand>& commands) {
  std::map<std::string, int> copies;
  for (const PublishedCommand& published : commands) ++copies[published.command.command_id];
  return copies;
}

}  // namespace paystream::testing
