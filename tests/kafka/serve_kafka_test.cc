// `paystream serve --kafka` run as a user would: dev-broker in the background, publish, serve in
// the background until every command has its result, then SIGTERM.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>

#include "tests/e2e/run_process.h"
#include "tests/kafka/child_process.h"
#include "tests/kafka/publish_fixture.h"

namespace paystream {
namespace {

using nlohmann::json;

constexpr int wait_ms = 20'000;

TEST_CASE("kafka serve: dev-broker, publish, serve --kafka, the results read back", "[kafka][e2e]") {
  e2e::TemporaryDirectory directory;
  testing::ChildProcess broker({PAYSTREAM_BINARY, "dev-broker", "--brokers", "1", "--partitions", "2"},
                               directory.file("broker.err"));
  const std::string bootstrap = broker.read_line(wait_ms);
  REQUIRE(!bootstrap.empty());
  {
    std::ofstream file(directory.file("in.jsonl"));
    file << R"({"type":"open_account","account":"C-0","name":"a","balance":"5","command_id":"open-0"})" << '\n'
         << R"({"type":"open_account","account":"C-1","name":"b","command_id":"open-1"})" << '\n'
         << testing::payment_lines(40, 2, "pay")
         << R"({"type":"pay","account":"C-9","amount":"1","command_id":"pay-missing"})" << '\n';
  }
  const e2e::ProcessResult published =
      e2e::run_process({PAYSTREAM_BINARY, "publish", "--kafka", bootstrap, "--file", directory.file("in.jsonl")});
  INFO(published.err);
  REQUIRE(published.exit_code == 0);

  testing::ChildProcess serve({PAYSTREAM_BINARY, "serve", "--kafka", bootstrap, "--group", "e2e", "--data",
                               directory.file("data")},
                              directory.file("serve.err"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  while (testing::topic_end(bootstrap, "paystream.results", 2) < 43) {
    INFO(e2e::read_file(directory.file("serve.err")));
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling a condition, bounded above
  }
  serve.signal(SIGTERM);
  const std::string totals = serve.read_line(wait_ms);
  INFO(e2e::read_file(directory.file("serve.err")));
  CHECK(serve.wait() == 0);
  REQUIRE(!totals.empty());
  CHECK(json::parse(totals)["commands"] == 43);
  CHECK_THAT(e2e::read_file(directory.file("serve.err")), Catch::Contains("taken over at epoch 1"));

  std::map<std::string, json> results;
  for (const testing::ConsumedMessage& message : testing::read_topic(bootstrap, "paystream.results", 2)) {
    results[message.key] = json::parse(message.value);
  }
  REQUIRE(results.size() == 43);
  CHECK(results.at("open-0")["ok"] == true);
  CHECK(results.at("pay-3")["ok"] == true);
  CHECK(results.at("pay-missing")["error"]["code"] == "account_not_found");

  // The projections from the events topic, then the queries and the audit on them.
  const std::string data = directory.file("data");
  const e2e::ProcessResult projected = e2e::run_process(
      {PAYSTREAM_BINARY, "project", "--kafka", bootstrap, "--data", data, "--until-caught-up"});
  INFO(projected.err);
  REQUIRE(projected.exit_code == 0);
  CHECK(json::parse(projected.out)["events"] == 43);  // 2 opens, C-0's initial balance, 40 payments
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
  const e2e::ProcessResult verified =
      e2e::run_process({PAYSTREAM_BINARY, "replay", "--verify", "--kafka", bootstrap, "--data", data});
  INFO(verified.out << verified.err);
  CHECK(verified.exit_code == 0);
  CHECK_THAT(verified.out, Catch::Contains("match their rebuild from the events topic"));
  broker.signal(SIGTERM);
  CHECK(broker.wait() == 0);
}

}  // namespace
}  // namespace paystream
