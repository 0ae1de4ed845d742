#pragma once
// A real Apache Kafka broker of a test's own (scripts/kafka-broker on free loopback ports, in a
// folder of the test), for a kafka-real test that kills and restarts it or gives it other
// listeners: the broker the other kafka-real tests share must stay as it is.
#include <string>

#include "tests/support/run_process.h"

namespace paystream::testing {

class OwnBroker {
 public:
  // sasl_ssl: "" or a folder for the SASL over TLS listener (PAYSTREAM_KAFKA_SASL_SSL in the
  // script: broker.pem, sasl-user).
  explicit OwnBroker(std::string dir, std::string sasl_ssl = "");
  ~OwnBroker();
  OwnBroker(const OwnBroker&) = delete;
  OwnBroker& operator=(const OwnBroker&) = delete;

  std::string bootstrap() const;         // PLAINTEXT
  std::string secure_bootstrap() const;  // SASL_SSL, when asked for
  // SIGKILL, or SIGTERM and a clean shutdown: the data stays for restart().
  void kill(int signal);
  void restart();

 private:
  e2e::ProcessResult script(const std::string& action, const std::string& option = "") const;
  void require(const e2e::ProcessResult& done) const;

  std::string dir_;
  std::string sasl_ssl_;
  int port_;  // the controller's is the next one, the SASL_SSL listener's the one after
};

}  // namespace paystream::testing
