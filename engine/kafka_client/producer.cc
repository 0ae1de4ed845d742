#include "engine/kafka_client/producer.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include <chrono>

namespace paystream {
namespace {

constexpr int queue_full_poll_ms = 100;

// Runs inside rd_kafka_poll on the owner's thread; `reports` is the producer's reports_.
void on_delivery(rd_kafka_t* handle, const rd_kafka_message_t* message, void* reports) {
  Delivery delivery;
  delivery.token = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(message->_private));
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    delivery.partition = message->partition;
    delivery.offset = message->offset;
  } else if (message->err == RD_KAFKA_RESP_ERR__FATAL) {
    char reason[512];
    const rd_kafka_resp_err_t fatal = rd_kafka_fatal_error(handle, reason, sizeof reason);
    delivery.status =
        kafka_error(fmt::format("not delivered: the producer stopped on a fatal error: {}", reason), fatal);
  } else {
    delivery.status = kafka_error("not delivered", message->err);
  }
  static_cast<std::vector<Delivery>*>(reports)->push_back(std::move(delivery));
}

}  // namespace

Result<std::unique_ptr<KafkaProducer>> KafkaProducer::open(const KafkaEndpoint& endpoint,
                                                           const ProducerOptions& options) {
  Result<KafkaConfig> config = client_config(endpoint);
  if (!config) return config.error();
  const std::string timeout = std::to_string(options.delivery_timeout_ms);
  const std::string linger = std::to_string(options.linger_ms);
  for (const auto& [name, value] :
       {std::pair<std::string_view, std::string_view>{"enable.idempotence", "true"},
        {"acks", "all"},
        {"message.timeout.ms", timeout},
        {"linger.ms", linger}}) {
    if (Status set = config->set(name, value); !set) return set.error();
  }
  std::unique_ptr<KafkaProducer> producer(new KafkaProducer());
  producer->delivery_timeout_ms_ = options.delivery_timeout_ms;
  rd_kafka_conf_set_dr_msg_cb(config->native(), &on_delivery);
  rd_kafka_conf_set_opaque(config->native(), &producer->reports_);
  Result<std::unique_ptr<KafkaClient>> client =
      KafkaClient::create(KafkaClientType::producer, std::move(*config));
  if (!client) return client.error();
  producer->client_ = std::move(*client);
  return producer;
}

Status KafkaProducer::produce(const std::string& topic, int32_t partition, std::string_view key,
                              std::string_view value, uint64_t token,
                              const std::vector<std::pair<std::string, std::string>>& headers) {
  std::vector<rd_kafka_vu_t> fields(6 + headers.size());
  fields[0].vtype = RD_KAFKA_VTYPE_TOPIC;
  fields[0].u.cstr = topic.c_str();
  fields[1].vtype = RD_KAFKA_VTYPE_PARTITION;
  fields[1].u.i32 = partition;
  fields[2].vtype = RD_KAFKA_VTYPE_KEY;
  fields[2].u.mem = {const_cast<char*>(key.data()), key.size()};
  fields[3].vtype = RD_KAFKA_VTYPE_VALUE;
  fields[3].u.mem = {const_cast<char*>(value.data()), value.size()};
  fields[4].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  fields[4].u.i32 = RD_KAFKA_MSG_F_COPY;
  fields[5].vtype = RD_KAFKA_VTYPE_OPAQUE;
  fields[5].u.ptr = reinterpret_cast<void*>(static_cast<uintptr_t>(token));
  for (size_t i = 0; i < headers.size(); ++i) {
    rd_kafka_vu_t& field = fields[6 + i];
    field.vtype = RD_KAFKA_VTYPE_HEADER;
    field.u.header.name = headers[i].first.c_str();
    field.u.header.val = headers[i].second.data();
    field.u.header.size = static_cast<ssize_t>(headers[i].second.size());
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(delivery_timeout_ms_);
  while (true) {
    rd_kafka_error_t* error = rd_kafka_produceva(client_->native(), fields.data(), fields.size());
    if (error == nullptr) return ok_status();
    const rd_kafka_resp_err_t code = rd_kafka_error_code(error);
    const std::string reason = rd_kafka_error_string(error);
    rd_kafka_error_destroy(error);
    // A full local queue drains as reports come back; anything else will not get better by waiting.
    if (code != RD_KAFKA_RESP_ERR__QUEUE_FULL || std::chrono::steady_clock::now() >= deadline) {
      return make_error(
          Errc::kafka_error,
          fmt::format("cannot queue a message for topic '{}' partition {}: {}", topic, partition, reason));
    }
    rd_kafka_poll(client_->native(), queue_full_poll_ms);
  }
}

std::vector<Delivery> KafkaProducer::poll(int timeout_ms) {
  rd_kafka_poll(client_->native(), timeout_ms);
  std::vector<Delivery> reports;
  reports.swap(reports_);
  return reports;
}

size_t KafkaProducer::in_flight() const { return static_cast<size_t>(rd_kafka_outq_len(client_->native())); }

}  // namespace paystream
