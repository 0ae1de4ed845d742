// Phone cards over HTTP: a batch issued by POST /v1/cards/batches, the list and one card, two
// clients redeeming one card at once, wrong PINs, disabling, and who may do what. Tagged [writes]:
// they run on an embedded server and on the API in Kafka mode (http-kafka/, http-kafka-real/).
#include <atomic>
#include <thread>

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

}  // namespace paystream::http_test
