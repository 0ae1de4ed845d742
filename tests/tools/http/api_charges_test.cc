// Charges through POST /v1/commands and GET /v1/accounts/{id}/authorization. Tagged [writes] and
// [rights], so they run again on the API in Kafka mode (http-kafka/).
#include <chrono>

#include "events/time.h"
#include "tests/tools/http/api_test_support.h"

namespace paystream::http_test {
namespace {

// One start for every call of a test, so that a resent CDR is the same CDR.
const std::string& call_start() {
  static const std::string start = [] {
    const auto now = std::chrono::system_clock::now() - std::chrono::minutes(2);
    return format_timestamp(Timestamp{
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() * 1'000'000});
  }();
  return start;
}

json charge(const std::string& cdr, const std::string& account, const std::string& amount) {
  return {{"type", "charge"},           {"cdr_id", cdr},          {"account", account}, {"amount", amount},
          {"start_time", call_start()}, {"duration_seconds", 90}, {"caller", "100"},    {"callee", "200"}};
}

// A vector, not a json: a braced list of one object would be taken for that object.
json outcomes_of(httplib::Client& client, const std::vector<json>& commands) {
  return json_of(post(client, "/v1/commands", {{"commands", json(commands)}})).at("outcomes");
}

}  // namespace

TEST_CASE("charges in a command batch apply once per CDR ID and the authorization follows them",
          "[http][writes][charges]") {
  Api api;
  httplib::Client& admin = *api.admin;
  open_account(admin, {{"account", "C-1"}, {"name", "Alice"}, {"balance", "5"}, {"monthly_max", "4"}});
  CHECK(json_of(admin.Get("/v1/accounts/C-1/authorization")) ==
        json{{"account", "C-1"}, {"allowed", true}, {"reason", ""}, {"max_spend", "4.00"}});

  const json first = outcomes_of(admin, {charge("x-1", "C-1", "1.50"), charge("x-2", "C-1", "0.25"),
                                         charge("x-3", "NOPE", "1"), charge("x-1", "C-1", "1.50")});
  REQUIRE(first.size() == 4);
  CHECK(first[0].at("ok") == true);
  CHECK(first[0].at("command_id") == "cdr:x-1");
  const json& event = first[0].at("events").at(0);
  CHECK(event.at("event") == "ChargeRecorded");
  CHECK(event.at("cdr_id") == "x-1");
  CHECK(event.at("amount") == "1.50");
  CHECK(event.at("balance_after") == "3.50");
  CHECK(event.at("duration_seconds") == 90);
  CHECK(first[1].at("ok") == true);
  CHECK(first[2].at("ok") == false);
  CHECK(first[2].at("error").at("code") == "account_not_found");
  CHECK(first[3].at("ok") == true);  // the same CDR twice in one batch: applied once
  CHECK(first[3].at("duplicate") == true);
  CHECK(balance_of(admin, "C-1") == "3.25");
  const json account = json_of(admin.Get("/v1/accounts/C-1"));
  CHECK(account.at("monthly_consumption") == "1.75");
  CHECK(json_of(admin.Get("/v1/accounts/C-1/authorization")).at("max_spend") == "2.25");

  // Resent: duplicates, nothing changes. A charge is no payment record.
  const json again = outcomes_of(admin, {charge("x-1", "C-1", "1.50"), charge("x-2", "C-1", "0.25")});
  CHECK(again[0].at("duplicate") == true);
  CHECK(again[1].at("duplicate") == true);
  CHECK(balance_of(admin, "C-1") == "3.25");
  CHECK(json_of(admin.Get("/v1/payment-records?account=C-1")).at("rows").size() == 1);  // the initial balance
  const json listed = json_of(admin.Get("/v1/charges?account=C-1"));
  REQUIRE(listed.at("rows").size() == 2);
  CHECK(listed.at("rows")[0].at("cdr_id") == "x-1");
  CHECK(listed.at("rows")[1].at("cdr_id") == "x-2");
  CHECK(listed.at("rows")[1].at("balance_after") == "3.25");
  const json paged = json_of(admin.Get("/v1/charges?limit=1"));
  CHECK(paged.at("rows").size() == 1);
  CHECK(
      json_of(admin.Get(("/v1/charges?limit=1&cursor=" + paged.at("next_cursor").get<std::string>()).c_str()))
          .at("rows")[0]
          .at("cdr_id") == "x-2");
  CHECK(parse_csv(admin.Get("/v1/charges?format=csv")->body).size() == 3);
  CHECK(refusal_of(admin.Get("/v1/charges?type=payment")) == std::pair{400, std::string("invalid_argument")});

  // Past the monthly maximum: still charged, then no further call.
  CHECK(outcomes_of(admin, {charge("x-4", "C-1", "3")})[0].at("ok") == true);
  CHECK(
      json_of(admin.Get("/v1/accounts/C-1/authorization")) ==
      json{{"account", "C-1"}, {"allowed", false}, {"reason", "monthly_max_reached"}, {"max_spend", "0.00"}});

  // Malformed charges are refused with the reason, and change nothing.
  json bad = charge("x-5", "C-1", "1");
  bad.erase("start_time");
  const json refused = outcomes_of(admin, {bad, charge("x-6", "C-1", "-1")});
  CHECK(refused[0].at("error").at("code") == "invalid_argument");
  CHECK(refused[1].at("error").at("code") == "amount_must_not_be_negative");
  json other_id = charge("x-7", "C-1", "1");
  other_id["command_id"] = "not-the-cdr";
  CHECK(outcomes_of(admin, {other_id})[0].at("error").at("code") == "invalid_argument");
  CHECK(balance_of(admin, "C-1") == "0.25");
  CHECK(refusal_of(admin.Get("/v1/accounts/NOPE/authorization")) ==
        std::pair{404, std::string("account_not_found")});
  CHECK(refusal_of(admin.Get("/v1/accounts/C-1/authorization?at=now")) ==
        std::pair{400, std::string("invalid_argument")});
}

TEST_CASE("agents may not charge, and see the authorization of their own tree only",
          "[http][rights][charges]") {
  Api api;
  httplib::Client& admin = *api.admin;
  open_account(admin, {{"account", "AG-1"}, {"name", "North"}, {"account_type", "agent"}});
  open_account(admin, {{"account", "S-1"}, {"name", "Sub"}, {"parent", "AG-1"}, {"balance", "2"}});
  open_account(admin, {{"account", "X-1"}, {"name", "Outside"}, {"balance", "3"}});
  const json added = json_of(post(
      admin, "/v1/operators",
      {{"name", "north"}, {"role", "agent"}, {"agent", "AG-1"}, {"allow", {"pay-sub-accounts", "adjust"}}}));
  auto agent = api.server->client(added.at("token").get<std::string>());
  CHECK(outcomes_of(*agent, {charge("a-1", "S-1", "1")})[0].at("error").at("code") == "forbidden");
  CHECK(outcomes_of(admin, {charge("s-1", "S-1", "0.5"), charge("x-1", "X-1", "0.5")})[1].at("ok") == true);
  const json mine = json_of(agent->Get("/v1/charges"));
  REQUIRE(mine.at("rows").size() == 1);
  CHECK(mine.at("rows")[0].at("account_id") == "S-1");
  CHECK(refusal_of(agent->Get("/v1/charges?account=X-1")) == std::pair{403, std::string("forbidden")});
  CHECK(json_of(agent->Get("/v1/accounts/S-1/authorization")).at("max_spend") == "1.50");
  CHECK(refusal_of(agent->Get("/v1/accounts/X-1/authorization")) == std::pair{403, std::string("forbidden")});
  CHECK(refusal_of(agent->Get("/v1/accounts/NOPE/authorization")) ==
        std::pair{403, std::string("forbidden")});
  CHECK(balance_of(admin, "S-1") == "1.50");
}

}  // namespace paystream::http_test
