#include "engine/kafka_client/admin.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include <memory>

namespace paystream {
namespace {

struct NewTopicsDeleter {
  size_t count;
  void operator()(rd_kafka_NewTopic_t** topics) const {
    rd_kafka_NewTopic_destroy_array(topics, count);
    delete[] topics;
  }
};
using NewTopics = std::unique_ptr<rd_kafka_NewTopic_t*[], NewTopicsDeleter>;

Result<NewTopics> new_topics(const std::vector<TopicSpec>& specs) {
  NewTopics topics(
      new rd_kafka_NewTopic_t* [specs.size()](), NewTopicsDeleter { specs.size() });
  char reason[512];
  for (size_t i = 0; i < specs.size(); ++i) {
    const TopicSpec& spec = specs[i];
    topics[i] = rd_kafka_NewTopic_new(spec.name.c_str(), spec.partitions, spec.replication_factor, reason,
                                      sizeof reason);
    if (topics[i] == nullptr) {
      return make_error(Errc::invalid_argument, fmt::format("topic '{}': {}", spec.name, reason));
    }
    for (const auto& [name, value] : spec.configs) {
      const rd_kafka_resp_err_t error = rd_kafka_NewTopic_set_config(topics[i], name.c_str(), value.c_str());
      if (error != RD_KAFKA_RESP_ERR_NO_ERROR)
        return kafka_error(fmt::format("topic '{}': {}", spec.name, name), error);
    }
  }
  return topics;
}

std::string names_of(const std::vector<TopicSpec>& specs) {
  std::string names;
  for (const TopicSpec& spec : specs) names += (names.empty() ? "'" : ", '") + spec.name + "'";
  return names;
}

std::vector<TopicCreationResult> results_of(rd_kafka_event_t* event) {
  const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event);
  size_t count = 0;
  const rd_kafka_topic_result_t** topics = rd_kafka_CreateTopics_result_topics(result, &count);
  std::vector<TopicCreationResult> results;
  for (size_t i = 0; i < count; ++i) {
    const char* reason = rd_kafka_topic_result_error_string(topics[i]);
    results.push_back({rd_kafka_topic_result_name(topics[i]), rd_kafka_topic_result_error(topics[i]),
                       reason != nullptr ? reason : ""});
  }
  return results;
}

}  // namespace

Status check_topic_creation(const std::vector<TopicCreationResult>& results) {
  for (const TopicCreationResult& result : results) {
    const auto error = static_cast<rd_kafka_resp_err_t>(result.error_code);
    if (error == RD_KAFKA_RESP_ERR_NO_ERROR || error == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) continue;
    const std::string reason = result.reason.empty() ? rd_kafka_err2str(error) : result.reason;
    return make_error(Errc::kafka_error, fmt::format("the broker refused to create topic '{}': {} ({})",
                                                     result.topic, reason, rd_kafka_err2name(error)));
  }
  return ok_status();
}

Status AdminTopicCreator::create(const std::vector<TopicSpec>& specs) {
  if (specs.empty()) return ok_status();
  Result<NewTopics> topics = new_topics(specs);
  if (!topics) return topics.error();
  rd_kafka_t* handle = client_.native();
  std::unique_ptr<rd_kafka_queue_t, void (*)(rd_kafka_queue_t*)> queue(rd_kafka_queue_new(handle),
                                                                       &rd_kafka_queue_destroy);
  std::unique_ptr<rd_kafka_AdminOptions_t, void (*)(rd_kafka_AdminOptions_t*)> options(
      rd_kafka_AdminOptions_new(handle, RD_KAFKA_ADMIN_OP_CREATETOPICS), &rd_kafka_AdminOptions_destroy);
  char reason[512];
  if (rd_kafka_AdminOptions_set_request_timeout(options.get(), timeout_ms_, reason, sizeof reason) ||
      rd_kafka_AdminOptions_set_operation_timeout(options.get(), timeout_ms_, reason, sizeof reason)) {
    return make_error(Errc::invalid_argument,
                      fmt::format("topic creation timeout {} ms: {}", timeout_ms_, reason));
  }
  rd_kafka_CreateTopics(handle, topics->get(), specs.size(), options.get(), queue.get());
  // The request times itself out; the margin only guards against a result that never comes.
  constexpr int result_margin_ms = 5000;
  std::unique_ptr<rd_kafka_event_t, void (*)(rd_kafka_event_t*)> event(
      rd_kafka_queue_poll(queue.get(), timeout_ms_ + result_margin_ms), &rd_kafka_event_destroy);
  if (!event)
    return make_error(Errc::kafka_error, fmt::format("no answer to creating topics {}", names_of(specs)));
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return make_error(Errc::kafka_error,
                      fmt::format("cannot create topics {}: {} (a cluster without the Admin API, such as "
                                  "librdkafka's mock cluster, cannot create topics: create them beforehand)",
                                  names_of(specs), rd_kafka_event_error_string(event.get())));
  }
  return check_topic_creation(results_of(event.get()));
}

}  // namespace paystream
