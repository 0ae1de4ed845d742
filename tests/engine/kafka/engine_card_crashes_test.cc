// The crash points of a card paying an account of another partition (docs/kafka.md, "Phone cards in
// Kafka mode"), on the mock cluster, with the card's partitions and the account's owned by two
// instances: the account's owner gone before it reads the payment, or failing after deciding it and
// before its commit; the card's owner gone right after its batch; and two redemptions of one card.
#include "tests/engine/kafka/card_fixture.h"

namespace paystream {
namespace {

using namespace testing::cards;
using nlohmann::json;
using testing::card_secret_of;
using testing::key_on_partition;
using testing::line;

std::unique_ptr<KafkaEngineLoop> owner_of(const testing::MockKafka& kafka, const std::string& data,
                                          const std::vector<int32_t>& owned) {
  std::unique_ptr<KafkaEngineLoop> loop = testing::open_loop(kafka, data);
  for (const int32_t partition : owned) REQUIRE(loop->take(partition).value());
  return loop;
}

void step_both_until(KafkaEngineLoop& a, KafkaEngineLoop& b, const std::function<bool()>& done) {
  testing::step_until(a, [&] {
    const Status stepped = b.step(10);
    REQUIRE(stepped.ok());
    return done();
  });
}

// Cards on partition 1, an account on partition 2, each owned by its own instance; the batch issued
// and the account opened.
struct TwoOwners {
  testing::MockKafka kafka = testing::mock_kafka(1, partitions);
  e2e::TemporaryDirectory directory;
  std::string batch = key_on_partition(partitions, 1, "batch-");
  std::vector<std::string> numbers{key_on_partition(partitions, 1, "40128800", 0),
                                   key_on_partition(partitions, 1, "40128800", 1)};
  std::string far = key_on_partition(partitions, 2, "C-");
  std::unique_ptr<KafkaEngineLoop> cards = owner_of(kafka, directory.file("cards"), {0, 1});
  std::unique_ptr<KafkaEngineLoop> accounts = owner_of(kafka, directory.file("accounts"), {2});

  TwoOwners() {
    issue(kafka, batch, numbers);
    testing::publish(
        kafka, line(R"({"type":"open_account","account":")" + far + R"(","name":"n","command_id":"o-far"})"));
    step_both_until(*cards, *accounts, [&] {
      return !result_of(kafka, "o-far").is_null() && !result_of(kafka, "cards:" + batch + ":0").is_null();
    });
  }
  // Redeems numbers[0] into `far`, stepping only the card's owner until the redemption is answered.
  json redeem_on_cards_only() {
    testing::publish(kafka, redeem_line("r-1", numbers[0], far, pin_of(numbers[0])));
    json redeemed;
    testing::step_until(*cards, [&] {
      redeemed = result_of(kafka, "r-1");
      return !redeemed.is_null();
    });
    REQUIRE(redeemed["ok"] == true);
    return redeemed;
  }
};

}  // namespace

TEST_CASE(
    "kafka engine cards: the account's owner crashes before deciding a card's payment: the next one pays "
    "it, once",
    "[kafka][engine-loop][cards]") {
  TwoOwners two;
  const json redeemed = two.redeem_on_cards_only();
  two.accounts.reset();  // gone without a release, before reading the payment
  std::unique_ptr<KafkaEngineLoop> next = owner_of(two.kafka, two.directory.file("next"), {2});
  json paid;
  testing::step_until(*next, [&] {
    paid = result_of(two.kafka, positions_id(two.numbers[0], redeemed));
    return !paid.is_null();
  });
  CHECK(paid["ok"] == true);
  CHECK(next->engine(2)->state().find(two.far)->balance.micros() == card_value);
  testing::check_one_accepted_outcome_per_command(two.kafka, 4);  // issue, open, redeem, payment
}

TEST_CASE(
    "kafka engine cards: the account's owner fails after deciding a card's payment, before its commit: "
    "the next owner pays it once",
    "[kafka][engine-loop][cards]") {
  TwoOwners two;
  const json redeemed = two.redeem_on_cards_only();
  // The next EndTxn, the account owner's with the payment, is refused as if a newer producer had
  // fenced it: the partition is dropped with its state.
  two.kafka.cluster->push_request_errors(end_txn_request, {producer_fenced});
  testing::step_until(*two.accounts, [&] { return two.accounts->owned().empty(); });
  std::unique_ptr<KafkaEngineLoop> next = owner_of(two.kafka, two.directory.file("next"), {2});
  json paid;
  testing::step_until(*next, [&] {
    paid = result_of(two.kafka, positions_id(two.numbers[0], redeemed));
    return !paid.is_null();
  });
  CHECK(paid["ok"] == true);
  CHECK(next->engine(2)->state().find(two.far)->balance.micros() == card_value);
  testing::check_one_accepted_outcome_per_command(two.kafka, 4);
}

TEST_CASE(
    "kafka engine cards: the card's owner crashes right after its batch: the takeover sends the payment "
    "again, and it is paid once",
    "[kafka][engine-loop][cards]") {
  TwoOwners two;
  const json redeemed = two.redeem_on_cards_only();
  two.cards.reset();  // gone without a release, right after the redemption's batch
  std::unique_ptr<KafkaEngineLoop> next = owner_of(two.kafka, two.directory.file("next"), {0, 1});
  // The payment is on P.commands twice now: the first owner's, and the takeover's copy.
  size_t payments = 0;
  for (const testing::ConsumedMessage& message :
       testing::read_topic(two.kafka.cluster->bootstrap(), two.kafka.names.commands, partitions)) {
    if (message.key == two.far && message.value.find("card-payment:") != std::string::npos) ++payments;
  }
  CHECK(payments == 2);
  std::vector<json> outcomes;
  step_both_until(*next, *two.accounts, [&] {
    const auto results = testing::distinct_results(two.kafka);
    const auto found = results.find(positions_id(two.numbers[0], redeemed));
    if (found == results.end() || found->second.size() < 2) return false;
    outcomes = found->second;
    return true;
  });
  CHECK(two.accounts->engine(2)->state().find(two.far)->balance.micros() == card_value);
  for (const json& outcome : outcomes) CHECK(outcome["ok"] == true);  // applied, then a duplicate
  testing::check_one_accepted_outcome_per_command(two.kafka, 5);      // the copy has its outcome too
}

TEST_CASE(
    "kafka engine cards: two redemptions of one card at once, into accounts of two partitions: one wins",
    "[kafka][engine-loop][cards]") {
  TwoOwners two;
  const std::string other = key_on_partition(partitions, 0, "C-");
  testing::publish(two.kafka, line(R"({"type":"open_account","account":")" + other +
                                   R"(","name":"n","command_id":"o-other"})") +
                                  redeem_line("race-1", two.numbers[1], two.far, pin_of(two.numbers[1])) +
                                  redeem_line("race-2", two.numbers[1], other, pin_of(two.numbers[1])));
  step_both_until(*two.cards, *two.accounts, [&] {
    return !result_of(two.kafka, "race-1").is_null() && !result_of(two.kafka, "race-2").is_null();
  });
  const json first = result_of(two.kafka, "race-1");
  const json second = result_of(two.kafka, "race-2");
  CHECK((first["ok"] == true) != (second["ok"] == true));
  CHECK((first["ok"] == true ? second : first)["error"]["code"] == "card_used");
}

}  // namespace paystream
