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

// A time as 8 bytes that sort bytewise as the times do: the micros with the sign bit flipped,
// big-endian.
constexpr size_t time_size = 8;
std::string time_key(Timestamp time);
std::optional<Timestamp> decode_time_key(std::string_view key);

// Account ID followed by 0x00: 0x00 cannot occur in an account ID, so one account's keys are
// contiguous, and account `a` sorts wholly before account `a0`.
std::string account_prefix(std::string_view account_id);
// The first key after every key of the account's range.
std::string account_prefix_end(std::string_view account_id);

// records_by_account: (account ID, 0x00, time, position). Times never decrease along the log, so
// one account's records sort by time and, within it, by position: that is log order.
std::string account_record_key(std::string_view account_id, Timestamp time, uint64_t position);
// The first key of the account's records at or after `time`.
std::string account_record_time_key(std::string_view account_id, Timestamp time);
constexpr size_t account_record_suffix_size = 1 + time_size + position_size;

// account_names: (account ID, 0x00, position of the event that gave the account this name).
std::string account_name_key(std::string_view account_id, uint64_t position);

// (type byte, account ID).
std::string type_index_key(AccountType type, std::string_view account_id);
std::string type_index_prefix(AccountType type);

// The meta keys holding each partition's last applied position (8 bytes big-endian). Partition 0
// (all of embedded mode) has the bare prefix, the key of data directories older than partitions;
// partition p > 0 has the prefix followed by p, u32 big-endian, so the keys sort by partition.
constexpr std::string_view applied_position_prefix = "applied_position";
std::string applied_position_key(int32_t partition);
// The partition of an applied-position key; nullopt for any other key, p = 0 in the long form
// included, or a partition whose positions do not fit the numbering.
std::optional<int32_t> decode_applied_position_key(std::string_view key);

// The meta keys of the retention cleanups applied: the prefix, then the event's position (so they
// sort by partition, then log order).
constexpr std::string_view records_cleanup_prefix = "records_cleanup";
std::string records_cleanup_key(uint64_t position);

}  // namespace paystream::keys
