#include "tests/support/kafka/own_broker.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <vector>

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
    if (port_free(port) && port_free(port + 1) && port_free(port + 2)) return port;
  }
  FAIL("no three free loopback ports in a row in 21000-24999");
  return -1;
}

}  // namespace

OwnBroker::OwnBroker(std::string dir, std::string sasl_ssl)
    : dir_(std::move(dir)), sasl_ssl_(std::move(sasl_ssl)), port_(free_ports()) {
  const e2e::ProcessResult started = script("start");
  if (started.exit_code != 0) (void)script("stop");  // it may have started, and not answered in time
  INFO(started.out << started.err);
  REQUIRE(started.exit_code == 0);
}

OwnBroker::~OwnBroker() { (void)script("stop"); }

std::string OwnBroker::bootstrap() const { return fmt::format("127.0.0.1:{}", port_); }

std::string OwnBroker::secure_bootstrap() const { return fmt::format("127.0.0.1:{}", port_ + 2); }

void OwnBroker::kill(int signal) { require(script("kill", signal == SIGTERM ? "--term" : "")); }

void OwnBroker::restart() { require(script("restart")); }

e2e::ProcessResult OwnBroker::script(const std::string& action, const std::string& option) const {
  std::vector<std::string> argv{"/usr/bin/env", fmt::format("PAYSTREAM_KAFKA_PORT={}", port_),
                                "PAYSTREAM_KAFKA_DIR=" + dir_};
  if (!sasl_ssl_.empty()) argv.push_back("PAYSTREAM_KAFKA_SASL_SSL=" + sasl_ssl_);
  argv.insert(argv.end(), {PAYSTREAM_KAFKA_BROKER_SCRIPT, action});
  if (!option.empty()) argv.push_back(option);
  return e2e::run_process(argv);
}

void OwnBroker::require(const e2e::ProcessResult& done) const {
  INFO(done.out << done.err << e2e::read_file(dir_ + "/broker.log"));
  REQUIRE(done.exit_code == 0);
}

}  // namespace paystream::testing
