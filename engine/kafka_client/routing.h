#pragma once
// Where a command goes on Kafka (docs/kafka.md, "Keys and partitions"): the topic and the message
// key. The key decides the partition, and a partition is owned by one engine instance, so every
// command about one account must carry that account as its key.
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/kafka_client/topics.h"
#include "events/command.h"

namespace paystream {

struct CommandRoute {
  TopicKind topic = TopicKind::commands;
  std::string key;
  bool operator==(const CommandRoute&) const = default;
};

// Commands about an account go to P.commands keyed by its ID. Commands about no account go to
// P.control: set_parameter keyed by the parameter's name (and any later one, operators or cards,
// by its `name` when it has one, else by its command ID). A Reverse names a record, not an account, so its
// caller must say which account the record belongs to in `reversal_account` (ignored for every other
// command); an empty or invalid one is invalid_argument. The engine refuses a reversal whose record is not
// that account's (the key routes it to the partition that holds the record).
//
// Phone cards (docs/kafka.md, "Phone cards in Kafka mode"): a redemption and a disabling are keyed by
// the card number, a batch's chunk by the batch's name, so one partition decides each card. The
// commands only an engine makes (RecordCardPayment keyed by its account, ReturnCard by its card) are
// invalid_argument unless `from_engine` (the intake of P.commands, which admits what engines wrote).
Result<CommandRoute> route_command(const Command& command, std::string_view reversal_account,
                                   bool from_engine = false);

// The partition of a key among `partition_count`: murmur2 of the key, as Kafka's Java producer
// and librdkafka's `murmur2_random` partitioner compute it, so producers in any language that keep
// Kafka's default agree with paystream. partition_count >= 1.
int32_t partition_of_key(std::string_view key, int32_t partition_count);

}  // namespace paystream
