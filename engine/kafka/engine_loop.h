#pragma once
// Kafka mode's engine loop (`paystream serve --kafka`, docs/kafka.md "The engine loop"): one
// instance owns some partitions of P.commands; for each it takes the partition over
// (engine/kafka_client/takeover.h), rebuilds its PartitionEngine from the checkpoint and the accepted
// history, reads its commands from the accepted next command offset (never the group's offsets),
// and writes each batch (the EventBatch to events p, one result per command to P.results) in one
// transaction of p's own transactional producer (transactional.id P.engine.p). Every instance
// reads P.control from its start; each owner copies the control commands into its partitions'
// batches, and the owner of partition 0 writes their results.
//
// Ownership comes from a consumer group on P.commands (run(): its rebalances call take() and
// release()) or is given explicitly (tests, and a future static assignment): take() and release()
// then step(). Not thread-safe: one thread drives it (librdkafka calls the rebalance callback from
// inside that thread's poll); step() runs the partitions' transactions in threads of its own and
// waits for them.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/domain/clock.h"
#include "engine/domain/outcome.h"
#include "engine/kafka/command_intake.h"
#include "engine/kafka/partition_engine.h"
#include "engine/kafka/partition_store.h"
#include "engine/kafka_client/client.h"
#include "engine/kafka_client/topics.h"
#include "engine/kafka_client/transactions.h"

namespace paystream {

struct EngineLoopOptions {
  KafkaConnection connection;
  std::string group = "paystream-engine";  // the consumer group on P.commands (run() only)
  std::string data_dir;                    // the checkpoints (partition_store.h); empty: none
  size_t batch_commands_max = 1000;        // commands of one partition in one batch
  int timeout_ms = 30'000;                 // of a takeover, a transaction, reading metadata
  int fetch_wait_ms = 10;                  // fetch.wait.max.ms of the consumers
  int write_attempts_max = 5;              // of one batch whose transaction is aborted
  uint64_t checkpoint_batches = 200;       // a partition is checkpointed after this many batches
  Clock* clock = nullptr;                  // nullptr: the system clock
  int idle_notice_ms = 10'000;             // run(): how often an instance owning nothing says so
  // More settings of the group member on P.commands, by librdkafka's names (heartbeat.interval.ms,
  // session.timeout.ms, ...).
  std::vector<std::pair<std::string, std::string>> consumer_settings;
  std::function<void(const std::string&)> notice;  // progress lines (takeovers, drops); may be empty
  // Messages marked `content-type: application/json` (command_intake.h); empty: refused.
  JsonCommandReader json_commands;
};

struct EngineLoopTotals {
  uint64_t commands = 0;        // commands of P.commands given an outcome
  uint64_t control_copies = 0;  // control commands copied into a partition's batch
  uint64_t batches = 0;         // committed
  uint64_t aborted = 0;         // transactions aborted and sent again
  uint64_t takeovers = 0;
  uint64_t replayed_batches = 0;  // accepted batches (markers included) applied by takeovers
  uint64_t dropped = 0;           // partitions given up after a fatal error or a lost takeover
  // Where step()'s time went (a benchmark's breakdown), as wall time of the loop's thread: reading
  // commands and control, deciding batches and encoding them, waiting for their transactions.
  std::chrono::nanoseconds reading{0};
  std::chrono::nanoseconds deciding{0};
  std::chrono::nanoseconds writing{0};
  // Of the transactions, the time in commit (the brokers acknowledging the messages, then the
  // coordinator ending it), summed over partitions, whose transactions run at the same time.
  std::chrono::nanoseconds committing{0};
};

class KafkaEngineLoop {
 public:
  // Reads the cluster's metadata (the four topics must exist: `serve --kafka` creates them first),
  // opens the checkpoint store and starts reading P.control from its start.
  static Result<std::unique_ptr<KafkaEngineLoop>> open(const EngineLoopOptions& options);
  ~KafkaEngineLoop();
  KafkaEngineLoop(const KafkaEngineLoop&) = delete;
  KafkaEngineLoop& operator=(const KafkaEngineLoop&) = delete;

  // Takes partition p over and starts reading its commands. false: another instance won the
  // takeover (p is left alone). kafka_error or corruption: p could not be taken (nothing is owned).
  Result<bool> take(int32_t partition);
  // Stops p cleanly (no transaction is open between steps): checks that the history holds this
  // owner's batches, checkpoints, and forgets p.
  Status release(int32_t partition);
  // One round: reads what P.control and the owned partitions have (waiting up to wait_ms for the
  // first command), and writes one batch per partition with something to decide. A partition that
  // fails fatally is dropped (a notice says why); the error is returned only when nothing can go on.
  Status step(int wait_ms);

