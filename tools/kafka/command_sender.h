#pragma once
// Publishes commands for many threads at once (the HTTP gateway's workers): one idempotent
// producer (engine/kafka_client/producer.h) behind a mutex, and one thread serving its delivery reports,
// each caller waiting for the report of its own message.
#include <atomic>
#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "engine/kafka_client/producer.h"
#include "engine/kafka_client/routing.h"
#include "engine/kafka_client/topics.h"
#include "events/command.h"

namespace paystream {

class KafkaCommandSender {
 public:
  // Makes sure the four topics exist (creating missing ones with `defaults`), as publish does.
  static Result<std::unique_ptr<KafkaCommandSender>> open(const KafkaConnection& connection,
                                                          const ProducerOptions& producer,
                                                          const TopicDefaults& defaults, int timeout_ms);
  ~KafkaCommandSender();
  KafkaCommandSender(const KafkaCommandSender&) = delete;
  KafkaCommandSender& operator=(const KafkaCommandSender&) = delete;

  // Queues the command for its route's topic and partition. The future gives the broker's answer:
  // the partition and offset it was written at (acks=all), or why not (within the delivery timeout).
  // invalid_argument for a command over encoded_command_bytes_max; kafka_error when it cannot be queued.
  Result<std::future<Delivery>> send(const Command& command, const CommandRoute& route);

  const TopicNames& names() const { return names_; }
  const TopicLayout& layout() const { return layout_; }

 private:
  KafkaCommandSender() = default;
  void serve_reports();

  TopicNames names_;
  TopicLayout layout_;
  std::mutex producer_mutex_;  // KafkaProducer has one owner at a time
  std::unique_ptr<KafkaProducer> producer_;
  std::mutex waiting_mutex_;
  std::map<uint64_t, std::promise<Delivery>> waiting_;
  uint64_t next_token_ = 1;
  std::atomic<bool> stop_ = false;
  std::thread reports_;
};

}  // namespace paystream
