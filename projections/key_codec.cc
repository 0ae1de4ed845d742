#include "projections/key_codec.h"

namespace paystream::keys {

std::string position_key(uint64_t position) {
  std::string key(position_size, '\0');
  for (size_t i = 0; i < position_size; ++i) {
    key[position_size - 1 - i] = static_cast<char>(static_cast<uint8_t>(position >> (8 * i)));
  }
  return key;
}

std::optional<uint64_t> decode_position_key(std::string_view key) {
  if (key.size() != position_size) return std::nullopt;
  uint64_t position = 0;
  for (char byte : key) position = (position << 8) | static_cast<uint8_t>(byte);
  return position;
}

std::string account_record_prefix(std::string_view account_id) {
  std::string key(account_id);
  key.push_back('\0');
  return key;
}

std::string account_record_key(std::string_view account_id, uint64_t position) {
  return account_record_prefix(account_id) + position_key(position);
}

std::string type_index_prefix(AccountType type) { return std::string(1, static_cast<char>(type)); }

std::string type_index_key(AccountType type, std::string_view account_id) {
  std::string key = type_index_prefix(type);
  key.append(account_id);
  return key;
}

}  // namespace paystream::keys
