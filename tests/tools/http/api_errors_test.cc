// Every error status of the API, its JSON body, and that a refused request changes nothing.
#include "tests/tools/http/api_test_support.h"

namespace paystream::http_test {
namespace {

using Refusal = std::pair<int, std::string>;

Refusal refusal(int status, const char* code) { return {status, code}; }

}  // namespace

TEST_CASE("usage errors are 400 and change nothing", "[http][errors]") {
  Api api;
  httplib::Client& admin = *api.admin;
  open_account(admin, {{"account", "C-1"}, {"name", "Alice"}});
  const auto pay = [&](const std::string& body) {
    return admin.Post("/v1/accounts/C-1/payments", body, "application/json");
  };
  CHECK(refusal_of(pay(R"({"amount":"1")")) == refusal(400, "invalid_argument"));  // malformed JSON
  CHECK(refusal_of(pay(R"(["amount"])")) == refusal(400, "invalid_argument"));     // not an object
  CHECK(refusal_of(pay(R"({"amount":12.5})")) == refusal(400, "invalid_amount"));  // a binary fraction
  CHECK(refusal_of(pay(R"({"amount":true})")) == refusal(400, "invalid_amount"));  // wrong type
  CHECK(refusal_of(pay(R"({"amount":"1","memo":7})")) == refusal(400, "invalid_argument"));  // wrong type
  CHECK(refusal_of(pay(R"({"amout":"1"})")) == refusal(400, "invalid_argument"));            // unknown member
  {
    const httplib::Result unknown =
        admin.Post("/v1/operators", R"({"name":"x","role":"auditor","colour":"red"})", "application/json");
    CHECK(refusal_of(unknown) == refusal(400, "invalid_argument"));
    CHECK_THAT(json_of(unknown).at("error").at("message").get<std::string>(),
               Catch::Contains("unknown member \"colour\": it takes name, role"));
  }
  CHECK(refusal_of(pay(R"({"amount":"1","account":"C-2"})")) ==
        refusal(400, "invalid_argument"));  // in the path
  CHECK(refusal_of(pay(R"({"amount":"1","operator":"someone"})")) == refusal(400, "invalid_argument"));
  CHECK(refusal_of(pay(R"({"amount":"1.0000001"})")) == refusal(400, "invalid_amount"));
  CHECK(refusal_of(pay(R"({"amount":"1","command_id":""})")) == refusal(400, "invalid_argument"));
  CHECK(refusal_of(pay("{\"amount\":\"1\",\"memo\":\"\xff\"}")) ==
        refusal(400, "invalid_argument"));  // not UTF-8
  CHECK(refusal_of(admin.Post("/v1/accounts/C%201/payments", R"({"amount":"1"})", "application/json")) ==
        refusal(400, "invalid_account_id"));
  CHECK(refusal_of(admin.Post("/v1/records/abc/reversal", "", "application/json")) ==
        refusal(400, "invalid_argument"));
  // A write reads its body only: an argument put in the query is refused, not silently ignored.
  CHECK(refusal_of(admin.Post("/v1/accounts/C-1/payments?amount=5", R"({"amount":"1"})",
                              "application/json")) == refusal(400, "invalid_argument"));
  CHECK(refusal_of(admin.Post("/v1/accounts/C-1/make-zero?memo=x", "", "application/json")) ==
        refusal(400, "invalid_argument"));
  CHECK(refusal_of(api.server->client("")->Post("/v1/accounts/C-1/payments?amount=5", R"({"amount":"1"})",
                                                "application/json")) == refusal(401, "unauthenticated"));
  CHECK(refusal_of(admin.Get("/v1/payment-records?from=yesterday")) == refusal(400, "invalid_date"));
  CHECK(refusal_of(admin.Get("/v1/payment-records?acount=C-1")) == refusal(400, "invalid_argument"));
  CHECK(refusal_of(admin.Get("/v1/payment-records?account=C-1&account=C-2")) ==
        refusal(400, "invalid_argument"));
  CHECK(refusal_of(admin.Get("/v1/payment-records?cursor=garbage")) == refusal(400, "invalid_argument"));
  CHECK(refusal_of(admin.Get("/v1/payment-records?limit=-1")) == refusal(400, "invalid_argument"));
  CHECK(refusal_of(admin.Get("/v1/payment-records?format=pdf")) == refusal(400, "invalid_argument"));
  CHECK(refusal_of(admin.Get("/v1/balances?min=ten")) == refusal(400, "invalid_amount"));
  CHECK(balance_of(admin, "C-1") == "0.00");
  CHECK(json_of(admin.Get("/v1/payment-records")).at("rows").empty());
}

TEST_CASE("a repeated member, an empty range and the account IDs . and .. are 400 and change nothing",
          "[http][errors]") {
  Api api;
  httplib::Client& admin = *api.admin;
  open_account(admin, {{"account", "C-1"}, {"name", "Alice"}});
  const auto post_text = [&](const char* path, const std::string& body) {
    return admin.Post(path, body, "application/json");
  };
  CHECK(refusal_of(post_text("/v1/accounts/C-1/payments", R"({"amount":"5","amount":"6"})")) ==
        refusal(400, "invalid_argument"));
  CHECK(refusal_of(post_text("/v1/commands", R"({"commands":[{"type":"pay","account":"C-1","amount":"5",)"
                                             R"("amount":"6"}]})")) == refusal(400, "invalid_argument"));
  CHECK(refusal_of(post_text("/v1/accounts", R"({"account":"D-1","account":"D-2","name":"Twice"})")) ==
        refusal(400, "invalid_argument"));
  for (const char* id : {".", ".."}) {
    INFO("account '" << id << "'");
    CHECK(refusal_of(post(admin, "/v1/accounts", {{"account", id}, {"name", "Dots"}})) ==
          refusal(400, "invalid_account_id"));
  }
  CHECK(balance_of(admin, "C-1") == "0.00");
  CHECK(json_of(admin.Get("/v1/balances")).at("rows").size() == 1);

  CHECK(refusal_of(admin.Get("/v1/payment-records?from=2026-12-01&to=2026-11-30")) ==
        refusal(400, "invalid_argument"));
  CHECK(refusal_of(admin.Get("/v1/payment-records?from=2026-11-30T10:00:00Z&to=2026-11-30T10:00:00Z")) ==
        refusal(400, "invalid_argument"));
  CHECK(refusal_of(admin.Get("/v1/payment-records?from=2026-12-01&to=2026-11-30&format=csv")) ==
        refusal(400, "invalid_argument"));  // refused before an export starts
  CHECK(refusal_of(admin.Get("/v1/balances?min=10&max=5")) == refusal(400, "invalid_argument"));
  CHECK(json_of(admin.Get("/v1/balances?min=0&max=0")).at("rows").size() == 1);  // min == max holds a value
}

TEST_CASE("to= with a date alone ends at the end of that day", "[http][queries]") {
  Api api;
  httplib::Client& admin = *api.admin;
  open_account(admin, {{"account", "C-1"}, {"name", "Alice"}});
  REQUIRE(post(admin, "/v1/accounts/C-1/payments", {{"amount", "5"}})->status == 201);
  const json rows = json_of(admin.Get("/v1/payment-records")).at("rows");
  REQUIRE(rows.size() == 1);
  const std::string day = rows[0].at("payment_time").get<std::string>().substr(0, 10);
  CHECK(json_of(admin.Get(("/v1/payment-records?from=" + day + "&to=" + day).c_str())).at("rows").size() ==
        1);
  CHECK(json_of(admin.Get(("/v1/payment-records?to=" + day).c_str())).at("rows").size() == 1);
  CHECK(json_of(admin.Get(("/v1/payment-records?to=" + day + "T00:00:00Z").c_str())).at("rows").empty());
}

TEST_CASE("401 with WWW-Authenticate without a valid token but healthz and metrics need none",
          "[http][errors]") {
  Api api;
  auto anonymous = api.server->client("");
  const httplib::Result no_token = anonymous->Get("/v1/balances");
  CHECK(refusal_of(no_token) == refusal(401, "unauthenticated"));
  CHECK(no_token->get_header_value("WWW-Authenticate").rfind("Bearer", 0) == 0);
  CHECK(refusal_of(api.server->client("pst_0000000000000000_00")->Get("/v1/balances")) ==
        refusal(401, "unauthenticated"));
  httplib::Headers basic = {{"Authorization", "Basic YWRtaW46YWRtaW4="}};
  CHECK(refusal_of(anonymous->Get("/v1/balances", basic)) == refusal(401, "unauthenticated"));
  CHECK(refusal_of(post(*anonymous, "/v1/accounts", {{"account", "C-1"}, {"name", "A"}})).first == 401);
  const json health = json_of(anonymous->Get("/healthz"));
  CHECK(health.at("status") == "ok");
  CHECK(health.at("log_position") == 1);  // the first admin
  CHECK(anonymous->Get("/metrics")->status == 200);
  CHECK(refusal_of(api.admin->Get("/v1/accounts/C-1")).first == 404);  // nothing was opened
}

TEST_CASE("404 for unknown routes and missing things and 405 for a wrong method", "[http][errors]") {
  Api api;
  httplib::Client& admin = *api.admin;
  CHECK(refusal_of(admin.Get("/v1/nothing")) == refusal(404, "route_not_found"));
  CHECK(refusal_of(admin.Get("/v1/accounts/")) == refusal(404, "route_not_found"));
  CHECK(refusal_of(admin.Get("/v1/accounts/C-404")) == refusal(404, "account_not_found"));
  CHECK(refusal_of(post(admin, "/v1/accounts/C-404/payments", {{"amount", "1"}})) ==
        refusal(404, "account_not_found"));
  CHECK(refusal_of(admin.Post("/v1/records/99/reversal", "", "application/json")) ==
        refusal(404, "record_not_found"));
  CHECK(refusal_of(admin.Post("/v1/operators/nobody/disable", "", "application/json")) ==
        refusal(404, "operator_not_found"));
  const httplib::Result wrong_method = admin.Delete("/v1/accounts/C-1");
  CHECK(refusal_of(wrong_method) == refusal(405, "method_not_allowed"));
  CHECK(wrong_method->get_header_value("Allow") == "GET, PATCH");
  CHECK(refusal_of(admin.Put("/v1/balances", "{}", "application/json")).first == 405);
}

TEST_CASE("409 for conflicts and 422 for broken rules and nothing changes", "[http][errors]") {
  Api api;
  httplib::Client& admin = *api.admin;
  open_account(admin, {{"account", "AG-1"}, {"name", "Agent"}, {"account_type", "agent"}});
  open_account(admin, {{"account", "C-1"}, {"name", "Alice"}, {"parent", "AG-1"}, {"balance", "10"}});
  CHECK(refusal_of(post(admin, "/v1/accounts", {{"account", "C-1"}, {"name", "Again"}})) ==
        refusal(409, "account_exists"));
  CHECK(refusal_of(post(admin, "/v1/operators", {{"name", "admin"}, {"role", "admin"}})) ==
        refusal(409, "operator_exists"));
  CHECK(refusal_of(admin.Patch("/v1/accounts/AG-1", R"({"account_type":"direct"})", "application/json")) ==
        refusal(409, "account_has_sub_accounts"));
  CHECK(refusal_of(post(admin, "/v1/accounts/C-1/payments", {{"amount", "-5"}})) ==
        refusal(422, "amount_must_be_positive"));
  CHECK(refusal_of(post(admin, "/v1/accounts/C-1/adjustments", {{"amount", "0"}})) ==
        refusal(422, "amount_must_not_be_zero"));
  CHECK(refusal_of(post(admin, "/v1/accounts/C-1/credit", {{"limit", "-1"}})).first == 422);
  CHECK(
      refusal_of(post(admin, "/v1/accounts", {{"account", "C-2"}, {"name", "B"}, {"parent", "C-1"}})).first ==
      422);
  CHECK(refusal_of(admin.Patch("/v1/accounts/C-1", "{}", "application/json")) ==
        refusal(422, "nothing_to_change"));
  CHECK(balance_of(admin, "C-1") == "10.00");
  CHECK(json_of(admin.Get("/v1/payment-records")).at("rows").size() == 1);
}

}  // namespace paystream::http_test
