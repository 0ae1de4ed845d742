#include "engine/kafka_routing.h"

#include <librdkafka/rdkafka.h>

#include <type_traits>

#include <fmt/format.h>

namespace paystream {
namespace {

template <class Body>
constexpr bool names_account = std::is_same_v<Body, OpenAccount> || std::is_same_v<Body, UpdateAccount> ||
                               std::is_same_v<Body, Pay> || std::is_same_v<Body, SetCredit> ||
                               std::is_same_v<Body, MakeZero> || std::is_same_v<Body, Adjust>;

}  // namespace

Result<CommandRoute> route_command(const Command& command, std::string_view reversal_account) {
  return std::visit(
      [&](const auto& body) -> Result<CommandRoute> {
        using Body = std::decay_t<decltype(body)>;
        if constexpr (names_account<Body>) {
          return CommandRoute{TopicKind::commands, body.account_id};
        } else if constexpr (std::is_same_v<Body, SetParameter>) {
          return CommandRoute{TopicKind::control, body.name};
        } else {
          static_assert(std::is_same_v<Body, Reverse>, "route every command kind");
          if (reversal_account.empty()) {
            return make_error(Errc::invalid_argument,
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
