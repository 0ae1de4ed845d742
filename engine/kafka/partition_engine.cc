#include "engine/kafka/partition_engine.h"

#include <fmt/format.h>

#include "engine/kafka_client/routing.h"

namespace paystream {
namespace {

Error corrupt_history(int32_t partition, std::string why) {
  return make_error(Errc::corruption, fmt::format("events partition {}: {}", partition, std::move(why)));
}

// The parent an account command names, if any.
std::string parent_named(const Command& command) {
  if (const auto* open = std::get_if<OpenAccount>(&command.body)) return open->settings.parent;
  if (const auto* update = std::get_if<UpdateAccount>(&command.body)) return update->parent.value_or("");
  return {};
}

BatchOutcome refusal(std::string command_id, const IncomingCommand& incoming, const Error& error) {
  BatchOutcome outcome;
  outcome.command_id = std::move(command_id);
  outcome.command_offset = incoming.offset;
  outcome.from_control = incoming.from_control;
  outcome.error_code = errc_name(error.code);
  outcome.error_message = error.message;
  return outcome;
}

DecidedCommand refused(BatchOutcome outcome) {
  DecidedCommand decided;
  decided.outcome = std::move(outcome);
  return decided;
}

// The answer an applied command's entry keeps when its events are a recorded refusal.
void keep_answer(PartitionCommandEntry& entry, std::span<const Event> events) {
  if (Status refused = recorded_refusal(events); !refused) {
    entry.refusal_code = errc_name(refused.error().code);
    entry.refusal_message = refused.error().message;
  }
}

}  // namespace

std::vector<FollowOn> follow_on_commands(const std::vector<Event>& events, int32_t partition,
                                         int32_t partition_count) {
  std::vector<FollowOn> follow_ons;
  for (const Event& event : events) {
    if (event.type == EventType::card_redeemed &&
        partition_of_key(event.card_account, partition_count) != partition) {
      Command payment{.command_id = card_payment_command_id(event.card_number, event.position),
                      .operator_name = event.operator_name,
                      .body = RecordCardPayment{.number = event.card_number,
                                                .account_id = event.card_account,
                                                .value = event.amount,
                                                .memo = event.memo,
                                                .redemption = event.position}};
      follow_ons.push_back(FollowOn{event.card_account, std::move(payment)});
    } else if (event.type == EventType::card_payment_refused) {
      Command give_back{.command_id = card_return_command_id(event.card_number, event.card_redemption),
                        .operator_name = event.operator_name,
                        .body = ReturnCard{.number = event.card_number,
                                           .account_id = event.card_account,
                                           .value = event.amount,
                                           .redemption = event.card_redemption,
                                           .refusal = event.card_refusal,
                                           .message = event.memo}};
      follow_ons.push_back(FollowOn{event.card_number, std::move(give_back)});
    }
  }
  return follow_ons;
}

std::string command_fingerprint(const Command& command) {
  const Sha256 digest = sha256(encode_command(command));
  return std::string(digest.begin(), digest.begin() + command_fingerprint_bytes);
}

PartitionEngine::PartitionEngine(int32_t partition, int32_t partition_count)
    : partition_(partition), partition_count_(partition_count) {
  state_.last_position = LogPosition{partition_base(partition)};
}

void PartitionEngine::restore(LedgerState state, Sha256 head, BatchPosition position,
                              int64_t next_command_offset, int64_t next_control_offset,
                              std::unordered_map<std::string, PartitionCommandEntry> commands,
                              std::unordered_map<uint64_t, Event> records) {
  state_ = std::move(state);
  rebuild_indexes(state_);
  head_ = head;
  position_ = std::move(position);
  next_command_offset_ = next_command_offset;
  next_control_offset_ = next_control_offset;
  commands_ = std::move(commands);
  records_ = std::move(records);
}

void PartitionEngine::remember(const Event& event) {
  if (is_payment_record(event.type)) records_[event.position.value] = event;
}

Status PartitionEngine::apply_accepted(const EventBatch& batch, const BatchPosition& position) {
  if (batch.command_partition != partition_) {
    return corrupt_history(partition_,
                           fmt::format("a batch of commands partition {}", batch.command_partition));
  }
  std::vector<Event> decoded;
  decoded.reserve(batch.events.size());
  for (const std::string& bytes : batch.events) {
    Result<Event> event = decode_event(bytes);
    if (!event) return corrupt_history(partition_, event.error().message);
    if (event->position.value != state_.last_position.value + 1) {
      return corrupt_history(partition_, fmt::format("event at position {} follows position {}",
                                                     event->position.value, state_.last_position.value));
    }
    if (event->prev_hash != head_) {
      return corrupt_history(
          partition_,
          fmt::format("the event at position {} does not chain to the one before", event->position.value));
    }
    if (event->time < state_.last_time) {
      return corrupt_history(
          partition_, fmt::format("the event at position {} goes back in time", event->position.value));
    }
    head_ = sha256(bytes);
    evolve(state_, *event);
    remember(*event);
    decoded.push_back(std::move(*event));
  }
  size_t next_event = 0;
  for (const BatchOutcome& outcome : batch.outcomes) {
    if (outcome.error_code.empty() && !outcome.duplicate) {
      const LogPosition first = outcome.event_count > 0 ? decoded[next_event].position
                                                        : LogPosition{state_.last_position.value + 1};
      index(outcome.command_id,
            PartitionCommandEntry{.fingerprint = outcome.fingerprint,
                                  .first = first,
                                  .count = outcome.event_count,
                                  .refusal_code = {},
                                  .refusal_message = {}},
            std::span<const Event>(decoded).subspan(next_event, outcome.event_count));
    }
    next_event += outcome.event_count;
  }
  position_ = position;
  next_command_offset_ = batch.next_command_offset;
  next_control_offset_ = batch.next_control_offset;
  return ok_status();
}

std::optional<DecidedBatch> PartitionEngine::decide_batch(const std::vector<IncomingCommand>& commands,
                                                          Timestamp now) {
  if (commands.empty()) return std::nullopt;
  PAYSTREAM_ASSERT(position_.epoch > 0);  // a takeover opened an epoch
  DecidedBatch decided;
  EventBatch& batch = decided.batch;
  batch.epoch = position_.epoch;
  batch.owner = position_.owner;
  batch.sequence = position_.sequence + 1;
  batch.command_partition = partition_;
  size_t bytes = 0;
  for (const IncomingCommand& incoming : commands) {
    if (bytes >= batch_bytes_budget) break;
    const size_t events_before = batch.events.size();
    decided.commands.push_back(decide_one(incoming, now, batch.events));
    const BatchOutcome& outcome = decided.commands.back().outcome;
    batch.outcomes.push_back(outcome);
    bytes += outcome.command_id.size() + outcome.error_code.size() + outcome.error_message.size() + 64;
    for (size_t i = events_before; i < batch.events.size(); ++i) bytes += batch.events[i].size() + 16;
    (incoming.from_control ? next_control_offset_ : next_command_offset_) = incoming.offset + 1;
    ++decided.consumed;
  }
  batch.next_command_offset = next_command_offset_;
  batch.next_control_offset = next_control_offset_;
  position_.sequence = batch.sequence;
  return decided;
}

DecidedCommand PartitionEngine::decide_one(const IncomingCommand& incoming, Timestamp now,
                                           std::vector<std::string>& events) {
  const std::string fallback_id = !incoming.command_id.empty() ? incoming.command_id
                                  : incoming.from_control
                                      ? fmt::format("@control:{}", incoming.offset)
                                      : fmt::format("@{}:{}", partition_, incoming.offset);
  if (!incoming.command) return refused(refusal(fallback_id, incoming, incoming.command.error()));
  const Command& command = *incoming.command;
  const std::string id = command.command_id.empty() ? fallback_id : command.command_id;
  const std::string fingerprint = command_fingerprint(command);
  if (const auto found = commands_.find(command.command_id); found != commands_.end()) {
    const PartitionCommandEntry& entry = found->second;
    if (entry.fingerprint != fingerprint) {
      return refused(refusal(
          id, incoming,
          make_error(
              Errc::command_id_conflict,
              fmt::format("command ID '{}' was already used for a different command", command.command_id))));
    }
    DecidedCommand duplicate;
    duplicate.outcome.command_id = id;
    duplicate.outcome.command_offset = incoming.offset;
    duplicate.outcome.from_control = incoming.from_control;
    duplicate.outcome.duplicate = true;
    for (uint32_t i = 0; i < entry.count; ++i) duplicate.positions.push_back(entry.first.value + i);
    if (!entry.refusal_code.empty()) {
      duplicate.answer = make_error(errc_from_name(entry.refusal_code).value_or(Errc::invalid_argument),
                                    entry.refusal_message);
    }
    return duplicate;
  }
  Result<std::vector<Event>> made = decide_command(incoming, command, std::max(now, state_.last_time));
  if (!made) return refused(refusal(id, incoming, made.error()));
  DecidedCommand applied;
  applied.outcome.command_id = id;
  applied.outcome.command_offset = incoming.offset;
  applied.outcome.from_control = incoming.from_control;
  applied.outcome.fingerprint = fingerprint;
  applied.outcome.event_count = static_cast<uint32_t>(made->size());
  const LogPosition first{state_.last_position.value + 1};
  for (Event& event : *made) {
    append(event, events);
    applied.positions.push_back(event.position.value);
  }
  if (Status refused = recorded_refusal(*made); !refused) applied.answer = refused.error();
  applied.follow_ons = follow_on_commands(*made, partition_, partition_count_);
  if (const auto* issue = std::get_if<IssueCards>(&command.body)) {
    applied.issued = issue->cards;
    for (const IssuedCard& card : issue->cards) card_secrets_[card.number] = card.secret;
  }
  index(command.command_id,
        PartitionCommandEntry{.fingerprint = fingerprint,
                              .first = first,
                              .count = applied.outcome.event_count,
                              .refusal_code = {},
                              .refusal_message = {}},
        *made);
  return applied;
}

Result<std::vector<Event>> PartitionEngine::decide_command(const IncomingCommand& incoming,
                                                           const Command& command, Timestamp now) {
  Context context{.now = now, .all_accounts_known = false, .engine_commands = true};
  if (const auto* redeem = std::get_if<RedeemCard>(&command.body)) {
    const auto secret = card_secrets_.find(redeem->number);
    context.card_secret = secret == card_secrets_.end() ? nullptr : &secret->second;
    context.account_elsewhere = state_.find(redeem->account_id) == nullptr &&
                                is_valid_account_id(redeem->account_id) &&
                                partition_of_key(redeem->account_id, partition_count_) != partition_;
  }
  if (const auto* reverse = std::get_if<Reverse>(&command.body)) {
    const int32_t holder = partition_of_position(reverse->record);
    if (holder != partition_) {
      return make_error(
          Errc::record_not_found,
          fmt::format("payment record {} belongs to partition {}, not to partition {} of account '{}'",
                      reverse->record.value, holder, partition_, incoming.key));
    }
    const auto target = records_.find(reverse->record.value);
    if (target != records_.end()) {
      if (target->second.account_id != incoming.key) {
        return make_error(Errc::record_not_found,
                          fmt::format("payment record {} is not a record of account '{}'",
                                      reverse->record.value, incoming.key));
      }
      context.reversal_target = &target->second;
    }
  }
  Result<std::vector<Event>> made = decide(state_, command, context);
  if (!made && made.error().code == Errc::parent_not_found) {
    const std::string parent = parent_named(command);
    const int32_t parent_partition = partition_of_key(parent, partition_count_);
    if (!parent.empty() && parent_partition != partition_) {
      return make_error(
          Errc::parent_not_found,
          fmt::format("parent agent '{}' is on partition {}, not on this account's partition {}: in "
                      "Kafka mode a sub-account and its parent must share a partition (docs/kafka.md)",
                      parent, parent_partition, partition_));
    }
  }
  return made;
}

void PartitionEngine::add_card_secret(const std::string& number, CardSecret secret) {
  card_secrets_[number] = std::move(secret);
}

void PartitionEngine::index(const std::string& command_id, PartitionCommandEntry entry,
                            std::span<const Event> events) {
  keep_answer(entry, events);
  commands_[command_id] = std::move(entry);
}

void PartitionEngine::append(Event& event, std::vector<std::string>& events) {
  PAYSTREAM_ASSERT(state_.last_position.value - partition_base(partition_) < partition_sequence_max);
  event.position = LogPosition{state_.last_position.value + 1};
  event.prev_hash = head_;
  std::string encoded = encode_event(event);
  head_ = sha256(encoded);
  evolve(state_, event);
  remember(event);
  events.push_back(std::move(encoded));
}

}  // namespace paystream
