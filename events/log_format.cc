#include "events/log_format.h"

namespace paystream {

std::string big_endian_u64(uint64_t value) {
  std::string bytes(8, '\0');
  for (size_t i = 0; i < 8; ++i) bytes[7 - i] = static_cast<char>(static_cast<uint8_t>(value >> (8 * i)));
  return bytes;
}

std::optional<uint64_t> read_big_endian_u64(std::string_view bytes) {
  if (bytes.size() != 8) return std::nullopt;
  uint64_t value = 0;
  for (char byte : bytes) value = (value << 8) | static_cast<uint8_t>(byte);
  return value;
}

std::string log_key(uint64_t first_position) { return big_endian_u64(first_position); }

std::optional<uint64_t> decode_log_key(std::string_view key) { return read_big_endian_u64(key); }

}  // namespace paystream
