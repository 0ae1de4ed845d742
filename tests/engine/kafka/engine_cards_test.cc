// Phone cards through the engine loop on the mock cluster (docs/kafka.md, "Phone cards in Kafka mode"):
// a batch issued on its partition with its secrets on P.card-secrets, redemptions published as JSON
// lines, payments sent on to the account's partition in the card's transaction, a refused payment
// giving the card back, and a new instance that rebuilds the cards from P.events and their secrets
// from P.card-secrets.
#include "tests/engine/kafka/card_fixture.h"

namespace paystream {

using namespace testing::cards;
using nlohmann::json;
using testing::card_secret_of;
using testing::key_on_partition;
using testing::line;

TEST_CASE(
    "kafka engine cards: a card pays an account of another partition once, a refused payment gives the "
    "card back, and a new instance knows the cards and their PINs",
    "[kafka][engine-loop][cards]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, partitions);
  e2e::TemporaryDirectory directory;
  const int32_t card_partition = 1;
  const std::string batch = key_on_partition(partitions, card_partition, "batch-");
  const std::vector<std::string> numbers{key_on_partition(partitions, card_partition, "40128800", 0),
                                         key_on_partition(partitions, card_partition, "40128800", 1),
                                         key_on_partition(partitions, card_partition, "40128800", 2)};
  const std::string near = key_on_partition(partitions, card_partition, "C-");  // the cards' own partition
  const std::string far = key_on_partition(partitions, 2, "C-");
  const std::string missing = key_on_partition(partitions, 0, "C-");

  std::unique_ptr<KafkaEngineLoop> loop = testing::open_loop(kafka, directory.file("a"));
  testing::take_all(*loop);
  issue(kafka, batch, numbers);
  testing::publish(
      kafka, line(R"({"type":"open_account","account":")" + near + R"(","name":"n","command_id":"o-1"})") +
                 line(R"({"type":"open_account","account":")" + far + R"(","name":"n","command_id":"o-2"})"));
  testing::step_until(*loop, [&] { return loop->totals().commands == 3; });
  CHECK(loop->engine(card_partition)->state().cards.size() == 3);
  CHECK(loop->engine(card_partition)->card_secret_count() == 3);

  testing::publish(kafka, redeem_line("r-near", numbers[0], near, pin_of(numbers[0])) +
                              redeem_line("r-far", numbers[1], far, pin_of(numbers[1])) +
                              redeem_line("r-missing", numbers[2], missing, pin_of(numbers[2])) +
                              redeem_line("r-wrong", numbers[0], near, "00000000"));
  // The two payments sent on, and the return of the refused one, are commands too: 4 + 3.
  testing::step_until(*loop, [&] { return loop->totals().commands == 3 + 7; });

  const json near_result = result_of(kafka, "r-near");
  CHECK(near_result["ok"] == true);
  CHECK(near_result["positions"].size() == 2);  // one decision, as embedded
  // A used card is told only to whoever knows its PIN.
  CHECK(result_of(kafka, "r-wrong")["error"]["code"] == "wrong_card_or_pin");

  const json far_result = result_of(kafka, "r-far");
  CHECK(far_result["ok"] == true);
  REQUIRE(far_result["positions"].size() == 1);  // the card's half
  const json far_payment = result_of(kafka, positions_id(numbers[1], far_result));
  CHECK(far_payment["ok"] == true);
  CHECK(far_payment["partition"] == 2);

  const json missing_result = result_of(kafka, "r-missing");
  REQUIRE(missing_result["ok"] == true);
  const json refused = result_of(kafka, positions_id(numbers[2], missing_result));
  CHECK(refused["ok"] == false);
  CHECK(refused["error"]["code"] == "account_not_found");
  CHECK(refused["positions"].size() == 1);  // recorded
  const json returned = result_of(
      kafka, card_return_command_id(numbers[2], LogPosition{missing_result["positions"][0].get<uint64_t>()}));
  CHECK(returned["ok"] == true);
  CHECK(loop->engine(card_partition)->state().find_card(numbers[2])->use == CardUse::unused);
  CHECK(loop->engine(card_partition)->state().find_card(numbers[1])->use == CardUse::used);

  const testing::Balances balances = testing::kafka_balances(*loop);
  CHECK(balances.at(near) == card_value);
  CHECK(balances.at(far) == card_value);
  testing::check_one_accepted_outcome_per_command(kafka, 3 + 7);

  // Nothing that recognises a PIN is on P.events; P.card-secrets holds the three cards.
  for (const testing::ConsumedMessage& message :
       testing::read_topic(kafka.cluster->bootstrap(), kafka.names.events, partitions)) {
    for (const std::string& number : numbers) {
      CHECK(message.value.find(pin_of(number)) == std::string::npos);
      CHECK(message.value.find(card_secret_of(pin_of(number)).hash) == std::string::npos);
    }
  }
  CHECK(testing::read_topic(kafka.cluster->bootstrap(), kafka.names.card_secrets, partitions).size() == 3);

  // Another instance (no checkpoint: from the history) knows the cards, their state and their PINs.
  loop.reset();
  std::unique_ptr<KafkaEngineLoop> next = testing::open_loop(kafka, directory.file("b"));
  testing::take_all(*next);
  CHECK(next->engine(card_partition)->card_secret_count() == 3);
  CHECK(next->engine(card_partition)->state().find_card(numbers[2])->use == CardUse::unused);
  testing::publish(kafka, redeem_line("r-again", numbers[2], far, pin_of(numbers[2])) +
                              redeem_line("r-guess", numbers[1], far, "11111111"));
  // (The takeover also sent the last batch's follow-ons again: copies, answered as duplicates.)
  json again;
  testing::step_until(*next, [&] {
    again = result_of(kafka, "r-again");
    return !again.is_null() && !result_of(kafka, positions_id(numbers[2], again)).is_null() &&
           !result_of(kafka, "r-guess").is_null();
  });
  REQUIRE(again["ok"] == true);
  CHECK(result_of(kafka, positions_id(numbers[2], again))["ok"] == true);
  const json guess = result_of(kafka, "r-guess");
  CHECK(guess["ok"] == false);
  CHECK(guess["error"]["code"] == "wrong_card_or_pin");
  CHECK(testing::kafka_balances(*next).at(far) == 2 * card_value);
}

}  // namespace paystream
