// Phone cards in Kafka mode, without Kafka (docs/kafka.md, "Phone cards in Kafka mode"): a card is
// decided by its own partition; a redemption into an account of another partition is the card's
// CardRedeemed plus a RecordCardPayment sent on to the account's partition, whose refusal is recorded
// and sends a ReturnCard back. Copies of either are duplicates, and a rebuild keeps every answer.
#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "engine/kafka/command_intake.h"
#include "engine/kafka/partition_engine.h"
#include "engine/kafka/results.h"
#include "engine/kafka_client/routing.h"
#include "tests/support/card_secret.h"
#include "tests/support/kafka/partition_keys.h"

namespace paystream {
namespace {

constexpr int32_t partitions = 4;
const Timestamp now{1'800'000'000'000'000};  // 2027-01-15
constexpr int64_t card_value = 10'000'000;

std::string card_on(int32_t partition, int skip = 0) {
  return testing::key_on_partition(partitions, partition, "40128888000", skip);
}

PartitionEngine taken_over(int32_t partition) {
  PartitionEngine engine(partition, partitions);
  EventBatch marker;
  marker.epoch = 1;
  marker.owner = "owner-a";
  marker.command_partition = partition;
  REQUIRE(engine.apply_accepted(marker, {1, "owner-a", 0}).ok());
  return engine;
}

IncomingCommand incoming(int64_t offset, Command command, std::string key) {
  return IncomingCommand{offset, false, std::move(key), std::move(command), {}};
}

// Decides one command alone in a batch.
DecidedCommand decide_one(PartitionEngine& engine, int64_t offset, Command command, std::string key) {
  std::optional<DecidedBatch> decided = engine.decide_batch({incoming(offset, std::move(command), key)}, now);
  REQUIRE(decided);
  REQUIRE(decided->commands.size() == 1);
  return decided->commands.front();
}

Command open_account(const std::string& account) {
  OpenAccount body;
  body.account_id = account;
  body.settings.name.assign("name");
  return Command{"open-" + account, "admin", body};
}

Command issue(const std::string& batch, const std::vector<std::string>& numbers) {
  IssueCards body{.batch = batch,
                  .chunk = 0,
                  .value = Money::from_micros(card_value),
                  .expires = parse_date("2027-12-31").value(),
                  .cards = {}};
  for (const std::string& number : numbers) {
    body.cards.push_back(IssuedCard{.number = number, .secret = testing::card_secret_of("PIN-" + number)});
  }
  return Command{"cards:" + batch + ":0", "admin", body};
}

Command redeem(const std::string& id, const std::string& number, const std::string& account,
               std::string pin = "") {
  return Command{id, "admin",
                 RedeemCard{.number = number,
                            .pin = pin.empty() ? "PIN-" + number : pin,
                            .account_id = account,
                            .memo = "till 4"}};
}

struct Cluster {
  int32_t card_partition = 1;
  int32_t account_partition = 3;
  PartitionEngine cards = taken_over(1);
  PartitionEngine accounts = taken_over(3);
  std::string batch = testing::key_on_partition(partitions, 1, "batch-");
  std::vector<std::string> numbers{card_on(1, 0), card_on(1, 1), card_on(1, 2)};
  int64_t card_offset = 0;
  int64_t account_offset = 0;

  Cluster() {
    REQUIRE(decide_one(cards, card_offset++, issue(batch, numbers), batch).outcome.error_code.empty());
  }
  DecidedCommand on_cards(Command command, const std::string& key) {
    return decide_one(cards, card_offset++, std::move(command), key);
  }
  DecidedCommand on_accounts(Command command, const std::string& key) {
    return decide_one(accounts, account_offset++, std::move(command), key);
  }
};

}  // namespace

TEST_CASE(
    "kafka cards: an IssueCards gives the engine the secrets of its cards, and says so for "
    "P.card-secrets",
    "[kafka][cards]") {
  PartitionEngine engine = taken_over(1);
  const std::string batch = testing::key_on_partition(partitions, 1, "batch-");
  const DecidedCommand issued = decide_one(engine, 0, issue(batch, {card_on(1, 0), card_on(1, 1)}), batch);
  REQUIRE(issued.outcome.error_code.empty());
  CHECK(issued.issued.size() == 2);
  CHECK(issued.follow_ons.empty());
  CHECK(engine.card_secret_count() == 2);
  CHECK(engine.state().cards.size() == 2);
}

TEST_CASE("kafka cards: a card and an account of one partition are redeemed in one decision, as embedded",
          "[kafka][cards]") {
  Cluster cluster;
  const std::string account = testing::key_on_partition(partitions, cluster.card_partition, "C-");
  REQUIRE(cluster.on_cards(open_account(account), account).outcome.error_code.empty());
  const DecidedCommand paid =
      cluster.on_cards(redeem("r-1", cluster.numbers[0], account), cluster.numbers[0]);
  REQUIRE(paid.outcome.error_code.empty());
  CHECK(!paid.answer);
  CHECK(paid.positions.size() == 2);
  CHECK(paid.follow_ons.empty());
  CHECK(cluster.cards.state().find(account)->balance.micros() == card_value);
  const DecidedCommand again =
      cluster.on_cards(redeem("r-2", cluster.numbers[0], account), cluster.numbers[0]);
  CHECK(again.outcome.error_code == "card_used");
}

TEST_CASE(
    "kafka cards: a card paying an account of another partition sends the payment on, and it is "
    "applied once",
    "[kafka][cards]") {
  Cluster cluster;
  const std::string account = testing::key_on_partition(partitions, cluster.account_partition, "C-");
  REQUIRE(cluster.on_accounts(open_account(account), account).outcome.error_code.empty());
  const std::string& number = cluster.numbers[0];

  const DecidedCommand redeemed = cluster.on_cards(redeem("r-1", number, account), number);
  REQUIRE(redeemed.outcome.error_code.empty());
  CHECK(!redeemed.answer);
  REQUIRE(redeemed.positions.size() == 1);  // the card's half only
  const LogPosition redemption{redeemed.positions[0]};
  CHECK(cluster.cards.state().find_card(number)->use == CardUse::used);
  REQUIRE(redeemed.follow_ons.size() == 1);
  const FollowOn& follow_on = redeemed.follow_ons[0];
  CHECK(follow_on.key == account);
  CHECK(follow_on.command.command_id == card_payment_command_id(number, redemption));
  CHECK(follow_on.command.operator_name == "admin");
  const auto* payment = std::get_if<RecordCardPayment>(&follow_on.command.body);
  REQUIRE(payment != nullptr);
  CHECK(payment->value.micros() == card_value);
  CHECK(payment->memo == "till 4");
  // The intake of the account's partition admits what the engine sent.
  CHECK(
      admit_command(account, encode_command(follow_on.command), cluster.account_partition, partitions).ok());

  const DecidedCommand paid = cluster.on_accounts(follow_on.command, follow_on.key);
  REQUIRE(paid.outcome.error_code.empty());
  CHECK(!paid.answer);
  CHECK(paid.follow_ons.empty());
  REQUIRE(paid.positions.size() == 1);
  const Event& record = cluster.accounts.records().at(paid.positions[0]);
  CHECK(record.type == EventType::card_payment_recorded);
  CHECK(record.card_redemption == redemption);
  CHECK(record.method == PaymentMethod::card);
  CHECK(record.memo == "till 4");
  CHECK(cluster.accounts.state().find(account)->balance.micros() == card_value);

  // A copy (a takeover sending the last batch's follow-ons again) is a duplicate: paid once.
  const DecidedCommand copy = cluster.on_accounts(follow_on.command, follow_on.key);
  CHECK(copy.outcome.duplicate);
  CHECK(copy.positions == paid.positions);
  CHECK(cluster.accounts.state().find(account)->balance.micros() == card_value);
  // And the card stays used.
  CHECK(cluster.on_cards(redeem("r-2", number, account), number).outcome.error_code == "card_used");
}

TEST_CASE(
    "kafka cards: a payment refused on the account's partition is recorded, and gives the card back "
    "once",
    "[kafka][cards]") {
  Cluster cluster;
  const std::string missing = testing::key_on_partition(partitions, cluster.account_partition, "C-", 0);
  const std::string& number = cluster.numbers[1];
  const DecidedCommand redeemed = cluster.on_cards(redeem("r-1", number, missing), number);
  REQUIRE(redeemed.follow_ons.size() == 1);
  const LogPosition redemption{redeemed.positions.at(0)};

  const DecidedCommand refused = cluster.on_accounts(redeemed.follow_ons[0].command, missing);
  CHECK(refused.outcome.error_code.empty());  // recorded...
  REQUIRE(refused.answer);                    // ...and answered as a refusal
  CHECK(refused.answer->code == Errc::account_not_found);
  REQUIRE(refused.positions.size() == 1);
  REQUIRE(refused.follow_ons.size() == 1);
  const FollowOn& give_back = refused.follow_ons[0];
  CHECK(give_back.key == number);
  CHECK(give_back.command.command_id == card_return_command_id(number, redemption));
  CHECK(cluster.accounts.state().find(missing) == nullptr);
  // The result says both: refused, and recorded at a position.
  const std::string result = encode_result_json(refused, cluster.account_partition, 1);
  CHECK(result.find("\"ok\":false") != std::string::npos);
  CHECK(result.find("\"code\":\"account_not_found\"") != std::string::npos);
  CHECK(result.find(fmt::format("\"positions\":[{}]", refused.positions[0])) != std::string::npos);

  // A copy of the payment, even once the account exists, gets the first answer: never paid after the
  // card went back.
  REQUIRE(cluster.on_accounts(open_account(missing), missing).outcome.error_code.empty());
  const DecidedCommand copy = cluster.on_accounts(redeemed.follow_ons[0].command, missing);
  CHECK(copy.outcome.duplicate);
  REQUIRE(copy.answer);
  CHECK(copy.answer->code == Errc::account_not_found);
  CHECK(cluster.accounts.state().find(missing)->balance.micros() == 0);

  // The card's partition takes the card back, once.
  CHECK(admit_command(number, encode_command(give_back.command), cluster.card_partition, partitions).ok());
  const DecidedCommand returned = cluster.on_cards(give_back.command, give_back.key);
  REQUIRE(returned.outcome.error_code.empty());
  CHECK(!returned.answer);
  CHECK(cluster.cards.state().find_card(number)->use == CardUse::unused);
  CHECK(cluster.on_cards(give_back.command, give_back.key).outcome.duplicate);
  CHECK(cluster.cards.state().find_card(number)->use == CardUse::unused);

  // Redeemable again: into the account that now exists, paid once.
  const DecidedCommand second = cluster.on_cards(redeem("r-2", number, missing), number);
  REQUIRE(second.follow_ons.size() == 1);
  const DecidedCommand paid = cluster.on_accounts(second.follow_ons[0].command, missing);
  CHECK(!paid.answer);
  CHECK(cluster.accounts.state().find(missing)->balance.micros() == card_value);
  // The first redemption's return, sent again late, cannot give back the card the second one used.
  ReturnCard stale = std::get<ReturnCard>(give_back.command.body);
  Command stale_copy{card_return_command_id(number, redemption), "admin", stale};
  stale_copy.command_id = "other-id";
  CHECK(cluster.on_cards(stale_copy, number).outcome.error_code == "invalid_argument");
  const DecidedCommand late = cluster.on_cards(give_back.command, give_back.key);
  CHECK(late.outcome.duplicate);
  CHECK(cluster.cards.state().find_card(number)->use == CardUse::used);
}

TEST_CASE(
    "kafka cards: an agent's card payment into an account outside its tree is refused where the "
    "account lives, and the card comes back",
    "[kafka][cards]") {
  Cluster cluster;
  const std::string agent = testing::key_on_partition(partitions, cluster.account_partition, "AG-");
  const std::string other = testing::key_on_partition(partitions, cluster.account_partition, "C-");
  for (PartitionEngine* engine : {&cluster.cards, &cluster.accounts}) {
    AddOperator add;
    add.settings.name = "agent.1";
    add.settings.role = OperatorRole::agent;
    add.settings.agent_account = agent;
    add.settings.permissions = all_permissions;
    add.settings.token =
        TokenCredential{.id = "0123456789abcdef", .salt = std::string(16, 'x'), .hash = std::string(32, 'y')};
    AddOperator admin;
    admin.settings.name = "admin";
    admin.settings.role = OperatorRole::admin;
    admin.settings.token =
        TokenCredential{.id = "fedcba9876543210", .salt = std::string(16, 'x'), .hash = std::string(32, 'z')};
    std::optional<DecidedBatch> decided =
        engine->decide_batch({IncomingCommand{0, true, "admin", Command{"op-admin", "admin", admin}, {}},
                              IncomingCommand{1, true, "agent.1", Command{"op-agent", "admin", add}, {}}},
                             now);
    REQUIRE(decided);
    REQUIRE(decided->commands[1].outcome.error_code.empty());
  }
  REQUIRE(cluster.on_accounts(open_account(other), other).outcome.error_code.empty());
  const std::string& number = cluster.numbers[2];
  Command by_agent = redeem("agent.1:r-1", number, other);
  by_agent.operator_name = "agent.1";
  const DecidedCommand redeemed = cluster.on_cards(by_agent, number);
  REQUIRE(redeemed.outcome.error_code.empty());  // the card's partition cannot see the account's tree
  REQUIRE(redeemed.follow_ons.size() == 1);
  CHECK(redeemed.follow_ons[0].command.operator_name == "agent.1");
  const DecidedCommand refused = cluster.on_accounts(redeemed.follow_ons[0].command, other);
  REQUIRE(refused.answer);
  CHECK(refused.answer->code == Errc::forbidden);
  REQUIRE(refused.follow_ons.size() == 1);
  REQUIRE(cluster.on_cards(refused.follow_ons[0].command, number).outcome.error_code.empty());
  CHECK(cluster.cards.state().find_card(number)->use == CardUse::unused);
  CHECK(cluster.accounts.state().find(other)->balance.micros() == 0);
}

TEST_CASE(
    "kafka cards: a wrong PIN is recorded and answered as a refusal, also to a copy and after a "
    "rebuild",
    "[kafka][cards]") {
  Cluster cluster;
  const std::string account = testing::key_on_partition(partitions, cluster.account_partition, "C-");
  const std::string& number = cluster.numbers[0];
  PartitionEngine& engine = cluster.cards;
  std::optional<DecidedBatch> wrong = engine.decide_batch(
      {incoming(cluster.card_offset++, redeem("w-1", number, account, "nope"), number)}, now);
  REQUIRE(wrong);
  const DecidedCommand& answered = wrong->commands[0];
  REQUIRE(answered.answer);
  CHECK(answered.answer->code == Errc::wrong_card_or_pin);
  CHECK(answered.follow_ons.empty());
  CHECK(engine.state().find_card(number)->pin_failures == 1);
  const DecidedCommand copy = cluster.on_cards(redeem("w-1", number, account, "nope"), number);
  CHECK(copy.outcome.duplicate);
  REQUIRE(copy.answer);
  CHECK(copy.answer->code == Errc::wrong_card_or_pin);
  CHECK(engine.state().find_card(number)->pin_failures == 1);
  CHECK(encode_result_json(copy, 1, 1).find("\"ok\":false") != std::string::npos);

  // Another engine rebuilt from the same batches keeps the answer for the next copy.
  PartitionEngine fresh = taken_over(cluster.card_partition);
  const std::string batch = testing::key_on_partition(partitions, cluster.card_partition, "batch-");
  std::optional<DecidedBatch> issued = fresh.decide_batch({incoming(0, issue(batch, {number}), batch)}, now);
  std::optional<DecidedBatch> failed =
      fresh.decide_batch({incoming(1, redeem("w-1", number, account, "nope"), number)}, now);
  REQUIRE((issued && failed));
  PartitionEngine rebuilt = taken_over(cluster.card_partition);
  REQUIRE(
      rebuilt.apply_accepted(*decode_event_batch(encode_event_batch(issued->batch)), {1, "owner-a", 1}).ok());
  REQUIRE(
      rebuilt.apply_accepted(*decode_event_batch(encode_event_batch(failed->batch)), {1, "owner-a", 2}).ok());
  rebuilt.add_card_secret(number, testing::card_secret_of("PIN-" + number));
  const auto entry = rebuilt.commands().find("w-1");
  REQUIRE(entry != rebuilt.commands().end());
  CHECK(entry->second.refusal_code == "wrong_card_or_pin");
  std::optional<DecidedBatch> after =
      rebuilt.decide_batch({incoming(2, redeem("w-1", number, account, "nope"), number)}, now);
  REQUIRE(after);
  CHECK(after->commands[0].outcome.duplicate);
  REQUIRE(after->commands[0].answer);
  CHECK(after->commands[0].answer->code == Errc::wrong_card_or_pin);
  CHECK(rebuilt.state().find_card(number)->pin_failures == 1);
}

TEST_CASE(
    "kafka cards: the commands only an engine makes are refused from any other way in, and need "
    "their derived IDs",
    "[kafka][cards]") {
  const LogPosition redemption{(uint64_t{1} << 48) | 5};
  const Command payment{card_payment_command_id("4012888800001", redemption), "admin",
                        RecordCardPayment{.number = "4012888800001",
                                          .account_id = "C-1",
                                          .value = Money::from_micros(card_value),
                                          .memo = "",
                                          .redemption = redemption}};
  const Command give_back{card_return_command_id("4012888800001", redemption), "admin",
                          ReturnCard{.number = "4012888800001",
                                     .account_id = "C-1",
                                     .value = Money::from_micros(card_value),
                                     .redemption = redemption,
                                     .refusal = "account_not_found",
                                     .message = "no"}};
  for (const Command* command : {&payment, &give_back}) {
    const Result<CommandRoute> route = route_command(*command, "");
    REQUIRE(!route.ok());
    CHECK(route.error().code == Errc::invalid_argument);
    CHECK_THAT(route.error().message, Catch::Contains("made by the engine only"));
    CHECK(route_command(*command, "", /*from_engine=*/true).ok());
  }
  // A redemption and a disabling are keyed by the card, a batch's chunk by its batch.
  CHECK(route_command(redeem("r", "4012888800001", "C-1"), "")->key == "4012888800001");
  CHECK(route_command(Command{"d", "admin", DisableCard{.number = "4012888800001", .memo = ""}}, "")->key ==
        "4012888800001");
  CHECK(route_command(issue("B-1", {"4012888800001"}), "")->key == "B-1");

  PartitionEngine engine = taken_over(partition_of_key("C-1", partitions));
  Command renamed = payment;
  renamed.command_id = "my-own-id";
  const DecidedCommand refused = decide_one(engine, 0, renamed, "C-1");
  CHECK(refused.outcome.error_code == "invalid_argument");
  CHECK(refused.positions.empty());
  CHECK(refused.follow_ons.empty());
}

}  // namespace paystream
