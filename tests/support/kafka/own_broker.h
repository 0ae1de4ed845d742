#pragma once
// A real Apache Kafka broker, or a cluster of three, of a test's own (scripts/kafka-broker on free
// ports, in a folder of the test), for a kafka-real test that kills, restarts or cuts off brokers or
// gives them other listeners: the broker the other kafka-real tests share must stay as it is.
#include <string>

#include "tests/support/run_process.h"

namespace paystream::testing {

struct OwnBrokerOptions {
  // "" or a folder for the SASL over TLS listener (PAYSTREAM_KAFKA_SASL_SSL in the script:
  // broker.pem, sasl-user); one broker only.
  std::string sasl_ssl;
  // 1, or 3: each broker in a network namespace of its own (root), replication factor 3.
  int brokers = 1;
  // "" for the script's pinned Kafka version, or another (PAYSTREAM_KAFKA_VERSION).
  std::string version;
};

class OwnBroker {
 public:
  explicit OwnBroker(std::string dir, OwnBrokerOptions options = {});
  ~OwnBroker();
  OwnBroker(const OwnBroker&) = delete;
  OwnBroker& operator=(const OwnBroker&) = delete;

  std::string bootstrap() const;         // PLAINTEXT, every broker
  std::string secure_bootstrap() const;  // SASL_SSL, when asked for
  // Broker `node` (1-3): SIGKILL, or SIGTERM and a clean shutdown; the data stays for restart().
  void kill(int signal, int node = 1);
  void restart(int node = 1);
  // Three brokers: broker `node`'s link down (cut off from the others and the clients) and up.
  void cut(int node);
  void heal(int node);

 private:
  e2e::ProcessResult script(const std::vector<std::string>& arguments) const;
  void require(const e2e::ProcessResult& done) const;

  std::string dir_;
  OwnBrokerOptions options_;
  int port_;  // the controller's is the next one, the SASL_SSL listener's the one after
  std::string bootstrap_;
};

// The broker (node ID: scripts/kafka-broker numbers them 1-3) that leads `partition` of `topic` now.
int32_t partition_leader(const std::string& bootstrap, const std::string& topic, int32_t partition);

}  // namespace paystream::testing