  // In the consumer group until `stop` is set; then releases every partition and leaves the group.
  Status run(const std::atomic<bool>& stop);

  std::vector<int32_t> owned() const;
  // In the group (run()): how long this instance has held no partition, nullopt while it holds one
  // (or before run()). Safe to call from any thread: a gateway's /healthz reads it.
  std::optional<std::chrono::seconds> waiting_for_partitions() const;
  // Why an instance in a group may hold no partition, for whoever reports it: what the group's
  // coordinator last refused this member (a session timeout below the broker's floor, no right to
  // the group), or else the usual reasons. Safe to call from any thread.
  std::string idle_reason() const;
  const EngineLoopTotals& totals() const { return totals_; }
  const TopicLayout& layout() const { return layout_; }
  // The engine of an owned partition (tests); nullptr when not owned.
  const PartitionEngine* engine(int32_t partition) const;

  // librdkafka's rebalance callback (run() only).
  void on_rebalance(int error, void* partitions);

 private:
  struct Owned;
  struct Pending {
    int64_t offset = 0;
    std::string key;
    std::string value;
    std::optional<std::string> content_type;  // the message's header, when it has one
  };
  KafkaEngineLoop(EngineLoopOptions options, TopicNames names, TopicLayout layout, std::string scope);
  Status open_readers();
  Status assign_owned();
  // PartitionTakeover from what `owned` holds: the events offset reached, or -1 when another
  // instance won.
  Result<int64_t> take_over(Owned& owned);
  // The results of the last batch the takeover read, sent again (the same bytes): a previous owner
  // that died between its batch and its results (possible where transactions are not atomic, as on
  // the mock) leaves no command without an answer. On a real cluster a copy more, byte-identical.
  Status republish_last_results(Owned& owned);
  // Every card secret of p's P.card-secrets partition, into p's engine.
  Status load_card_secrets(Owned& owned);
  void read_control();
  Status read_commands(int wait_ms);
  std::optional<DecidedBatch> decide_partition(int32_t partition, Owned& owned);
  // A consumer error of P.commands (no partition end): said once, and kept for idle_reason().
  void note_consumer_error(const std::string& error);
  std::vector<OutgoingMessage> batch_messages(const DecidedBatch& decided, int32_t partition) const;
  void append_results(const std::vector<DecidedCommand>& commands, int32_t partition, uint64_t epoch,
                      std::vector<OutgoingMessage>& messages) const;
  void append_follow_ons(const std::vector<DecidedCommand>& commands,
                         std::vector<OutgoingMessage>& messages) const;
  Status checkpoint(Owned& owned);
  // The consumer group's offsets of P.commands, for lag monitoring: each partition's next command.
  void commit_group_offsets(const std::vector<std::pair<int32_t, int64_t>>& offsets);
  void drop(int32_t partition, const std::string& why);
  // In the group: a partition the group gave this instance but that it does not own (dropped, or
  // its takeover failed) is taken again later, backing off, until the group takes it away.
  void retry_later(int32_t partition);
  void retake_due();
  void say(const std::string& line) const;

  EngineLoopOptions options_;
  TopicNames names_;
  TopicLayout layout_;
  std::string scope_;  // of the checkpoints: the cluster's ID and the events topic
  std::unique_ptr<Clock> owned_clock_;
  Clock* clock_;
  std::unique_ptr<PartitionStore> store_;
  std::unique_ptr<KafkaClient> commands_;     // the group member (or explicitly assigned) on P.commands
  std::unique_ptr<KafkaClient> control_;      // P.control from its start
  std::vector<IncomingCommand> control_log_;  // every control command read, in offset order
  std::map<int32_t, std::unique_ptr<Owned>> owned_;
  std::map<int32_t, std::deque<Pending>> pending_;  // commands read, not yet decided
  EngineLoopTotals totals_;
  std::optional<Error> rebalance_error_;
  bool in_group_ = false;
  struct Retake {
    std::chrono::steady_clock::time_point at;
    std::chrono::milliseconds backoff;
  };
  std::map<int32_t, Retake> retakes_;  // assigned by the group, not owned
  // In the group, owning nothing since (steady clock, ns since its epoch); 0: owning some, or not run.
  std::atomic<int64_t> idle_since_ns_ = 0;
  mutable std::mutex refusal_mutex_;
  std::string group_refusal_;  // the consumer group's last error, "" once a partition is held
};

}  // namespace paystream
