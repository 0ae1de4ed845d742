// The shared test vectors of the Python producer example (docs/examples/python/command_vectors.json):
// each vector's command, read by the JSON parser of `apply` and encoded by encode_command, is exactly
// the bytes the file gives, and the example's pycapnp encoder must give them too (`scripts/python-example
// check-vectors`, the test "examples/Python encoder: ..."). Two encoders of one schema, one byte string: an
// upstream system that builds commands with pycapnp sends what paystream itself would.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>

#include "events/codec.h"
#include "tools/runtime/command_json.h"

namespace paystream {
namespace {

using nlohmann::json;

std::string hex_of(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (const char byte : bytes) {
    hex += digits[static_cast<unsigned char>(byte) >> 4];
    hex += digits[static_cast<unsigned char>(byte) & 0xf];
  }
  return hex;
}

json read_vectors() {
  std::ifstream file(PAYSTREAM_COMMAND_VECTORS);
  INFO(PAYSTREAM_COMMAND_VECTORS);
  REQUIRE(file);
  std::stringstream text;
  text << file.rdbuf();
  return json::parse(text.str());
}

}  // namespace

TEST_CASE("C++ encoder: each shared command vector is what encode_command writes for its JSON command",
          "[examples]") {
  const json vectors = read_vectors();
  REQUIRE(vectors.size() >= 10);
  for (const json& vector : vectors) {
    INFO(vector["name"].get<std::string>() << ": " << vector["command"].dump());
    // Every vector names its operator: the default given here must never be used.
    const Result<Command> command = command_from_json(vector["command"], "nobody");
    REQUIRE(command.ok());
    CHECK(command->operator_name != "nobody");
    const std::string bytes = encode_command(*command);
    CHECK(hex_of(bytes) == vector["capnp_hex"].get<std::string>());
    const Result<Command> decoded = decode_command(bytes);
    REQUIRE(decoded.ok());
    CHECK(*decoded == *command);
  }
}

}  // namespace paystream
