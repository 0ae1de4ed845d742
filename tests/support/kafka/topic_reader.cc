#include "tests/support/kafka/topic_reader.h"

#include <librdkafka/rdkafka.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <memory>

namespace paystream::testing {
namespace {

constexpr int read_timeout_ms = 15'000;

using Handle = std::unique_ptr<rd_kafka_t, void (*)(rd_kafka_t*)>;

void set(rd_kafka_conf_t* conf, const char* name, const std::string& value) {
  char reason[512];
  REQUIRE(rd_kafka_conf_set(conf, name, value.c_str(), reason, sizeof reason) == RD_KAFKA_CONF_OK);
}

Handle consumer(const std::string& bootstrap, const std::string& group = "paystream-test-reader") {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", bootstrap);
  set(conf, "group.id", group);
  set(conf, "enable.auto.commit", "false");
  set(conf, "enable.partition.eof", "true");
  set(conf, "log_level", "3");
  set(conf, "fetch.wait.max.ms", "10");  // the last fetch of a partition is empty: do not wait on it
  char reason[512];
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_CONSUMER, conf, reason, sizeof reason);
  REQUIRE(handle != nullptr);
  return Handle(handle, &rd_kafka_destroy);
}

}  // namespace

int64_t topic_end(const std::string& bootstrap, const std::string& topic, int32_t partitions) {
  Handle handle = consumer(bootstrap);
  int64_t total = 0;
  for (int32_t partition = 0; partition < partitions; ++partition) {
    int64_t low = 0, high = 0;
    const rd_kafka_resp_err_t error = rd_kafka_query_watermark_offsets(handle.get(), topic.c_str(), partition,
                                                                       &low, &high, read_timeout_ms);
    INFO(rd_kafka_err2str(error));
    REQUIRE(error == RD_KAFKA_RESP_ERR_NO_ERROR);
    total += high;
  }
  return total;
}

std::vector<ConsumedMessage> read_topic(const std::string& bootstrap, const std::string& topic,
                                        int32_t partitions) {
  Handle handle = consumer(bootstrap);
  std::unique_ptr<rd_kafka_topic_partition_list_t, void (*)(rd_kafka_topic_partition_list_t*)> assignment(
      rd_kafka_topic_partition_list_new(partitions), &rd_kafka_topic_partition_list_destroy);
  for (int32_t partition = 0; partition < partitions; ++partition) {
    rd_kafka_topic_partition_list_add(assignment.get(), topic.c_str(), partition)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  REQUIRE(rd_kafka_assign(handle.get(), assignment.get()) == RD_KAFKA_RESP_ERR_NO_ERROR);
  std::map<int32_t, std::vector<ConsumedMessage>> by_partition;
  std::map<int32_t, bool> at_end;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(read_timeout_ms);
  while (static_cast<int32_t>(at_end.size()) < partitions) {
    INFO("reading " << topic << ": " << at_end.size() << " of " << partitions
                    << " partitions read to the end");
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    rd_kafka_message_t* message = rd_kafka_consumer_poll(handle.get(), 100);
    if (message == nullptr) continue;
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      at_end[message->partition] = true;
    } else {
      INFO(rd_kafka_message_errstr(message));
      REQUIRE(message->err == RD_KAFKA_RESP_ERR_NO_ERROR);
      by_partition[message->partition].push_back(
          {message->partition, message->offset,
           std::string(static_cast<const char*>(message->key), message->key_len),
           std::string(static_cast<const char*>(message->payload), message->len)});
    }
    rd_kafka_message_destroy(message);
  }
  rd_kafka_consumer_close(handle.get());
  std::vector<ConsumedMessage> messages;
  for (auto& [partition, list] : by_partition) messages.insert(messages.end(), list.begin(), list.end());
  return messages;
}

std::vector<int64_t> committed_offsets(const std::string& bootstrap, const std::string& group,
                                       const std::string& topic, int32_t partitions) {
  Handle handle = consumer(bootstrap, group);
  std::unique_ptr<rd_kafka_topic_partition_list_t, void (*)(rd_kafka_topic_partition_list_t*)> list(
      rd_kafka_topic_partition_list_new(partitions), &rd_kafka_topic_partition_list_destroy);
  for (int32_t partition = 0; partition < partitions; ++partition) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition);
  }
  REQUIRE(rd_kafka_committed(handle.get(), list.get(), read_timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR);
  std::vector<int64_t> offsets(static_cast<size_t>(partitions), -1);
  for (int i = 0; i < list->cnt; ++i) {
    if (list->elems[i].offset >= 0)
      offsets[static_cast<size_t>(list->elems[i].partition)] = list->elems[i].offset;
  }
  return offsets;
}

}  // namespace paystream::testing
