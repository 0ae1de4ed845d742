#pragma once
// The stored and wire form of events and commands: Cap'n Proto (events/schema/*.capnp).
// Encoding is deterministic: the same Event always gives the same bytes, which the hash chain
// relies on. Decoding never throws: malformed bytes give Errc::corruption, an event type this
// build does not know gives Errc::unsupported_event (a replay stops on it; it never skips).
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "events/command.h"
#include "events/event.h"

namespace paystream {

using Sha256 = std::array<uint8_t, 32>;

std::string encode_event(const Event& event);
Result<Event> decode_event(std::string_view bytes);

std::string encode_command(const Command& command);
Result<Command> decode_command(std::string_view bytes);

// A log entry holds the encoded events of one group commit, in order.
std::string encode_log_entry(const std::vector<std::string>& encoded_events);
Result<std::vector<std::string>> decode_log_entry(std::string_view bytes);

Sha256 sha256(std::string_view bytes);
std::string to_hex(const Sha256& digest);

}  // namespace paystream
