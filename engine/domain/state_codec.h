#pragma once
// Binary form of the engine's checkpoint (account states and parameters). Internal to the engine:
// it is a cache of evolve() over the log, never a source of truth, so it can change freely with a
// bump of checkpoint_format_version (an unknown version is ignored and the log replayed).
#include <string>
#include <string_view>

#include "engine/domain/ledger_state.h"
#include "events/command.h"

namespace paystream {

// 2: operators; 3: AGENT_OVERDRAFT_LIMIT_MAX; 4: RECORD_RETENTION_DAYS. Older globals are still
// read (the parameters they lack keep their defaults), so a Kafka partition store written by an
// older build opens without a rebuild.
inline constexpr uint32_t checkpoint_format_version = 4;

std::string encode_account_state(const AccountState& account);
Result<AccountState> decode_account_state(std::string_view bytes);
std::string encode_card_state(const CardState& card);
Result<CardState> decode_card_state(std::string_view bytes);
// A card's CardSecret as the engine stores it apart from the log: salt then hash.
std::string encode_card_secret(const CardSecret& secret);
Result<CardSecret> decode_card_secret(std::string_view bytes);
// What is ledger-wide rather than per account: the parameters and the operators.
struct LedgerGlobals {
  Parameters parameters;
  std::map<std::string, OperatorSettings> operators;
};
std::string encode_globals(const Parameters& parameters,
                           const std::map<std::string, OperatorSettings>& operators);
Result<LedgerGlobals> decode_globals(std::string_view bytes);

// Big-endian fixed-width keys sort as the numbers do.
std::string big_endian_key(uint64_t value);
uint64_t read_big_endian(std::string_view bytes);

}  // namespace paystream
