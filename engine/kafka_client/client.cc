#include "engine/kafka_client/client.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include <cstdio>
#include <optional>
#include <string>

namespace paystream {
namespace {

constexpr int log_level_shown_max = 4;  // syslog levels: 3 error, 4 warning; notices and below dropped

// librdkafka calls this from its own threads; one fprintf is one line, whole.
void log_line(const rd_kafka_t* /*client*/, int level, const char* facility, const char* text) {
  if (level > log_level_shown_max) return;
  std::fprintf(stderr, "paystream: kafka: %s: %s\n", facility, text);
}

// librdkafka's reason when it refuses the property, nothing when it takes it.
std::optional<std::string> refusal(rd_kafka_conf_t* conf, std::string_view name, std::string_view value) {
  PAYSTREAM_ASSERT(conf != nullptr);
  char reason[512];
  const std::string name_text(name);
  const std::string value_text(value);
  if (rd_kafka_conf_set(conf, name_text.c_str(), value_text.c_str(), reason, sizeof reason) ==
      RD_KAFKA_CONF_OK)
    return std::nullopt;
  return std::string(reason);
}

}  // namespace

KafkaConfig::KafkaConfig() : conf_(rd_kafka_conf_new()) {}

KafkaConfig::~KafkaConfig() {
  if (conf_ != nullptr) rd_kafka_conf_destroy(conf_);
}

KafkaConfig::KafkaConfig(KafkaConfig&& other) noexcept : conf_(other.conf_) { other.conf_ = nullptr; }

KafkaConfig& KafkaConfig::operator=(KafkaConfig&& other) noexcept {
  if (this != &other) {
    if (conf_ != nullptr) rd_kafka_conf_destroy(conf_);
    conf_ = other.conf_;
    other.conf_ = nullptr;
  }
  return *this;
}

Status KafkaConfig::set(std::string_view name, std::string_view value) {
  const std::optional<std::string> refused = refusal(conf_, name, value);
  if (!refused) return ok_status();
  return make_error(Errc::invalid_argument,
                    fmt::format("Kafka setting {}='{}' refused: {}", name, value, *refused));
}

Status KafkaConfig::set_quietly(std::string_view name, std::string_view value) {
  const std::optional<std::string> refused = refusal(conf_, name, value);
  if (!refused) return ok_status();
  // librdkafka's reason quotes the value of some refusals: then it is left out too.
  const bool quotes_value = !value.empty() && refused->find(value) != std::string::npos;
  return make_error(Errc::invalid_argument,
                    fmt::format("Kafka setting '{}' refused: {}", name,
                                quotes_value ? std::string("its value is not valid for it") : *refused));
}

rd_kafka_conf_s* KafkaConfig::release() {
  rd_kafka_conf_s* conf = conf_;
  conf_ = nullptr;
  return conf;
}

KafkaConfig base_config() {
  KafkaConfig config;
  rd_kafka_conf_set_log_cb(config.native(), &log_line);
  // Both are valid librdkafka settings, so refusing them would be a bug.
  PAYSTREAM_ASSERT(config.set("client.id", "paystream").ok());
  // An idle connection closed by the broker is routine, not news.
  PAYSTREAM_ASSERT(config.set("log.connection.close", "false").ok());
  return config;
}

Result<KafkaConfig> client_config(const KafkaEndpoint& endpoint) {
  if (endpoint.bootstrap.empty())
    return make_error(Errc::invalid_argument, "the Kafka bootstrap address is empty");
  KafkaConfig config = base_config();
  if (Status set = config.set("bootstrap.servers", endpoint.bootstrap); !set) return set.error();
  for (const auto& [name, value] : endpoint.properties) {
    if (Status set = config.set_quietly(name, value); !set) return set.error();
  }
  return config;
}

Result<std::unique_ptr<KafkaClient>> KafkaClient::create(KafkaClientType type, KafkaConfig config) {
  char reason[512];
  rd_kafka_conf_t* conf = config.release();
  rd_kafka_t* handle = rd_kafka_new(type == KafkaClientType::producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER,
                                    conf, reason, sizeof reason);
  if (handle == nullptr) {
    rd_kafka_conf_destroy(conf);  // rd_kafka_new owns the configuration only when it succeeds
    return make_error(Errc::kafka_error, fmt::format("cannot create a Kafka client: {}", reason));
  }
  return std::unique_ptr<KafkaClient>(new KafkaClient(handle));
}

KafkaClient::~KafkaClient() { rd_kafka_destroy(handle_); }

Error kafka_error(std::string_view what, int code) {
  const auto error = static_cast<rd_kafka_resp_err_t>(code);
  return make_error(Errc::kafka_error,
                    fmt::format("{}: {} ({})", what, rd_kafka_err2str(error), rd_kafka_err2name(error)));
}

}  // namespace paystream
