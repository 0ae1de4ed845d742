// `paystream serve --kafka` run as a user would: dev-broker in the background, publish, serve in
// the background until every command has its result, then SIGTERM.
#include <httplib.h>
#include <signal.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "engine/kafka_client/events_reader.h"
#include "engine/kafka_client/producer.h"
#include "engine/kafka_client/routing.h"
#include "events/log_format.h"
#include "events/money.h"
#include "events/time.h"
#include "tests/support/child_process.h"
#include "tests/support/kafka/publish_fixture.h"
#include "tests/support/run_process.h"

namespace paystream {
namespace {

using nlohmann::json;

constexpr int wait_ms = 20'000;

TEST_CASE("kafka serve: an empty --kafka is refused, never an embedded ledger in its place", "[kafka][e2e]") {
  e2e::TemporaryDirectory directory;
  for (const std::vector<std::string>& listen :
       {std::vector<std::string>{}, std::vector<std::string>{"--listen", "127.0.0.1:0"}}) {
    std::vector<std::string> argv{PAYSTREAM_BINARY, "--data", directory.file("data"), "serve", "--kafka", ""};
    argv.insert(argv.end(), listen.begin(), listen.end());
    const e2e::ProcessResult served = e2e::run_process(argv);
    CHECK(served.exit_code == 2);
    CHECK_THAT(served.err, Catch::Contains("--kafka was given an empty bootstrap address"));
    CHECK(served.out.empty());  // no admin token printed: no ledger was made
  }
  CHECK_FALSE(std::filesystem::exists(directory.file("data")));
}

TEST_CASE("kafka serve: dev-broker, publish, serve --kafka, the results read back", "[kafka][e2e]") {
  e2e::TemporaryDirectory directory;
  testing::ChildProcess broker({PAYSTREAM_BINARY, "dev-broker", "--brokers", "1", "--partitions", "2"},
                               directory.file("broker.err"));
  const std::string bootstrap = broker.read_line(wait_ms);
  REQUIRE(!bootstrap.empty());
  {
    // A call of a minute ago, sent twice (a resent CDR): charged once.
    const int64_t minute_ago =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count() -
        60;
    const std::string charge =
        R"({"type":"charge","cdr_id":"k-1","account":"C-1","amount":"2.50","start_time":")" +
        format_timestamp(Timestamp{minute_ago * 1'000'000}) + R"(","duration_seconds":75})";
    std::ofstream file(directory.file("in.jsonl"));
    file << R"({"type":"open_account","account":"C-0","name":"a","balance":"5","command_id":"open-0"})"
         << '\n'
         << R"({"type":"open_account","account":"C-1","name":"b","command_id":"open-1"})" << '\n'
         << testing::payment_lines(40, 2, "pay")
         << R"({"type":"pay","account":"C-9","amount":"1","command_id":"pay-missing"})" << '\n'
         << charge << '\n'
         << charge << '\n';
  }
  const e2e::ProcessResult published = e2e::run_process(
      {PAYSTREAM_BINARY, "publish", "--kafka", bootstrap, "--file", directory.file("in.jsonl")});
  INFO(published.err);
  REQUIRE(published.exit_code == 0);

  testing::ChildProcess serve(
      {PAYSTREAM_BINARY, "serve", "--kafka", bootstrap, "--group", "e2e", "--data", directory.file("data")},
      directory.file("serve.err"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  while (testing::topic_end(bootstrap, "paystream.results", 2) < 45) {
    INFO(e2e::read_file(directory.file("serve.err")));
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling a condition, bounded above
  }
  serve.signal(SIGTERM);
  const std::string totals = serve.read_line(wait_ms);
  INFO(e2e::read_file(directory.file("serve.err")));
  CHECK(serve.wait() == 0);
  REQUIRE(!totals.empty());
  CHECK(json::parse(totals)["commands"] == 45);
  CHECK_THAT(e2e::read_file(directory.file("serve.err")), Catch::Contains("taken over at epoch 1"));

  std::map<std::string, json> results;
  for (const testing::ConsumedMessage& message : testing::read_topic(bootstrap, "paystream.results", 2)) {
    results[message.key] = json::parse(message.value);
  }
  REQUIRE(results.size() == 44);  // the resent CDR's result is under the same command ID
  CHECK(results.at("cdr:k-1")["ok"] == true);
  CHECK(results.at("open-0")["ok"] == true);
  CHECK(results.at("pay-3")["ok"] == true);
  CHECK(results.at("pay-missing")["error"]["code"] == "account_not_found");

  // The projections from the events topic, then the queries and the audit on them.
  const std::string data = directory.file("data");
  const e2e::ProcessResult projected = e2e::run_process(
      {PAYSTREAM_BINARY, "project", "--kafka", bootstrap, "--data", data, "--until-caught-up"});
  INFO(projected.err);
  REQUIRE(projected.exit_code == 0);
  // 2 opens, C-0's initial balance, 40 payments, one charge.
  CHECK(json::parse(projected.out)["events"] == 44);
  const e2e::ProcessResult balances =
      e2e::run_process({PAYSTREAM_BINARY, "balances", "--data", data, "--format", "json"});
  INFO(balances.err);
  REQUIRE(balances.exit_code == 0);
  const json rows = json::parse(balances.out)["rows"];
  REQUIRE(rows.size() == 2);
  const e2e::ProcessResult records =
      e2e::run_process({PAYSTREAM_BINARY, "records", "--data", data, "--account", "C-1", "--format", "csv"});
  REQUIRE(records.exit_code == 0);
  CHECK(std::count(records.out.begin(), records.out.end(), '\n') == 21);  // header and C-1's 20 payments
  // The charge: in the charges query, not in the records; in the balance and the consumption.
  const e2e::ProcessResult charges =
      e2e::run_process({PAYSTREAM_BINARY, "charges", "--data", data, "--format", "json"});
  INFO(charges.err);
  REQUIRE(charges.exit_code == 0);
  const json charge_rows = json::parse(charges.out)["rows"];
  REQUIRE(charge_rows.size() == 1);
  CHECK(charge_rows[0]["cdr_id"] == "k-1");
  CHECK(charge_rows[0]["account_id"] == "C-1");
  CHECK(charge_rows[0]["duration_seconds"] == "75");
  const e2e::ProcessResult authorized =
      e2e::run_process({PAYSTREAM_BINARY, "authorize", "C-1", "--data", data, "--format", "json"});
  INFO(authorized.err);
  CHECK(authorized.exit_code == 0);
  const e2e::ProcessResult charged =
      e2e::run_process({PAYSTREAM_BINARY, "account", "show", "C-1", "--data", data, "--format", "json"});
  CHECK(json::parse(charged.out)["rows"][0]["monthly_consumption"] == "2.50");
  CHECK(json::parse(authorized.out)["max_spend"] == json::parse(charged.out)["rows"][0]["available_credit"]);
  const e2e::ProcessResult shown =
      e2e::run_process({PAYSTREAM_BINARY, "account", "show", "C-0", "--data", data, "--format", "csv"});
  INFO(shown.err);
  CHECK(shown.exit_code == 0);
  CHECK_THAT(shown.out, Catch::Contains("C-0,a,direct,"));  // 5 opening + 1 + 3 + ... + 39 paid
  const e2e::ProcessResult missing =
      e2e::run_process({PAYSTREAM_BINARY, "account", "show", "C-9", "--data", data});
  CHECK(missing.exit_code == 3);
  CHECK_THAT(missing.err, Catch::Contains("account 'C-9' does not exist"));
  // The control state (partition 0's parameters and operators) is listed from the projections too.
  const e2e::ProcessResult parameters =
      e2e::run_process({PAYSTREAM_BINARY, "param", "list", "--data", data, "--format", "csv"});
  CHECK(parameters.exit_code == 0);
  CHECK_THAT(parameters.out, Catch::Contains("SERVER_CUSTOMER_OVERDRAFT_LIMIT,0.00,"));
  // A local write would open an empty embedded ledger there, which the queries would then read.
  const e2e::ProcessResult refused = e2e::run_process({PAYSTREAM_BINARY, "pay", "C-0", "1", "--data", data});
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains("holds Kafka mode's projections and no embedded ledger"));
  CHECK(e2e::run_process({PAYSTREAM_BINARY, "balances", "--data", data, "--format", "json"}).out ==
        balances.out);
  const e2e::ProcessResult verified =
      e2e::run_process({PAYSTREAM_BINARY, "replay", "--verify", "--kafka", bootstrap, "--data", data});
  INFO(verified.out << verified.err);
  CHECK(verified.exit_code == 0);
  CHECK_THAT(verified.out, Catch::Contains("match their rebuild from the events topic"));
  broker.signal(SIGTERM);
  CHECK(broker.wait() == 0);
}

