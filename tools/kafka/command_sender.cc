#include "tools/kafka/command_sender.h"

#include <fmt/format.h>

#include <chrono>

#include "engine/kafka_client/admin.h"
#include "events/codec.h"

namespace paystream {

Result<std::unique_ptr<KafkaCommandSender>> KafkaCommandSender::open(const KafkaConnection& connection,
                                                                     const ProducerOptions& producer,
                                                                     const TopicDefaults& defaults,
                                                                     int timeout_ms) {
  std::unique_ptr<KafkaCommandSender> sender(new KafkaCommandSender());
  Result<TopicNames> names = topic_names(connection.topic_prefix);
  if (!names) return names.error();
  sender->names_ = std::move(*names);
  Result<std::unique_ptr<KafkaProducer>> opened = KafkaProducer::open(connection.endpoint(), producer);
  if (!opened) return opened.error();
  sender->producer_ = std::move(*opened);
  AdminTopicCreator creator(sender->producer_->client(), timeout_ms);
  Result<TopicLayout> layout =
      ensure_topics(sender->producer_->client(), sender->names_, defaults, creator, timeout_ms);
  if (!layout) return layout.error();
  sender->layout_ = *layout;
  sender->reports_ = std::thread([raw = sender.get()] { raw->serve_reports(); });
  return sender;
}

KafkaCommandSender::~KafkaCommandSender() {
  stop_ = true;
  if (reports_.joinable()) reports_.join();
  // Messages still in flight get no answer: their callers see a broken promise as kafka_error.
}

Result<std::future<Delivery>> KafkaCommandSender::send(const Command& command, const CommandRoute& route) {
  const std::string value = encode_command(command);
  if (value.size() > encoded_command_bytes_max) {
    return make_error(Errc::invalid_argument,
                      fmt::format("the command is {} bytes encoded, over the limit of {}", value.size(),
                                  encoded_command_bytes_max));
  }
  const std::string& topic = names_.of(route.topic);
  const int32_t partitions = route.topic == TopicKind::control ? 1 : layout_.command_partitions;
  std::future<Delivery> answer;
  uint64_t token = 0;
  {
    std::lock_guard lock(waiting_mutex_);
    token = next_token_++;
    answer = waiting_[token].get_future();
  }
  Status queued = ok_status();
  {
    std::lock_guard lock(producer_mutex_);
    queued = producer_->produce(topic, partition_of_key(route.key, partitions), route.key, value, token);
  }
  if (!queued) {
    std::lock_guard lock(waiting_mutex_);
    waiting_.erase(token);
    return queued.error();
  }
  return answer;
}

void KafkaCommandSender::serve_reports() {
  while (!stop_) {
    std::vector<Delivery> reports;
    {
      std::lock_guard lock(producer_mutex_);
      reports = producer_->poll(0);
    }
    if (reports.empty()) {
      // Short, so that an acknowledgement waits at most this long to reach its caller; the
      // producer is not held meanwhile.
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    std::lock_guard lock(waiting_mutex_);
    for (Delivery& report : reports) {
      const auto waiting = waiting_.find(report.token);
      if (waiting == waiting_.end()) continue;
      waiting->second.set_value(std::move(report));
      waiting_.erase(waiting);
    }
  }
}

}  // namespace paystream
