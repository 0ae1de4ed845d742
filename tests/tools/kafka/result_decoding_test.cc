// decode_result_json against encode_result_json: every shape the engine writes reads back to the
// values it was made from (and encodes again to the same bytes); anything else is corruption.
#include "tools/kafka/result_decoding.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "engine/kafka/results.h"

namespace paystream {
namespace {

DecidedCommand decided(const std::string& id, int64_t offset, bool from_control) {
  DecidedCommand command;
  command.outcome.command_id = id;
  command.outcome.command_offset = offset;
  command.outcome.from_control = from_control;
  return command;
}

DecidedCommand applied(const std::string& id, int64_t offset, std::vector<uint64_t> positions,
                       bool duplicate = false, bool from_control = false) {
  DecidedCommand command = decided(id, offset, from_control);
  command.outcome.duplicate = duplicate;
  command.positions = std::move(positions);
  return command;
}

DecidedCommand refused(const std::string& id, int64_t offset, const std::string& code,
                       const std::string& message) {
  DecidedCommand command = decided(id, offset, false);
  command.outcome.error_code = code;
  command.outcome.error_message = message;
  return command;
}

// A refusal recorded by events (a wrong card PIN, a card's payment refused).
DecidedCommand recorded(const std::string& id, int64_t offset, std::vector<uint64_t> positions,
                        bool duplicate) {
  DecidedCommand command = applied(id, offset, std::move(positions), duplicate);
  command.answer = make_error(Errc::wrong_card_or_pin, "wrong card number or PIN");
  return command;
}

// What decoding `command` encoded must give, field by field.
CommandResult expected(const DecidedCommand& command, int32_t partition, uint64_t epoch) {
  const BatchOutcome& outcome = command.outcome;
  const bool ok = outcome.error_code.empty() && !command.answer;
  const bool has_events = outcome.error_code.empty();
  return CommandResult{.command_id = outcome.command_id,
                       .ok = ok,
                       .duplicate = has_events && outcome.duplicate,
                       .positions = has_events ? command.positions : std::vector<uint64_t>{},
                       .error_code = command.answer ? errc_name(command.answer->code) : outcome.error_code,
                       .error_message = command.answer ? command.answer->message : outcome.error_message,
                       .partition = partition,
                       .offset = outcome.command_offset,
                       .from_control = outcome.from_control,
                       .epoch = epoch};
}

// The DecidedCommand a result says, so that it can be encoded again.
DecidedCommand decided_again(const CommandResult& result) {
  DecidedCommand command = decided(result.command_id, result.offset, result.from_control);
  command.outcome.duplicate = result.duplicate;
  command.positions = result.positions;
  if (!result.ok && !result.positions.empty()) {
    command.answer = make_error(errc_from_name(result.error_code).value(), result.error_message);
  } else {
    command.outcome.error_code = result.error_code;
    command.outcome.error_message = result.error_message;
  }
  return command;
}

TEST_CASE("kafka results: decode_result_json reads back what encode_result_json wrote",
          "[kafka][results_decoding]") {
  const uint64_t far_position = (uint64_t{5} << 48) | 7;
  const std::vector<std::pair<DecidedCommand, int32_t>> cases = {
      {applied("pay-7", 17, {far_position}), 5},
      {applied("pay-8", 0, {}), 0},
      {applied("open-1", 9'223'372'036'854'775'807, {1, 2, 3}), 2'147'483'647},
      {applied("pay-7", 40, {far_position}, true), 5},
      {refused("pay-9", 18, "account_not_found", "account 'C-9' does not exist"), 1},
      {refused("q\"uo\\te", 3, "invalid_argument",
               "a \"memo\"\nover\ttwo lines\\ \x01, caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x92\xb6 \xed\x9f\xbf"),
       3},
      {refused("@2:44", 44, "corruption", ""), 2},
      {applied("param-1", 4, {(uint64_t{1} << 48) | 3}, false, true), 0},
      {recorded("redeem-1", 6, {far_position}, false), 5},
      {recorded("redeem-1", 9, {far_position}, true), 5},
  };
  for (const auto& [command, partition] : cases) {
    for (const uint64_t epoch : {uint64_t{1}, uint64_t{18'446'744'073'709'551'615u}}) {
      const std::string json = encode_result_json(command, partition, epoch);
      INFO(json);
      Result<CommandResult> decoded = decode_result_json(json);
      INFO((decoded ? std::string() : decoded.error().message));
      REQUIRE(decoded.ok());
      CHECK(*decoded == expected(command, partition, epoch));
      CHECK(encode_result_json(decided_again(*decoded), decoded->partition, decoded->epoch) == json);
    }
  }
}

TEST_CASE("kafka results: bytes that are not UTF-8 read back as U+FFFD", "[kafka][results_decoding]") {
  Result<CommandResult> decoded = decode_result_json(encode_result_json(refused("x", 1, "c",
                                                                                "a\xff"
                                                                                "b"),
                                                                        0, 1));
  REQUIRE(decoded.ok());
  CHECK(decoded->error_message ==
        "a\xef\xbf\xbd"
        "b");
}

TEST_CASE("kafka results: anything but a result is corruption", "[kafka][results_decoding]") {
  const std::string origin = R"("partition":1,"offset":17,"topic":"commands","epoch":2})";
  const std::string ok = R"({"command_id":"p","ok":true,"duplicate":false,"positions":[1],)";
  const std::string refused_start = R"({"command_id":"p","ok":false,"error":{"code":"x","message":"m"},)";
  REQUIRE(decode_result_json(ok + origin).ok());
  REQUIRE(decode_result_json(refused_start + origin).ok());
  const std::vector<std::string> malformed = {
      "",
      "not json",
      ok,  // cut short
      "[1,2]",
      R"("a string")",
      R"({"ok":true,"duplicate":false,"positions":[1],)" + origin,  // no command_id
      R"({"command_id":7,"ok":true,"duplicate":false,"positions":[1],)" + origin,
      R"({"command_id":"p","ok":"true","duplicate":false,"positions":[1],)" + origin,
      R"({"command_id":"p","ok":true,"positions":[1],)" + origin,    // no duplicate
      R"({"command_id":"p","ok":true,"duplicate":false,)" + origin,  // no positions
      R"({"command_id":"p","ok":true,"duplicate":false,"positions":1,)" + origin,
      R"({"command_id":"p","ok":true,"duplicate":false,"positions":[-1],)" + origin,
      R"({"command_id":"p","ok":true,"duplicate":false,"positions":[1.5],)" + origin,
      R"({"command_id":"p","ok":true,"duplicate":false,"positions":["1"],)" + origin,
      R"({"command_id":"p","ok":true,"duplicate":false,"positions":[18446744073709551616],)" + origin,
      R"({"command_id":"p","ok":true,"duplicate":false,"positions":[[1]],)" + origin,
      R"({"command_id":"p","ok":true,"duplicate":false,"positions":[1],"error":{"code":"x","message":"m"},)" +
          origin,
      R"({"command_id":"p","ok":false,)" + origin,  // no error
      R"({"command_id":"p","ok":false,"error":"x",)" + origin,
      R"({"command_id":"p","ok":false,"error":{"code":"","message":"m"},)" + origin,
      R"({"command_id":"p","ok":false,"error":{"code":"x"},)" + origin,
      R"({"command_id":"p","ok":false,"error":{"code":"x","message":"m"},"positions":[],)" + origin,
      ok + R"("offset":17,"topic":"commands","epoch":2})",  // no partition
      ok + R"("partition":-1,"offset":17,"topic":"commands","epoch":2})",
      ok + R"("partition":2147483648,"offset":17,"topic":"commands","epoch":2})",
      ok + R"("partition":1,"offset":9223372036854775808,"topic":"commands","epoch":2})",
      ok + R"("partition":1,"offset":"17","topic":"commands","epoch":2})",
      ok + R"("partition":1,"offset":17,"topic":"events","epoch":2})",
      ok + R"("partition":1,"offset":17,"epoch":2})",  // no topic
      ok + R"("partition":1,"offset":17,"topic":"commands","epoch":2.0})",
      ok + R"("partition":1,"offset":17,"topic":"commands"})",  // no epoch
      ok + origin + "x",                                        // trailing bytes
      "{\"command_id\":\"\xff\",\"ok\":true,\"duplicate\":false,\"positions\":[1]," + origin,  // not UTF-8
      R"({"command_id":"p","ok":true,"duplicate":false,"positions":[[[1]]],)" +
          origin,  // deeper than a result
      std::string(result_json_bytes_max + 1, ' '),
  };
  for (const std::string& text : malformed) {
    INFO(text.substr(0, 200));
    Result<CommandResult> decoded = decode_result_json(text);
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.error().code == Errc::corruption);
    CHECK(decoded.error().message.rfind("a result", 0) == 0);
  }
}

}  // namespace
}  // namespace paystream