// The distinct command IDs with a result on P.results.
size_t decided_commands(const std::string& bootstrap) {
  std::set<std::string> ids;
  for (const testing::ConsumedMessage& message : testing::read_topic(bootstrap, "paystream.results", 3)) {
    ids.insert(message.key);
  }
  return ids.size();
}

TEST_CASE(
    "kafka serve: an engine killed (SIGKILL) mid-way and restarted: every command decided once, the "
    "projections verified",
    "[kafka][e2e]") {
  e2e::TemporaryDirectory directory;
  testing::ChildProcess broker({PAYSTREAM_BINARY, "dev-broker", "--brokers", "1", "--partitions", "3"},
                               directory.file("broker.err"));
  const std::string bootstrap = broker.read_line(wait_ms);
  REQUIRE(!bootstrap.empty());
  constexpr int accounts = 12;
  constexpr int payments = 3000;
  {
    std::ofstream file(directory.file("in.jsonl"));
    for (int a = 0; a < accounts; ++a) {
      file << R"({"type":"open_account","account":"C-)" << a << R"(","name":"n","command_id":"open-)" << a
           << "\"}\n";
    }
    file << testing::payment_lines(payments, accounts, "pay");
  }
  const e2e::ProcessResult published = e2e::run_process(
      {PAYSTREAM_BINARY, "publish", "--kafka", bootstrap, "--file", directory.file("in.jsonl")});
  INFO(published.err);
  REQUIRE(published.exit_code == 0);
  const std::string data = directory.file("data");
  const std::vector<std::string> serve_argv{PAYSTREAM_BINARY,
                                            "serve",
                                            "--kafka",
                                            bootstrap,
                                            "--group",
                                            "kill",
                                            "--data",
                                            data,
                                            "--batch-commands",
                                            "50",
                                            "--session-timeout-ms",
                                            "3000"};
  const auto wait_for = [&](size_t decided, const std::string& log) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(4 * wait_ms);
    while (decided_commands(bootstrap) < decided) {
      INFO(e2e::read_file(log));
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a condition, bounded above
    }
  };
  {
    testing::ChildProcess first(serve_argv, directory.file("first.err"));
    wait_for(500, directory.file("first.err"));
    first.signal(SIGKILL);  // mid-stream: batches of 50, transactions of 3 partitions at once
    CHECK(first.wait() == 128 + SIGKILL);
  }
  CHECK(decided_commands(bootstrap) < accounts + payments);  // it was stopped before the end
  testing::ChildProcess second(serve_argv, directory.file("second.err"));
  wait_for(accounts + payments, directory.file("second.err"));
  second.signal(SIGTERM);
  CHECK(second.wait() == 0);

  // Every command offset has exactly one accepted outcome in the events (the reader's rule).
  std::map<std::pair<int32_t, int64_t>, int> outcomes;
  for (int32_t partition = 0; partition < 3; ++partition) {
    BatchAcceptance acceptance;
    const Result<EventsReadSummary> read = read_event_batches(
        KafkaEndpoint(bootstrap), "paystream.events", partition, 0, acceptance,
        [&](int64_t, const EventBatch& batch) {
          for (const BatchOutcome& outcome : batch.outcomes) {
            if (!outcome.from_control) ++outcomes[{partition, outcome.command_offset}];
            CHECK(outcome.error_code.empty());
          }
          return ok_status();
        },
        wait_ms);
    INFO((read ? std::string() : read.error().message));
    REQUIRE(read.ok());
  }
  CHECK(outcomes.size() == accounts + payments);
  for (const auto& [where, count] : outcomes) CHECK(count == 1);

  const e2e::ProcessResult projected = e2e::run_process(
      {PAYSTREAM_BINARY, "project", "--kafka", bootstrap, "--data", data, "--until-caught-up"});
  INFO(projected.err);
  REQUIRE(projected.exit_code == 0);
  const e2e::ProcessResult balances =
      e2e::run_process({PAYSTREAM_BINARY, "balances", "--data", data, "--format", "json"});
  REQUIRE(balances.exit_code == 0);
  const json document = json::parse(balances.out);  // held: a loop over a temporary's member dangles
  REQUIRE(document["rows"].size() == accounts);
  int64_t total = 0;
  for (const json& row : document["rows"]) {
    Result<Money> balance = Money::parse(row["current_balance"].get<std::string>());
    REQUIRE(balance.ok());
    total += balance->micros();
  }
  CHECK(total == int64_t{payments} * (payments + 1) / 2 * 1'000'000);  // paid 1 + 2 + ... + payments
  const e2e::ProcessResult verified =
      e2e::run_process({PAYSTREAM_BINARY, "replay", "--verify", "--kafka", bootstrap, "--data", data});
  INFO(verified.out << verified.err);
  CHECK(verified.exit_code == 0);
  broker.signal(SIGTERM);
  CHECK(broker.wait() == 0);
}

