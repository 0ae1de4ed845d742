#pragma once
// `paystream publish`: commands given as JSON lines (the input of `paystream apply`, tools/
// command_json.h) published to Kafka as Cap'n Proto `Command` messages (events/codec.h), keyed and
// partitioned as engine/kafka_client/routing.h says, by an idempotent producer. One JSON outcome line per
// non-blank input line, in input order, once that command's delivery is known: where it was written
// (topic, partition, offset) or why not. docs/kafka.md has the format and the guarantees.
#include <cstdint>
#include <deque>
#include <istream>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "engine/kafka_client/producer.h"
#include "engine/kafka_client/topics.h"

namespace paystream {

struct PublishOptions {
  KafkaConnection connection;
  std::string default_operator = "admin";
  TopicDefaults topics;  // used only for topics that do not exist yet
  ProducerOptions producer;
  int topic_timeout_ms = 30'000;  // reading the metadata and creating missing topics
  // Publish each command as its JSON (content-type: application/json) rather than Cap'n Proto,
  // with the "command_id" and "operator" filled in that the line left out.
  bool as_json = false;
};

struct PublishTotals {
  uint64_t delivered = 0;
  uint64_t malformed = 0;     // refused before publishing: nothing was published for them
  uint64_t failed = 0;        // published but not delivered
  std::string first_failure;  // "line N: message" of the failed delivery of the lowest line
  uint64_t first_failure_line = 0;
};

class CommandPublisher {
 public:
  // Connects and makes sure the four topics exist, creating missing ones with the Admin API.
  // Outcome lines go to `out`, which must outlive the publisher.
  static Result<std::unique_ptr<CommandPublisher>> open(const PublishOptions& options, std::ostream& out);
  ~CommandPublisher();
  CommandPublisher(const CommandPublisher&) = delete;
  CommandPublisher& operator=(const CommandPublisher&) = delete;

  // One input line (not blank). A line that does not hold a valid command gets its error outcome
  // at once (after the lines before it) and nothing is published for it.
  void publish_line(uint64_t line_number, std::string_view text);
  // Serves delivery reports for up to timeout_ms and prints every outcome now complete, in order.
  void poll(int timeout_ms);
  // Waits for every outstanding delivery report (each is bounded by the delivery timeout), prints
  // the remaining outcomes and returns the totals.
  PublishTotals finish();

  int32_t command_partitions() const { return layout_.command_partitions; }

 private:
  struct Pending;
  CommandPublisher(const PublishOptions& options, TopicNames names, TopicLayout layout,
                   std::unique_ptr<KafkaProducer> producer, std::ostream& out);
  void refuse(uint64_t line_number, std::string command_id, const Error& error);
  void record_failure(uint64_t line_number, const Error& error);
  void print_completed();

  std::string default_operator_;
  bool as_json_ = false;
  TopicNames names_;
  TopicLayout layout_;
  std::unique_ptr<KafkaProducer> producer_;
  std::ostream& out_;
  std::deque<Pending> pending_;  // input order; the front is the oldest line not printed yet
  uint64_t first_token_ = 0;     // token of pending_.front()
  PublishTotals totals_;
};

// Reads `in` to its end. Exit code: 0 when every command was delivered, 3 when some lines were
// malformed (the others were published), 1 when any delivery failed or the topics could not be
// checked (reported on `err` with the line of the first failure), 2 for an invalid topic prefix or
// Kafka setting.
int run_publish(const PublishOptions& options, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace paystream
