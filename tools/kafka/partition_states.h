#pragma once
// The account state of every events partition, as Kafka mode's HTTP gateway needs it to authorize
// requests (operators, agent trees) and to know how far the projections have got: one LedgerState
// per partition, evolved from the partition's accepted events exactly as its engine evolved them.
// Built from the projections' copy of the log on open, then fed each batch the projector writes.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <vector>

#include "engine/domain/ledger_state.h"
#include "tools/kafka/projection_store.h"

namespace paystream {

class PartitionStates {
 public:
  // Evolves the events `store` holds for partitions 0..partitions-1.
  static Result<std::unique_ptr<PartitionStates>> load(const KafkaProjectionStore& store, int32_t partitions);

  // Batches of one partition just written by the projector, in order.
  void apply(const std::vector<CheckedBatch>& batches);

  int32_t partitions() const { return static_cast<int32_t>(states_.size()); }
  // Calls read(state) under a shared lock; `read` must be quick (the projector waits for it).
  void read(int32_t partition, const std::function<void(const LedgerState&)>& read) const;
  // Whether the event at `position` has been applied here (and so written to the store), waiting
  // for it until `deadline`.
  bool wait_applied(uint64_t position, std::chrono::steady_clock::time_point deadline) const;
  // Events applied since partition base, summed over the partitions.
  uint64_t events_applied() const;

 private:
  explicit PartitionStates(int32_t partitions);
  mutable std::shared_mutex mutex_;
  mutable std::condition_variable_any applied_;
  std::vector<LedgerState> states_;
};

}  // namespace paystream
