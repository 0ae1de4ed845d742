#include "tools/http/kafka_backend.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "events/log_format.h"
#include "tools/http/auth.h"

namespace paystream::http {
namespace {

using Clock = std::chrono::steady_clock;

Clock::time_point after_ms(int ms) { return Clock::now() + std::chrono::milliseconds(ms); }

Error pending(std::string message) { return make_error(Errc::outcome_pending, std::move(message)); }

// A pending answer says why when this server knows a reason (its engine holds no partition).
std::string with_notice(std::string message, const std::optional<std::string>& notice) {
  if (notice) message += fmt::format(" ({})", *notice);
  return message;
}

// Startup reads the whole history once; a long one needs more than a metadata timeout.
constexpr int catch_up_timeout_factor = 60;

}  // namespace

struct KafkaBackend::Queued {
  std::future<Delivery> delivery;
  bool from_control = false;
};

struct KafkaBackend::Published {
  bool from_control = false;
  int32_t partition = 0;
  int64_t offset = 0;
};

Result<std::unique_ptr<KafkaBackend>> KafkaBackend::open(const KafkaBackendOptions& options) {
  std::unique_ptr<KafkaBackend> backend(new KafkaBackend());
  backend->options_ = options;
  const std::filesystem::path data = options.data_dir;
  std::error_code made;
  std::filesystem::create_directories(data, made);
  // The sender first: it creates missing topics, which the readers below need.
  Result<std::unique_ptr<KafkaCommandSender>> sender =
      KafkaCommandSender::open(options.connection, options.producer, options.topics, options.timeout_ms);
  if (!sender) return sender.error();
  backend->sender_ = std::move(*sender);
  ProjectorOptions projector_options{.connection = options.connection,
                                     .directory = (data / kafka_projections_dir_name).string(),
                                     .timeout_ms = options.timeout_ms,
                                     .offsets_group = options.projections_group};
  Result<std::unique_ptr<KafkaProjector>> projector = KafkaProjector::open(projector_options);
  if (!projector) return projector.error();
  backend->projector_ = std::move(*projector);
  Result<std::unique_ptr<PartitionStates>> states =
      PartitionStates::load(backend->projector_->store(), backend->projector_->partitions());
  if (!states) return states.error();
  backend->states_ = std::move(*states);
  backend->projector_->on_written([states = backend->states_.get()](
                                      const std::vector<CheckedBatch>& batches) { states->apply(batches); });
  Result<std::unique_ptr<KafkaResultsIndex>> results =
      KafkaResultsIndex::open(options.connection, (data / "kafka-results").string(), options.timeout_ms);
  if (!results) return results.error();
  backend->results_ = std::move(*results);
  const int catch_up_ms = options.timeout_ms * catch_up_timeout_factor;
  if (Status caught = backend->projector_->catch_up(catch_up_ms); !caught) return caught.error();
  if (Status started = backend->results_->start(); !started) return started.error();
  if (Status caught = backend->results_->caught_up(catch_up_ms); !caught) return caught.error();
  backend->projecting_ = std::thread([raw = backend.get()] { raw->project(); });
  return backend;
}

KafkaBackend::~KafkaBackend() {
  stop_ = true;
  if (projecting_.joinable()) projecting_.join();
  if (results_) results_->stop();
}

// Follows P.events for the life of the server. A read error is retried with backoff; a corrupt or
// broken history stops the projections at the bad offset, as `project --kafka` does.
void KafkaBackend::project() {
  int backoff_ms = 1000;
  while (!stop_) {
    const Status stepped = projector_->step(100);
    if (stepped) {
      backoff_ms = 1000;
      continue;
    }
    if (options_.notice) options_.notice(fmt::format("projections: {}", stepped.error().message));
    if (stepped.error().code != Errc::kafka_error) {
      if (options_.notice)
        options_.notice("projections stopped: queries show the history up to the bad offset");
      std::lock_guard lock(failure_mutex_);
      failure_ = fmt::format("the projections stopped: {}", stepped.error().message);
      return;
    }
    for (int waited = 0; waited < backoff_ms && !stop_; waited += 100) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    backoff_ms = std::min(backoff_ms * 2, 60'000);
  }
}

Result<CommandRoute> KafkaBackend::route_of(const Command& command) const {
  const auto* reverse = std::get_if<Reverse>(&command.body);
  if (reverse == nullptr) return route_command(command, "");
  // A reversal goes to the partition of the record's account, which the projections know.
  const uint64_t record = reverse->record.value;
  const int32_t partition = partition_of_position(record);
  const Error unknown =
      make_error(Errc::record_not_found, fmt::format("payment record {} does not exist", record));
  if (partition >= projector_->partitions() || record <= partition_base(partition)) return unknown;
  std::string account;
  bool known = false;
  states_->read(partition, [&](const LedgerState& state) { known = state.last_position.value >= record; });
  if (!known) return unknown;
  Status read = projector_->store().scan_partition(partition, record, record, [&](const Event& event) {
    account = event.account_id;
    return ok_status();
  });
  if (!read) return read.error();
  if (account.empty()) return unknown;
  return route_command(command, account);
}

// What a partition cannot check in Kafka mode, checked here for a clear answer (docs/kafka.md,
// "Operators in Kafka mode"): an agent operator's agent account.
Status KafkaBackend::check_before_publishing(const Command& command) const {
  const auto* add = std::get_if<AddOperator>(&command.body);
  if (add == nullptr || add->settings.role != OperatorRole::agent || add->settings.agent_account.empty()) {
    return ok_status();
  }
  const std::string& agent = add->settings.agent_account;
  Status status = ok_status();
  read_accounts_of(agent, [&](const LedgerState& state) {
    const AccountState* account = state.find(agent);
    if (account == nullptr) {
      status = make_error(Errc::account_not_found, fmt::format("account '{}' does not exist", agent));
    } else if (account->settings.type != AccountType::agent) {
      status =
          make_error(Errc::invalid_argument, fmt::format("account '{}' is a {} account, not an agent", agent,
                                                         account_type_name(account->settings.type)));
    }
  });
  return status;
}

Result<KafkaBackend::Queued> KafkaBackend::queue(const Command& command) {
  if (Status checked = check_before_publishing(command); !checked) return checked.error();
  Result<CommandRoute> route = route_of(command);
  if (!route) return route.error();
  Result<std::future<Delivery>> sent = sender_->send(command, *route);
  if (!sent) return sent.error();
  return Queued{std::move(*sent), route->topic == TopicKind::control};
}

Result<KafkaBackend::Published> KafkaBackend::delivered(Result<Queued> queued) const {
  if (!queued) return queued.error();
  // The producer answers within its delivery timeout; the margin only guards against a lost report.
  if (queued->delivery.wait_for(std::chrono::milliseconds(options_.producer.delivery_timeout_ms + 5'000)) !=
      std::future_status::ready) {
    return make_error(Errc::kafka_error, "the producer gave no delivery report");
  }
  const Delivery delivery = queued->delivery.get();
  if (!delivery.status) return delivery.status.error();
  return Published{queued->from_control, delivery.partition, delivery.offset};
}

Result<Outcome> KafkaBackend::await(const Command& command, const Result<Published>& published,
                                    Clock::time_point deadline) {
  if (!published) return published.error();
  const std::optional<CommandResult> result = results_->wait(published->from_control, published->partition,
                                                             published->offset, command.command_id, deadline);
  if (!result) {
    return pending(with_notice(
        fmt::format("command '{}' was published ({} partition {}, offset {}) but its outcome did not come "
                    "within {} ms; it will be decided once an engine instance runs: look it up with "
                    "GET /v1/commands/{{id}}",
                    command.command_id, published->from_control ? "control" : "commands",
                    published->partition, published->offset, options_.outcome_timeout_ms),
        notice()));
  }
  return with_card_payment(outcome_of(*result, deadline), deadline, deadline);
}

// A card paying an account of another partition (docs/kafka.md, "Phone cards in Kafka mode"): the
// redemption's outcome is the card's CardRedeemed alone, and the payment is decided on the account's
// partition, under an ID derived from it. The answer is the payment's: its refusal (the card is
// given back), or the redemption's event and the payment record, as the embedded ledger answers.
Result<Outcome> KafkaBackend::with_card_payment(Result<Outcome> redeemed, Clock::time_point payment_deadline,
                                                Clock::time_point deadline) const {
  if (!redeemed || redeemed->events.size() != 1 || redeemed->events[0].type != EventType::card_redeemed) {
    return redeemed;
  }
  const Event& redemption = redeemed->events[0];
  const std::string payment_id = card_payment_command_id(redemption.card_number, redemption.position);
  const std::optional<CommandResult> result = results_->wait_by_id(payment_id, payment_deadline);
  if (!result) {
    return pending(with_notice(
        fmt::format("command '{}' used card {} (record {}) and sent the payment of its value into account "
                    "'{}' on to the account's partition as command '{}', whose outcome has not come yet; "
                    "look either up with GET /v1/commands/{{id}} (a refused payment gives the card back)",
                    redemption.command_id, redemption.card_number, redemption.position.value,
                    redemption.card_account, payment_id),
        notice()));
  }
  Result<Outcome> paid = outcome_of(*result, deadline);
  if (!paid) return paid;
  Outcome outcome = std::move(redeemed).value();
  outcome.events.insert(outcome.events.end(), paid->events.begin(), paid->events.end());
  return outcome;
}

Result<Outcome> KafkaBackend::outcome_of(const CommandResult& result, Clock::time_point deadline) const {
  if (!result.ok) {
    // A refusal recorded by events (a wrong card PIN, a card's payment refused) is answered once this
    // server's projections hold them, so that a query after the answer shows them (a card's PIN
    // failures); it is the answer even if they do not come by the deadline.
    if (!result.positions.empty()) {
      (void)states_->wait_applied(*std::max_element(result.positions.begin(), result.positions.end()),
                                  deadline);
    }
    return make_error(errc_from_name(result.error_code).value_or(Errc::corruption), result.error_message);
  }
  if (result.positions.empty()) {
    return make_error(Errc::corruption,
                      fmt::format("the result of command '{}' names no events", result.command_id));
  }
  const auto [first, last] = std::minmax_element(result.positions.begin(), result.positions.end());
  if (!states_->wait_applied(*last, deadline)) {
    return pending(
        fmt::format("command '{}' was decided (record {}) but its events are not in this server's "
                    "projections yet: look it up with GET /v1/commands/{{id}}",
                    result.command_id, *first));
  }
  Outcome outcome{{}, result.duplicate};
  Status read = projector_->store().scan_partition(partition_of_position(*first), *first, *last,
                                                   [&](const Event& event) {
                                                     outcome.events.push_back(event);
                                                     return ok_status();
                                                   });
  if (!read) return read.error();
  return outcome;
}

Result<Outcome> KafkaBackend::submit(Command command) {
  if (command.command_id.empty()) command.command_id = generate_command_id();
  Result<Published> published = delivered(queue(command));
  return await(command, published, after_ms(options_.outcome_timeout_ms));
}

std::vector<Result<Outcome>> KafkaBackend::submit_all(std::vector<Command> commands) {
  // All queued first, in order (one partition's keep their order), then awaited: the batch costs
  // one round of latency, not one per command.
  std::vector<Result<Queued>> queued;
  queued.reserve(commands.size());
  for (Command& command : commands) {
    if (command.command_id.empty()) command.command_id = generate_command_id();
    queued.push_back(queue(command));
  }
  std::vector<Result<Published>> published;
  published.reserve(commands.size());
  for (Result<Queued>& one : queued) published.push_back(delivered(std::move(one)));
  std::vector<Result<Outcome>> outcomes;
  outcomes.reserve(commands.size());
  // One deadline for the batch: a batch nobody answers waits the timeout once, not once per command.
  const Clock::time_point deadline = after_ms(options_.outcome_timeout_ms);
  for (size_t i = 0; i < commands.size(); ++i) outcomes.push_back(await(commands[i], published[i], deadline));
  return outcomes;
}

std::optional<Result<Outcome>> KafkaBackend::find_outcome(const std::string& command_id) const {
  const std::optional<CommandResult> result = results_->lookup(command_id);
  if (!result) return std::nullopt;
  // A redemption answers as when it was submitted, but its payment's result is not waited for.
  const Clock::time_point deadline = after_ms(options_.outcome_timeout_ms);
  return with_card_payment(outcome_of(*result, deadline), Clock::now(), deadline);
}

Result<Caller> KafkaBackend::authenticate_token(std::string_view token) const {
  // Every partition applies the same control commands; partition 0's state is as good as any.
  Result<Caller> caller = make_error(Errc::unauthenticated, "");
  states_->read(0, [&](const LedgerState& state) { caller = caller_of_token(state, token); });
  return caller;
}

void KafkaBackend::read_control(const std::function<void(const LedgerState&)>& read) const {
  states_->read(0, read);
}

void KafkaBackend::read_accounts_of(std::string_view account_id,
                                    const std::function<void(const LedgerState&)>& read) const {
  // An account and its agent tree share the account's partition (docs/kafka.md).
  states_->read(partition_of_key(account_id, projector_->partitions()), read);
}

void KafkaBackend::read_account_states(const std::function<void(const LedgerState&)>& read) const {
  for (int32_t partition = 0; partition < states_->partitions(); ++partition) states_->read(partition, read);
}

const Projections& KafkaBackend::projections() const { return projector_->store().projections(); }

std::function<bool(std::string_view, std::string_view)> KafkaBackend::card_placement() const {
  const int32_t partitions = projector_->partitions();
  return [partitions](std::string_view batch, std::string_view number) {
    return partition_of_key(number, partitions) == partition_of_key(batch, partitions);
  };
}

std::optional<std::string> KafkaBackend::notice() const {
  return engine_notice_ ? engine_notice_() : std::nullopt;
}

std::optional<std::string> KafkaBackend::failure() const {
  std::lock_guard lock(failure_mutex_);
  return failure_;
}

BackendPositions KafkaBackend::positions() const {
  return BackendPositions{states_->events_applied(), projector_->lag_offsets()};
}

}  // namespace paystream::http
