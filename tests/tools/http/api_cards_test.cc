// Phone cards over HTTP: a batch issued by POST /v1/cards/batches, the list and one card, two
// clients redeeming one card at once, wrong PINs, disabling, and who may do what; and, on three
// partitions, cards paying accounts of their own partition and of others. Tagged [writes]: they run
// on an embedded server and on the API in Kafka mode (http-kafka/, http-kafka-real/).
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <thread>

#include "engine/kafka_client/routing.h"
#include "events/log_format.h"
#include "tests/support/kafka/partition_keys.h"
#include "tests/tools/http/api_test_support.h"

namespace paystream::http_test {
namespace {

using Refusal = std::pair<int, std::string>;

json issue(httplib::Client& client, int count, const std::string& batch) {
  const httplib::Result result =
      post(client, "/v1/cards/batches",
           {{"count", count}, {"value", "10.00"}, {"expires", "2099-12-31"}, {"batch", batch}});
  REQUIRE(result);
  INFO(result->body);
  REQUIRE(result->status == 201);
  return json::parse(result->body);
}

httplib::Result pay_card(httplib::Client& client, const std::string& account, const json& card,
                         const std::string& pin, const std::string& command_id) {
  return post(client, "/v1/accounts/" + account + "/card-payments",
              {{"card", card.at("number")}, {"pin", pin}, {"command_id", command_id}});
}

}  // namespace

TEST_CASE("cards over HTTP: issue a batch, list it, redeem a card once, refuse the second",
          "[http][writes][cards]") {
  Api api;
  httplib::Client& admin = *api.admin;
  open_account(admin, {{"account", "C-1"}, {"name", "Alice"}});
  const json batch = issue(admin, 3, "B-1");
  CHECK(batch.at("batch") == "B-1");
  CHECK(batch.at("count") == 3);
  REQUIRE(batch.at("cards").size() == 3);
  const json card = batch.at("cards")[0];
  CHECK(card.at("pin").get<std::string>().size() == 8);
  CHECK(card.at("value") == "10.00");
  CHECK(card.at("expires") == "2099-12-31");

  const json listed = json_of(admin.Get("/v1/cards?batch=B-1"));
  REQUIRE(listed.at("rows").size() == 3);
  for (const json& row : listed.at("rows")) {
    CHECK(row.at("state") == "unused");
    CHECK_FALSE(row.contains("pin"));
  }
  CHECK(parse_csv(admin.Get("/v1/cards?format=csv")->body).size() == 4);

  const httplib::Result paid = pay_card(admin, "C-1", card, card.at("pin"), "redeem-1");
  REQUIRE(paid);
  INFO(paid->body);
  CHECK(paid->status == 201);
  const json events = json::parse(paid->body).at("events");
  REQUIRE(events.size() == 2);
  CHECK(events[0].at("event") == "CardRedeemed");
  CHECK(events[1].at("payment_type") == "phone_card");
  CHECK(events[1].at("method") == "card");
  CHECK(events[1].at("card") == card.at("number"));
  CHECK(paid->body.find(card.at("pin").get<std::string>()) == std::string::npos);
  CHECK(balance_of(admin, "C-1") == "10.00");
  // The retry is the first outcome again; another redemption is refused with the reason.
  CHECK(pay_card(admin, "C-1", card, card.at("pin"), "redeem-1")->status == 200);
  CHECK(refusal_of(pay_card(admin, "C-1", card, card.at("pin"), "redeem-2")) == Refusal{409, "card_used"});
  const json shown = json_of(admin.Get(("/v1/cards/" + card.at("number").get<std::string>()).c_str()));
  CHECK(shown.at("state") == "used");
  CHECK(shown.at("redeemed_into") == "C-1");
  CHECK(json_of(admin.Get("/v1/payment-records?account=C-1&type=phone_card")).at("rows").size() == 1);
  CHECK(refusal_of(admin.Get("/v1/cards/1234567890123456")) == Refusal{404, "card_not_found"});
  CHECK(refusal_of(admin.Get("/v1/cards?state=lost")) == Refusal{400, "invalid_argument"});
  CHECK(refusal_of(
            post(admin, "/v1/cards/batches", {{"count", 0}, {"value", "1"}, {"expires", "2099-12-31"}})) ==
        Refusal{400, "invalid_argument"});
  CHECK(refusal_of(post(admin, "/v1/cards/batches",
                        {{"count", 1}, {"value", "1"}, {"expires", "2099-12-31"}, {"batch", "B-1"}})) ==
        Refusal{409, "command_id_conflict"});
}

TEST_CASE("cards over HTTP: two clients redeeming one card at once: exactly one is paid",
          "[http][writes][cards]") {
  Api api;
  httplib::Client& admin = *api.admin;
  open_account(admin, {{"account", "C-1"}, {"name", "Alice"}});
  open_account(admin, {{"account", "C-2"}, {"name", "Bob"}});
  const json batch = issue(admin, 5, "B-race");
  for (const json& card : batch.at("cards")) {
    std::atomic<int> ready{0};
    std::vector<int> statuses(2, 0);
    std::vector<std::thread> clients;
    for (int i = 0; i < 2; ++i) {
      clients.emplace_back([&, i] {
        auto client = api.server->client(api.server->admin_token());
        ++ready;
        while (ready.load() < 2) std::this_thread::yield();
        const std::string account = i == 0 ? "C-1" : "C-2";
        const httplib::Result result = pay_card(*client, account, card, card.at("pin"),
                                                "r-" + card.at("number").get<std::string>() + account);
        statuses[i] = result ? result->status : -1;
      });
    }
    for (std::thread& client : clients) client.join();
    std::sort(statuses.begin(), statuses.end());
    CHECK(statuses == std::vector<int>{201, 409});
  }
  const double total = std::stod(balance_of(admin, "C-1")) + std::stod(balance_of(admin, "C-2"));
  CHECK(total == 50.0);
}

TEST_CASE("cards over HTTP: wrong PINs say only that, the 5th locks, and disabled cards are refused",
          "[http][writes][cards]") {
  Api api;
  httplib::Client& admin = *api.admin;
  open_account(admin, {{"account", "C-1"}, {"name", "Alice"}});
  const json batch = issue(admin, 2, "B-pin");
  const json card = batch.at("cards")[0];
  const Refusal wrong{422, "wrong_card_or_pin"};
  const json unknown = {{"number", "1111222233334444"}};
  CHECK(refusal_of(pay_card(admin, "C-1", unknown, "12345678", "u-1")) == wrong);
  for (int i = 0; i < 5; ++i) {
    const httplib::Result result = pay_card(admin, "C-1", card, "00000000", "w-" + std::to_string(i));
    CHECK(refusal_of(result) == wrong);
    CHECK(json::parse(result->body).at("error").at("message") == "wrong card number or PIN");
  }
  CHECK(refusal_of(pay_card(admin, "C-1", card, card.at("pin"), "right")) == Refusal{409, "card_locked"});
  CHECK(json_of(admin.Get("/v1/cards?state=locked")).at("rows").size() == 1);

  const json other = batch.at("cards")[1];
  const std::string path = "/v1/cards/" + other.at("number").get<std::string>() + "/disable";
  const httplib::Result disabled = post(admin, path, {{"memo", "lost"}});
  REQUIRE(disabled);
  CHECK(disabled->status == 201);
  CHECK(refusal_of(pay_card(admin, "C-1", other, other.at("pin"), "d-1")) == Refusal{409, "card_disabled"});
  CHECK(balance_of(admin, "C-1") == "0.00");
}

TEST_CASE("cards over HTTP: admin issues, finance redeems, agents redeem into their tree, auditors read",
          "[http][writes][cards]") {
  Api api;
  httplib::Client& admin = *api.admin;
  open_account(admin, {{"account", "AG-1"}, {"name", "North"}, {"account_type", "agent"}});
  open_account(admin, {{"account", "S-1"}, {"name", "Sub"}, {"parent", "AG-1"}});
  open_account(admin, {{"account", "X-1"}, {"name", "Other"}});
  const json cards = issue(admin, 3, "B-rights").at("cards");
  auto finance = api.server->client(add_operator(admin, {{"name", "fin"}, {"role", "finance"}}));
  auto agent = api.server->client(add_operator(
      admin, {{"name", "north"}, {"role", "agent"}, {"agent", "AG-1"}, {"allow", "pay-sub-accounts"}}));
  auto auditor = api.server->client(add_operator(admin, {{"name", "aud"}, {"role", "auditor"}}));
  const json body = {{"count", 1}, {"value", "1"}, {"expires", "2099-12-31"}};
  CHECK(refusal_of(post(*finance, "/v1/cards/batches", body)) == Refusal{403, "forbidden"});
  CHECK(refusal_of(post(*agent, "/v1/cards/batches", body)) == Refusal{403, "forbidden"});
  CHECK(refusal_of(agent->Get("/v1/cards")) == Refusal{403, "forbidden"});
  CHECK(json_of(auditor->Get("/v1/cards")).at("rows").size() == 3);
  CHECK(refusal_of(pay_card(*auditor, "X-1", cards[0], cards[0].at("pin"), "a-1")) ==
        Refusal{403, "forbidden"});
  CHECK(refusal_of(pay_card(*agent, "X-1", cards[0], cards[0].at("pin"), "g-1")) ==
        Refusal{403, "forbidden"});
  CHECK(pay_card(*agent, "S-1", cards[0], cards[0].at("pin"), "g-2")->status == 201);
  CHECK(pay_card(*finance, "X-1", cards[1], cards[1].at("pin"), "f-1")->status == 201);
  CHECK(balance_of(admin, "S-1") == "10.00");
  CHECK(balance_of(admin, "X-1") == "10.00");
}

namespace {

constexpr int32_t partitions = 3;

// Waits (bounded) until the card is in `state`: a card whose payment another partition refused comes
// back once its partition has read the return, a moment after the refusal is answered.
void wait_for_card_state(httplib::Client& client, const std::string& number, const std::string& state) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    const json card = json_of(client.Get(("/v1/cards/" + number).c_str()));
    if (card.at("state") == state) return;
    INFO(card.dump());
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling a condition, bounded above
  }
}

}  // namespace

