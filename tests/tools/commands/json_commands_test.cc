// JSON commands on P.commands and P.control (docs/kafka.md, "JSON commands"), as an upstream
// system without Cap'n Proto sends them: `publish --json`, and messages produced by hand with the
// content-type header, decided by `serve --kafka` as a user runs it. On a dev-broker (kafka/), and on
// the real broker (kafka-real/, PAYSTREAM_TEST_KAFKA) on topics of its own.
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "engine/kafka/command_intake.h"
#include "engine/kafka_client/producer.h"
#include "engine/kafka_client/routing.h"
#include "tests/support/child_process.h"
#include "tests/support/kafka/topic_reader.h"
#include "tests/support/run_process.h"
#include "tests/tools/commands/real_ledger.h"

namespace paystream {
namespace {

using nlohmann::json;

using kafka_real::partitions;
using kafka_real::wait_ms;

// The real broker of PAYSTREAM_TEST_KAFKA, or a dev-broker, with topics of this test's own.
struct Broker {
  std::unique_ptr<testing::ChildProcess> dev;
  kafka_real::RealBroker topics;
};

Broker start_broker(const e2e::TemporaryDirectory& directory) {
  Broker broker;
  if (const char* real = std::getenv("PAYSTREAM_TEST_KAFKA");
      real != nullptr && std::string_view(real).find(':') != std::string_view::npos) {
    broker.topics = kafka_real::topics_on(real, "json");
  } else {
    broker.dev = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{PAYSTREAM_BINARY, "dev-broker", "--brokers", "1", "--partitions",
                                 std::to_string(partitions)},
        directory.file("broker.err"));
    broker.topics = {broker.dev->read_line(wait_ms), "paystream"};  // the topics dev-broker made
    REQUIRE(!broker.topics.bootstrap.empty());
  }
  return broker;
}

TEST_CASE(
    "kafka json commands: JSON on P.commands and P.control, marked by its content type, is decided as "
    "Cap'n Proto is, and a malformed one, one of another content type or one naming no operator is refused "
    "alone",
    "[kafka][kafka-real][json]") {
  e2e::TemporaryDirectory directory;
  const Broker broker = start_broker(directory);
  {
    std::ofstream file(directory.file("in.jsonl"));
    file
        << R"({"type":"open_account","account":"J-1","name":"Json","command_id":"j-open"})" << '\n'
        << R"({"type":"pay","account":"J-1","amount":"12.50","memo":"from python","command_id":"j-pay"})"
        << '\n'
        << R"({"type":"pay","account":"J-1","amount":"-1","command_id":"j-negative"})" << '\n'
        << R"({"type":"set_parameter","name":"SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY","value":30,"command_id":"j-param"})"
        << '\n';
  }
  const e2e::ProcessResult published =
      e2e::run_process({PAYSTREAM_BINARY, "publish", "--kafka", broker.topics.bootstrap, "--topic-prefix",
                        broker.topics.prefix, "--json", "--file", directory.file("in.jsonl")});
  INFO(published.err);
  REQUIRE(published.exit_code == 0);
  // What another producer might send: broken JSON, another format, a command with no operator.
  Result<std::unique_ptr<KafkaProducer>> producer =
      KafkaProducer::open(KafkaEndpoint(broker.topics.bootstrap), {});
  REQUIRE(producer.ok());
  const int32_t home = partition_of_key("J-1", partitions);
  const std::string commands = broker.topics.prefix + ".commands";
  const std::pair<std::string, std::string> json_type{std::string(content_type_header),
                                                      std::string(json_content_type)};
  REQUIRE((*producer)->produce(commands, home, "J-1", R"({"type":"pay",)", 1, {json_type}).ok());
  REQUIRE((*producer)
              ->produce(commands, home, "J-1",
                        R"({"type":"pay","account":"J-1","amount":"1","command_id":"j-csv"})", 2,
                        {{std::string(content_type_header), "text/csv"}})
              .ok());
  REQUIRE((*producer)
              ->produce(commands, home, "J-1",
                        R"({"type":"pay","account":"J-1","amount":"1","command_id":"j-anon"})", 3,
                        {json_type})
              .ok());
  while ((*producer)->in_flight() > 0) (void)(*producer)->poll(100);

  testing::ChildProcess serve(
      {PAYSTREAM_BINARY, "serve", "--kafka", broker.topics.bootstrap, "--topic-prefix", broker.topics.prefix,
       "--group", broker.topics.prefix, "--data", directory.file("data")},
      directory.file("serve.err"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  std::map<std::string, json> results;
  // Four published lines and three hand-made messages, each with one result.
  while ((results = kafka_real::results_of(broker.topics)).size() < 7) {
    INFO(e2e::read_file(directory.file("serve.err")));
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // polling a condition, bounded above
  }
  INFO(json(results).dump());
  CHECK(results.size() == 7);
  CHECK(results.at("j-open")["ok"] == true);
  CHECK(results.at("j-pay")["ok"] == true);
  CHECK(results.at("j-param")["ok"] == true);
  CHECK(results.at("j-negative")["error"]["code"] == "amount_must_be_positive");
  CHECK_THAT(results.at("j-anon")["error"]["message"].get<std::string>(),
             Catch::Contains("must name its \"operator\""));
  // The broken and the foreign message named no ID the engine could read: filed by where they were.
  std::vector<std::string> unnamed;
  for (const auto& [key, result] : results) {
    if (key.rfind('@', 0) == 0) unnamed.push_back(result["error"]["message"].get<std::string>());
  }
  REQUIRE(unnamed.size() == 2);
  CHECK_THAT(
      unnamed[0] + unnamed[1],
      Catch::Contains("content-type 'text/csv' is not one the engine reads") && Catch::Contains("JSON"));
  serve.signal(SIGTERM);
  CHECK(serve.wait() == 0);

  const e2e::ProcessResult projected =
      e2e::run_process({PAYSTREAM_BINARY, "project", "--kafka", broker.topics.bootstrap, "--topic-prefix",
                        broker.topics.prefix, "--data", directory.file("data"), "--until-caught-up"});
  INFO(projected.err);
  REQUIRE(projected.exit_code == 0);
  // The projector's consumer group stands where its projections do, for Kafka's lag tools.
  int64_t committed = 0;
  for (const int64_t offset : testing::committed_offsets(broker.topics.bootstrap, "paystream-projections",
                                                         broker.topics.prefix + ".events", partitions)) {
    committed += std::max<int64_t>(offset, 0);
  }
  CHECK(committed ==
        testing::topic_end(broker.topics.bootstrap, broker.topics.prefix + ".events", partitions));
  const e2e::ProcessResult records = e2e::run_process(
      {PAYSTREAM_BINARY, "records", "--data", directory.file("data"), "--format", "json", "--limit", "0"});
  REQUIRE(records.exit_code == 0);
  const json rows = json::parse(records.out)["rows"];
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["amount"] == "12.50");
  CHECK(rows[0]["memo"] == "from python");
  CHECK(rows[0]["operator"] == "admin");  // publish --json filled in its default operator
  if (broker.dev) {
    broker.dev->signal(SIGTERM);
    CHECK(broker.dev->wait() == 0);
  }
}

}  // namespace
}  // namespace paystream
