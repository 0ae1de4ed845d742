#include "engine/kafka_client/routing.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include <concepts>
#include <type_traits>

namespace paystream {
namespace {

template <class Body>
constexpr bool names_account =
    std::is_same_v<Body, OpenAccount> || std::is_same_v<Body, UpdateAccount> || std::is_same_v<Body, Pay> ||
    std::is_same_v<Body, SetCredit> || std::is_same_v<Body, MakeZero> || std::is_same_v<Body, Adjust> ||
    std::is_same_v<Body, Charge> || std::is_same_v<Body, MinimumCharge>;

// A control command's key says what it is about: the parameter's (or operator's) name when the
// command has one, else its command ID. The topic has one partition, so the key only informs.
template <class Body>
std::string control_key(const Body& body, const Command& command) {
  if constexpr (requires {
                  { body.name } -> std::convertible_to<std::string>;
                }) {
    return body.name;
  } else {
    return command.command_id;
  }
}

Error made_by_engines_only(const Command& command) {
  return make_error(Errc::invalid_argument,
                    fmt::format("command '{}': a {} is made by the engine only, never submitted",
                                command.command_id, command_name(command.body)));
}

}  // namespace

Result<CommandRoute> route_command(const Command& command, std::string_view reversal_account,
                                   bool from_engine) {
  return std::visit(
      [&](const auto& body) -> Result<CommandRoute> {
        using Body = std::decay_t<decltype(body)>;
        if constexpr (names_account<Body> || std::is_same_v<Body, RecordCardPayment>) {
          if (std::is_same_v<Body, RecordCardPayment> && !from_engine) return made_by_engines_only(command);
          return CommandRoute{TopicKind::commands, body.account_id};
        } else if constexpr (std::is_same_v<Body, ReturnCard>) {
          if (!from_engine) return made_by_engines_only(command);
          return CommandRoute{TopicKind::commands, body.number};
        } else if constexpr (std::is_same_v<Body, RedeemCard> || std::is_same_v<Body, DisableCard>) {
          return CommandRoute{TopicKind::commands, body.number};
        } else if constexpr (std::is_same_v<Body, IssueCards>) {
          return CommandRoute{TopicKind::commands, body.batch};
        } else if constexpr (!std::is_same_v<Body, Reverse>) {
          // Parameters, and every other command about no account (operators, cleanups): the
          // one ordered stream every instance reads.
          return CommandRoute{TopicKind::control, control_key(body, command)};
        } else {
          if (reversal_account.empty()) {
            return make_error(
                Errc::invalid_argument,
                fmt::format("a reversal on Kafka needs the account of record {}, since the account "
                            "decides the partition",
                            body.record.value));
          }
          if (Status valid = check_account_id(reversal_account); !valid) return valid.error();
          return CommandRoute{TopicKind::commands, std::string(reversal_account)};
        }
      },
      command.body);
}

int32_t partition_of_key(std::string_view key, int32_t partition_count) {
  PAYSTREAM_ASSERT(partition_count >= 1);
  // librdkafka's murmur2 partitioner reads neither the topic nor the opaques.
  return rd_kafka_msg_partitioner_murmur2(nullptr, key.data(), key.size(), partition_count, nullptr, nullptr);
}

}  // namespace paystream
