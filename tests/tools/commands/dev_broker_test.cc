// `paystream dev-broker` and `paystream publish` run as a user would: the broker in the background,
// its address read from its first line of output, then publish against it.
#include <signal.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/support/child_process.h"
#include "tests/support/kafka/publish_fixture.h"
#include "tests/support/run_process.h"

namespace paystream {
namespace {

using e2e::TemporaryDirectory;
using nlohmann::json;

constexpr int address_wait_ms = 15'000;

void write_file(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary);
  file << text;
}

TEST_CASE("kafka dev-broker: publish against it, read the commands back, stop it with SIGTERM",
          "[kafka][e2e]") {
  TemporaryDirectory directory;
  testing::ChildProcess broker({PAYSTREAM_BINARY, "dev-broker", "--brokers", "2", "--partitions", "3"},
                               directory.file("broker.err"));
  const std::string bootstrap = broker.read_line(address_wait_ms);
  INFO(e2e::read_file(directory.file("broker.err")));
  REQUIRE_THAT(bootstrap, Catch::Matches(R"(127\.0\.0\.1:\d+,127\.0\.0\.1:\d+)"));
  CHECK_THAT(e2e::read_file(directory.file("broker.err")), Catch::Contains("keeps nothing on disk"));

  write_file(directory.file("in.jsonl"), testing::payment_lines(30, 4, "pay") +
                                             R"({"type":"pay","account":"C-1","amount":"oops"})" + "\n");
  const e2e::ProcessResult published =
      e2e::run_process({PAYSTREAM_BINARY, "publish", "--kafka", bootstrap, "--file",
                        directory.file("in.jsonl"), "--operator", "till-7"});
  INFO(published.err);
  CHECK(published.exit_code == 3);  // the last line was malformed; the 30 others were published
  const std::vector<json> outcomes = testing::json_lines(published.out);
  REQUIRE(outcomes.size() == 31);
  for (size_t i = 0; i < 30; ++i) CHECK(outcomes[i]["ok"] == true);
  CHECK(outcomes[30]["line"] == 31);
  CHECK(outcomes[30]["error"]["code"] == "invalid_amount");

  const std::vector<testing::PublishedCommand> commands =
      testing::read_commands(bootstrap, "paystream.commands", 3);
  REQUIRE(commands.size() == 30);
  const std::map<std::string, int> copies = testing::copies_by_command_id(commands);
  CHECK(copies.size() == 30);
  for (const testing::PublishedCommand& published_command : commands) {
    CHECK(published_command.command.operator_name == "till-7");
    CHECK(std::get<Pay>(published_command.command.body).account_id == published_command.message.key);
  }

  broker.signal(SIGTERM);
  CHECK(broker.wait() == 0);
  CHECK_THAT(e2e::read_file(directory.file("broker.err")), Catch::Contains("stopped"));
}

TEST_CASE("kafka dev-broker: SIGINT stops it too, and bad options are usage errors", "[kafka][e2e]") {
  TemporaryDirectory directory;
  {
    testing::ChildProcess broker({PAYSTREAM_BINARY, "dev-broker", "--brokers", "1"},
                                 directory.file("broker.err"));
    REQUIRE_FALSE(broker.read_line(address_wait_ms).empty());
    broker.signal(SIGINT);
    CHECK(broker.wait() == 0);
  }
  CHECK(e2e::run_process({PAYSTREAM_BINARY, "dev-broker", "--brokers", "0"}).exit_code == 2);
  const e2e::ProcessResult prefix =
      e2e::run_process({PAYSTREAM_BINARY, "dev-broker", "--topic-prefix", "a b"});
  CHECK(prefix.exit_code == 2);
  CHECK_THAT(prefix.err, Catch::Contains("topic prefix 'a b'"));
  CHECK(e2e::run_process({PAYSTREAM_BINARY, "publish"}).exit_code == 2);  // --kafka is required
}

}  // namespace
}  // namespace paystream