TEST_CASE("kafka api: a corrupt events history stops the server's projections and /healthz says so",
          "[kafka][e2e][api]") {
  e2e::TemporaryDirectory directory;
  testing::ChildProcess broker({PAYSTREAM_BINARY, "dev-broker", "--brokers", "1", "--partitions", "1"},
                               directory.file("broker.err"));
  const std::string bootstrap = broker.read_line(wait_ms);
  REQUIRE(!bootstrap.empty());
  // No engine: it would stop on the same message.
  testing::ChildProcess server(
      {PAYSTREAM_BINARY, "serve", "--kafka", bootstrap, "--api-only", "--listen", "127.0.0.1:0",
       "--outcome-timeout-ms", "300", "--data", directory.file("data")},
      directory.file("serve.err"));
  int port = 0;
  constexpr std::string_view listening = "paystream: listening on http://127.0.0.1:";
  while (port == 0) {
    const std::string line = server.read_line(wait_ms);
    if (line.empty()) break;
    if (line.rfind(listening, 0) == 0) port = std::stoi(line.substr(listening.size()));
  }
  INFO(e2e::read_file(directory.file("serve.err")));
  REQUIRE(port != 0);
  httplib::Client client("127.0.0.1", port);
  REQUIRE(client.Get("/healthz")->status == 200);

  Result<std::unique_ptr<KafkaProducer>> producer = KafkaProducer::open(KafkaEndpoint(bootstrap), {});
  REQUIRE(producer.ok());
  REQUIRE((*producer)->produce("paystream.events", 0, "", "not a batch at all", 1).ok());
  while ((*producer)->in_flight() > 0) (void)(*producer)->poll(100);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  httplib::Result health = client.Get("/healthz");
  while (health && health->status == 200) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling a condition, bounded above
    health = client.Get("/healthz");
  }
  REQUIRE(health);
  CHECK(health->status == 503);
  const json body = json::parse(health->body);
  CHECK(body["status"] == "failing");
  CHECK_THAT(body["reason"].get<std::string>(), Catch::Contains("events partition 0 offset"));
  server.signal(SIGTERM);
  CHECK(server.wait() == 0);
  broker.signal(SIGTERM);
  CHECK(broker.wait() == 0);
}