// Embedded, every account is at hand; in Kafka mode (three partitions here) a card lives on its
// batch's partition, and a card paying an account of another partition is a redemption there and a
// payment sent on to the account's partition (docs/kafka.md, "Phone cards in Kafka mode"). The
// answers are the same in both modes.
TEST_CASE(
    "cards over HTTP on three partitions: a card pays an account of its partition and of another, a "
    "refused payment gives the card back, and the balances are the cards paid",
    "[http][writes][cards]") {
  Api api({}, partitions);
  httplib::Client& admin = *api.admin;
  const bool kafka = std::getenv("PAYSTREAM_TEST_KAFKA") != nullptr;
  const std::string batch_name = "XP-1";
  const int32_t home = partition_of_key(batch_name, partitions);
  const int32_t away = (home + 1) % partitions;
  const std::string near = testing::key_on_partition(partitions, home, "N-");  // on the cards' partition
  const std::string far = testing::key_on_partition(partitions, away, "F-");   // on another
  const std::string missing_far = testing::key_on_partition(partitions, away, "M-");
  const std::string missing_near = testing::key_on_partition(partitions, home, "M-");
  const std::string agent_account =
      testing::key_on_partition(partitions, away, "AG-");  // an agent and its tree: one partition
  const std::string sub = testing::key_on_partition(partitions, away, "S-");
  open_account(admin, {{"account", near}, {"name", "Near"}});
  open_account(admin, {{"account", far}, {"name", "Far"}});
  open_account(admin, {{"account", agent_account}, {"name", "Agent"}, {"account_type", "agent"}});
  open_account(admin, {{"account", sub}, {"name", "Sub"}, {"parent", agent_account}});

  const httplib::Result issued =
      post(admin, "/v1/cards/batches",
           {{"count", 8}, {"value", "2.50"}, {"expires", "2099-12-31"}, {"batch", batch_name}});
  const json batch = json_of(issued);
  REQUIRE(issued->status == 201);
  REQUIRE(batch.at("cards").size() == 8);
  const json cards = batch.at("cards");
  std::vector<std::string> numbers;
  for (const json& card : cards) numbers.push_back(card.at("number").get<std::string>());
  // Every card on its batch's partition, where its chunk was decided and its redemptions go.
  if (kafka) {
    for (const std::string& number : numbers) CHECK(partition_of_key(number, partitions) == home);
  }
  const auto pay = [&](httplib::Client& client, const std::string& account, size_t card,
                       const std::string& id, const std::string& pin = "") {
    return pay_card(client, account, cards[card],
                    pin.empty() ? cards[card].at("pin").get<std::string>() : pin, id);
  };

  // The same partition: one decision, the card used and the account paid.
  const httplib::Result paid_near = pay(admin, near, 0, "xp-near");
  const json near_body = json_of(paid_near);
  CHECK(paid_near->status == 201);
  REQUIRE(near_body.at("events").size() == 2);
  CHECK(near_body.at("events")[0].at("event") == "CardRedeemed");
  CHECK(near_body.at("events")[1].at("event") == "CardPaymentRecorded");

  // Another partition: the card used there, the payment recorded on the account's; answered as embedded.
  const httplib::Result paid_far = pay(admin, far, 1, "xp-far");
  const json far_body = json_of(paid_far);
  CHECK(paid_far->status == 201);
  CHECK(far_body.at("command_id") == "xp-far");
  CHECK(far_body.at("duplicate") == false);
  REQUIRE(far_body.at("events").size() == 2);
  CHECK(far_body.at("events")[0].at("event") == "CardRedeemed");
  CHECK(far_body.at("events")[0].at("paid_account") == far);
  const json payment = far_body.at("events")[1];
  CHECK(payment.at("event") == "CardPaymentRecorded");
  CHECK(payment.at("account") == far);
  CHECK(payment.at("amount") == "2.50");
  CHECK(payment.at("payment_type") == "phone_card");
  CHECK(payment.at("card") == numbers[1]);
  if (kafka) {  // each event in its own partition's log
    CHECK(partition_of_position(far_body.at("events")[0].at("position").get<uint64_t>()) == home);
    CHECK(partition_of_position(payment.at("position").get<uint64_t>()) == away);
  }
  // A retry is the first outcome again; another redemption of the card is refused.
  const httplib::Result retried = pay(admin, far, 1, "xp-far");
  const json retried_body = json_of(retried);
  CHECK(retried->status == 200);
  CHECK(retried_body.at("duplicate") == true);
  CHECK(retried_body.at("events") == far_body.at("events"));
  CHECK(refusal_of(pay(admin, far, 1, "xp-far-again")) == Refusal{409, "card_used"});
  CHECK(refusal_of(pay(admin, near, 0, "xp-near-again")) == Refusal{409, "card_used"});
  // Its outcome by ID is the answer's.
  const json looked_up = json_of(admin.Get("/v1/commands/xp-far"));
  CHECK(looked_up.at("ok") == true);
  CHECK(looked_up.at("events") == far_body.at("events"));

  // A wrong PIN: the same answer whatever the account's partition, counted once for a retry.
  const Refusal wrong{422, "wrong_card_or_pin"};
  CHECK(refusal_of(pay(admin, far, 2, "xp-wrong", "00000000")) == wrong);
  CHECK(refusal_of(pay(admin, far, 2, "xp-wrong", "00000000")) == wrong);
  CHECK(refusal_of(pay(admin, near, 2, "xp-wrong-near", "00000000")) == wrong);
  CHECK(json_of(admin.Get(("/v1/cards/" + numbers[2]).c_str())).at("pin_failures") == "2");

  // No such account on the cards' partition: refused at once. On another: the card's partition used
  // the card, the account's refused the payment, and the card came back: it pays a good account then.
  CHECK(refusal_of(pay(admin, missing_near, 3, "xp-missing-near")) == Refusal{404, "account_not_found"});
  const httplib::Result refused_far = pay(admin, missing_far, 3, "xp-missing-far");
  CHECK(refusal_of(refused_far) == Refusal{404, "account_not_found"});
  CHECK(json::parse(refused_far->body).at("error").at("message").get<std::string>().find(missing_far) !=
        std::string::npos);
  wait_for_card_state(admin, numbers[3], "unused");
  const httplib::Result paid_after = pay(admin, far, 3, "xp-after-refusal");
  CHECK(json_of(paid_after).at("events").size() == 2);
  CHECK(paid_after->status == 201);
  const json used = json_of(admin.Get(("/v1/cards/" + numbers[3]).c_str()));
  CHECK(used.at("state") == "used");
  CHECK(used.at("redeemed_into") == far);

  // An agent pays into its tree on another partition; outside it, the account's partition refuses.
  auto agent = api.server->client(add_operator(
      admin,
      {{"name", "xp-agent"}, {"role", "agent"}, {"agent", agent_account}, {"allow", "pay-sub-accounts"}}));
  CHECK(pay(*agent, sub, 4, "xp-agent-sub")->status == 201);
  // Its outcome is on the agent's tree, though a card's own event names no account.
  const json agent_looked_up = json_of(agent->Get("/v1/commands/xp-agent-sub"));
  CHECK(agent_looked_up.at("ok") == true);
  CHECK(agent_looked_up.at("events").size() == 2);
  CHECK(refusal_of(agent->Get("/v1/commands/xp-far")) == Refusal{404, "command_not_found"});
  CHECK(refusal_of(pay(*agent, far, 5, "xp-agent-far")) == Refusal{403, "forbidden"});
  wait_for_card_state(admin, numbers[5], "unused");

  // Disabling goes to the card's partition.
  const httplib::Result disabled =
      post(admin, "/v1/cards/" + numbers[6] + "/disable", {{"memo", "lost"}, {"command_id", "xp-disable"}});
  const json disabled_body = json_of(disabled);
  CHECK(disabled->status == 201);
  REQUIRE(disabled_body.at("events").size() == 1);
  CHECK(disabled_body.at("events")[0].at("event") == "CardDisabled");
  CHECK(refusal_of(post(admin, "/v1/cards/" + numbers[6] + "/disable", json::object())) ==
        Refusal{409, "card_disabled"});
  CHECK(refusal_of(pay(admin, far, 6, "xp-disabled")) == Refusal{409, "card_disabled"});
  CHECK(refusal_of(post(admin, "/v1/cards/" + numbers[1] + "/disable", json::object())) ==
        Refusal{409, "card_used"});
  CHECK(refusal_of(post(admin, "/v1/cards/1111222233334444/disable", json::object())) ==
        Refusal{404, "card_not_found"});

  // The list, from the partitions' states.
  const json listed = json_of(admin.Get(("/v1/cards?batch=" + batch_name).c_str()));
  REQUIRE(listed.at("rows").size() == 8);
  std::map<std::string, json> rows;
  for (const json& row : listed.at("rows")) rows[row.at("number").get<std::string>()] = row;
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"used", near}, {"used", far},  {"unused", ""},   {"used", far},
      {"used", sub},  {"unused", ""}, {"disabled", ""}, {"unused", ""}};
  for (size_t i = 0; i < numbers.size(); ++i) {
    INFO(i);
    REQUIRE(rows.contains(numbers[i]));
    CHECK(rows.at(numbers[i]).at("state") == expected[i].first);
    CHECK(rows.at(numbers[i]).at("redeemed_into") == expected[i].second);
  }
  CHECK(json_of(admin.Get("/v1/cards?state=used")).at("rows").size() == 4);

  // The balances are the cards paid, once each; nothing reached the missing accounts.
  CHECK(balance_of(admin, near) == "2.50");
  CHECK(balance_of(admin, far) == "5.00");
  CHECK(balance_of(admin, sub) == "2.50");
  CHECK(balance_of(admin, agent_account) == "0.00");
  CHECK(refusal_of(admin.Get(("/v1/accounts/" + missing_far).c_str())) == Refusal{404, "account_not_found"});
  CHECK(
      json_of(admin.Get(("/v1/payment-records?type=phone_card&account=" + far).c_str())).at("rows").size() ==
      2);
}

}  // namespace paystream::http_test
