#pragma once
// The HTTP gateway's view of P.results (docs/kafka.md, "The results index"): one background thread
// follows every results partition (read_committed, from the offsets stored with the rows, never the
// group's), and keeps
//   - in DIR/kafka-results (KafkaResultsStore), the result that answers for each command ID: its
//     first ok result, or until one comes its latest refusal; written with the partitions' next
//     offsets in one WriteBatch per round;
//   - in memory, the last recent_results_max results read, by the command message they answer,
//     for wait().
// The same result read again (a takeover answers its last batch again; the mock shows aborted
// copies) is the same bytes, and changes nothing.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "engine/kafka_client/client.h"
#include "tools/kafka/result_decoding.h"
#include "tools/kafka/results_store.h"

namespace paystream {

class EventsFollower;
struct FollowedMessage;

// How many results wait() can still find after they were read (first in, first out).
inline constexpr size_t recent_results_max = 200'000;

class KafkaResultsIndex {
 public:
  // Reads the cluster's ID and the results topic's partition count (kafka_error when it does not
  // exist or the cluster does not answer within timeout_ms), and opens or creates the database in
  // `directory` (DIR/kafka-results); one of another cluster or topic prefix is refused
  // (invalid_argument). Reads nothing until start().
  static Result<std::unique_ptr<KafkaResultsIndex>> open(const KafkaConnection& connection,
                                                         const std::string& directory, int timeout_ms);
  // stop()s.
  ~KafkaResultsIndex();
  KafkaResultsIndex(const KafkaResultsIndex&) = delete;
  KafkaResultsIndex& operator=(const KafkaResultsIndex&) = delete;

  // Starts the thread that reads. A read error (a broker away, an offset deleted) is written to
  // stderr and retried from the stored offsets after a backoff (0.5 s doubling to 30 s); a message
  // that is not a result is skipped with one line on stderr. invalid_argument when started before.
  Status start();
  // Stops and joins the thread; waiters return. Idempotent.
  void stop();

  // The result of exactly one published command message: command_id as published on P.control
  // (from_control) or P.commands, at `partition` and `offset` (its delivery report's). Returns as
  // soon as it has been read, at once if it was read before the call, unless more than
  // recent_results_max results were read since (then, or after a restart, use lookup()). nullopt
  // at the deadline or when the index stops. Thread-safe: any number of threads wait at once.
  std::optional<CommandResult> wait(bool from_control, int32_t partition, int64_t offset,
                                    const std::string& command_id,
                                    std::chrono::steady_clock::time_point deadline);
  // The result that answers for `command_id` (first ok, else latest refusal) among those read and
  // written; nullopt when none was, or when the database fails (said on stderr). Thread-safe.
  std::optional<CommandResult> lookup(const std::string& command_id) const;
  // lookup(command_id) as soon as it finds a result: at once when one was read before the call (also
  // before a restart), else when a round brings one; nullopt at the deadline or when the index stops.
  // For a command this process did not publish and knows by its ID only (a card's payment, which
  // the engine sends on: docs/kafka.md, "Phone cards in Kafka mode"). Thread-safe.
  std::optional<CommandResult> wait_by_id(const std::string& command_id,
                                          std::chrono::steady_clock::time_point deadline);

  // Waits until every partition was read up to its end as of the call (its high watermark).
  // kafka_error naming a partition behind after timeout_ms, or when the index is not running.
  Status caught_up(int timeout_ms);

  // Since open(): results read and written, copies included; messages skipped as not results;
  // rounds that failed (a read or write error, then retried).
  uint64_t results_read() const { return results_read_; }
  uint64_t results_skipped() const { return results_skipped_; }
  uint64_t read_errors() const { return read_errors_; }
  int32_t partitions() const { return partitions_; }
  // "<cluster ID>/<results topic>"
  const std::string& scope() const { return store_->scope(); }

 private:
  // The command message a result answers.
  using ResultKey = std::tuple<bool, int32_t, int64_t, std::string>;  // from_control, partition, offset, ID

  KafkaResultsIndex() = default;
  void run();
  Status round();
  ResultsRound take(const std::vector<FollowedMessage>& messages);
  void publish(const ResultsRound& read);
  void remember(const CommandResult& result);
  bool pause(int duration_ms);
  std::map<int32_t, int64_t> from_offsets() const;

  KafkaConnection connection_;
  std::string topic_;
  int32_t partitions_ = 0;
  std::unique_ptr<KafkaResultsStore> store_;
  std::unique_ptr<KafkaClient> watermarks_;  // caught_up()'s own handle: the thread owns the follower

  // The reading thread's own.
  std::unique_ptr<EventsFollower> follower_;
  std::map<int32_t, int64_t> reading_;  // next offsets, ahead of the store by the round being read
  std::thread thread_;

  std::mutex mutex_;  // guards what follows; cv_ is signalled on each round written and on stop
  std::condition_variable cv_;
  bool running_ = false;
  bool stopping_ = false;
  std::map<int32_t, int64_t> next_offsets_;  // as written
  uint64_t rounds_written_ = 0;              // rounds with results, written and published
  std::map<ResultKey, CommandResult> recent_;
  std::deque<std::map<ResultKey, CommandResult>::iterator> recent_order_;

  std::atomic<uint64_t> results_read_ = 0;
  std::atomic<uint64_t> results_skipped_ = 0;
  std::atomic<uint64_t> read_errors_ = 0;
};

}  // namespace paystream
