#pragma once
// The Kafka layer's owned handles: a librdkafka configuration (KafkaConfig) and client
// (KafkaClient), each freed by its destructor, with librdkafka's errors turned into Result/Status
// (Errc::kafka_error). librdkafka's headers stay in engine/kafka_*.cc; callers see only the
// forward-declared handle types, for the few calls this layer does not wrap.
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/result.h"

struct rd_kafka_s;
struct rd_kafka_conf_s;

namespace paystream {

// Where the Kafka topics are: a bootstrap address ("host:port,host:port") and the prefix of the
// four topic names (docs/kafka.md).
// librdkafka properties by name, in the order given (--kafka-config: TLS, SASL).
using KafkaProperties = std::vector<std::pair<std::string, std::string>>;

// What a client connects to and how: the bootstrap address and the properties of --kafka-config,
// which every client of a command shares. Explicit, so that a bare address never drops them.
struct KafkaEndpoint {
  explicit KafkaEndpoint(std::string bootstrap_address, KafkaProperties client_properties = {})
      : bootstrap(std::move(bootstrap_address)), properties(std::move(client_properties)) {}
  std::string bootstrap;
  KafkaProperties properties;
};

struct KafkaConnection {
  std::string bootstrap;
  std::string topic_prefix = "paystream";
  KafkaProperties properties;  // --kafka-config
  KafkaEndpoint endpoint() const { return KafkaEndpoint(bootstrap, properties); }
};

// Client settings by librdkafka's property names. Move-only; owns its rd_kafka_conf_t until a
// KafkaClient takes it.
class KafkaConfig {
 public:
  KafkaConfig();
  ~KafkaConfig();
  KafkaConfig(KafkaConfig&& other) noexcept;
  KafkaConfig& operator=(KafkaConfig&& other) noexcept;
  KafkaConfig(const KafkaConfig&) = delete;
  KafkaConfig& operator=(const KafkaConfig&) = delete;

  // invalid_argument naming the property when librdkafka refuses the name or the value.
  Status set(std::string_view name, std::string_view value);
  // The same, with a message that leaves the value out (it may be a secret).
  Status set_quietly(std::string_view name, std::string_view value);
  rd_kafka_conf_s* native() { return conf_; }
  // Hands the configuration over (to rd_kafka_new); this object is empty afterwards.
  rd_kafka_conf_s* release();

 private:
  rd_kafka_conf_s* conf_;
};

// The settings every paystream client shares: client.id, and librdkafka's log lines at warning
// level and above on stderr as "paystream: kafka: ...", the rest dropped.
KafkaConfig base_config();
// base_config() plus bootstrap.servers and the endpoint's properties. A refused property is
// named, never its value (a password may be one).
Result<KafkaConfig> client_config(const KafkaEndpoint& endpoint);

enum class KafkaClientType { producer, consumer };

// One librdkafka client (rd_kafka_t), destroyed with it. Thread-safe as librdkafka is.
class KafkaClient {
 public:
  static Result<std::unique_ptr<KafkaClient>> create(KafkaClientType type, KafkaConfig config);
  ~KafkaClient();
  KafkaClient(const KafkaClient&) = delete;
  KafkaClient& operator=(const KafkaClient&) = delete;

  rd_kafka_s* native() const { return handle_; }

 private:
  explicit KafkaClient(rd_kafka_s* handle) : handle_(handle) {}
  rd_kafka_s* handle_;
};

// "what: librdkafka's description (ERROR_NAME)" as a kafka_error; `code` is an rd_kafka_resp_err_t.
Error kafka_error(std::string_view what, int code);

}  // namespace paystream
