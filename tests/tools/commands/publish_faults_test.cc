// publish under broker faults injected by librdkafka's mock cluster: every command is delivered
// exactly once (the idempotent producer), or reported as not delivered.
#include <librdkafka/rdkafka.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <sstream>

#include "tests/support/kafka/kafka_fixture.h"
#include "tests/support/kafka/publish_fixture.h"
#include "tools/commands/publish.h"

namespace paystream {
namespace {

using nlohmann::json;
using testing::json_lines;

constexpr int16_t produce_request = 0;  // the Kafka protocol's ApiKey of Produce
constexpr int wait_ms_max = 15'000;

std::unique_ptr<CommandPublisher> open_publisher(const testing::MockKafka& kafka, std::ostream& out,
                                                 int delivery_timeout_ms = 60'000, int linger_ms = 5) {
  PublishOptions options;
  options.connection.bootstrap = kafka.cluster->bootstrap();
  options.producer.delivery_timeout_ms = delivery_timeout_ms;
  options.producer.linger_ms = linger_ms;
  Result<std::unique_ptr<CommandPublisher>> publisher = CommandPublisher::open(options, out);
  INFO((publisher ? std::string() : publisher.error().message));
  REQUIRE(publisher.ok());
  return std::move(*publisher);
}

void publish_lines(CommandPublisher& publisher, const std::string& lines, uint64_t& line_number) {
  std::istringstream in(lines);
  for (std::string line; std::getline(in, line);) publisher.publish_line(++line_number, line);
}

// Every command ID "<prefix>-0" .. "<prefix>-(count-1)" is on the commands topic exactly once, and
// each account's commands are in input order.
void check_exactly_once(const testing::MockKafka& kafka, int count, const std::string& prefix) {
  const std::vector<testing::PublishedCommand> commands = testing::read_commands(
      kafka.cluster->bootstrap(), kafka.names.commands, kafka.layout.command_partitions);
  const std::map<std::string, int> copies = testing::copies_by_command_id(commands);
  CHECK(commands.size() == static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    const std::string id = prefix + "-" + std::to_string(i);
    INFO(id);
    CHECK(copies.count(id) == 1);
    CHECK((copies.count(id) == 0 || copies.at(id) == 1));
  }
  std::map<std::string, int> last_index_by_account;
  for (const testing::PublishedCommand& published : commands) {
    const int index = std::stoi(published.command.command_id.substr(prefix.size() + 1));
    const auto [last, first_seen] = last_index_by_account.emplace(published.message.key, index);
    if (!first_seen) {
      CHECK(last->second < index);
      last->second = index;
    }
  }
}

TEST_CASE(
    "kafka publish faults: a broker down and back during publish, every command is delivered exactly once",
    "[kafka][faults]") {
  const testing::MockKafka kafka = testing::mock_kafka(3);
  std::ostringstream out;
  std::unique_ptr<CommandPublisher> publisher = open_publisher(kafka, out);
  uint64_t line = 0;
  const std::string lines = testing::payment_lines(600, 40, "pay");
  size_t middle = 0;  // just after the 300th line
  for (int line_count = 0; line_count < 300; ++line_count) middle = lines.find('\n', middle) + 1;
  publish_lines(*publisher, lines.substr(0, middle), line);
  // Settled first, so that no request is in flight when the broker goes (see the next test).
  CHECK(publisher->finish().delivered == 300);
  // Broker 1 leads about a third of the partitions: everything published for them from now on
  // waits for it, while the other partitions go on.
  REQUIRE(kafka.cluster->set_broker_down(1).ok());
  publish_lines(*publisher, lines.substr(middle), line);
  publisher->poll(500);
  const size_t answered = json_lines(out.str()).size();
  INFO("outcomes while broker 1 was down: " << answered);
  REQUIRE(answered < 600);  // otherwise nothing waited for the broker
  REQUIRE(kafka.cluster->set_broker_up(1).ok());
  const PublishTotals totals = publisher->finish();
  CHECK(totals.delivered == 600);
  CHECK(totals.failed == 0);
  CHECK(json_lines(out.str()).size() == 600);
  check_exactly_once(kafka, 600, "pay");
}

TEST_CASE(
    "kafka publish faults: a batch written but whose answer was lost is sent again, as the same commands",
    "[kafka][faults]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 2);
  std::ostringstream out;
  // All 100 commands in the one delayed request, even in a slow (sanitized) build: a later request
  // would wait for that request's answer, and the topic would not fill up until it came.
  std::unique_ptr<CommandPublisher> publisher = open_publisher(kafka, out, 60'000, 2'000);
  // The broker processes the next produce request at once but answers only after 30 s: the
  // producer cannot know the batch was written until the connection drops and it sends it again.
  // (Long enough that a slow, sanitized build still sees the batch stored and unanswered; the
  // test never waits for it, since taking the broker down drops the connection.)
  REQUIRE(kafka.cluster->push_broker_request_errors(1, produce_request, {{0, 30'000}}).ok());
  uint64_t line = 0;
  publish_lines(*publisher, testing::payment_lines(100, 10, "pay"), line);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms_max);
  while (testing::topic_end(kafka.cluster->bootstrap(), kafka.names.commands, 2) < 100) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    publisher->poll(50);
  }
  publisher->poll(0);
  const size_t answered = json_lines(out.str()).size();
  INFO("outcomes before the broker went down: " << answered);
  REQUIRE(answered < 100);  // otherwise the retry this test is about did not happen
  REQUIRE(kafka.cluster->set_broker_down(1).ok());
  REQUIRE(kafka.cluster->set_broker_up(1).ok());
  const PublishTotals totals = publisher->finish();
  CHECK(totals.delivered == 100);
  CHECK(totals.failed == 0);
  // A real Kafka broker drops the retried batch (it knows the producer's sequence numbers). The
  // mock cluster of librdkafka 2.0.2 checks them only for transactional producers and may append
  // the batch again, so here a command can be on the topic twice: every copy must be the same
  // command, and the first copies keep each account's order. The engine applies a command ID once.
  const std::vector<testing::PublishedCommand> commands =
      testing::read_commands(kafka.cluster->bootstrap(), kafka.names.commands, 2);
  std::map<std::string, std::string> bytes_by_id;
  std::map<std::string, int> last_index_by_account;
  for (const testing::PublishedCommand& published : commands) {
    const auto [first, is_first] = bytes_by_id.emplace(published.command.command_id, published.message.value);
    if (!is_first) {
      CHECK(first->second == published.message.value);
      continue;
    }
    const int index = std::stoi(published.command.command_id.substr(4));
    const auto [last, first_seen] = last_index_by_account.emplace(published.message.key, index);
    if (!first_seen) {
      CHECK(last->second < index);
      last->second = index;
    }
  }
  CHECK(bytes_by_id.size() == 100);
}

TEST_CASE("kafka publish faults: produce requests refused with retriable errors are retried",
          "[kafka][faults]") {
  const testing::MockKafka kafka = testing::mock_kafka(3);
  kafka.cluster->push_request_errors(
      produce_request, {RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
                        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE});
  std::ostringstream out;
  std::unique_ptr<CommandPublisher> publisher = open_publisher(kafka, out);
  uint64_t line = 0;
  publish_lines(*publisher, testing::payment_lines(200, 20, "pay"), line);
  const PublishTotals totals = publisher->finish();
  CHECK(totals.delivered == 200);
  CHECK(totals.failed == 0);
  check_exactly_once(kafka, 200, "pay");
}

TEST_CASE("kafka publish faults: commands not acknowledged in time are reported, each on its line",
          "[kafka][faults]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 2);
  std::ostringstream out;
  std::unique_ptr<CommandPublisher> publisher = open_publisher(kafka, out, 500);
  REQUIRE(kafka.cluster->set_broker_down(1).ok());
  uint64_t line = 0;
  publish_lines(*publisher, testing::payment_lines(5, 5, "pay"), line);
  const PublishTotals totals = publisher->finish();
  CHECK(totals.delivered == 0);
  CHECK(totals.failed == 5);
  CHECK_THAT(totals.first_failure, Catch::StartsWith("line 1: not delivered: "));
  const std::vector<json> outcomes = json_lines(out.str());
  REQUIRE(outcomes.size() == 5);
  for (const json& outcome : outcomes) {
    CHECK(outcome["ok"] == false);
    CHECK(outcome["error"]["code"] == "kafka_error");
  }
  CHECK(outcomes[4]["line"] == 5);
  CHECK(outcomes[4]["command_id"] == "pay-4");
}

}  // namespace
}  // namespace paystream
