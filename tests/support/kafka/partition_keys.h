#pragma once
// Keys that land where a test needs them: Kafka mode puts a key on partition murmur2(key) mod the
// partition count (engine/kafka_client/routing.h), so a test that wants an account or a card on a
// given partition searches for one.
#include <cstdint>
#include <string>

#include "engine/kafka_client/routing.h"

namespace paystream::testing {

// The `skip`-th key of the form prefix + n that lands on `partition` of `partitions`.
inline std::string key_on_partition(int32_t partitions, int32_t partition, const std::string& prefix,
                                    int skip = 0) {
  for (int i = 0;; ++i) {
    std::string key = prefix + std::to_string(i);
    if (partition_of_key(key, partitions) == partition && skip-- == 0) return key;
  }
}

}  // namespace paystream::testing
