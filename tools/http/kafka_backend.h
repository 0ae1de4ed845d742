#pragma once
// The API in Kafka mode (docs/kafka.md, "The HTTP API on Kafka"): a gateway that decides nothing
// itself. A command is published to P.commands (or P.control) and its answer awaited on P.results,
// matched by the partition and offset the broker gave its message; its events are then read from
// the projections this process keeps of P.events (so a query right after the answer shows them).
// Reads (queries, operators, parameters, agent trees) come from those projections and from the
// partitions' states evolved beside them. The engine instances run elsewhere or in the same
// process (`serve --kafka --listen`).
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "tools/http/api_backend.h"
#include "tools/kafka/command_sender.h"
#include "tools/kafka/partition_states.h"
#include "tools/kafka/projector.h"
#include "tools/kafka/results_index.h"

namespace paystream::http {

struct KafkaBackendOptions {
  KafkaConnection connection;
  std::string data_dir;  // the projections go to DIR/kafka-projections, the results to DIR/kafka-results
  int outcome_timeout_ms = 10'000;  // how long a request waits for its outcome before it is pending (202)
  int timeout_ms = 10'000;          // for metadata and the catch-up at start
  ProducerOptions producer{.delivery_timeout_ms = 10'000, .linger_ms = 1};
  TopicDefaults topics;
  // The consumer group told where the projections stand, for Kafka's lag tools.
  std::string projections_group = std::string(default_projections_group);
  std::function<void(const std::string&)> notice;  // progress lines ("" prefix added by the caller)
};

class KafkaBackend final : public ApiBackend {
 public:
  // Opens the projections and the results index, creates missing topics, reads both up to the
  // topics' current ends, and starts following them.
  static Result<std::unique_ptr<KafkaBackend>> open(const KafkaBackendOptions& options);
  ~KafkaBackend() override;

  Result<Outcome> submit(Command command) override;
  std::vector<Result<Outcome>> submit_all(std::vector<Command> commands) override;
  std::optional<Result<Outcome>> find_outcome(const std::string& command_id) const override;
  Result<Caller> authenticate_token(std::string_view token) const override;
  void read_control(const std::function<void(const LedgerState&)>& read) const override;
  void read_accounts_of(std::string_view account_id,
                        const std::function<void(const LedgerState&)>& read) const override;
  void read_account_states(const std::function<void(const LedgerState&)>& read) const override;
  const Projections& projections() const override;
  BackendPositions positions() const override;
  std::optional<std::string> failure() const override;
  std::optional<std::string> notice() const override;
  std::string unknown_command_reason() const override {
    return "no result of that ID is on the results topic: it was not published, or no engine instance "
           "has decided it yet";
  }
  // What the engine instance in this process says of itself (serve --kafka --listen): set once,
  // before the server starts.
  void set_engine_notice(std::function<std::optional<std::string>()> engine_notice) {
    engine_notice_ = std::move(engine_notice);
  }
  std::function<bool(std::string_view batch, std::string_view number)> card_placement() const override;

 private:
  struct Queued;
  struct Published;
  KafkaBackend() = default;
  // Checks, routes and queues the command on the producer.
  Result<Queued> queue(const Command& command);
  // Where the broker wrote it (acks=all), or why it did not.
  Result<Published> delivered(Result<Queued> queued) const;
  Result<Outcome> await(const Command& command, const Result<Published>& published,
                        std::chrono::steady_clock::time_point deadline);
  // A redemption's outcome completed with its card's payment, when the engine sent that on to the
  // account's partition (its result awaited by ID until payment_deadline, its events until
  // deadline); any other outcome as it is.
  Result<Outcome> with_card_payment(Result<Outcome> redeemed,
                                    std::chrono::steady_clock::time_point payment_deadline,
                                    std::chrono::steady_clock::time_point deadline) const;
  Result<Outcome> outcome_of(const CommandResult& result,
                             std::chrono::steady_clock::time_point deadline) const;
  Status check_before_publishing(const Command& command) const;
  Result<CommandRoute> route_of(const Command& command) const;
  void project();

  KafkaBackendOptions options_;
  std::unique_ptr<KafkaProjector> projector_;
  std::unique_ptr<PartitionStates> states_;
  std::unique_ptr<KafkaResultsIndex> results_;
  std::unique_ptr<KafkaCommandSender> sender_;
  std::atomic<bool> stop_ = false;
  std::thread projecting_;
  std::function<std::optional<std::string>()> engine_notice_;
  mutable std::mutex failure_mutex_;
  std::optional<std::string> failure_;  // set when the projections stopped on a corrupt history
};

}  // namespace paystream::http
