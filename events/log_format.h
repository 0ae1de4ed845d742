#pragma once
// The stored format of the embedded log, shared by its writer (engine/embedded/log.cc) and its
// readers outside the engine (the projections' all-account record queries scan it directly).
// Changing anything here changes every data directory: it is documented in docs/storage.md.
//
// Column family `log`. Key: the position of the entry's first event, u64 big-endian (8 bytes), so
// key order is log order. Value: a LogEntry (events/schema/events.capnp; encode_log_entry and
// decode_log_entry in events/codec.h) holding 1 to log_entry_events_max encoded events with
// consecutive positions. Entries never overlap and leave no gap; event times never decrease
// along the log, so they are in time order too.
//
// Kafka mode numbers each events partition on its own (below): its log (kept by the projector)
// holds one such sequence per partition, each starting after its partition's base, and entries
// never straddle two partitions. Gaps, and time order, hold within each partition only.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace paystream {

inline constexpr const char* log_cf_name = "log";
inline constexpr size_t log_entry_events_max = 256;
inline constexpr size_t log_key_size = 8;

// Positions in Kafka mode (docs/kafka.md, "Decisions"): event n = 1, 2, 3... of events partition
// p is at (p << 48) | n, so positions are unique across partitions and name their partition, and
// partition 0 numbers as embedded mode does (embedded mode is partition 0 throughout).
inline constexpr int partition_position_shift = 48;
inline constexpr uint64_t partition_sequence_max = (uint64_t{1} << partition_position_shift) - 1;

// The position of "nothing yet" in partition p: its events are base + 1, base + 2, ...
inline constexpr uint64_t partition_base(int32_t partition) {
  return static_cast<uint64_t>(partition) << partition_position_shift;
}
inline constexpr int32_t partition_of_position(uint64_t position) {
  return static_cast<int32_t>(position >> partition_position_shift);
}

// u64 as 8 big-endian bytes, so that byte order is numeric order: the one encoding of positions and
// counters in every key of the data directory.
std::string big_endian_u64(uint64_t value);
// nullopt unless `bytes` is exactly 8 bytes.
std::optional<uint64_t> read_big_endian_u64(std::string_view bytes);

// The key of the entry whose first event is at `first_position`.
std::string log_key(uint64_t first_position);
// nullopt unless `key` is exactly log_key_size bytes.
std::optional<uint64_t> decode_log_key(std::string_view key);

}  // namespace paystream
