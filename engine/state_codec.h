#pragma once
// Binary form of the engine's checkpoint (account states and parameters). Internal to the engine:
// it is a cache of evolve() over the log, never a source of truth, so it can change freely with a
// bump of checkpoint_format_version (an unknown version is ignored and the log replayed).
#include <string>
#include <string_view>

#include "engine/ledger_state.h"

namespace paystream {

inline constexpr uint32_t checkpoint_format_version = 1;

std::string encode_account_state(const AccountState& account);
Result<AccountState> decode_account_state(std::string_view bytes);
std::string encode_parameters(const Parameters& parameters);
Result<Parameters> decode_parameters(std::string_view bytes);

// Big-endian fixed-width keys sort as the numbers do.
std::string big_endian_key(uint64_t value);
uint64_t read_big_endian(std::string_view bytes);

}  // namespace paystream
