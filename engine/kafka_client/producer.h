#pragma once
// An idempotent Kafka producer (enable.idempotence=true, so acks=all and at most 5 requests in
// flight per connection): a message retried after a lost answer or a broker coming back is written
// once, in order within its partition. Delivery reports come back through poll(), in the caller's
// thread, each with the token given to produce(). Not thread-safe: one owner thread.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/kafka_client/client.h"

namespace paystream {

struct ProducerOptions {
  // A message not acknowledged within this time fails (message.timeout.ms). Kafka's delivery
  // timeout: retries happen inside it.
  int delivery_timeout_ms = 60'000;
  // How long a message may wait for others to share its produce request (linger.ms; librdkafka's
  // default). Tests that need one request for a whole burst raise it.
  int linger_ms = 5;
};

struct Delivery {
  uint64_t token = 0;
  Status status = ok_status();  // kafka_error when the message was not written
  int32_t partition = -1;
  int64_t offset = -1;  // where it was written; -1 when it was not
};

class KafkaProducer {
 public:
  static Result<std::unique_ptr<KafkaProducer>> open(const KafkaEndpoint& endpoint,
                                                     const ProducerOptions& options);
  ~KafkaProducer() = default;
  KafkaProducer(const KafkaProducer&) = delete;
  KafkaProducer& operator=(const KafkaProducer&) = delete;

  KafkaClient& client() { return *client_; }

  // Queues one message for `partition` of `topic` (the bytes are copied). While librdkafka's local
  // queue is full it serves delivery reports (kept for the next poll) and tries again, up to the
  // delivery timeout. kafka_error when the message cannot be queued (an unknown partition, a fatal
  // producer error); then no report will come for `token`.
  // `headers`: the message's headers, by name.
  Status produce(const std::string& topic, int32_t partition, std::string_view key, std::string_view value,
                 uint64_t token, const std::vector<std::pair<std::string, std::string>>& headers = {});
  // Serves delivery reports for up to timeout_ms (0: only those ready) and returns every report
  // received since the last call.
  std::vector<Delivery> poll(int timeout_ms);
  // Messages queued or in flight whose report has not been served yet.
  size_t in_flight() const;

 private:
  KafkaProducer() = default;
  std::unique_ptr<KafkaClient> client_;
  std::vector<Delivery> reports_;  // appended by the delivery callback, inside rd_kafka_poll
  int delivery_timeout_ms_ = 0;
};

}  // namespace paystream
