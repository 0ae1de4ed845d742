#pragma once
// Reading a topic back in tests: every message from the start of each partition to its end now.
#include <cstdint>
#include <string>
#include <vector>

namespace paystream::testing {

struct ConsumedMessage {
  int32_t partition = -1;
  int64_t offset = -1;
  std::string key;
  std::string value;
};

// Every message of `topic` (which has `partitions` partitions), by partition then offset. Fails
// the running test when a partition cannot be read to its end within 15 s.
std::vector<ConsumedMessage> read_topic(const std::string& bootstrap, const std::string& topic,
                                        int32_t partitions);

// The sum over partitions of the high watermark (the offset the next message will get).
int64_t topic_end(const std::string& bootstrap, const std::string& topic, int32_t partitions);

// The offsets consumer group `group` has committed on `topic`, by partition (-1: none), as Kafka's own
// lag tools read them.
std::vector<int64_t> committed_offsets(const std::string& bootstrap, const std::string& group,
                                       const std::string& topic, int32_t partitions);

}  // namespace paystream::testing
