#include "tools/commands/publish.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "engine/kafka/command_intake.h"
#include "engine/kafka_client/admin.h"
#include "engine/kafka_client/routing.h"
#include "events/codec.h"
#include "tools/commands/kafka_command_json.h"
#include "tools/runtime/command_json.h"

namespace paystream {
namespace {

using json = nlohmann::json;

constexpr int finish_poll_ms = 100;

// The line as the engine reads JSON (kafka_command_json.h): what `command` was read from, with the
// command ID and operator it was given where the line had none.
std::string json_message(std::string_view line, const Command& command) {
  json object = json::parse(line.begin(), line.end());
  object["command_id"] = command.command_id;
  object["operator"] = command.operator_name;
  return object.dump();
}

}  // namespace

struct CommandPublisher::Pending {
  uint64_t line = 0;
  std::string command_id;
  const std::string* topic = nullptr;
  std::optional<json> outcome;  // set once known
};

Result<std::unique_ptr<CommandPublisher>> CommandPublisher::open(const PublishOptions& options,
                                                                 std::ostream& out) {
  Result<TopicNames> names = topic_names(options.connection.topic_prefix);
  if (!names) return names.error();
  Result<std::unique_ptr<KafkaProducer>> producer =
      KafkaProducer::open(options.connection.endpoint(), options.producer);
  if (!producer) return producer.error();
  AdminTopicCreator creator((*producer)->client(), options.topic_timeout_ms);
  Result<TopicLayout> layout =
      ensure_topics((*producer)->client(), *names, options.topics, creator, options.topic_timeout_ms);
  if (!layout) return layout.error();
  return std::unique_ptr<CommandPublisher>(
      new CommandPublisher(options, std::move(*names), *layout, std::move(*producer), out));
}

CommandPublisher::CommandPublisher(const PublishOptions& options, TopicNames names, TopicLayout layout,
                                   std::unique_ptr<KafkaProducer> producer, std::ostream& out)
    : default_operator_(options.default_operator),
      as_json_(options.as_json),
      names_(std::move(names)),
      layout_(layout),
      producer_(std::move(producer)),
      out_(out) {}

CommandPublisher::~CommandPublisher() = default;

void CommandPublisher::refuse(uint64_t line_number, std::string command_id, const Error& error) {
  ++totals_.malformed;
  json outcome = {{"line", line_number},
                  {"command_id", command_id},
                  {"ok", false},
                  {"error", {{"code", errc_name(error.code)}, {"message", error.message}}}};
  pending_.push_back({line_number, std::move(command_id), nullptr, std::move(outcome)});
  print_completed();
}

void CommandPublisher::record_failure(uint64_t line_number, const Error& error) {
  ++totals_.failed;
  if (totals_.first_failure_line == 0 || line_number < totals_.first_failure_line) {
    totals_.first_failure_line = line_number;
    totals_.first_failure = fmt::format("line {}: {}", line_number, error.message);
  }
}

void CommandPublisher::publish_line(uint64_t line_number, std::string_view text) {
  Result<KafkaCommand> read = kafka_command_from_json_text(text, default_operator_);
  if (!read) return refuse(line_number, command_id_of_json_text(text), read.error());
  Command& command = read->command;
  if (command.command_id.empty()) command.command_id = generate_command_id();
  Result<CommandRoute> route = route_command(command, read->reversal_account);
  if (!route) return refuse(line_number, command.command_id, route.error());
  const std::string value = as_json_ ? json_message(text, command) : encode_command(command);
  if (value.size() > encoded_command_bytes_max) {
    return refuse(line_number, command.command_id,
                  make_error(Errc::invalid_argument,
                             fmt::format("the command is {} bytes encoded, over the limit of {}",
                                         value.size(), encoded_command_bytes_max)));
  }
  const std::string& topic = names_.of(route->topic);
  const int32_t partitions = route->topic == TopicKind::control ? 1 : layout_.command_partitions;
  const uint64_t token = first_token_ + pending_.size();
  pending_.push_back({line_number, command.command_id, &topic, std::nullopt});
  const std::vector<std::pair<std::string, std::string>> headers =
      as_json_ ? std::vector<std::pair<std::string, std::string>>{{std::string(content_type_header),
                                                                   std::string(json_content_type)}}
               : std::vector<std::pair<std::string, std::string>>{};
  Status queued =
      producer_->produce(topic, partition_of_key(route->key, partitions), route->key, value, token, headers);
  if (!queued) {
    // Not queued, so no report will come: it is a failed delivery now.
    record_failure(line_number, queued.error());
    pending_.back().outcome =
        json{{"line", line_number},
             {"command_id", command.command_id},
             {"ok", false},
             {"error", {{"code", errc_name(queued.error().code)}, {"message", queued.error().message}}}};
  }
  print_completed();
}

void CommandPublisher::poll(int timeout_ms) {
  for (Delivery& delivery : producer_->poll(timeout_ms)) {
    PAYSTREAM_ASSERT(delivery.token >= first_token_ && delivery.token - first_token_ < pending_.size());
    Pending& pending = pending_[delivery.token - first_token_];
    PAYSTREAM_ASSERT(!pending.outcome);  // one report per message
    json outcome = {{"line", pending.line}, {"command_id", pending.command_id}, {"ok", delivery.status.ok()}};
    if (delivery.status) {
      ++totals_.delivered;
      outcome["topic"] = *pending.topic;
      outcome["partition"] = delivery.partition;
      outcome["offset"] = delivery.offset;
    } else {
      const Error& error = delivery.status.error();
      record_failure(pending.line, error);
      outcome["error"] = {{"code", errc_name(error.code)}, {"message", error.message}};
    }
    pending.outcome = std::move(outcome);
  }
  print_completed();
}

void CommandPublisher::print_completed() {
  bool printed = false;
  while (!pending_.empty() && pending_.front().outcome) {
    // Invalid UTF-8 in a refused line's message must not end the run: replace it.
    out_ << pending_.front().outcome->dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
    pending_.pop_front();
    ++first_token_;
    printed = true;
  }
  if (printed) out_.flush();
}

PublishTotals CommandPublisher::finish() {
  // Every queued message gets a report within the delivery timeout, success or failure.
  while (!pending_.empty()) poll(finish_poll_ms);
  return totals_;
}

int run_publish(const PublishOptions& options, std::istream& in, std::ostream& out, std::ostream& err) {
  Result<std::unique_ptr<CommandPublisher>> publisher = CommandPublisher::open(options, out);
  if (!publisher) {
    const Error& error = publisher.error();
    err << "paystream: " << error.message << " [" << errc_name(error.code) << "]\n";
    return is_usage_error(error.code) ? 2 : 1;
  }
  uint64_t number = 0;
  std::string text;
  while (std::getline(in, text)) {
    ++number;
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    (*publisher)->publish_line(number, text);
    // When the input pauses, settle what was sent, so a slow producer still gets prompt answers.
    if (in.rdbuf()->in_avail() <= 0) {
      (*publisher)->finish();
    } else {
      (*publisher)->poll(0);
    }
  }
  const PublishTotals totals = (*publisher)->finish();
  if (in.bad()) {
    err << fmt::format("paystream: reading the input failed after line {}\n", number);
    return 1;
  }
  if (totals.failed > 0) {
    err << fmt::format("paystream: {} of {} commands were not published; the first: {} [kafka_error]\n",
                       totals.failed, totals.failed + totals.delivered, totals.first_failure);
    return 1;
  }
  return totals.malformed > 0 ? 3 : 0;
}

}  // namespace paystream
