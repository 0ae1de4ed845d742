#pragma once
// A transactional Kafka producer: the engine's writer of one owned partition
// (transactional.id = <prefix>.engine.<partition>, docs/kafka.md). On a real cluster,
// init_transactions fences an older producer of the same transactional.id and aborts its open
// transaction, and readers with read_committed never see an aborted or unfinished transaction.
// librdkafka 2.0.2's mock cluster does neither, so the data carries its own guard
// (events/kafka/batch_acceptance.h). Not thread-safe: one owner thread.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/kafka_client/client.h"

namespace paystream {

struct TransactionOptions {
  int timeout_ms = 30'000;              // for each of init, commit and abort
  int transaction_timeout_ms = 60'000;  // the broker aborts a transaction left open this long
};

struct OutgoingMessage {
  std::string topic;
  int32_t partition = 0;
  std::string key;  // empty: no key
  std::string value;
};

enum class CommitOutcome {
  committed,
  aborted,  // an error required an abort: nothing of the transaction counts; send it again
};

class TransactionalProducer {
 public:
  // Creates the producer and runs init_transactions. kafka_error when the coordinator cannot be
  // reached within the timeout, or the cluster refuses transactions.
  static Result<std::unique_ptr<TransactionalProducer>> open(const KafkaEndpoint& endpoint,
                                                             std::string_view transactional_id,
                                                             const TransactionOptions& options);
  ~TransactionalProducer() = default;
  TransactionalProducer(const TransactionalProducer&) = delete;
  TransactionalProducer& operator=(const TransactionalProducer&) = delete;

  // The steps of one transaction. A kafka_error from any of them means the producer cannot go on
  // (fenced by a newer instance, a fatal error, or no answer within the timeout): drop it, and with
  // it the partition.
  Status begin();
  Status produce(const OutgoingMessage& message);
  // Flushes the transaction's messages and commits them. An error that requires an abort aborts
  // the transaction here and gives CommitOutcome::aborted.
  Result<CommitOutcome> commit();
  Status abort();

  // begin, produce each message, commit: one batch, one transaction.
  Result<CommitOutcome> write(const std::vector<OutgoingMessage>& messages);

  KafkaClient& client() { return *client_; }
  // Time spent in commit() since the producer was opened: waiting for the brokers to acknowledge the
  // transaction's messages, then for its coordinator to end it (what a benchmark reports).
  std::chrono::nanoseconds commit_time() const { return commit_time_; }

 private:
  TransactionalProducer(std::unique_ptr<KafkaClient> client, const TransactionOptions& options)
      : client_(std::move(client)), options_(options) {}
  std::unique_ptr<KafkaClient> client_;
  TransactionOptions options_;
  std::chrono::nanoseconds commit_time_{0};
};

}  // namespace paystream
