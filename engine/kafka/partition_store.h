#pragma once
// The local checkpoint of Kafka mode's owned partitions (docs/kafka.md, "Checkpoints"): one
// RocksDB database (under `serve --kafka --data DIR`) holding, per partition, what a
// PartitionEngine rebuilt from the accepted history: accounts, parameters and operators, the
// command-ID index, the payment records, the accepted (epoch, owner, sequence), the next command
// and control offsets, the hash-chain head, and the events offset all that covers. A takeover then
// reads the events partition from that offset instead of from 0. It is a cache of the events
// topic: a missing or unreadable checkpoint means a replay from offset 0, never a wrong state.
// Rows are scoped by the Kafka cluster's ID and the events topic, so a checkpoint of another
// cluster (or another prefix) is never applied.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "engine/kafka/partition_engine.h"

namespace rocksdb {
class DB;
}

namespace paystream {

class PartitionStore {
 public:
  static Result<std::unique_ptr<PartitionStore>> open(const std::string& directory);
  ~PartitionStore();
  PartitionStore(const PartitionStore&) = delete;
  PartitionStore& operator=(const PartitionStore&) = delete;

  // Restores `engine` (of a fresh state) from the checkpoint of its partition in `scope`; the
  // events offset the checkpoint covers, or nullopt when there is none. corruption when a row does
  // not decode (the caller then starts from offset 0 with a fresh engine).
  Result<std::optional<int64_t>> load(const std::string& scope, PartitionEngine& engine) const;
  // Replaces the partition's checkpoint by the engine's state, covering the events partition up to
  // `events_offset`; one synced write.
  Status save(const std::string& scope, const PartitionEngine& engine, int64_t events_offset);

 private:
  explicit PartitionStore(std::unique_ptr<rocksdb::DB> db);
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace paystream
