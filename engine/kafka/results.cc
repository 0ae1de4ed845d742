#include "engine/kafka/results.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace paystream {
namespace {

// Length of the valid UTF-8 sequence starting at text[i], or 0.
size_t utf8_length(std::string_view text, size_t i) {
  const auto byte = [&](size_t at) { return static_cast<unsigned char>(text[at]); };
  const unsigned char lead = byte(i);
  size_t length = 0;
  uint32_t min = 0;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2, min = 0x80;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3, min = 0x800;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4, min = 0x10000;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  uint32_t code = lead & (0xff >> (length + 1));
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3f);
  }
  if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return 0;
  return length;
}

}  // namespace

std::string json_quoted(std::string_view text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const size_t length = utf8_length(text, i);
      if (length == 0) {
        out += "\\ufffd";
        ++i;
      } else {
        out.append(text.substr(i, length));
        i += length;
      }
      continue;
    }
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      out += fmt::format("\\u{:04x}", c);
    } else {
      out += static_cast<char>(c);
    }
    ++i;
  }
  out += '"';
  return out;
}

std::string encode_result_json(const DecidedCommand& decided, int32_t partition, uint64_t epoch) {
  const BatchOutcome& outcome = decided.outcome;
  const bool ok = outcome.error_code.empty() && !decided.answer;
  std::string json =
      fmt::format("{{\"command_id\":{},\"ok\":{}", json_quoted(outcome.command_id), ok ? "true" : "false");
  if (decided.answer) {
    // Recorded, yet a refusal (a wrong card PIN, a card's payment refused): the error and the
    // events that record it.
    json += fmt::format(",\"duplicate\":{},\"positions\":[{}],\"error\":{{\"code\":{},\"message\":{}}}",
                        outcome.duplicate ? "true" : "false", fmt::join(decided.positions, ","),
                        json_quoted(errc_name(decided.answer->code)), json_quoted(decided.answer->message));
  } else if (outcome.error_code.empty()) {
    json += fmt::format(",\"duplicate\":{},\"positions\":[{}]", outcome.duplicate ? "true" : "false",
                        fmt::join(decided.positions, ","));
  } else {
    json += fmt::format(",\"error\":{{\"code\":{},\"message\":{}}}", json_quoted(outcome.error_code),
                        json_quoted(outcome.error_message));
  }
  json += fmt::format(",\"partition\":{},\"offset\":{},\"topic\":\"{}\",\"epoch\":{}}}", partition,
                      outcome.command_offset, outcome.from_control ? "control" : "commands", epoch);
  return json;
}

}  // namespace paystream
