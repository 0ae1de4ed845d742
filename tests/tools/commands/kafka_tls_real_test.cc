// --kafka-config on a real broker: every Kafka command of paystream (publish, serve --kafka, project,
// replay --verify) talks to a listener that takes only SASL over TLS, with a CA, a broker
// certificate and a user made here with openssl, and no command prints the password. SASL/PLAIN on
// the pinned Kafka 4, SCRAM-SHA-256 on Kafka 3.9.1: Debian 12's librdkafka (2.0.2) cannot log in
// with SCRAM to a Kafka 4 broker (docs/kafka.md "TLS and SASL").
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "events/money.h"
#include "tests/support/child_process.h"
#include "tests/support/kafka/own_broker.h"
#include "tests/support/kafka/topic_reader.h"
#include "tests/support/run_process.h"

namespace paystream {
namespace {

using nlohmann::json;

constexpr int wait_ms = 60'000;
constexpr int32_t partitions = 2;
constexpr const char* password = "pw-7f3c9a-never-printed";

void run_openssl(const std::vector<std::string>& arguments) {
  std::vector<std::string> argv{"/usr/bin/openssl"};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  const e2e::ProcessResult ran = e2e::run_process(argv);
  INFO(ran.err);
  REQUIRE(ran.exit_code == 0);
}

// A CA, and the broker's PKCS#8 key with a certificate for 127.0.0.1 that the CA signed, as the
// script wants them (broker.pem), and the one SASL user (sasl-user).
void make_certificates(const e2e::TemporaryDirectory& directory) {
  const auto file = [&](const std::string& name) { return directory.file("certs/" + name); };
  std::filesystem::create_directories(directory.file("certs"));
  run_openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", file("ca.key"), "-out",
               file("ca.pem"), "-days", "2", "-subj", "/CN=paystream test CA"});
  run_openssl({"req", "-newkey", "rsa:2048", "-nodes", "-keyout", file("broker.key"), "-out",
               file("broker.csr"), "-subj", "/CN=127.0.0.1"});
  std::ofstream(file("san.ext")) << "subjectAltName=IP:127.0.0.1\n";
  run_openssl({"x509", "-req", "-in", file("broker.csr"), "-CA", file("ca.pem"), "-CAkey", file("ca.key"),
               "-CAcreateserial", "-out", file("broker.crt"), "-days", "2", "-extfile", file("san.ext")});
  run_openssl({"pkcs8", "-topk8", "-nocrypt", "-in", file("broker.key"), "-out", file("broker.pk8")});
  std::ofstream(file("broker.pem")) << e2e::read_file(file("broker.pk8"))
                                    << e2e::read_file(file("broker.crt")) << e2e::read_file(file("ca.pem"));
  std::ofstream(file("sasl-user")) << "paystream:" << password << '\n';
}

std::string client_properties(const e2e::TemporaryDirectory& directory, const std::string& name,
                              const std::string& mechanism, const std::string& secret) {
  const std::string path = directory.file(name);
  std::ofstream(path) << "# paystream's clients on the SASL_SSL listener\n"
                      << "security.protocol=SASL_SSL\nsasl.mechanisms=" << mechanism
                      << "\nsasl.username=paystream\n"
                      << "sasl.password=" << secret << "\nssl.ca.location=" << directory.file("certs/ca.pem")
                      << '\n';
  return path;
}

