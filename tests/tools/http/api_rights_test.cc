// Operators and rights over HTTP: an agent operator sees and acts only on its tree, with the
// permissions it was given; auditors read; finance cannot change parameters or operators; a
// rotated or disabled token is refused. Every refusal is 403 (or 401) and changes nothing.
#include <cstdlib>

#include "tests/support/run_process.h"
#include "tests/tools/http/api_test_support.h"

namespace paystream::http_test {
namespace {

using Refusal = std::pair<int, std::string>;
const Refusal forbidden{403, "forbidden"};

std::vector<std::string> accounts_in(const json& document, const char* key) {
  std::vector<std::string> accounts;
  for (const json& row : document.at("rows")) accounts.push_back(row.at(key).get<std::string>());
  std::sort(accounts.begin(), accounts.end());
  accounts.erase(std::unique(accounts.begin(), accounts.end()), accounts.end());
  return accounts;
}

struct Tree {
  Api api;
  std::string agent_token;
  explicit Tree(const std::vector<std::string>& extra = {}) : api(extra) {
    httplib::Client& admin = *api.admin;
    open_account(admin,
                 {{"account", "AG-1"}, {"name", "North"}, {"account_type", "agent"}, {"balance", "1"}});
    open_account(admin, {{"account", "S-1"}, {"name", "Sub"}, {"parent", "AG-1"}, {"balance", "2"}});
    open_account(admin, {{"account", "X-1"}, {"name", "Outside"}, {"balance", "3"}});
    agent_token = add_operator(admin, {{"name", "north"},
                                       {"role", "agent"},
                                       {"agent", "AG-1"},
                                       {"allow", {"pay-sub-accounts"}},
                                       {"command_id", "add-north"}});
  }
};

}  // namespace

TEST_CASE("an agent operator sees only its tree in queries and exports", "[http][rights]") {
  Tree tree;
  auto agent = tree.api.server->client(tree.agent_token);
  const std::vector<std::string> mine = {"AG-1", "S-1"};
  CHECK(accounts_in(json_of(agent->Get("/v1/balances")), "account_id") == mine);
  CHECK(accounts_in(json_of(agent->Get("/v1/payment-records")), "account_id") == mine);
  CHECK(accounts_in(json_of(agent->Get("/v1/payment-records?limit=0")), "account_id") == mine);
  const auto csv = parse_csv(agent->Get("/v1/payment-records?format=csv")->body);
  CHECK(csv.size() == 3);  // header + the two initial balances of its tree
  for (size_t i = 1; i < csv.size(); ++i) CHECK(csv[i][1] != "X-1");
  const std::string xlsx = agent->Get("/v1/balances?format=xlsx")->body;
  CHECK(xlsx.substr(0, 2) == "PK");
  CHECK(json_of(agent->Get("/v1/accounts/S-1")).at("account_id") == "S-1");
  CHECK(refusal_of(agent->Get("/v1/accounts/X-1")) == forbidden);
  CHECK(refusal_of(agent->Get("/v1/accounts/NOPE")) == forbidden);  // no probing for accounts
  CHECK(refusal_of(agent->Get("/v1/payment-records?account=X-1")) == forbidden);
  CHECK(refusal_of(agent->Get("/v1/payment-records?account=X-1&format=csv")) == forbidden);
  CHECK(refusal_of(agent->Get("/v1/balances?account=X-1&format=xlsx")) == forbidden);
  CHECK(json_of(agent->Get("/v1/parameters")).at("rows").size() == 6);
}

TEST_CASE("an agent operator acts only with its permissions and each refusal is 403 and changes nothing",
          "[http][rights]") {
  Tree tree;
  httplib::Client& admin = *tree.api.admin;
  auto agent = tree.api.server->client(tree.agent_token);
  CHECK(post(*agent, "/v1/accounts/S-1/payments", {{"amount", "5"}})->status == 201);
  const json paid = json_of(admin.Get("/v1/payment-records?account=S-1&type=payment"));
  CHECK(paid.at("rows").back().at("operator") == "north");  // every event records its operator
  CHECK(refusal_of(post(*agent, "/v1/accounts/AG-1/payments", {{"amount", "5"}})) ==
        forbidden);  // no pay-self
  CHECK(refusal_of(post(*agent, "/v1/accounts/X-1/payments", {{"amount", "5"}})) == forbidden);
  CHECK(refusal_of(post(*agent, "/v1/accounts/S-1/credit", {{"limit", "50"}})) ==
        forbidden);  // no set-overdraft
  CHECK(refusal_of(post(*agent, "/v1/accounts/S-1/adjustments", {{"amount", "1"}})) == forbidden);
  CHECK(refusal_of(post(*agent, "/v1/accounts/S-1/make-zero", json::object())) == forbidden);
  CHECK(refusal_of(agent->Patch("/v1/accounts/S-1", R"({"name":"Mine"})", "application/json")) == forbidden);
  CHECK(refusal_of(post(*agent, "/v1/accounts", {{"account", "S-2"}, {"name", "New"}, {"parent", "AG-1"}})) ==
        forbidden);
  CHECK(refusal_of(agent->Put("/v1/parameters/SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY", R"({"value":"1"})",
                              "application/json")) == forbidden);
  CHECK(refusal_of(post(*agent, "/v1/operators", {{"name", "mine"}, {"role", "admin"}})) == forbidden);
  const json batch =
      json_of(post(*agent, "/v1/commands",
                   {{"commands",
                     {{{"type", "pay"}, {"account", "X-1"}, {"amount", "1"}},
                      {{"type", "pay"}, {"account", "S-1"}, {"amount", "1"}, {"operator", "admin"}},
                      {{"type", "pay"}, {"account", "S-1"}, {"amount", "1"}}}}}));
  CHECK(batch.at("outcomes")[0].at("error").at("code") == "forbidden");
  CHECK(batch.at("outcomes")[1].at("error").at("code") == "forbidden");  // cannot act as another operator
  CHECK(batch.at("outcomes")[2].at("ok") == true);
  // Nothing refused changed anything.
  CHECK(balance_of(admin, "X-1") == "3.00");
  CHECK(balance_of(admin, "AG-1") == "1.00");
  const json sub = json_of(admin.Get("/v1/accounts/S-1"));
  CHECK(sub.at("current_balance") == "8.00");
  CHECK(sub.at("overdraft_limit") == "0.00");
  CHECK(sub.at("account_name") == "Sub");
  CHECK(refusal_of(admin.Get("/v1/accounts/S-2")).first == 404);
}

TEST_CASE("auditors only read and finance cannot change parameters or operators", "[http][rights]") {
  Tree tree;
  httplib::Client& admin = *tree.api.admin;
  auto auditor = tree.api.server->client(add_operator(admin, {{"name", "audit"}, {"role", "auditor"}}));
  auto finance = tree.api.server->client(add_operator(admin, {{"name", "fin"}, {"role", "finance"}}));
  CHECK(json_of(auditor->Get("/v1/balances")).at("rows").size() == 3);
  CHECK(refusal_of(post(*auditor, "/v1/accounts/X-1/payments", {{"amount", "1"}})) == forbidden);
  CHECK(post(*finance, "/v1/accounts/X-1/payments", {{"amount", "1"}})->status == 201);
  CHECK(refusal_of(finance->Put("/v1/parameters/SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY", R"({"value":"1"})",
                                "application/json")) == forbidden);
  CHECK(refusal_of(post(*finance, "/v1/operators", {{"name", "more"}, {"role", "auditor"}})) == forbidden);
  CHECK(refusal_of(finance->Post("/v1/operators/audit/disable", "", "application/json")) == forbidden);
  CHECK(balance_of(admin, "X-1") == "4.00");
}

TEST_CASE("GET /v1/me tells each operator who it is and what it may do, and nobody without a token",
          "[http][rights][operators]") {
  Tree tree;
  httplib::Client& admin = *tree.api.admin;
  auto auditor = tree.api.server->client(add_operator(admin, {{"name", "audit"}, {"role", "auditor"}}));
  auto agent = tree.api.server->client(tree.agent_token);
  CHECK(json_of(admin.Get("/v1/me")) ==
        json{{"operator", "admin"}, {"role", "admin"}, {"agent", ""}, {"allow", json::array()}});
  CHECK(json_of(auditor->Get("/v1/me")) ==
        json{{"operator", "audit"}, {"role", "auditor"}, {"agent", ""}, {"allow", json::array()}});
  CHECK(json_of(agent->Get("/v1/me")) ==
        json{{"operator", "north"}, {"role", "agent"}, {"agent", "AG-1"}, {"allow", {"pay-sub-accounts"}}});
  CHECK(refusal_of(tree.api.server->client("")->Get("/v1/me")).first == 401);
  CHECK(refusal_of(admin.Get("/v1/me?role=admin")) == std::pair<int, std::string>(400, "invalid_argument"));
}

TEST_CASE(
    "GET /v1/operators lists the operators as operator list does, never a token, to admin and auditor only",
    "[http][rights][operators]") {
  Tree tree;
  httplib::Client& admin = *tree.api.admin;
  const std::string audit_token = add_operator(admin, {{"name", "audit"}, {"role", "auditor"}});
  auto auditor = tree.api.server->client(audit_token);
  auto finance = tree.api.server->client(add_operator(admin, {{"name", "fin"}, {"role", "finance"}}));
  auto agent = tree.api.server->client(tree.agent_token);
  const httplib::Result listed = admin.Get("/v1/operators");
  REQUIRE(listed);
  CHECK(listed->status == 200);
  const json rows = json_of(listed).at("rows");
  REQUIRE(rows.size() == 4);  // in name order
  CHECK(rows[0] == json{{"name", "admin"},
                        {"role", "admin"},
                        {"agent", ""},
                        {"allow", ""},
                        {"status", "enabled"},
                        {"token_id", tree.api.server->admin_token().substr(4, 16)}});
  CHECK(rows[1].at("name") == "audit");
  CHECK(rows[3] == json{{"name", "north"},
                        {"role", "agent"},
                        {"agent", "AG-1"},
                        {"allow", "pay-sub-accounts"},
                        {"status", "enabled"},
                        {"token_id", tree.agent_token.substr(4, 16)}});
  for (const std::string& token : {tree.api.server->admin_token(), audit_token, tree.agent_token}) {
    CHECK(listed->body.find(token) == std::string::npos);
  }
  CHECK(json_of(auditor->Get("/v1/operators")).at("rows") == rows);
  const auto csv = parse_csv(admin.Get("/v1/operators?format=csv")->body);
  REQUIRE(csv.size() == 5);
  CHECK(csv[0] == std::vector<std::string>{"Operator", "Role", "Agent", "Allow", "Status", "Token ID"});
  CHECK(admin.Get("/v1/operators?format=table")->body.rfind("Operator  Role", 0) == 0);
  CHECK(admin.Post("/v1/operators/fin/disable", "", "application/json")->status == 201);
  CHECK(json_of(admin.Get("/v1/operators")).at("rows")[2].at("status") == "disabled");
  CHECK(refusal_of(agent->Get("/v1/operators")) == forbidden);
  CHECK(refusal_of(auditor->Get("/v1/operators?format=xlsx")) ==
        std::pair{400, std::string("invalid_argument")});
  CHECK(refusal_of(auditor->Get("/v1/operators?role=admin")) ==
        std::pair{400, std::string("invalid_argument")});
  CHECK(refusal_of(finance->Get("/v1/operators")).first == 401);  // disabled above
  auto finance2 = tree.api.server->client(add_operator(admin, {{"name", "fin2"}, {"role", "finance"}}));
  CHECK(refusal_of(finance2->Get("/v1/operators")) == forbidden);
}

TEST_CASE("a rotated or disabled operator's token gets 401", "[http][rights]") {
  Tree tree;
  httplib::Client& admin = *tree.api.admin;
  auto old_client = tree.api.server->client(tree.agent_token);
  CHECK(old_client->Get("/v1/balances")->status == 200);
  const httplib::Result rotated = admin.Post("/v1/operators/north/token", "", "application/json");
  REQUIRE(rotated);
  REQUIRE(rotated->status == 201);
  const std::string new_token = json::parse(rotated->body).at("token").get<std::string>();
  CHECK(new_token != tree.agent_token);
  CHECK(refusal_of(old_client->Get("/v1/balances")) == std::pair{401, std::string("unauthenticated")});
  auto new_client = tree.api.server->client(new_token);
  CHECK(new_client->Get("/v1/balances")->status == 200);
  CHECK(admin.Post("/v1/operators/north/disable", "", "application/json")->status == 201);
  CHECK(refusal_of(new_client->Get("/v1/balances")) == std::pair{401, std::string("unauthenticated")});
  CHECK(refusal_of(post(*new_client, "/v1/accounts/S-1/payments", {{"amount", "1"}})).first == 401);
  CHECK(balance_of(admin, "S-1") == "2.00");
}

TEST_CASE(
    "a command ID used outside an agent's tree is to the agent as if it did not exist, across a restart",
    "[http][rights][command-id]") {
  // In Kafka mode (http-kafka/), a short session so that the restarted engine takes the partition
  // over in seconds rather than after the stopped member's default 45 s.
  const std::vector<std::string> restartable = std::getenv("PAYSTREAM_TEST_KAFKA") == nullptr
                                                   ? std::vector<std::string>{}
                                                   : std::vector<std::string>{"--session-timeout-ms", "3000"};
  Tree tree(restartable);
  httplib::Client& admin = *tree.api.admin;
  REQUIRE(post(admin, "/v1/accounts/X-1/payments", {{"amount", "1"}, {"command_id", "till-1"}})->status ==
          201);
  REQUIRE(post(admin, "/v1/accounts/X-1/payments", {{"amount", "1"}, {"command_id", "admin-only"}})->status ==
          201);
  auto agent = tree.api.server->client(tree.agent_token);
  const json pay_5{{"amount", "5"}, {"command_id", "till-1"}};

  // Not a conflict with the admin's till-1: the agent's IDs are its own, stored as AG-1:till-1.
  const httplib::Result first = post(*agent, "/v1/accounts/S-1/payments", pay_5);
  REQUIRE(first);
  INFO(first->body);
  REQUIRE(first->status == 201);
  const json applied = json::parse(first->body);
  CHECK(applied.at("command_id") == "AG-1:till-1");
  const httplib::Result retry = post(*agent, "/v1/accounts/S-1/payments", pay_5);
  REQUIRE(retry);
  CHECK(retry->status == 200);
  CHECK(json::parse(retry->body).at("events") == applied.at("events"));
  // Within its own space a different command under the same ID is still a conflict.
  CHECK(refusal_of(post(*agent, "/v1/accounts/S-1/payments", {{"amount", "6"}, {"command_id", "till-1"}})) ==
        Refusal{409, "command_id_conflict"});

  // Looked up, each sees its own command; an ID used only outside the tree is unknown to the agent.
  CHECK(json_of(agent->Get("/v1/commands/till-1")).at("events")[0].at("account") == "S-1");
  CHECK(json_of(agent->Get("/v1/commands/AG-1:till-1")).at("events")[0].at("account") == "S-1");
  CHECK(json_of(admin.Get("/v1/commands/till-1")).at("events")[0].at("account") == "X-1");
  CHECK(refusal_of(agent->Get("/v1/commands/admin-only")) == Refusal{404, "command_not_found"});
  CHECK(refusal_of(agent->Get("/v1/commands/never-used")) == Refusal{404, "command_not_found"});
  // The agent's space is its own: another operator cannot take IDs in it.
  CHECK(refusal_of(post(admin, "/v1/accounts/X-1/payments",
                        {{"amount", "1"}, {"command_id", "AG-1:next"}})) == Refusal{400, "invalid_argument"});
  CHECK(balance_of(admin, "S-1") == "7.00");
  CHECK(balance_of(admin, "X-1") == "5.00");

  // After a restart (the command index read back), the retry is still the first outcome.
  const std::string admin_token = tree.api.server->admin_token();
  REQUIRE(tree.api.server->stop() == 0);
  tree.api.server = std::make_unique<ServerProcess>(tree.api.data.path(), restartable);
  auto agent_again = tree.api.server->client(tree.agent_token);
  const httplib::Result after_restart = post(*agent_again, "/v1/accounts/S-1/payments", pay_5);
  REQUIRE(after_restart);
  CHECK(after_restart->status == 200);
  CHECK(json::parse(after_restart->body).at("events") == applied.at("events"));
  CHECK(refusal_of(agent_again->Get("/v1/commands/admin-only")) == Refusal{404, "command_not_found"});
  CHECK(balance_of(*tree.api.server->client(admin_token), "S-1") == "7.00");
}

TEST_CASE("an agent's command made before agents had ID spaces is found by its retry, not applied again",
          "[http][command-id]") {
  Tree tree;
  httplib::Client& admin = *tree.api.admin;
  REQUIRE(post(admin, "/v1/accounts/X-1/payments", {{"amount", "1"}, {"command_id", "admin-1"}})->status ==
          201);
  // As an older version stored it: the agent operator's command under the ID as given (the local
  // CLI still submits it so).
  const std::string admin_token = tree.api.server->admin_token();
  REQUIRE(tree.api.server->stop() == 0);
  const e2e::ProcessResult local =
      e2e::run_process({PAYSTREAM_BINARY, "--data", tree.api.data.path(), "pay", "S-1", "5", "--operator",
                        "north", "--command-id", "legacy-1"});
  INFO(local.err);
  REQUIRE(local.exit_code == 0);
  tree.api.server = std::make_unique<ServerProcess>(tree.api.data.path());
  auto agent = tree.api.server->client(tree.agent_token);
  auto admin_again = tree.api.server->client(admin_token);

  const httplib::Result retry =
      post(*agent, "/v1/accounts/S-1/payments", {{"amount", "5"}, {"command_id", "legacy-1"}});
  REQUIRE(retry);
  INFO(retry->body);
  CHECK(retry->status == 200);
  CHECK(json::parse(retry->body).at("command_id") == "legacy-1");
  CHECK(
      refusal_of(post(*agent, "/v1/accounts/S-1/payments", {{"amount", "6"}, {"command_id", "legacy-1"}})) ==
      Refusal{409, "command_id_conflict"});
  CHECK(json_of(agent->Get("/v1/commands/legacy-1")).at("events")[0].at("account") == "S-1");
  // An unscoped ID someone outside the agent's operators used stays theirs: the agent's is new.
  CHECK(post(*agent, "/v1/accounts/S-1/payments", {{"amount", "1"}, {"command_id", "admin-1"}})->status ==
        201);
  CHECK(balance_of(*admin_again, "S-1") == "8.00");
  CHECK(balance_of(*admin_again, "X-1") == "4.00");
}

TEST_CASE("the first start adds an admin once and a restart keeps the operators", "[http][rights]") {
  TempDir data;
  std::string token;
  {
    ServerProcess first(data.path());
    token = first.admin_token();
    REQUIRE(token.rfind("pst_", 0) == 0);
    CHECK(first.stop() == 0);
  }
  ServerProcess second(data.path());
  CHECK(second.admin_token().empty());
  for (const std::string& line : second.stdout_lines()) CHECK(line.find("pst_") == std::string::npos);
  CHECK(second.client(token)->Get("/v1/balances")->status == 200);
  CHECK(second.stop() == 0);
}

}  // namespace paystream::http_test
