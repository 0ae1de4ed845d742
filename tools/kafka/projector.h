#pragma once
// The projector of Kafka mode (`paystream project --kafka`): follows every events partition
// (read_committed, from the offsets stored with the projections), runs the reader's rule over each
// partition's batches (events/kafka/batch_acceptance.h: a zombie's, a lost takeover's and an aborted
// copy's batches are ignored, as the engine ignores them), checks each accepted batch's hash chain,
// and writes it into the KafkaProjectionStore: events, projection rows and the next offset in one
// WriteBatch. It never writes to Kafka.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "engine/kafka_client/client.h"
#include "engine/kafka_client/events_reader.h"
#include "tools/kafka/projection_store.h"

namespace paystream {

// The offsets group of `project --kafka` and of the API's gateway unless named otherwise.
inline constexpr std::string_view default_projections_group = "paystream-projections";

struct ProjectorOptions {
  KafkaConnection connection;
  std::string directory;    // the store's database (DATA/kafka-projections)
  int timeout_ms = 10'000;  // for the cluster's metadata
  size_t messages_per_round = 500;
  // The consumer group told where the stored projections stand (Kafka's lag tools read it); empty:
  // none (a rebuild by replay --verify).
  std::string offsets_group;
};

struct ProjectorTotals {
  uint64_t accepted = 0;  // batches, takeover markers included
  uint64_t ignored = 0;
  uint64_t events = 0;
  bool operator==(const ProjectorTotals&) const = default;
};

class KafkaProjector {
 public:
  // Reads the cluster's ID and the events topic's partitions, opens (or creates) the store, and
  // starts following each partition from its stored offset.
  static Result<std::unique_ptr<KafkaProjector>> open(const ProjectorOptions& options);

  // One round: waits up to timeout_ms for messages, and writes what they make. corruption (a
  // batch that does not decode, a gap in an owner's sequence, a broken chain) and kafka_error stop
  // the projector: nothing after the bad offset is written.
  Status step(int timeout_ms);
  // catch_up() and reach() return (ok) as soon as this is set (Ctrl-C of `project --kafka`).
  void stop_on(const std::atomic<bool>* stop) { stop_ = stop; }
  // Steps until every partition is read up to the end it has now (its high watermark), or
  // timeout_ms passed (kafka_error).
  Status catch_up(int timeout_ms);
  // Steps until each partition's next offset is at least its target, and reads nothing at or
  // beyond it, then or later (replay --verify rebuilds up to the live projections' offsets).
  // kafka_error after timeout_ms.
  Status reach(const std::map<int32_t, int64_t>& targets, int timeout_ms);

  // Called with each partition's batches right after they are written (the HTTP gateway's states
  // follow the projections this way), on the thread that steps.
  void on_written(std::function<void(const std::vector<CheckedBatch>&)> written) {
    on_written_ = std::move(written);
  }

  int32_t partitions() const { return partitions_; }
  const std::string& scope() const { return scope_; }
  const ProjectorTotals& totals() const { return totals_; }
  // Tells the offsets group where the stored projections stand and waits for its answer (a process
  // about to exit: an asynchronous commit could be lost with it). ok when there is no offsets group.
  Status commit_offsets();
  // Offsets of the events topic (batches and transaction markers) between the stored projections
  // and the partitions' ends as last fetched; any thread may read it.
  uint64_t lag_offsets() const { return lag_offsets_.load(); }
  KafkaProjectionStore& store() { return *store_; }

 private:
  KafkaProjector() = default;
  Status take(const FollowedMessage& message, std::map<int32_t, std::vector<CheckedBatch>>& pending);
  Status flush(std::map<int32_t, std::vector<CheckedBatch>>& pending);
  Status reach_ends(const std::map<int32_t, int64_t>& targets, int timeout_ms);
  // Measures the lag, and tells the offsets group what moved (wait: see commit_offsets).
  Status report_progress(bool wait = false);

  ProjectorOptions options_;
  int32_t partitions_ = 0;
  std::string scope_;
  std::unique_ptr<KafkaProjectionStore> store_;
  std::unique_ptr<EventsFollower> follower_;
  std::map<int32_t, BatchAcceptance> acceptance_;
  std::map<int32_t, PartitionProgress> reading_;  // ahead of the store by what is pending
  std::map<int32_t, int64_t> limits_;             // set by reach(): offsets not to read
  ProjectorTotals totals_;
  std::map<int32_t, int64_t> committed_;  // to the offsets group
  std::chrono::steady_clock::time_point last_commit_;
  std::atomic<uint64_t> lag_offsets_ = 0;
  const std::atomic<bool>* stop_ = nullptr;
  std::function<void(const std::vector<CheckedBatch>&)> on_written_;
};

}  // namespace paystream
