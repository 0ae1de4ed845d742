#include "projections/key_codec.h"

#include "events/log_format.h"

namespace paystream::keys {

std::string position_key(uint64_t position) { return big_endian_u64(position); }

std::optional<uint64_t> decode_position_key(std::string_view key) { return read_big_endian_u64(key); }

namespace {
constexpr uint64_t sign_bit = uint64_t{1} << 63;
}

std::string time_key(Timestamp time) { return position_key(static_cast<uint64_t>(time.micros) ^ sign_bit); }

std::optional<Timestamp> decode_time_key(std::string_view key) {
  const std::optional<uint64_t> flipped = decode_position_key(key);
  if (!flipped) return std::nullopt;
  return Timestamp{static_cast<int64_t>(*flipped ^ sign_bit)};
}

std::string account_prefix(std::string_view account_id) {
  std::string key(account_id);
  key.push_back('\0');
  return key;
}

std::string account_prefix_end(std::string_view account_id) {
  std::string key(account_id);
  key.push_back('\1');
  return key;
}

std::string account_record_key(std::string_view account_id, Timestamp time, uint64_t position) {
  return account_record_time_key(account_id, time) + position_key(position);
}

std::string account_record_time_key(std::string_view account_id, Timestamp time) {
  return account_prefix(account_id) + time_key(time);
}

std::string account_name_key(std::string_view account_id, uint64_t position) {
  return account_prefix(account_id) + position_key(position);
}

std::string type_index_prefix(AccountType type) { return std::string(1, static_cast<char>(type)); }

std::string type_index_key(AccountType type, std::string_view account_id) {
  std::string key = type_index_prefix(type);
  key.append(account_id);
  return key;
}

std::string records_cleanup_key(uint64_t position) {
  return std::string(records_cleanup_prefix) + position_key(position);
}

std::string applied_position_key(int32_t partition) {
  std::string key(applied_position_prefix);
  if (partition == 0) return key;
  const std::string partition_bytes = big_endian_u64(static_cast<uint32_t>(partition));
  key.append(partition_bytes, 4, 4);
  return key;
}

std::optional<int32_t> decode_applied_position_key(std::string_view key) {
  if (!key.starts_with(applied_position_prefix)) return std::nullopt;
  if (key.size() == applied_position_prefix.size()) return 0;
  if (key.size() != applied_position_prefix.size() + 4) return std::nullopt;
  uint64_t partition = 0;
  for (char byte : key.substr(applied_position_prefix.size())) {
    partition = (partition << 8) | static_cast<uint8_t>(byte);
  }
  // Beyond this, (p << 48) would not fit in a position.
  constexpr uint64_t partitions_max = uint64_t{1} << (64 - partition_position_shift);
  if (partition == 0 || partition >= partitions_max) return std::nullopt;
  return static_cast<int32_t>(partition);
}

}  // namespace paystream::keys