TEST_CASE(
    "kafka api: a card paid over HTTP into an account of another partition answers with the payment, and a "
    "refused one with its refusal, the card given back",
    "[kafka][e2e][api]") {
  e2e::TemporaryDirectory directory;
  testing::ChildProcess broker({PAYSTREAM_BINARY, "dev-broker", "--brokers", "1", "--partitions", "3"},
                               directory.file("broker.err"));
  const std::string bootstrap = broker.read_line(wait_ms);
  REQUIRE(!bootstrap.empty());
  testing::ChildProcess server({PAYSTREAM_BINARY, "serve", "--kafka", bootstrap, "--listen", "127.0.0.1:0",
                                "--outcome-timeout-ms", "20000", "--data", directory.file("data")},
                               directory.file("serve.err"));
  int port = 0;
  std::string token;
  constexpr std::string_view listening = "paystream: listening on http://127.0.0.1:";
  constexpr std::string_view token_prefix = "paystream: admin token: ";
  while (port == 0) {
    const std::string line = server.read_line(wait_ms);
    if (line.empty()) break;
    if (line.rfind(token_prefix, 0) == 0) token = line.substr(token_prefix.size());
    if (line.rfind(listening, 0) == 0) port = std::stoi(line.substr(listening.size()));
  }
  INFO(e2e::read_file(directory.file("serve.err")));
  REQUIRE(port != 0);
  REQUIRE(!token.empty());
  httplib::Client client("127.0.0.1", port);
  client.set_bearer_token_auth(token.c_str());
  client.set_read_timeout(60, 0);
  const auto post = [&](const std::string& path, const json& body) {
    httplib::Result result = client.Post(path, body.dump(), "application/json");
    REQUIRE(result);
    return result;
  };
  const json batch =
      json::parse(post("/v1/cards/batches",
                       {{"count", 3}, {"value", "7.50"}, {"expires", "2099-12-31"}, {"batch", "B-9"}})
                      ->body);
  REQUIRE(batch["cards"].size() == 3);
  // Every card lives on its batch's partition; the accounts are chosen on the others.
  const int32_t cards_partition = partition_of_key("B-9", 3);
  std::vector<std::string> elsewhere;
  for (int i = 0; elsewhere.size() < 2; ++i) {
    const std::string id = "K-" + std::to_string(i);
    if (partition_of_key(id, 3) != cards_partition) elsewhere.push_back(id);
  }
  for (const json& card : batch["cards"])
    CHECK(partition_of_key(card["number"].get<std::string>(), 3) == cards_partition);
  REQUIRE(post("/v1/accounts", {{"account", elsewhere[0]}, {"name", "n"}})->status == 201);
  const json& first = batch["cards"][0];
  const httplib::Result paid =
      post("/v1/accounts/" + elsewhere[0] + "/card-payments",
           {{"card", first["number"]}, {"pin", first["pin"]}, {"command_id", "pay-far"}});
  INFO(paid->body);
  CHECK(paid->status == 201);
  const json paid_body = json::parse(paid->body);
  CHECK(paid_body["command_id"] == "pay-far");
  // As on an embedded server: the card's CardRedeemed (decided on its partition), then the payment
  // record, decided on the account's.
  const json events = paid_body["events"];
  REQUIRE(events.size() == 2);
  CHECK(events[0]["event"] == "CardRedeemed");
  CHECK(partition_of_position(events[0]["position"].get<uint64_t>()) == cards_partition);
  CHECK(events[1]["payment_type"] == "phone_card");
  CHECK(events[1]["account"] == elsewhere[0]);
  CHECK(events[1]["amount"] == "7.50");
  CHECK(partition_of_position(events[1]["position"].get<uint64_t>()) == partition_of_key(elsewhere[0], 3));
  // The same request again: the same payment, a duplicate.
  const httplib::Result again =
      post("/v1/accounts/" + elsewhere[0] + "/card-payments",
           {{"card", first["number"]}, {"pin", first["pin"]}, {"command_id", "pay-far"}});
  CHECK(again->status == 200);

  const json& second = batch["cards"][1];
  const httplib::Result refused = post("/v1/accounts/" + elsewhere[1] + "/card-payments",
                                       {{"card", second["number"]}, {"pin", second["pin"]}});
  INFO(refused->body);
  CHECK(refused->status == 404);
  CHECK(json::parse(refused->body)["error"]["code"] == "account_not_found");
  // The card came back: unused, and it pays once the account exists.
  const auto card_state = [&](const std::string& number) {
    return json::parse(client.Get("/v1/cards/" + number)->body)["state"];
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  while (card_state(second["number"]) != "unused") {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling a condition, bounded above
  }
  REQUIRE(post("/v1/accounts", {{"account", elsewhere[1]}, {"name", "n"}})->status == 201);
  CHECK(post("/v1/accounts/" + elsewhere[1] + "/card-payments",
             {{"card", second["number"]}, {"pin", second["pin"]}})
            ->status == 201);
  CHECK(card_state(second["number"]) == "used");
  // An ID no engine decided: the 404 says so in Kafka mode's words.
  const httplib::Result unknown = client.Get("/v1/commands/never-sent");
  CHECK(unknown->status == 404);
  CHECK_THAT(unknown->body, Catch::Contains("not published, or no engine instance has decided it yet"));
  CHECK_THAT(unknown->body, !Catch::Contains("embedded"));
  // A wrong PIN answers as on an embedded server.
  const json& third = batch["cards"][2];
  const httplib::Result wrong = post("/v1/accounts/" + elsewhere[0] + "/card-payments",
                                     {{"card", third["number"]}, {"pin", "00000000"}});
  CHECK(wrong->status == 422);
  CHECK(json::parse(wrong->body)["error"]["code"] == "wrong_card_or_pin");
  for (const std::string& account : elsewhere) {
    CHECK(json::parse(client.Get("/v1/accounts/" + account)->body)["current_balance"] == "7.50");
  }
  server.signal(SIGTERM);
  CHECK(server.wait() == 0);
  // No PIN in any file the gateway and its engine keep: projections, results, checkpoints.
  for (const auto& entry : std::filesystem::recursive_directory_iterator(directory.file("data"))) {
    if (!entry.is_regular_file()) continue;
    INFO(entry.path().string());
    const std::string bytes = e2e::read_file(entry.path().string());
    for (const json& card : batch["cards"])
      CHECK(bytes.find(card["pin"].get<std::string>()) == std::string::npos);
  }
  broker.signal(SIGTERM);
  CHECK(broker.wait() == 0);
}

// A gateway started on its own HTTP port; its admin token is printed on a first start only.
struct Gateway {
  std::unique_ptr<testing::ChildProcess> process;
  int port = 0;
  std::string token;
};

Gateway start_gateway(const std::vector<std::string>& argv, const std::string& err) {
  Gateway gateway{std::make_unique<testing::ChildProcess>(argv, err), 0, {}};
  constexpr std::string_view listening = "paystream: listening on http://127.0.0.1:";
  constexpr std::string_view token_prefix = "paystream: admin token: ";
  while (gateway.port == 0) {
    const std::string line = gateway.process->read_line(wait_ms);
    if (line.empty()) break;
    if (line.rfind(token_prefix, 0) == 0) gateway.token = line.substr(token_prefix.size());
    if (line.rfind(listening, 0) == 0) gateway.port = std::stoi(line.substr(listening.size()));
  }
  INFO(e2e::read_file(err));
  REQUIRE(gateway.port != 0);
  return gateway;
}

// Polls until the client's bearer token authenticates: its operator's event decided and projected.
void wait_until_token_known(httplib::Client& client, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const httplib::Result listed = client.Get("/v1/operators");
    REQUIRE(listed);
    if (listed->status == 200) return;
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling a condition, bounded above
  }
}

