// The HTTP API in Kafka mode with what the http-kafka/ runs of the other tests do not cover:
// several partitions (a reversal routed to its record's partition), the same answers as embedded
// mode for the same requests, a command nobody decides yet: 202, then its outcome found by ID once
// an engine instance runs; and a card whose payment into another partition waits there.
#include <fmt/format.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "engine/kafka_client/routing.h"
#include "tests/support/child_process.h"
#include "tests/support/kafka/partition_keys.h"
#include "tests/tools/http/api_test_support.h"

namespace paystream::http_test {
namespace {

constexpr int wait_ms = 30'000;

struct Broker {
  TempDir files;
  testing::ChildProcess process;
  std::string bootstrap;
  explicit Broker(int partitions)
      : process(
            {PAYSTREAM_BINARY, "dev-broker", "--brokers", "1", "--partitions", std::to_string(partitions)},
            files.file("broker.err")),
        bootstrap(process.read_line(wait_ms)) {
    REQUIRE(!bootstrap.empty());
  }
};

// What a record says apart from where it is stored (positions and times differ between modes).
json record_facts(const json& record) {
  json facts = record;
  // Positions differ between the modes (Kafka mode's name their partition): a reversal's target too.
  for (const char* key : {"record_id", "time", "position", "payment_time", "reverses"}) facts.erase(key);
  return facts;
}

json records_of(httplib::Client& client, const std::string& account) {
  json facts = json::array();
  const json page =
      json_of(client.Get(("/v1/payment-records?account=" + account).c_str()));  // held: rows borrow it
  for (const json& row : page.at("rows")) facts.push_back(record_facts(row));
  return facts;
}

// The same requests, in order, to either mode; the reversal targets C-4's first payment.
void run_scenario(httplib::Client& admin) {
  for (int i = 0; i < 8; ++i) {
    const std::string id = "C-" + std::to_string(i);
    open_account(admin, {{"account", id},
                         {"name", "Customer " + std::to_string(i)},
                         {"balance", "10"},
                         {"command_id", "open-" + id}});
  }
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 8; ++i) {
      const std::string id = "C-" + std::to_string(i);
      const httplib::Result paid = post(admin, "/v1/accounts/" + id + "/payments",
                                        {{"amount", std::to_string(round + 1) + ".25"},
                                         {"command_id", "pay-" + id + "-" + std::to_string(round)}});
      REQUIRE(paid);
      INFO(paid->body);
      REQUIRE(paid->status == 201);
    }
  }
  const json first_payment = json_of(admin.Get("/v1/commands/pay-C-4-0"));
  REQUIRE(first_payment.at("ok") == true);
  const uint64_t record = first_payment.at("events")[0].at("position").get<uint64_t>();
  const httplib::Result reversed =
      post(admin, "/v1/records/" + std::to_string(record) + "/reversal", {{"memo", "wrong till"}});
  REQUIRE(reversed);
  INFO(reversed->body);
  CHECK(reversed->status == 201);
  CHECK(post(admin, "/v1/accounts/C-5/credit", {{"limit", "7"}})->status == 201);
  CHECK(post(admin, "/v1/accounts/C-6/adjustments", {{"amount", "-1.10"}})->status == 201);
  CHECK(admin.Post("/v1/accounts/C-7/make-zero")->status == 201);
  const json batch =
      json_of(post(admin, "/v1/commands",
                   {{"commands",
                     {{{"type", "pay"}, {"account", "C-1"}, {"amount", "4"}, {"command_id", "b-1"}},
                      {{"type", "pay"}, {"account", "C-9"}, {"amount", "4"}, {"command_id", "b-2"}},
                      {{"type", "pay"}, {"account", "C-2"}, {"amount", "5"}}}}}));
  REQUIRE(batch.at("outcomes").size() == 3);
  CHECK(batch.at("outcomes")[0].at("ok") == true);
  CHECK(batch.at("outcomes")[1].at("error").at("code") == "account_not_found");
  CHECK(batch.at("outcomes")[2].at("command_id").get<std::string>().rfind("gen-", 0) == 0);
  // A retry answers the first outcome; another body under the same ID is a conflict; bad input changes
  // nothing.
  const httplib::Result retried =
      post(admin, "/v1/accounts/C-0/payments", {{"amount", "1.25"}, {"command_id", "pay-C-0-0"}});
  REQUIRE(retried);
  CHECK(retried->status == 200);
  CHECK(json::parse(retried->body).at("duplicate") == true);
  CHECK(
      refusal_of(post(admin, "/v1/accounts/C-0/payments", {{"amount", "2"}, {"command_id", "pay-C-0-0"}})) ==
      std::pair{409, std::string("command_id_conflict")});
  CHECK(refusal_of(post(admin, "/v1/accounts/C-9/payments", {{"amount", "2"}})) ==
        std::pair{404, std::string("account_not_found")});
  CHECK(refusal_of(post(admin, "/v1/accounts/C-0/payments", {{"amount", "-2"}})).first == 422);
  CHECK(refusal_of(post(admin, "/v1/records/999999/reversal", json::object())) ==
        std::pair{404, std::string("record_not_found")});
  CHECK(refusal_of(admin.Get("/v1/commands/never-sent")) == std::pair{404, std::string("command_not_found")});
}

}  // namespace

