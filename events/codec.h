#pragma once
// The stored and wire form of events and commands: Cap'n Proto (events/schema/*.capnp).
// Encoding is deterministic: the same Event always gives the same bytes, which the hash chain
// relies on. Decoding never throws: malformed bytes give Errc::corruption, an event type this
// build does not know gives Errc::unsupported_event (a replay stops on it; it never skips).
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "events/command.h"
#include "events/event.h"

namespace paystream {

using Sha256 = std::array<uint8_t, 32>;

// Limits on untrusted input: decoding rejects anything larger as corruption. Encoding an event or
// a log entry asserts under them, so the log never holds bytes a replay refuses (the engine bounds
// memos and names far below). Commands come from callers: an oversized one is encoded, and refused
// by whoever decodes it; bound request sizes at the edge.
inline constexpr size_t encoded_event_bytes_max = size_t{1} << 20;
inline constexpr size_t encoded_command_bytes_max = size_t{1} << 20;
inline constexpr size_t log_entry_bytes_max = size_t{64} << 20;

std::string encode_event(const Event& event);
Result<Event> decode_event(std::string_view bytes);

std::string encode_command(const Command& command);
Result<Command> decode_command(std::string_view bytes);

// A log entry holds the encoded events of one group commit, in order.
std::string encode_log_entry(std::span<const std::string> encoded_events);
Result<std::vector<std::string>> decode_log_entry(std::string_view bytes);
// Partial reads for searches over the log, cheaper than decoding everything: the number of events
// of an entry, one event's bytes (Errc::corruption past the end), one event's time.
Result<size_t> decode_log_entry_size(std::string_view bytes);
Result<std::string> decode_log_entry_event(std::string_view bytes, size_t index);
Result<Timestamp> decode_event_time(std::string_view bytes);

Sha256 sha256(std::string_view bytes);
std::string to_hex(const Sha256& digest);

}  // namespace paystream