// Every Kafka command of paystream, with `mechanism`, on a broker of Kafka `version` ("" the pinned one).
void check_secure_listener(const std::string& mechanism, const std::string& version) {
  e2e::TemporaryDirectory directory;
  make_certificates(directory);
  testing::OwnBroker broker(directory.file("broker"),
                            {.sasl_ssl = directory.file("certs"), .brokers = 1, .version = version});
  const std::string secure = broker.secure_bootstrap();
  const std::string config = client_properties(directory, "client.properties", mechanism, password);
  const std::vector<std::string> connection{"--kafka", secure,           "--kafka-config",
                                            config,    "--topic-prefix", "tls"};
  const auto paystream = [&](std::vector<std::string> arguments, bool with_connection = true) {
    arguments.insert(arguments.begin(), PAYSTREAM_BINARY);
    if (with_connection) arguments.insert(arguments.begin() + 2, connection.begin(), connection.end());
    return arguments;
  };
  {
    std::ofstream file(directory.file("in.jsonl"));
    for (int a = 0; a < 4; ++a) {
      file << R"({"type":"open_account","account":"T-)" << a << R"(","name":"n","command_id":"open-)" << a
           << "\"}\n";
    }
    for (int p = 1; p <= 20; ++p) {
      file << R"({"type":"pay","account":"T-)" << p % 4 << R"(","amount":")" << p << R"(","command_id":"pay-)"
           << p << "\"}\n";
    }
  }
  std::string printed;
  const e2e::ProcessResult published = e2e::run_process(paystream(
      {"publish", "--partitions", std::to_string(partitions), "--file", directory.file("in.jsonl")}));
  INFO(published.err);
  REQUIRE(published.exit_code == 0);
  printed += published.out + published.err;
  {
    testing::ChildProcess serve(paystream({"serve", "--group", "tls", "--data", directory.file("data")}),
                                directory.file("serve.err"));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    // The test reads the results on the broker's plain listener: paystream itself never does.
    while (testing::read_topic(broker.bootstrap(), "tls.results", partitions).size() < 24) {
      INFO(e2e::read_file(directory.file("serve.err")));
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // polling a condition, bounded above
    }
    serve.signal(SIGTERM);
    CHECK(serve.wait() == 0);
  }
  printed += e2e::read_file(directory.file("serve.err"));
  for (const testing::ConsumedMessage& result :
       testing::read_topic(broker.bootstrap(), "tls.results", partitions)) {
    INFO(result.value);
    CHECK(json::parse(result.value)["ok"] == true);
  }
  const e2e::ProcessResult projected =
      e2e::run_process(paystream({"project", "--data", directory.file("data"), "--until-caught-up"}));
  INFO(projected.err);
  CHECK(projected.exit_code == 0);
  const e2e::ProcessResult verified =
      e2e::run_process(paystream({"replay", "--verify", "--data", directory.file("data")}));
  INFO(verified.out << verified.err);
  CHECK(verified.exit_code == 0);
  CHECK_THAT(verified.out, Catch::Contains("match their rebuild"));
  const e2e::ProcessResult balances = e2e::run_process(paystream(
      {"balances", "--data", directory.file("data"), "--format", "json"}, /*with_connection=*/false));
  REQUIRE(balances.exit_code == 0);
  int64_t total = 0;
  const json rows = json::parse(balances.out)["rows"];
  for (const json& row : rows) {
    total += Money::parse(row["current_balance"].get<std::string>()).value().micros();
  }
  CHECK(total == 210'000'000);  // 1 + 2 + ... + 20
  printed += projected.out + projected.err + verified.out + verified.err;

  // A wrong password: refused by the broker, said plainly, and neither password printed.
  const std::string wrong =
      client_properties(directory, "wrong.properties", mechanism, "not-the-password-4b1d");
  const e2e::ProcessResult refused = e2e::run_process(
      {PAYSTREAM_BINARY, "publish", "--kafka", secure, "--kafka-config", wrong, "--topic-prefix", "tls",
       "--file", directory.file("in.jsonl"), "--delivery-timeout-ms", "5000"});
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains("SASL authentication error"));
  printed += refused.out + refused.err;
  CHECK(printed.find(password) == std::string::npos);
  CHECK(printed.find("not-the-password-4b1d") == std::string::npos);
}

}  // namespace

TEST_CASE(
    "kafka real: TLS and SASL/PLAIN through --kafka-config, publish, serve --kafka, project and replay "
    "--verify on a listener that takes nothing else, and no password printed",
    "[kafka-real]") {
  check_secure_listener("PLAIN", "");
}

TEST_CASE(
    "kafka real: TLS and SASL/SCRAM-SHA-256 through --kafka-config on Kafka 3.9.1, every Kafka command, and "
    "no password printed",
    "[kafka-real]") {
  check_secure_listener("SCRAM-SHA-256", "3.9.1");
}

}  // namespace paystream