TEST_CASE("the API on Kafka with three partitions answers as embedded mode does", "[http][kafka-api]") {
  Broker broker(3);
  Api kafka({"--kafka", broker.bootstrap, "--group", "api-kafka"});
  Api embedded;
  run_scenario(*kafka.admin);
  run_scenario(*embedded.admin);
  const json kafka_balances = json_of(kafka.admin->Get("/v1/balances"));
  CHECK(kafka_balances.at("rows").size() == 8);
  CHECK(kafka_balances == json_of(embedded.admin->Get("/v1/balances")));
  for (int i = 0; i < 8; ++i) {
    const std::string id = "C-" + std::to_string(i);
    INFO(id);
    CHECK(records_of(*kafka.admin, id) == records_of(*embedded.admin, id));
  }
  // Every payment-record query sees the same rows, whatever partition holds them.
  CHECK(json_of(kafka.admin->Get("/v1/payment-records?limit=0")).at("rows").size() ==
        json_of(embedded.admin->Get("/v1/payment-records?limit=0")).at("rows").size());
}

TEST_CASE("a command no engine decides yet is 202 and its outcome is found by ID later",
          "[http][kafka-api]") {
  Broker broker(2);
  TempDir engine_data;
  const auto engine = [&](const std::string& name) {
    return std::make_unique<testing::ChildProcess>(
        // The mock cluster frees a member's partitions only after its session times out, even when it
        // left the group cleanly: 3 s, so that the second instance gets them soon.
        std::vector<std::string>{PAYSTREAM_BINARY, "serve", "--kafka", broker.bootstrap, "--group", "engines",
                                 "--session-timeout-ms", "3000", "--data", engine_data.path()},
        engine_data.file(name));
  };
  const auto wait_until = [](const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    while (!done()) {
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // polling a condition, bounded above
    }
  };
  // The gateway alone: its first admin is published but not applied, so its token works only later.
  Api api({"--kafka", broker.bootstrap, "--api-only", "--outcome-timeout-ms", "1500"});
  bool noted = false;
  for (const std::string& line : api.server->stdout_lines())
    noted |= line.find("no engine instance") != std::string::npos;
  CHECK(noted);
  httplib::Client& admin = *api.admin;
  CHECK(admin.Get("/v1/balances")->status == 401);
  {
    auto running = engine("engine-1.err");
    wait_until([&] { return admin.Get("/v1/balances")->status == 200; });
    open_account(admin, {{"account", "C-1"}, {"name", "A"}, {"balance", "3"}});
    running->signal(SIGTERM);
    CHECK(running->wait() == 0);
  }
  const httplib::Result pending =
      post(admin, "/v1/accounts/C-1/payments", {{"amount", "2"}, {"command_id", "late-1"}});
  REQUIRE(pending);
  INFO(pending->body);
  CHECK(pending->status == 202);
  CHECK(pending->get_header_value("Location") == "/v1/commands/late-1");
  CHECK(json::parse(pending->body).at("error").at("code") == "outcome_pending");
  CHECK(refusal_of(admin.Get("/v1/commands/late-1")) == std::pair{404, std::string("command_not_found")});
  CHECK(balance_of(admin, "C-1") == "3.00");

  auto running = engine("engine-2.err");
  wait_until([&] { return admin.Get("/v1/commands/late-1")->status == 200; });
  const json outcome = json_of(admin.Get("/v1/commands/late-1"));
  CHECK(outcome.at("ok") == true);
  CHECK(outcome.at("events")[0].at("balance_after") == "5.00");
  CHECK(balance_of(admin, "C-1") == "5.00");
  running->signal(SIGTERM);
  CHECK(running->wait() == 0);
}