TEST_CASE(
    "kafka api: a gateway restarted after a kill -9 says in /healthz and in its pending answers that its "
    "engine holds no partition yet, and why",
    "[kafka][e2e][api]") {
  e2e::TemporaryDirectory directory;
  testing::ChildProcess broker({PAYSTREAM_BINARY, "dev-broker", "--brokers", "1", "--partitions", "1"},
                               directory.file("broker.err"));
  const std::string bootstrap = broker.read_line(wait_ms);
  REQUIRE(!bootstrap.empty());
  const std::vector<std::string> argv{PAYSTREAM_BINARY,
                                      "serve",
                                      "--kafka",
                                      bootstrap,
                                      "--group",
                                      "g",
                                      "--listen",
                                      "127.0.0.1:0",
                                      "--outcome-timeout-ms",
                                      "1000",
                                      "--session-timeout-ms",
                                      "30000",
                                      "--data",
                                      directory.file("data")};
  Gateway first = start_gateway(argv, directory.file("first.err"));
  REQUIRE(!first.token.empty());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  while (e2e::read_file(directory.file("first.err")).find("taken over at epoch") == std::string::npos) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling a condition, bounded above
  }
  // The admin's AddOperator may still be pending at the takeover (a slow build's first outcome times
  // out): the token must be known before the kill, or the second instance would never learn it.
  httplib::Client first_client("127.0.0.1", first.port);
  first_client.set_bearer_token_auth(first.token.c_str());
  wait_until_token_known(first_client, deadline);
  first.process->signal(SIGKILL);
  CHECK(first.process->wait() == 128 + SIGKILL);
  // The group keeps the dead member's partition until its session (30 s) expires: the new instance
  // holds none meanwhile, and says so.
  Gateway second = start_gateway(argv, directory.file("second.err"));
  httplib::Client client("127.0.0.1", second.port);
  client.set_bearer_token_auth(first.token.c_str());
  json health;
  const auto second_deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  while (!health.contains("detail")) {
    REQUIRE(std::chrono::steady_clock::now() < second_deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling a condition, bounded above
    const httplib::Result answered = client.Get("/healthz");
    REQUIRE(answered);
    CHECK(answered->status == 200);  // it serves; the partition comes to it in seconds
    health = json::parse(answered->body);
  }
  CHECK_THAT(health["detail"].get<std::string>(),
             Catch::Contains("this server's engine instance holds no partition after") &&
                 Catch::Contains("in group 'g'") && Catch::Contains("session.timeout.ms"));
  // Its projections read the admin's event from the topic, which may take a moment under sanitizers.
  wait_until_token_known(client, second_deadline);
  const httplib::Result opened =
      client.Post("/v1/accounts", json{{"account", "C-1"}, {"name", "n"}}.dump(), "application/json");
  REQUIRE(opened);
  CHECK(opened->status == 202);
  CHECK_THAT(opened->body, Catch::Contains("holds no partition after"));
  second.process->signal(SIGTERM);
  CHECK(second.process->wait() == 0);
  broker.signal(SIGTERM);
  CHECK(broker.wait() == 0);
}

}  // namespace
}  // namespace paystream
