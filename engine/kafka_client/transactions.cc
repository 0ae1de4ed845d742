#include "engine/kafka_client/transactions.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

namespace paystream {
namespace {

constexpr int attempts_max = 5;  // of a call librdkafka says may be retried
constexpr int queue_full_poll_ms = 100;

// Takes ownership of `error` (may be null) and describes it.
struct TransactionError {
  bool ok = true;
  bool retriable = false;
  bool requires_abort = false;
  Error error{Errc::kafka_error, ""};
};

TransactionError classify(rd_kafka_error_t* error, std::string_view what) {
  TransactionError result;
  if (error == nullptr) return result;
  result.ok = false;
  result.retriable = rd_kafka_error_is_retriable(error) != 0;
  result.requires_abort = rd_kafka_error_txn_requires_abort(error) != 0;
  result.error =
      make_error(Errc::kafka_error,
                 fmt::format("{}: {} ({}){}", what, rd_kafka_error_string(error), rd_kafka_error_name(error),
                             rd_kafka_error_is_fatal(error) ? ", fatal" : ""));
  rd_kafka_error_destroy(error);
  return result;
}

// Calls `call` until it succeeds or fails with an error that retrying will not fix.
template <class Call>
TransactionError with_retries(Call&& call, std::string_view what) {
  TransactionError result;
  for (int attempt = 0; attempt < attempts_max; ++attempt) {
    result = classify(call(), what);
    if (result.ok || !result.retriable) return result;
  }
  return result;
}

}  // namespace

Result<std::unique_ptr<TransactionalProducer>> TransactionalProducer::open(
    const KafkaEndpoint& endpoint, std::string_view transactional_id, const TransactionOptions& options) {
  Result<KafkaConfig> config = client_config(endpoint);
  if (!config) return config.error();
  if (Status set = config->set("transactional.id", transactional_id); !set) return set.error();
  if (Status set = config->set("transaction.timeout.ms", std::to_string(options.transaction_timeout_ms));
      !set) {
    return set.error();
  }
  Result<std::unique_ptr<KafkaClient>> client =
      KafkaClient::create(KafkaClientType::producer, std::move(*config));
  if (!client) return client.error();
  rd_kafka_t* handle = (*client)->native();
  const TransactionError initialized =
      with_retries([&] { return rd_kafka_init_transactions(handle, options.timeout_ms); },
                   fmt::format("cannot start transactions as '{}'", transactional_id));
  if (!initialized.ok) return initialized.error;
  return std::unique_ptr<TransactionalProducer>(new TransactionalProducer(std::move(*client), options));
}

Status TransactionalProducer::begin() {
  const TransactionError begun =
      classify(rd_kafka_begin_transaction(client_->native()), "cannot begin a transaction");
  if (!begun.ok) return begun.error;
  return ok_status();
}

Status TransactionalProducer::produce(const OutgoingMessage& message) {
  rd_kafka_vu_t fields[5];
  fields[0].vtype = RD_KAFKA_VTYPE_TOPIC;
  fields[0].u.cstr = message.topic.c_str();
  fields[1].vtype = RD_KAFKA_VTYPE_PARTITION;
  fields[1].u.i32 = message.partition;
  fields[2].vtype = RD_KAFKA_VTYPE_VALUE;
  fields[2].u.mem = {const_cast<char*>(message.value.data()), message.value.size()};
  fields[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  fields[3].u.i32 = RD_KAFKA_MSG_F_COPY;
  fields[4].vtype = RD_KAFKA_VTYPE_KEY;
  fields[4].u.mem = {const_cast<char*>(message.key.data()), message.key.size()};
  const size_t field_count = message.key.empty() ? 4 : 5;
  for (int attempt = 0;; ++attempt) {
    rd_kafka_error_t* error = rd_kafka_produceva(client_->native(), fields, field_count);
    if (error == nullptr) return ok_status();
    // A full local queue drains as the transaction's messages are sent; anything else is final.
    if (rd_kafka_error_code(error) != RD_KAFKA_RESP_ERR__QUEUE_FULL ||
        attempt * queue_full_poll_ms >= options_.timeout_ms) {
      return classify(error, fmt::format("cannot queue a message for topic '{}' partition {}", message.topic,
                                         message.partition))
          .error;
    }
    rd_kafka_error_destroy(error);
    rd_kafka_poll(client_->native(), queue_full_poll_ms);
  }
}

Result<CommitOutcome> TransactionalProducer::commit() {
  const auto started = std::chrono::steady_clock::now();
  const TransactionError committed = with_retries(
      [&] { return rd_kafka_commit_transaction(client_->native(), options_.timeout_ms); }, "cannot commit");
  commit_time_ += std::chrono::steady_clock::now() - started;
  if (committed.ok) return CommitOutcome::committed;
  if (!committed.requires_abort) return committed.error;
  if (Status aborted = abort(); !aborted) return aborted.error();
  return CommitOutcome::aborted;
}

Status TransactionalProducer::abort() {
  const TransactionError aborted = with_retries(
      [&] { return rd_kafka_abort_transaction(client_->native(), options_.timeout_ms); }, "cannot abort");
  if (!aborted.ok) return aborted.error;
  return ok_status();
}

Result<CommitOutcome> TransactionalProducer::write(const std::vector<OutgoingMessage>& messages) {
  if (Status begun = begin(); !begun) return begun.error();
  for (const OutgoingMessage& message : messages) {
    if (Status produced = produce(message); !produced) {
      // A message that cannot even be queued poisons the transaction: abort it if we still can.
      if (Status aborted = abort(); !aborted) return aborted.error();
      return produced.error();
    }
  }
  return commit();
}

}  // namespace paystream