TEST_CASE(
    "a card paying an account whose partition is busy is 202, names the payment, and is answered by ID "
    "once the payment is decided",
    "[http][kafka-api]") {
  constexpr int32_t partitions = 2;
  Broker broker(partitions);
  // Small batches, so that a backlog on the account's partition takes a while (one transaction each).
  Api api({"--kafka", broker.bootstrap, "--batch-commands", "10", "--outcome-timeout-ms", "500"});
  httplib::Client& admin = *api.admin;
  // Its first admin may be applied a moment after its token is printed.
  const auto started = std::chrono::steady_clock::now();
  while (admin.Get("/v1/balances")->status != 200) {
    REQUIRE(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(wait_ms));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling a condition, bounded above
  }
  const auto key_on = [&](int32_t partition, const std::string& prefix) {
    return testing::key_on_partition(partitions, partition, prefix);
  };
  const std::string account = key_on(1, "K-");
  open_account(admin, {{"account", account}, {"name", "Far"}});
  const json batch =
      json_of(post(admin, "/v1/cards/batches",
                   {{"count", 1}, {"value", "4.00"}, {"expires", "2099-12-31"}, {"batch", key_on(0, "B-")}}));
  REQUIRE(batch.at("cards").size() == 1);
  const json card = batch.at("cards")[0];

  // Payments queued on the account's partition before the card's payment, which waits behind them
  // there; the card's own partition is idle, and uses the card at once. The redemption is sent once
  // half the backlog is decided: by then the engine has read all of it (it may read a partition's
  // commands before those of another), so that the card's partition decides at once and the payment
  // waits behind the other half.
  constexpr int backlog = 2000;
  TempDir files;
  {
    std::ofstream lines(files.file("backlog.jsonl"));
    for (int i = 0; i < backlog; ++i) {
      lines << R"({"type":"pay","account":")" << account << R"(","amount":"1","command_id":"backlog-)" << i
            << "\"}\n";
    }
  }
  const auto published =
      run_paystream({"publish", "--kafka", broker.bootstrap, "--file", files.file("backlog.jsonl")});
  REQUIRE(published.first == 0);
  const std::string half = "/v1/commands/backlog-" + std::to_string(backlog / 2);
  while (admin.Get(half.c_str())->status != 200) {
    REQUIRE(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(120'000));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a condition, bounded above
  }
  const httplib::Result pending =
      post(admin, "/v1/accounts/" + account + "/card-payments",
           {{"card", card.at("number")}, {"pin", card.at("pin")}, {"command_id", "late-card"}});
  REQUIRE(pending);
  INFO(pending->body);
  CHECK(pending->status == 202);
  CHECK(pending->get_header_value("Location") == "/v1/commands/late-card");
  const json body = json::parse(pending->body);
  CHECK(body.at("command_id") == "late-card");
  CHECK(body.at("error").at("code") == "outcome_pending");
  const std::string payment_id = "card-payment:" + card.at("number").get<std::string>() + ":";
  CHECK_THAT(body.at("error").at("message").get<std::string>(),
             Catch::Contains(payment_id) && Catch::Contains(account));
  CHECK(json_of(admin.Get(("/v1/cards/" + card.at("number").get<std::string>()).c_str())).at("state") ==
        "used");
  // Looked up by ID meanwhile: pending too, as long as the payment is.
  const json looked_up = json_of(admin.Get("/v1/commands/late-card"));
  CHECK(looked_up.at("ok") == false);
  CHECK(looked_up.at("error").at("code") == "outcome_pending");

  // Decided once the backlog is: the redemption's ID answers with both events, and the balance is
  // the backlog and the card's value.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(120'000);
  while (json_of(admin.Get("/v1/commands/late-card")).at("ok") != true) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling a condition, bounded above
  }
  const json outcome = json_of(admin.Get("/v1/commands/late-card"));
  REQUIRE(outcome.at("events").size() == 2);
  CHECK(outcome.at("events")[0].at("event") == "CardRedeemed");
  CHECK(outcome.at("events")[1].at("event") == "CardPaymentRecorded");
  CHECK(outcome.at("events")[1].at("command_id").get<std::string>().rfind(payment_id, 0) == 0);
  CHECK(balance_of(admin, account) == fmt::format("{}.00", backlog + 4));
  // The request again: the same outcome, a duplicate.
  const httplib::Result retried =
      post(admin, "/v1/accounts/" + account + "/card-payments",
           {{"card", card.at("number")}, {"pin", card.at("pin")}, {"command_id", "late-card"}});
  REQUIRE(retried);
  CHECK(retried->status == 200);
  CHECK(json::parse(retried->body).at("events") == outcome.at("events"));
}

}  // namespace paystream::http_test
