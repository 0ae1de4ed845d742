#pragma once
// Helpers of the Kafka-mode card tests: keys that land on a chosen partition, a batch issued as a
// gateway issues it, redemptions as JSON lines, and results looked up by command ID.
#include <catch2/catch.hpp>

#include "engine/kafka_client/producer.h"
#include "engine/kafka_client/routing.h"
#include "tests/support/card_secret.h"
#include "tests/support/kafka/engine_fixture.h"
#include "tests/support/kafka/partition_keys.h"
#include "tests/support/kafka/topic_reader.h"

namespace paystream::testing::cards {

using nlohmann::json;

constexpr int32_t partitions = 3;
constexpr int16_t end_txn_request = 26;  // Kafka protocol ApiKeys
constexpr int producer_fenced = 90;      // rd_kafka_resp_err_t: fatal for a transactional producer
constexpr int64_t card_value = 25'000'000;

inline std::string pin_of(const std::string& number) { return "73" + number.substr(number.size() - 6); }

// IssueCards has no JSON line (the PINs are made where the batch is issued): produced as a gateway does.
inline void issue(const testing::MockKafka& kafka, const std::string& batch,
                  const std::vector<std::string>& numbers) {
  IssueCards body{.batch = batch,
                  .chunk = 0,
                  .value = Money::from_micros(card_value),
                  .expires = parse_date("2099-12-31").value(),
                  .cards = {}};
  for (const std::string& number : numbers) {
    body.cards.push_back(IssuedCard{.number = number, .secret = card_secret_of(pin_of(number))});
  }
  const Command command{"cards:" + batch + ":0", "admin", body};
  Result<std::unique_ptr<KafkaProducer>> producer =
      KafkaProducer::open(KafkaEndpoint(kafka.cluster->bootstrap()), {});
  REQUIRE(producer.ok());
  REQUIRE((*producer)
              ->produce(kafka.names.commands, partition_of_key(batch, partitions), batch,
                        encode_command(command), 1)
              .ok());
  while ((*producer)->in_flight() > 0) (void)(*producer)->poll(100);
}

inline std::string redeem_line(const std::string& id, const std::string& number, const std::string& account,
                               const std::string& pin) {
  return line(R"({"type":"redeem_card","card":")" + number + R"(","pin":")" + pin + R"(","account":")" +
              account + R"(","command_id":")" + id + "\"}");
}

// The first result of a command ID (nullptr-like empty json when there is none yet).
inline json result_of(const testing::MockKafka& kafka, const std::string& id) {
  const auto results = testing::distinct_results(kafka);
  const auto found = results.find(id);
  return found == results.end() ? json() : found->second.front();
}

inline std::string positions_id(const std::string& number, const json& result) {
  return card_payment_command_id(number, LogPosition{result["positions"][0].get<uint64_t>()});
}

}  // namespace paystream::testing::cards
