// The write endpoints: each command, its outcome body, 201 for a change and 200 for a retry.
#include "tests/tools/http/api_test_support.h"

namespace paystream::http_test {

TEST_CASE("write endpoints open and pay and credit and adjust and reverse and zero and update an account",
          "[http][writes]") {
  Api api;
  httplib::Client& admin = *api.admin;
  open_account(admin, {{"account", "AG-1"}, {"name", "Agent"}, {"account_type", "agent"}});
  const httplib::Result opened = post(admin, "/v1/accounts",
                                      {{"account", "C-1"},
                                       {"name", "Alice"},
                                       {"parent", "AG-1"},
                                       {"balance", "50"},
                                       {"command_id", "open-c1"}});
  REQUIRE(opened);
  CHECK(opened->status == 201);
  CHECK(opened->get_header_value("Location") == "/v1/accounts/C-1");
  const json open_outcome = json_of(opened);
  CHECK(open_outcome.at("command_id") == "open-c1");
  CHECK(open_outcome.at("duplicate") == false);
  CHECK(!open_outcome.contains("ok"));
  CHECK(open_outcome.at("events").size() == 2);  // AccountOpened, the initial balance's payment
  CHECK(open_outcome.at("events")[0].at("operator") == "admin");

  const json paid =
      json_of(post(admin, "/v1/accounts/C-1/payments", {{"amount", "12.50"}, {"memo", "top-up"}}));
  CHECK(paid.at("events")[0].at("balance_after") == "62.50");
  CHECK(paid.at("events")[0].at("memo") == "top-up");
  const uint64_t payment_record = paid.at("events")[0].at("position").get<uint64_t>();

  CHECK(post(admin, "/v1/accounts/C-1/credit", {{"limit", "20"}})->status == 201);
  CHECK(post(admin, "/v1/accounts/C-1/adjustments", {{"amount", "-3.10"}})->status == 201);
  CHECK(balance_of(admin, "C-1") == "59.40");
  const std::string reversal = "/v1/records/" + std::to_string(payment_record) + "/reversal";
  CHECK(post(admin, reversal, {{"memo", "mistake"}})->status == 201);
  CHECK(balance_of(admin, "C-1") == "46.90");
  CHECK(refusal_of(post(admin, reversal, json::object())) ==
        std::pair{409, std::string("record_already_reversed")});

  // make-zero takes an empty body, or none at all.
  const httplib::Result zeroed = admin.Post("/v1/accounts/C-1/make-zero");
  REQUIRE(zeroed);
  CHECK(zeroed->status == 201);
  CHECK(balance_of(admin, "C-1") == "0.00");

  const httplib::Result updated =
      admin.Patch("/v1/accounts/C-1", json{{"name", "Alice B"}, {"locked", true}}.dump(), "application/json");
  REQUIRE(updated);
  CHECK(updated->status == 201);
  const json account = json_of(admin.Get("/v1/accounts/C-1"));
  CHECK(account.at("account_name") == "Alice B");
  CHECK(account.at("locked") == "yes");
  CHECK(account.at("parent") == "AG-1");
  CHECK(account.at("overdraft_limit") == "20.00");
  CHECK(api.server->stop() == 0);
}

TEST_CASE("a retried command ID gets its first outcome with 200 and another body under it is 409",
          "[http][writes]") {
  Api api;
  httplib::Client& admin = *api.admin;
  open_account(admin, {{"account", "C-1"}, {"name", "Alice"}});
  const json body = {{"amount", "7"}, {"command_id", "till-1"}};
  const httplib::Result first = post(admin, "/v1/accounts/C-1/payments", body);
  const httplib::Result again = post(admin, "/v1/accounts/C-1/payments", body);
  REQUIRE(first);
  REQUIRE(again);
  CHECK(first->status == 201);
  CHECK(again->status == 200);
  json first_outcome = json::parse(first->body), again_outcome = json::parse(again->body);
  CHECK(again_outcome.at("duplicate") == true);
  CHECK(again_outcome.at("events") == first_outcome.at("events"));
  CHECK(refusal_of(post(admin, "/v1/accounts/C-1/payments", {{"amount", "8"}, {"command_id", "till-1"}})) ==
        std::pair{409, std::string("command_id_conflict")});
  CHECK(balance_of(admin, "C-1") == "7.00");
}

TEST_CASE("a command batch is applied in order with one outcome per command", "[http][writes][batch]") {
  Api api;
  httplib::Client& admin = *api.admin;
  const json batch = {{"commands",
                       {{{"type", "open_account"}, {"account", "B-1"}, {"name", "Batch"}},
                        {{"type", "pay"}, {"account", "B-1"}, {"amount", "5"}, {"command_id", "b-pay-1"}},
                        {{"type", "pay"}, {"account", "B-404"}, {"amount", "5"}, {"command_id", "b-pay-2"}},
                        {{"type", "pay"}, {"account", "B-1"}, {"amount", 1.5}, {"command_id", "b-pay-3"}},
                        {{"type", "pay"}, {"account", "B-1"}, {"amount", "2"}, {"operator", "admin"}},
                        {{"type", "pay"}, {"account", "B-1"}, {"amount", "5"}, {"command_id", "b-pay-1"}}}}};
  const httplib::Result result = post(admin, "/v1/commands", batch);
  REQUIRE(result);
  CHECK(result->status == 200);
  const json outcomes = json::parse(result->body).at("outcomes");
  REQUIRE(outcomes.size() == 6);
  CHECK(outcomes[0].at("ok") == true);
  CHECK(outcomes[1].at("command_id") == "b-pay-1");
  CHECK(outcomes[1].at("duplicate") == false);
  CHECK(outcomes[2].at("error").at("code") == "account_not_found");
  CHECK(outcomes[2].at("command_id") == "b-pay-2");
  CHECK(outcomes[3].at("error").at("code") == "invalid_amount");
  CHECK(outcomes[3].at("command_id") == "b-pay-3");
  CHECK(outcomes[4].at("ok") == true);
  CHECK(outcomes[5].at("duplicate") == true);
  CHECK(outcomes[5].at("events") == outcomes[1].at("events"));
  CHECK(balance_of(admin, "B-1") == "7.00");

  // The batch itself malformed: 400, nothing applied.
  for (const std::string& malformed :
       {std::string("[]"), std::string(R"({"commands":{}})"), std::string(R"({"commands":[],"extra":1})"),
        std::string(R"({"commands":[)")}) {
    INFO(malformed);
    CHECK(refusal_of(admin.Post("/v1/commands", malformed, "application/json")).first == 400);
  }
  CHECK(json_of(post(admin, "/v1/commands", {{"commands", json::array()}})).at("outcomes").empty());
}

TEST_CASE("a batch over the limit is refused whole with 413", "[http][writes][batch]") {
  Api api({"--max-batch-commands", "3"});
  json commands = json::array();
  for (int i = 0; i < 4; ++i) {
    commands.push_back({{"type", "open_account"}, {"account", "B-" + std::to_string(i)}, {"name", "B"}});
  }
  CHECK(refusal_of(post(*api.admin, "/v1/commands", {{"commands", commands}})) ==
        std::pair{413, std::string("batch_too_large")});
  CHECK(refusal_of(api.admin->Get("/v1/accounts/B-0")).first == 404);
}

TEST_CASE("parameters are listed and set", "[http][writes][parameters]") {
  Api api;
  httplib::Client& admin = *api.admin;
  const httplib::Result set = admin.Put("/v1/parameters/SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY",
                                        R"({"value":"30"})", "application/json");
  REQUIRE(set);
  CHECK(set->status == 201);
  CHECK(json::parse(set->body).at("events")[0].at("value") == 30);
  const json rows = json_of(admin.Get("/v1/parameters")).at("rows");
  REQUIRE(rows.size() == 6);
  bool found = false;
  bool agent_ceiling = false;
  for (const json& row : rows) {
    if (row.at("name") == "SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY") found = row.at("value") == "30";
    if (row.at("name") == "AGENT_OVERDRAFT_LIMIT_MAX") agent_ceiling = row.at("value") == "0.00";
  }
  CHECK(found);
  CHECK(agent_ceiling);
  CHECK(refusal_of(admin.Put("/v1/parameters/NO_SUCH", R"({"value":"1"})", "application/json")) ==
        std::pair{404, std::string("unknown_parameter")});
  CHECK(refusal_of(admin.Put("/v1/parameters/SERVER_MINIMUM_CONSUMPTION_ENABLED", R"({"value":"7"})",
                             "application/json"))
            .first == 422);
}

}  // namespace paystream::http_test
