#pragma once
// The engine of one owned partition p in Kafka mode (docs/kafka.md, "The engine loop"): p's
// accounts and parameters, its command-ID index and its payment records, built from p's accepted
// EventBatch messages, and the building of the next batch from commands read: dedupe, decide (the
// same decide() as embedded mode, rights included), number, hash-chain, evolve. No I/O: the loop
// (engine/kafka/engine_loop.h) reads and writes Kafka around it.
//
// Record IDs: an event's position is (p << 48) | n, n = 1, 2, 3... within p, so record IDs are
// unique across partitions and a record names its partition (partition 0 numbers as embedded mode).
// The numbering is events/log_format.h's (partition_base, partition_of_position), shared with the
// projections.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/domain/decide.h"
#include "events/codec.h"
#include "events/kafka/batch_acceptance.h"
#include "events/kafka/event_batch.h"
#include "events/log_format.h"

namespace paystream {

inline constexpr size_t command_fingerprint_bytes = 16;

// The partition a record ID belongs to.
inline int32_t partition_of_position(LogPosition position) { return partition_of_position(position.value); }
// The first command_fingerprint_bytes of SHA-256 of the command's encoding (as embedded mode).
std::string command_fingerprint(const Command& command);

// One command read from P.commands partition p (from_control false) or from P.control.
struct IncomingCommand {
  int64_t offset = 0;
  bool from_control = false;
  std::string key;          // the message key: for a reversal, the account its record must belong to
  Result<Command> command;  // the intake's verdict (engine/kafka/command_intake.h)
  // The ID the message carried when it decoded, also when the intake refused it: its refusal is filed
  // under it (GET /v1/commands/{id} finds it), not under the fallback "@p:offset".
  std::string command_id = {};
};

// A command an engine sends on to another partition in the same transaction as its batch (docs/kafka.md,
// "Phone cards in Kafka mode"): a redemption's payment to the account's partition, a refused
// payment's return to the card's. Keyed like any command of P.commands.
struct FollowOn {
  std::string key;
  Command command;
};
// The follow-ons that a batch's events call for, given the batch's partition: a pure function of
// the events, so a takeover sends the same ones again for the last batch it read (copies are
// duplicates by their derived command IDs).
std::vector<FollowOn> follow_on_commands(const std::vector<Event>& events, int32_t partition,
                                         int32_t partition_count);

// What became of one command: its outcome in the batch, plus the positions of its events (for a
// duplicate, those of the first outcome), for the result message.
struct DecidedCommand {
  BatchOutcome outcome;
  std::vector<uint64_t> positions;
  // A command whose events are recorded yet whose answer is a refusal (a wrong card PIN, a card's
  // payment refused): that answer, also for a duplicate of it.
  std::optional<Error> answer;
  std::vector<FollowOn> follow_ons;
  std::vector<IssuedCard> issued;  // an IssueCards applied: its cards' secrets, for P.card-secrets
};

struct DecidedBatch {
  EventBatch batch;
  std::vector<DecidedCommand> commands;  // in the batch's outcome order
  size_t consumed = 0;                   // how many of the commands given it holds (a prefix)
};

// A batch stops taking commands once its events and outcomes reach this many bytes, so that its
// message stays under event_batch_bytes_max (one command adds a few KiB at most: decide bounds
// names and memos).
inline constexpr size_t batch_bytes_budget = size_t{768} << 10;

struct PartitionCommandEntry {
  std::string fingerprint;
  LogPosition first;
  uint32_t count = 0;
  std::string refusal_code;  // a recorded refusal's answer (DecidedCommand::answer); "" otherwise
  std::string refusal_message;
};

class PartitionEngine {
 public:
  PartitionEngine(int32_t partition, int32_t partition_count);

  // Rebuilding: applies one accepted batch of p's history (a takeover marker or a batch of any
  // owner): checks every event's position and hash link, evolves, indexes the applied commands.
  // corruption when the history does not follow on from the state.
  Status apply_accepted(const EventBatch& batch, const BatchPosition& position);

  // Deciding: the next batch (epoch and owner of the accepted position, sequence + 1) for a prefix
  // of these commands (all of them unless the byte budget is reached), in order; each moves the
  // next command or control offset past itself. `now` is the wall clock (the engine time is
  // max(now, p's last event time)). The state moves on as if the batch were accepted: if it cannot
  // be written, drop this engine. nullopt when `commands` is empty.
  std::optional<DecidedBatch> decide_batch(const std::vector<IncomingCommand>& commands, Timestamp now);

  // What recognises a card's PIN, from P.card-secrets (a takeover reads them all) or from an
  // IssueCards this engine applied.
  void add_card_secret(const std::string& number, CardSecret secret);
  size_t card_secret_count() const { return card_secrets_.size(); }

  int32_t partition() const { return partition_; }
  const LedgerState& state() const { return state_; }
  const BatchPosition& position() const { return position_; }
  int64_t next_command_offset() const { return next_command_offset_; }
  int64_t next_control_offset() const { return next_control_offset_; }
  const Sha256& head() const { return head_; }
  const std::unordered_map<std::string, PartitionCommandEntry>& commands() const { return commands_; }
  const std::unordered_map<uint64_t, Event>& records() const { return records_; }

  // Restoring a checkpoint (engine/kafka/partition_store.h): everything the accessors above return.
  void restore(LedgerState state, Sha256 head, BatchPosition position, int64_t next_command_offset,
               int64_t next_control_offset, std::unordered_map<std::string, PartitionCommandEntry> commands,
               std::unordered_map<uint64_t, Event> records);

 private:
  DecidedCommand decide_one(const IncomingCommand& incoming, Timestamp now, std::vector<std::string>& events);
  Result<std::vector<Event>> decide_command(const IncomingCommand& incoming, const Command& command,
                                            Timestamp now);
  void index(const std::string& command_id, PartitionCommandEntry entry, std::span<const Event> events);
  void append(Event& event, std::vector<std::string>& events);
  void remember(const Event& event);

  int32_t partition_;
  int32_t partition_count_;
  LedgerState state_;
  Sha256 head_{};
  BatchPosition position_;
  int64_t next_command_offset_ = 0;
  int64_t next_control_offset_ = 0;
  std::unordered_map<std::string, PartitionCommandEntry> commands_;  // applied commands only
  std::unordered_map<uint64_t, Event> records_;  // p's payment records by position, for reversals
  std::unordered_map<std::string, CardSecret> card_secrets_;  // by card number
};

}  // namespace paystream
