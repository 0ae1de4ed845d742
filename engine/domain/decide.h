#pragma once
// decide: command + state -> events, or the rule it breaks. evolve: state + event -> state.
// Both pure: the time and the record a reversal names come in the Context, never from I/O.
#include <span>
#include <vector>

#include "engine/domain/ledger_state.h"
#include "events/command.h"

namespace paystream {

struct Context {
  Timestamp now;
  // For Reverse: the event at command.record, looked up by the caller (nullptr: not found).
  const Event* reversal_target = nullptr;
  // For RedeemCard: what recognises the card's PIN, looked up by the caller in the engine's card
  // secrets (nullptr: none; the card is then refused as unknown).
  const CardSecret* card_secret = nullptr;
  // False in Kafka mode: a partition holds only its own accounts, and every partition decides each
  // control command, so an agent operator's agent account cannot be checked there without the
  // partitions disagreeing about the operator (docs/kafka.md, "Operators in Kafka mode").
  bool all_accounts_known = true;
  // For RedeemCard in Kafka mode: the account lives on another partition, so only the card's half
  // is decided here (docs/kafka.md, "Phone cards in Kafka mode").
  bool account_elsewhere = false;
  // Kafka mode's partition engine: the commands only an engine makes (RecordCardPayment,
  // ReturnCard) may be decided. Refused everywhere else: they come from no operator's input.
  bool engine_commands = false;
};

// The events carry everything but position and prev_hash, which the log assigns.
Result<std::vector<Event>> decide(const LedgerState& state, const Command& command, const Context& context);
// decide(), appending the events to `events` (left as it was on a refusal): the embedded ledger
// decides straight into its group's events, where each event would otherwise be moved once more.
// context.reversal_target must not point into `events`, which may reallocate.
Status decide_into(const LedgerState& state, const Command& command, const Context& context,
                   std::vector<Event>& events);

// The answer to a command whose events are durable yet whose answer is a refusal: a wrong card PIN
// is recorded (its count must survive a restart) and answered wrong_card_or_pin, also to a retry.
// ok_status() for every other outcome.
Status recorded_refusal(std::span<const Event> events);

// A refused payment's message as recorded in its CardPaymentRefused (and carried to the card).
inline constexpr size_t card_refusal_message_bytes_max = 512;

// Total over every event type; asserts on an event that contradicts the state (a bug or a
// corrupt log that passed the hash check). Returns the event's account (nullptr for an event of no
// account), so a caller that tracks changed accounts needs no second lookup.
const AccountState* evolve(LedgerState& state, const Event& event);

}  // namespace paystream
