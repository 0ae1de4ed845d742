#include "tests/support/kafka/own_broker.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <librdkafka/rdkafka.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <vector>

#include "engine/kafka_client/client.h"

namespace paystream::testing {
namespace {

// Whether nothing listens on 127.0.0.1:port now (a bind succeeds).
bool port_free(int port) {
  const int socket = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(socket >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool bound = ::bind(socket, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  ::close(socket);
  return bound;
}

// Three free ports in a row (the broker's, its controller's, its SASL_SSL listener's) in 21000-24999:
// clear of the shared broker's 19092 and of the kernel's ephemeral ports; from the PID, so that two
// test processes start apart.
int free_ports() {
  constexpr int first = 21'000;
  constexpr int triples = 1'333;
  for (int i = 0; i < triples; ++i) {
    const int port = first + 3 * ((getpid() + i) % triples);
    // A cluster of three at that port listens elsewhere, but its bridge is named after the port.
    const bool cluster_there = std::filesystem::exists(fmt::format("/sys/class/net/ps{}", port));
    if (port_free(port) && port_free(port + 1) && port_free(port + 2) && !cluster_there) return port;
  }
  FAIL("no three free loopback ports in a row in 21000-24999");
  return -1;
}

}  // namespace

OwnBroker::OwnBroker(std::string dir, OwnBrokerOptions options)
    : dir_(std::move(dir)), options_(std::move(options)), port_(free_ports()) {
  const e2e::ProcessResult started = script({"start", "--brokers", std::to_string(options_.brokers)});
  if (started.exit_code != 0) (void)script({"stop"});  // it may have started, and not answered in time
  INFO(started.out << started.err);
  REQUIRE(started.exit_code == 0);
  // The script's last line is the bootstrap address.
  std::string out = started.out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  bootstrap_ = out.substr(out.rfind('\n') + 1);
}

OwnBroker::~OwnBroker() { (void)script({"stop"}); }

std::string OwnBroker::bootstrap() const { return bootstrap_; }

std::string OwnBroker::secure_bootstrap() const { return fmt::format("127.0.0.1:{}", port_ + 2); }

void OwnBroker::kill(int signal, int node) {
  std::vector<std::string> arguments{"kill", "--broker", std::to_string(node)};
  if (signal == SIGTERM) arguments.insert(arguments.begin() + 1, "--term");
  require(script(arguments));
}

void OwnBroker::restart(int node) { require(script({"restart", "--broker", std::to_string(node)})); }

void OwnBroker::cut(int node) { require(script({"cut", std::to_string(node)})); }

void OwnBroker::heal(int node) { require(script({"heal", std::to_string(node)})); }

e2e::ProcessResult OwnBroker::script(const std::vector<std::string>& arguments) const {
  std::vector<std::string> argv{"/usr/bin/env", fmt::format("PAYSTREAM_KAFKA_PORT={}", port_),
                                "PAYSTREAM_KAFKA_DIR=" + dir_};
  if (!options_.sasl_ssl.empty()) argv.push_back("PAYSTREAM_KAFKA_SASL_SSL=" + options_.sasl_ssl);
  if (!options_.version.empty()) argv.push_back("PAYSTREAM_KAFKA_VERSION=" + options_.version);
  argv.push_back(PAYSTREAM_KAFKA_BROKER_SCRIPT);
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  return e2e::run_process(argv);
}

void OwnBroker::require(const e2e::ProcessResult& done) const {
  std::string logs;
  for (const char* log :
       {"/broker.log", "/broker-1/broker.log", "/broker-2/broker.log", "/broker-3/broker.log"}) {
    if (std::filesystem::exists(dir_ + log)) logs += e2e::read_file(dir_ + log);
  }
  INFO(done.out << done.err << logs);
  REQUIRE(done.exit_code == 0);
}

int32_t partition_leader(const std::string& bootstrap, const std::string& topic, int32_t partition) {
  Result<KafkaConfig> config = client_config(KafkaEndpoint(bootstrap));
  REQUIRE(config.ok());
  Result<std::unique_ptr<KafkaClient>> client =
      KafkaClient::create(KafkaClientType::producer, std::move(*config));
  REQUIRE(client.ok());
  rd_kafka_topic_t* handle = rd_kafka_topic_new((*client)->native(), topic.c_str(), nullptr);
  REQUIRE(handle != nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  const rd_kafka_resp_err_t error = rd_kafka_metadata((*client)->native(), 0, handle, &metadata, 15'000);
  rd_kafka_topic_destroy(handle);
  INFO(rd_kafka_err2str(error));
  REQUIRE(error == RD_KAFKA_RESP_ERR_NO_ERROR);
  int32_t leader = -1;
  for (int p = 0; p < metadata->topics[0].partition_cnt; ++p) {
    if (metadata->topics[0].partitions[p].id == partition) leader = metadata->topics[0].partitions[p].leader;
  }
  rd_kafka_metadata_destroy(metadata);
  REQUIRE(leader >= 1);
  return leader;
}

}  // namespace paystream::testing
