#include "events/log_format.h"

namespace paystream {

std::string log_key(uint64_t first_position) {
  std::string key(log_key_size, '\0');
  for (size_t i = 0; i < log_key_size; ++i) {
    key[log_key_size - 1 - i] = static_cast<char>(static_cast<uint8_t>(first_position >> (8 * i)));
  }
  return key;
}

std::optional<uint64_t> decode_log_key(std::string_view key) {
  if (key.size() != log_key_size) return std::nullopt;
  uint64_t position = 0;
  for (char byte : key) position = (position << 8) | static_cast<uint8_t>(byte);
  return position;
}

}  // namespace paystream
