#pragma once
// Keys of the projection column families (layout in docs/storage.md). Internal to projections/.
// Numbers in keys are big-endian so RocksDB's bytewise order is numeric order.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "events/event.h"

namespace paystream::keys {

// Fixed-width keys: a position is always 8 bytes, so every key of a kind has one length.
constexpr size_t position_size = 8;

std::string position_key(uint64_t position);
// nullopt unless `key` is exactly 8 bytes.
std::optional<uint64_t> decode_position_key(std::string_view key);

// (account ID, 0x00, position): 0x00 cannot occur in an account ID, so one account's keys are
// contiguous and sort by position.
std::string account_record_key(std::string_view account_id, uint64_t position);
// The first key of the account's record range that is at or after `position`.
std::string account_record_prefix(std::string_view account_id);

// (type byte, account ID).
std::string type_index_key(AccountType type, std::string_view account_id);
std::string type_index_prefix(AccountType type);

// The meta key holding the last applied position (8 bytes big-endian).
constexpr std::string_view applied_position_key = "applied_position";

}  // namespace paystream::keys
