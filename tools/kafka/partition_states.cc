#include "tools/kafka/partition_states.h"

#include <mutex>

#include "engine/domain/decide.h"
#include "events/log_format.h"

namespace paystream {

PartitionStates::PartitionStates(int32_t partitions) : states_(static_cast<size_t>(partitions)) {
  for (int32_t p = 0; p < partitions; ++p)
    states_[static_cast<size_t>(p)].last_position = LogPosition{partition_base(p)};
}

Result<std::unique_ptr<PartitionStates>> PartitionStates::load(const KafkaProjectionStore& store,
                                                               int32_t partitions) {
  std::unique_ptr<PartitionStates> states(new PartitionStates(partitions));
  for (int32_t p = 0; p < partitions; ++p) {
    const uint64_t last = store.progress_of(p).last_position;
    if (last <= partition_base(p)) continue;
    LedgerState& state = states->states_[static_cast<size_t>(p)];
    Status scanned = store.scan_partition(p, partition_base(p) + 1, last, [&](const Event& event) {
      evolve(state, event);
      return ok_status();
    });
    if (!scanned) return scanned.error();
  }
  return states;
}

void PartitionStates::apply(const std::vector<CheckedBatch>& batches) {
  {
    std::unique_lock lock(mutex_);
    for (const CheckedBatch& batch : batches) {
      LedgerState& state = states_.at(static_cast<size_t>(batch.partition));
      for (const Event& event : batch.events) evolve(state, event);
    }
  }
  applied_.notify_all();
}

void PartitionStates::read(int32_t partition, const std::function<void(const LedgerState&)>& read) const {
  std::shared_lock lock(mutex_);
  read(states_.at(static_cast<size_t>(partition)));
}

bool PartitionStates::wait_applied(uint64_t position, std::chrono::steady_clock::time_point deadline) const {
  const auto partition = static_cast<size_t>(partition_of_position(position));
  std::shared_lock lock(mutex_);
  if (partition >= states_.size()) return false;
  return applied_.wait_until(lock, deadline,
                             [&] { return states_[partition].last_position.value >= position; });
}

uint64_t PartitionStates::events_applied() const {
  std::shared_lock lock(mutex_);
  uint64_t events = 0;
  for (size_t p = 0; p < states_.size(); ++p) {
    events += states_[p].last_position.value - partition_base(static_cast<int32_t>(p));
  }
  return events;
}

}  // namespace paystream
