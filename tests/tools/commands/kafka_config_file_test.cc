// --kafka-config FILE: the librdkafka properties every Kafka client of a command gets (TLS, SASL).
// The file holds passwords: no error, of the parser or of the command line, ever shows a value.
#include "tools/commands/kafka_config_file.h"

#include <signal.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/support/child_process.h"
#include "tests/support/run_process.h"

namespace paystream {
namespace {

TEST_CASE(
    "kafka config file: key=value lines in order, and comments, blank lines and spaces around are skipped",
    "[kafka-config]") {
  const Result<KafkaProperties> parsed = parse_kafka_config(
      "# the cluster's TLS and SASL\n\n  security.protocol = SASL_SSL\r\nsasl.mechanisms=SCRAM-SHA-256\n"
      "sasl.password=p=w#rd\n  # indented comment\nssl.ca.location=/etc/ca.pem",
      "f.properties");
  REQUIRE(parsed.ok());
  CHECK(*parsed == KafkaProperties{{"security.protocol", "SASL_SSL"},
                                   {"sasl.mechanisms", "SCRAM-SHA-256"},
                                   {"sasl.password", "p=w#rd"},
                                   {"ssl.ca.location", "/etc/ca.pem"}});
  CHECK(parse_kafka_config("", "empty")->empty());
}

TEST_CASE("kafka config file: a refused line names the file, the line and the property, never the value",
          "[kafka-config]") {
  const auto refusal = [](const std::string& text) {
    const Result<KafkaProperties> parsed = parse_kafka_config(text, "f.properties");
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().code == Errc::invalid_argument);
    return parsed.error().message;
  };
  CHECK(refusal("client.id=a\nsecurity.protocol=s3cr3t-value\n") ==
        "--kafka-config f.properties line 2: Kafka setting 'security.protocol' refused: its value is not "
        "valid for it");
  CHECK_THAT(
      refusal("sasl.pasword=s3cr3t-value"),
      Catch::StartsWith("--kafka-config f.properties line 1: Kafka setting 'sasl.pasword' refused: ") &&
          !Catch::Contains("s3cr3t"));
  CHECK(refusal("\n\njust-a-word") == "--kafka-config f.properties line 3: not key=value");
  CHECK(refusal("=value") == "--kafka-config f.properties line 1: not key=value");
  CHECK(refusal("bootstrap.servers=elsewhere:9092") ==
        "--kafka-config f.properties line 1: bootstrap.servers comes from --kafka, not from the file");
}

TEST_CASE(
    "kafka config file: every Kafka command takes --kafka-config, a bad file is a usage error that shows "
    "no value, and it needs --kafka where --kafka is optional",
    "[kafka-config]") {
  e2e::TemporaryDirectory directory;
  const std::string bad = directory.file("bad.properties");
  std::ofstream(bad) << "sasl.username=alice\nsasl.password=hunter2\nsecurity.protocol=hunter2\n";
  const std::string good = directory.file("good.properties");
  std::ofstream(good) << "client.id=tested\n";
  const std::vector<std::vector<std::string>> commands = {
      {"publish", "--kafka", "127.0.0.1:1", "--file", "/dev/null"},
      {"project", "--kafka", "127.0.0.1:1", "--data", directory.file("d")},
      {"replay", "--verify", "--kafka", "127.0.0.1:1", "--data", directory.file("d")},
      {"audit", "verify", "--kafka", "127.0.0.1:1", "--data", directory.file("d")},
      {"serve", "--kafka", "127.0.0.1:1", "--data", directory.file("d")},
      {"bench-kafka", "--commands", "1"}};
  for (std::vector<std::string> argv : commands) {
    argv.insert(argv.begin(), PAYSTREAM_BINARY);
    argv.insert(argv.end(), {"--kafka-config", bad});
    const e2e::ProcessResult run = e2e::run_process(argv);
    INFO(argv[1] << ": " << run.err);
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.err, Catch::Contains("line 3: Kafka setting 'security.protocol' refused"));
    CHECK_THAT(run.out + run.err, !Catch::Contains("hunter2") && !Catch::Contains("alice"));
  }
  for (const std::vector<std::string>& argv :
       {std::vector<std::string>{PAYSTREAM_BINARY, "serve", "--kafka-config", good},
        {PAYSTREAM_BINARY, "replay", "--verify", "--kafka-config", good, "--data", directory.file("d")},
        {PAYSTREAM_BINARY, "audit", "verify", "--kafka-config", good, "--data", directory.file("d")}}) {
    const e2e::ProcessResult run = e2e::run_process(argv);
    INFO(argv[1]);
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.err, Catch::Contains("--kafka-config requires --kafka"));
  }
  const e2e::ProcessResult missing = e2e::run_process(
      {PAYSTREAM_BINARY, "publish", "--kafka", "127.0.0.1:1", "--kafka-config", directory.file("none")});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("--kafka-config " + directory.file("none") + ": not a file"));
}

TEST_CASE("kafka config file: its properties reach every client of the command", "[kafka][kafka-config]") {
  e2e::TemporaryDirectory directory;
  testing::ChildProcess broker({PAYSTREAM_BINARY, "dev-broker", "--brokers", "1", "--partitions", "1"},
                               directory.file("broker.err"));
  const std::string bootstrap = broker.read_line(20'000);
  REQUIRE(!bootstrap.empty());
  const std::string line = R"({"type":"open_account","account":"C-1","name":"n","command_id":"o-1"})";
  std::ofstream(directory.file("lines")) << line << '\n';
  // A TLS client whose CA file is missing cannot even be made: the file's properties got there.
  const std::string tls = directory.file("tls.properties");
  std::ofstream(tls) << "security.protocol=ssl\nssl.ca.location=" << directory.file("no-ca.pem") << '\n';
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"publish", "--file", directory.file("lines")},
        {"project", "--data", directory.file("data")}}) {
    std::vector<std::string> argv{PAYSTREAM_BINARY, "--kafka", bootstrap, "--kafka-config", tls};
    argv.insert(argv.begin() + 1, command.begin(), command.end());
    const e2e::ProcessResult refused = e2e::run_process(argv);
    INFO(command[0]);
    CHECK(refused.exit_code == 1);
    CHECK_THAT(refused.err, Catch::Contains("cannot create a Kafka client: ssl.ca.location failed"));
  }
  const std::string plain = directory.file("plain.properties");
  std::ofstream(plain) << "security.protocol=plaintext\nclient.id=configured\n";
  const e2e::ProcessResult published =
      e2e::run_process({PAYSTREAM_BINARY, "publish", "--kafka", bootstrap, "--kafka-config", plain, "--file",
                        directory.file("lines")});
  INFO(published.err);
  CHECK(published.exit_code == 0);
  broker.signal(SIGTERM);
  CHECK(broker.wait() == 0);
}

}  // namespace
}  // namespace paystream
