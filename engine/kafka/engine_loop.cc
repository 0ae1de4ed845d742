#include "engine/kafka/engine_loop.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include <future>
#include <random>

#include "engine/domain/state_codec.h"
#include "engine/kafka/command_intake.h"
#include "engine/kafka/results.h"
#include "engine/kafka_client/events_reader.h"
#include "engine/kafka_client/metadata.h"
#include "engine/kafka_client/routing.h"
#include "engine/kafka_client/takeover.h"

namespace paystream {
namespace {

// A dropped partition is taken again after 1 s, then 2, 4... at most a minute apart.
constexpr std::chrono::milliseconds retake_backoff_first{1'000};
constexpr std::chrono::milliseconds retake_backoff_max{60'000};

using PartitionList =
    std::unique_ptr<rd_kafka_topic_partition_list_t, void (*)(rd_kafka_topic_partition_list_t*)>;
using Message = std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)>;

PartitionList partition_list(int size) {
  return PartitionList(rd_kafka_topic_partition_list_new(size), &rd_kafka_topic_partition_list_destroy);
}

Message poll(KafkaClient& client, int timeout_ms) {
  return Message(rd_kafka_consumer_poll(client.native(), timeout_ms), &rd_kafka_message_destroy);
}

std::string owner_id() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  return fmt::format("{:016x}{:016x}", random(), random());
}

void rebalance_callback(rd_kafka_t* /*client*/, rd_kafka_resp_err_t error,
                        rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  static_cast<KafkaEngineLoop*>(opaque)->on_rebalance(error, partitions);
}

Result<std::unique_ptr<KafkaClient>> consumer(const EngineLoopOptions& options, const std::string& group,
                                              KafkaEngineLoop* rebalance_to) {
  Result<KafkaConfig> config = client_config(options.connection.endpoint());
  if (!config) return config.error();
  for (const auto& [name, value] : {std::pair<std::string_view, std::string>{"group.id", group},
                                    {"enable.auto.commit", "false"},
                                    {"enable.auto.offset.store", "false"},
                                    // An offset that is no longer there (retention deleted unread commands)
                                    // must stop the partition, never skip to another offset silently.
                                    {"auto.offset.reset", "error"},
                                    {"isolation.level", "read_committed"},
                                    {"fetch.wait.max.ms", std::to_string(options.fetch_wait_ms)}}) {
    if (Status set = config->set(name, value); !set) return set.error();
  }
  if (rebalance_to != nullptr) {
    for (const auto& [name, value] : options.consumer_settings) {
      if (Status set = config->set(name, value); !set) return set.error();
    }
    rd_kafka_conf_set_rebalance_cb(config->native(), &rebalance_callback);
    rd_kafka_conf_set_opaque(config->native(), rebalance_to);
  }
  return KafkaClient::create(KafkaClientType::consumer, std::move(*config));
}

// Asks for the topics' metadata through the producer, so that its first transaction does not wait
// for librdkafka to learn their partitions (about 1 s otherwise).
Status warm_up(KafkaClient& producer, const std::vector<std::string>& topics, int timeout_ms) {
  for (const std::string& name : topics) {
    rd_kafka_topic_t* topic = rd_kafka_topic_new(producer.native(), name.c_str(), nullptr);
    if (topic == nullptr) return make_error(Errc::kafka_error, fmt::format("cannot use topic '{}'", name));
    const rd_kafka_metadata_t* metadata = nullptr;
    const rd_kafka_resp_err_t error = rd_kafka_metadata(producer.native(), 0, topic, &metadata, timeout_ms);
    if (metadata != nullptr) rd_kafka_metadata_destroy(metadata);
    rd_kafka_topic_destroy(topic);
    if (error != RD_KAFKA_RESP_ERR_NO_ERROR)
      return kafka_error(fmt::format("cannot read topic '{}'", name), error);
  }
  return ok_status();
}

// One batch, one transaction; an aborted one is sent again with the same bytes (readers ignore a
// second copy of one sequence number). How many times it was aborted, or why it could not be written.
Result<int> transmit(TransactionalProducer& producer, const std::vector<OutgoingMessage>& messages,
                     int attempts_max, uint64_t sequence) {
  for (int attempt = 0; attempt < attempts_max; ++attempt) {
    Result<CommitOutcome> written = producer.write(messages);
    if (!written) return written.error();
    if (*written == CommitOutcome::committed) return attempt;
  }
  return make_error(Errc::kafka_error, fmt::format("batch {} was aborted {} times", sequence, attempts_max));
}

// A card's message on P.card-secrets: keyed by the card's number, the value is the number, ':', then
// what recognises the PIN (engine/domain/state_codec.h), so the value alone says which card it is.
std::string card_secret_message(const IssuedCard& card) {
  return card.number + ':' + encode_card_secret(card.secret);
}

Result<std::pair<std::string, CardSecret>> read_card_secret_message(std::string_view bytes) {
  const size_t colon = bytes.find(':');
  if (colon == std::string_view::npos)
    return make_error(Errc::corruption, "a card secret without its number");
  Result<CardSecret> secret = decode_card_secret(bytes.substr(colon + 1));
  if (!secret) return secret.error();
  return std::pair<std::string, CardSecret>(std::string(bytes.substr(0, colon)), std::move(*secret));
}

// The message's content-type header (command_intake.h), when it has one.
std::optional<std::string> content_type_of(const rd_kafka_message_t& message) {
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(&message, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) return std::nullopt;
  const void* value = nullptr;
  size_t size = 0;
  const std::string name(content_type_header);
  if (rd_kafka_header_get_last(headers, name.c_str(), &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR)
    return std::nullopt;
  return value == nullptr ? std::string() : std::string(static_cast<const char*>(value), size);
}

}  // namespace

struct KafkaEngineLoop::Owned {
  PartitionEngine engine;
  std::unique_ptr<TransactionalProducer> producer;
  int64_t checkpoint_offset = 0;      // events offset the last checkpoint (or takeover) covers
  BatchPosition checkpoint_position;  // the accepted position there
  uint64_t batches_since_checkpoint = 0;
  std::optional<EventBatch> last_replayed;  // the last batch with commands the takeover read
  Owned(int32_t partition, int32_t partitions) : engine(partition, partitions) {}
};

KafkaEngineLoop::KafkaEngineLoop(EngineLoopOptions options, TopicNames names, TopicLayout layout,
                                 std::string scope)
    : options_(std::move(options)), names_(std::move(names)), layout_(layout), scope_(std::move(scope)) {
  if (options_.clock == nullptr) owned_clock_ = make_system_clock();
  clock_ = options_.clock != nullptr ? options_.clock : owned_clock_.get();
}

KafkaEngineLoop::~KafkaEngineLoop() {
  // Partitions still owned are dropped without a checkpoint: their next owner replays them.
  owned_.clear();
  if (commands_) rd_kafka_consumer_close(commands_->native());
  if (control_) rd_kafka_consumer_close(control_->native());
}

Result<std::unique_ptr<KafkaEngineLoop>> KafkaEngineLoop::open(const EngineLoopOptions& options) {
  Result<TopicNames> names = topic_names(options.connection.topic_prefix);
  if (!names) return names.error();
  Result<ClusterFacts> cluster = probe_cluster(options.connection.endpoint(), options.timeout_ms);
  if (!cluster) return cluster.error();
  const ClusterMetadata* metadata = &cluster->metadata;
  TopicLayout layout;
  for (const auto& [kind, count] :
       {std::pair<TopicKind, int32_t*>{TopicKind::commands, &layout.command_partitions},
        {TopicKind::results, &layout.result_partitions}}) {
    const auto found = metadata->partitions_by_topic.find(names->of(kind));
    if (found == metadata->partitions_by_topic.end()) {
      return make_error(Errc::kafka_error, fmt::format("topic '{}' does not exist", names->of(kind)));
    }
    *count = found->second;
  }
  for (const std::string* co_partitioned : {&names->events, &names->card_secrets}) {
    const auto found = metadata->partitions_by_topic.find(*co_partitioned);
    if (found == metadata->partitions_by_topic.end() || found->second != layout.command_partitions) {
      return make_error(Errc::kafka_error,
                        fmt::format("topic '{}' must exist with the {} partitions of '{}'", *co_partitioned,
                                    layout.command_partitions, names->commands));
    }
  }
  std::string scope = fmt::format("{}/{}", cluster->cluster_id, names->events);
  std::unique_ptr<KafkaEngineLoop> loop(
      new KafkaEngineLoop(options, std::move(*names), layout, std::move(scope)));
  if (!options.data_dir.empty()) {
    Result<std::unique_ptr<PartitionStore>> store = PartitionStore::open(options.data_dir);
    if (!store) return store.error();
    loop->store_ = std::move(*store);
  }
  if (Status opened = loop->open_readers(); !opened) return opened.error();
  return loop;
}

Status KafkaEngineLoop::open_readers() {
  Result<std::unique_ptr<KafkaClient>> commands = consumer(options_, options_.group, this);
  if (!commands) return commands.error();
  commands_ = std::move(*commands);
  // A group ID is required by librdkafka, but P.control is assigned, never subscribed: every
  // instance reads all of it.
  Result<std::unique_ptr<KafkaClient>> control = consumer(options_, options_.group + ".control", nullptr);
  if (!control) return control.error();
  control_ = std::move(*control);
  PartitionList assignment = partition_list(1);
  rd_kafka_topic_partition_list_add(assignment.get(), names_.control.c_str(), 0)->offset =
      RD_KAFKA_OFFSET_BEGINNING;
  if (const rd_kafka_resp_err_t error = rd_kafka_assign(control_->native(), assignment.get()); error != 0) {
    return kafka_error(fmt::format("cannot read topic '{}'", names_.control), error);
  }
  return ok_status();
}

void KafkaEngineLoop::say(const std::string& line) const {
  if (options_.notice) options_.notice(line);
}

std::optional<std::chrono::seconds> KafkaEngineLoop::waiting_for_partitions() const {
  const int64_t since = idle_since_ns_.load();
  if (since == 0) return std::nullopt;
  const std::chrono::steady_clock::time_point start{std::chrono::nanoseconds(since)};
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start);
}

std::vector<int32_t> KafkaEngineLoop::owned() const {
  std::vector<int32_t> partitions;
  for (const auto& [partition, owned] : owned_) partitions.push_back(partition);
  return partitions;
}

const PartitionEngine* KafkaEngineLoop::engine(int32_t partition) const {
  const auto found = owned_.find(partition);
  return found == owned_.end() ? nullptr : &found->second->engine;
}

Result<bool> KafkaEngineLoop::take(int32_t partition) {
  if (partition < 0 || partition >= layout_.command_partitions) {
    return make_error(Errc::invalid_argument, fmt::format("there is no commands partition {}", partition));
  }
  if (owned_.contains(partition)) return true;
  auto owned = std::make_unique<Owned>(partition, layout_.command_partitions);
  if (store_) {
    Result<std::optional<int64_t>> loaded = store_->load(scope_, owned->engine);
    if (!loaded) {
      say(fmt::format("partition {}: checkpoint not used ({}): replaying from offset 0", partition,
                      loaded.error().message));
      owned = std::make_unique<Owned>(partition, layout_.command_partitions);
    } else if (*loaded) {
      owned->checkpoint_offset = **loaded;
    }
  }
  TransactionOptions transactions;
  transactions.timeout_ms = options_.timeout_ms;
  Result<std::unique_ptr<TransactionalProducer>> producer = TransactionalProducer::open(
      options_.connection.endpoint(),
      fmt::format("{}.engine.{}", options_.connection.topic_prefix, partition), transactions);
  if (!producer) return producer.error();
  owned->producer = std::move(*producer);
  if (Status warmed =
          warm_up(owned->producer->client(),
                  {names_.events, names_.results, names_.commands, names_.card_secrets}, options_.timeout_ms);
      !warmed) {
    return warmed.error();
  }
  Result<int64_t> events_offset = take_over(*owned);
  if (!events_offset && owned->checkpoint_offset > 0) {
    // The checkpoint may not belong to this topic's history (recreated under the same name): the
    // whole history is read instead. If that fails too, the partition cannot be taken.
    say(fmt::format("partition {}: taking over from the checkpoint failed ({}): replaying from offset 0",
                    partition, events_offset.error().message));
    auto fresh = std::make_unique<Owned>(partition, layout_.command_partitions);
    fresh->producer = std::move(owned->producer);
    owned = std::move(fresh);
    events_offset = take_over(*owned);
  }
  if (!events_offset) return events_offset.error();
  const bool won = *events_offset >= 0;
  PartitionEngine& engine = owned->engine;
  ++totals_.takeovers;
  if (!won) {
    ++totals_.dropped;
    say(fmt::format("partition {}: another instance took it over first", partition));
    return false;
  }
  if (Status loaded = load_card_secrets(*owned); !loaded) return loaded.error();
  if (Status answered = republish_last_results(*owned); !answered) return answered.error();
  owned->checkpoint_offset = *events_offset;
  owned->checkpoint_position = engine.position();
  if (store_) {
    if (Status saved = store_->save(scope_, engine, owned->checkpoint_offset); !saved) return saved.error();
  }
  say(fmt::format("partition {}: taken over at epoch {}, commands from offset {}, {} accounts, {} cards",
                  partition, engine.position().epoch, engine.next_command_offset(),
                  engine.state().accounts.size(), engine.state().cards.size()));
  owned_.emplace(partition, std::move(owned));
  if (!in_group_) {
    if (Status assigned = assign_owned(); !assigned) return assigned.error();
  }
  return true;
}

Result<int64_t> KafkaEngineLoop::take_over(Owned& owned) {
  PartitionEngine& engine = owned.engine;
  PartitionTakeover takeover(
      TakeoverOptions{options_.connection.endpoint(), names_.events, engine.partition(), owner_id(),
                      options_.timeout_ms},
      engine.position(), owned.checkpoint_offset, engine.next_command_offset(), engine.next_control_offset(),
      [this, &engine, &owned](int64_t, const EventBatch& batch) {
        ++totals_.replayed_batches;
        if (!batch.outcomes.empty()) owned.last_replayed = batch;
        return engine.apply_accepted(batch, BatchPosition{batch.epoch, batch.owner, batch.sequence});
      });
  Result<bool> won = takeover.take_over(*owned.producer);
  if (!won) return won.error();
  return *won ? takeover.events_offset() : int64_t{-1};
}

Status KafkaEngineLoop::load_card_secrets(Owned& owned) {
  const int32_t partition = owned.engine.partition();
  Result<std::unique_ptr<EventsFollower>> reader =
      EventsFollower::open(options_.connection.endpoint(), names_.card_secrets, {{partition, 0}});
  if (!reader) return reader.error();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.timeout_ms);
  for (bool end = false; !end;) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return make_error(Errc::kafka_error,
                        fmt::format("topic '{}' partition {}: its end was not reached in {} ms",
                                    names_.card_secrets, partition, options_.timeout_ms));
    }
    Result<std::vector<FollowedMessage>> messages = (*reader)->poll(100, 10'000);
    if (!messages) return messages.error();
    for (const FollowedMessage& message : *messages) {
      if (message.end_of_partition) {
        end = true;
        continue;
      }
      Result<std::pair<std::string, CardSecret>> secret = read_card_secret_message(message.bytes);
      if (!secret) {
        return make_error(Errc::corruption,
                          fmt::format("topic '{}' partition {} offset {}: {}", names_.card_secrets, partition,
                                      message.offset, secret.error().message));
      }
      owned.engine.add_card_secret(secret->first, std::move(secret->second));
    }
  }
  return ok_status();
}

Status KafkaEngineLoop::republish_last_results(Owned& owned) {
  if (!owned.last_replayed) return ok_status();
  const EventBatch batch = std::move(*owned.last_replayed);
  owned.last_replayed.reset();
  const PartitionEngine& engine = owned.engine;
  std::vector<DecidedCommand> commands;
  size_t next_event = 0;
  for (const BatchOutcome& outcome : batch.outcomes) {
    DecidedCommand command;
    command.outcome = outcome;
    if (outcome.duplicate) {
      // A duplicate answers with its first outcome's positions, as when it was decided.
      if (const auto first = engine.commands().find(outcome.command_id); first != engine.commands().end()) {
        for (uint32_t i = 0; i < first->second.count; ++i)
          command.positions.push_back(first->second.first.value + i);
      }
    }
    std::vector<Event> events;
    for (uint32_t i = 0; i < outcome.event_count; ++i, ++next_event) {
      Result<Event> event = decode_event(batch.events[next_event]);
      if (!event) return event.error();
      command.positions.push_back(event->position.value);
      events.push_back(std::move(*event));
    }
    const auto entry = engine.commands().find(outcome.command_id);
    if (outcome.error_code.empty() && entry != engine.commands().end() &&
        !entry->second.refusal_code.empty()) {
      command.answer = make_error(errc_from_name(entry->second.refusal_code).value_or(Errc::invalid_argument),
                                  entry->second.refusal_message);
    }
    // Sent again with the results: a copy is a duplicate where it lands (its ID is derived).
    command.follow_ons = follow_on_commands(events, engine.partition(), layout_.command_partitions);
    commands.push_back(std::move(command));
  }
  std::vector<OutgoingMessage> messages;
  append_results(commands, engine.partition(), batch.epoch, messages);
  append_follow_ons(commands, messages);
  if (messages.empty()) return ok_status();
  Result<CommitOutcome> written = owned.producer->write(messages);
  if (!written) return written.error();
  return ok_status();
}

Status KafkaEngineLoop::release(int32_t partition) {
  const auto found = owned_.find(partition);
  if (found == owned_.end()) return ok_status();
  std::unique_ptr<Owned> owned = std::move(found->second);
  owned_.erase(found);
  pending_.erase(partition);
  Status result = checkpoint(*owned);
  if (!result)
    result =
        make_error(result.error().code, fmt::format("partition {}: {}", partition, result.error().message));
  say(fmt::format("partition {}: released at command offset {}", partition,
                  owned->engine.next_command_offset()));
  if (!in_group_) {
    if (Status assigned = assign_owned(); !assigned && result) result = assigned;
  }
  return result;
}

Status KafkaEngineLoop::checkpoint(Owned& owned) {
  if (!store_) return ok_status();
  const int32_t partition = owned.engine.partition();
  // Checkpoint only what the history holds: this owner's batches, all of them, accepted (on the
  // mock, a newer owner does not fence this one, so a commit alone does not prove it).
  BatchAcceptance acceptance(owned.checkpoint_position);
  bool ours = true;
  Result<EventsReadSummary> read = read_event_batches(
      options_.connection.endpoint(), names_.events, partition, owned.checkpoint_offset, acceptance,
      [&](int64_t, const EventBatch& batch) {
        ours = ours && batch.epoch == owned.engine.position().epoch &&
               batch.owner == owned.engine.position().owner;
        return ok_status();
      },
      options_.timeout_ms);
  if (!read) return read.error();
  if (!ours || acceptance.position() != owned.engine.position()) {
    return make_error(Errc::kafka_error,
                      "the history holds batches of another owner (a newer instance took the partition "
                      "over): not checkpointed");
  }
  if (Status saved = store_->save(scope_, owned.engine, read->next_offset); !saved) return saved;
  owned.checkpoint_offset = read->next_offset;
  owned.checkpoint_position = owned.engine.position();
  owned.batches_since_checkpoint = 0;
  return ok_status();
}

void KafkaEngineLoop::drop(int32_t partition, const std::string& why) {
  owned_.erase(partition);
  pending_.erase(partition);
  ++totals_.dropped;
  // A fenced producer is the broker saying that a newer instance owns p: this one is a zombie.
  const bool fenced = why.find("fenced") != std::string::npos;
  say(fmt::format(
      "partition {}: {}: {}", partition,
      fenced ? "fenced by a newer owner, stepping down (its transaction is not committed)" : "dropped", why));
  if (in_group_) {
    retry_later(partition);
  } else {
    (void)assign_owned();
  }
}

void KafkaEngineLoop::retry_later(int32_t partition) {
  const auto now = std::chrono::steady_clock::now();
  auto [found, added] =
      retakes_.try_emplace(partition, Retake{now + retake_backoff_first, retake_backoff_first});
  if (!added) {
    found->second.backoff = std::min(found->second.backoff * 2, retake_backoff_max);
    found->second.at = now + found->second.backoff;
  }
  say(fmt::format("partition {}: will be taken over again in {} ms", partition,
                  found->second.backoff.count()));
}

void KafkaEngineLoop::retake_due() {
  const auto now = std::chrono::steady_clock::now();
  std::vector<int32_t> due;
  for (const auto& [partition, retake] : retakes_) {
    if (retake.at <= now) due.push_back(partition);
  }
  bool taken_any = false;
  for (const int32_t partition : due) {
    Result<bool> taken = take(partition);
    if (taken && *taken) {
      retakes_.erase(partition);
      taken_any = true;
      continue;
    }
    say(fmt::format("partition {}: cannot take it over again: {}", partition,
                    taken ? std::string("another instance took it") : taken.error().message));
    retry_later(partition);
  }
  if (taken_any) {
    if (Status assigned = assign_owned(); !assigned) rebalance_error_ = assigned.error();
  }
}

Status KafkaEngineLoop::assign_owned() {
  // Everything read but not decided is read again from the engines' offsets.
  pending_.clear();
  PartitionList assignment = partition_list(static_cast<int>(owned_.size()));
  for (const auto& [partition, owned] : owned_) {
    rd_kafka_topic_partition_list_add(assignment.get(), names_.commands.c_str(), partition)->offset =
        owned->engine.next_command_offset();
  }
  if (const rd_kafka_resp_err_t error = rd_kafka_assign(commands_->native(), assignment.get()); error != 0) {
    return kafka_error(fmt::format("cannot read topic '{}'", names_.commands), error);
  }
  return ok_status();
}

void KafkaEngineLoop::on_rebalance(int error, void* list) {
  auto* partitions = static_cast<rd_kafka_topic_partition_list_t*>(list);
  if (error == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    for (int i = 0; i < partitions->cnt; ++i) {
      Result<bool> taken = take(partitions->elems[i].partition);
      if (!taken) {
        say(fmt::format("partition {}: cannot take it over: {}", partitions->elems[i].partition,
                        taken.error().message));
        retry_later(partitions->elems[i].partition);
      }
    }
    if (Status assigned = assign_owned(); !assigned) rebalance_error_ = assigned.error();
    return;
  }
  retakes_.clear();  // whatever the group revokes is not ours to take again
  for (const int32_t partition : owned()) {
    if (Status released = release(partition); !released) {
      say(released.error().message);
    }
  }
  // Only an unassign (assign(NULL)) tells librdkafka that the revoked partitions are given up: after an
  // empty assignment instead (librdkafka 2.0.2), the member keeps waiting for that unassign and never
  // joins the group again. On a real broker the group then stalled when another instance joined (the
  // newcomer got no partition in a minute), and for good after this member's session had expired while
  // the broker restarted.
  if (const rd_kafka_resp_err_t unassigned = rd_kafka_assign(commands_->native(), nullptr); unassigned != 0) {
    rebalance_error_ = kafka_error(fmt::format("cannot give up topic '{}'", names_.commands), unassigned);
  }
}

void KafkaEngineLoop::read_control() {
  for (;;) {
    Message message = poll(*control_, 0);
    if (!message) return;
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;  // end of partition, or a transient error
    if (!control_log_.empty() && message->offset <= control_log_.back().offset) continue;
    IncomingCommand incoming{message->offset, true, {}, make_error(Errc::corruption, ""), {}};
    const std::string_view value(static_cast<const char*>(message->payload), message->len);
    incoming.command = admit_read_control_command(
        read_command("", value, content_type_of(*message), options_.json_commands, &incoming.command_id),
        &incoming.command_id);
    control_log_.push_back(std::move(incoming));
  }
}

Status KafkaEngineLoop::read_commands(int wait_ms) {
  size_t read = 0;
  const size_t read_max = options_.batch_commands_max * std::max<size_t>(owned_.size(), 1);
  for (int wait = wait_ms; read < read_max; wait = 0) {
    Message message = poll(*commands_, wait);
    if (rebalance_error_) {
      const Error error = *rebalance_error_;
      rebalance_error_.reset();
      return error;
    }
    if (!message) break;
    if (message->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET && owned_.contains(message->partition)) {
      drop(message->partition,
           fmt::format("commands offset {} cannot be read: {} (were unread commands deleted "
                       "by retention?)",
                       message->offset, rd_kafka_message_errstr(message.get())));
      continue;
    }
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      // The end of a partition is news to no one; anything else (the group's coordinator refusing
      // this member) would otherwise leave an instance waiting for partitions without a word.
      if (message->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        const bool timeout_refused = message->err == RD_KAFKA_RESP_ERR_INVALID_SESSION_TIMEOUT;
        note_consumer_error(fmt::format(
            "{} ({}){}", rd_kafka_message_errstr(message.get()), rd_kafka_err2name(message->err),
            timeout_refused
                ? ": --session-timeout-ms must lie within the broker's group.min.session.timeout.ms "
                  "and group.max.session.timeout.ms (6 s and 30 min by default)"
                : ""));
      }
      continue;
    }
    const auto owned = owned_.find(message->partition);
    if (owned == owned_.end() || message->offset < owned->second->engine.next_command_offset()) continue;
    std::deque<Pending>& queue = pending_[message->partition];
    if (!queue.empty() && message->offset <= queue.back().offset) continue;
    queue.push_back(Pending{
        message->offset,
        message->key == nullptr ? "" : std::string(static_cast<const char*>(message->key), message->key_len),
        std::string(static_cast<const char*>(message->payload), message->len), content_type_of(*message)});
    ++read;
  }
  return ok_status();
}

Status KafkaEngineLoop::step(int wait_ms) {
  using Clock = std::chrono::steady_clock;
  Clock::time_point mark = Clock::now();
  // Adds the time since the last mark to `total`, and marks now.
  const auto lap = [&mark](std::chrono::nanoseconds& total) {
    const Clock::time_point now = Clock::now();
    total += now - mark;
    mark = now;
  };
  read_control();
  if (Status read = read_commands(wait_ms); !read) return read;
  read_control();
  lap(totals_.reading);
  // Deciding is quick and in this thread; the transactions (each partition has its producer) run
  // at once, one thread each, since each waits for the broker far longer than deciding takes.
  struct Write {
    int32_t partition;
    Owned* owned;
    std::future<Result<int>> aborted;
  };
  std::vector<Write> writes;
  for (const auto& [partition, owned] : owned_) {
    std::optional<DecidedBatch> decided = decide_partition(partition, *owned);
    if (!decided) continue;
    std::vector<OutgoingMessage> messages = batch_messages(*decided, partition);
    TransactionalProducer* producer = owned->producer.get();
    const int attempts_max = options_.write_attempts_max;
    const uint64_t sequence = decided->batch.sequence;
    writes.push_back(Write{
        partition, owned.get(),
        std::async(std::launch::async, [producer, attempts_max, sequence, messages = std::move(messages)] {
          return transmit(*producer, messages, attempts_max, sequence);
        })});
  }
  lap(totals_.deciding);
  std::vector<std::pair<int32_t, int64_t>> committed;
  for (Write& write : writes) {
    const std::chrono::nanoseconds commit_before = write.owned->producer->commit_time();
    Result<int> aborted = write.aborted.get();
    totals_.committing += write.owned->producer->commit_time() - commit_before;
    if (!aborted) {
      drop(write.partition, aborted.error().message);
      continue;
    }
    ++totals_.batches;
    totals_.aborted += static_cast<uint64_t>(*aborted);
    committed.emplace_back(write.partition, write.owned->engine.next_command_offset());
    if (++write.owned->batches_since_checkpoint >= options_.checkpoint_batches) {
      if (Status saved = checkpoint(*write.owned); !saved) drop(write.partition, saved.error().message);
    }
  }
  lap(totals_.writing);
  commit_group_offsets(committed);
  return ok_status();
}

void KafkaEngineLoop::commit_group_offsets(const std::vector<std::pair<int32_t, int64_t>>& offsets) {
  // For Kafka's own lag tools only, after the batches are committed: the engine reads its offsets
  // from the events, never from here. Asynchronous, and a refusal (a rebalance under way) is fine:
  // the next batch commits a newer offset.
  if (offsets.empty() || !commands_) return;
  PartitionList list = partition_list(static_cast<int>(offsets.size()));
  for (const auto& [partition, offset] : offsets) {
    rd_kafka_topic_partition_list_add(list.get(), names_.commands.c_str(), partition)->offset = offset;
  }
  (void)rd_kafka_commit(commands_->native(), list.get(), /*async=*/1);
}

std::optional<DecidedBatch> KafkaEngineLoop::decide_partition(int32_t partition, Owned& owned) {
  std::vector<IncomingCommand> incoming;
  for (const IncomingCommand& control : control_log_) {
    if (control.offset >= owned.engine.next_control_offset()) incoming.push_back(control);
  }
  std::deque<Pending>& queue = pending_[partition];
  for (size_t i = 0; i < queue.size() && i < options_.batch_commands_max; ++i) {
    const Pending& pending = queue[i];
    IncomingCommand command{pending.offset, false, pending.key, make_error(Errc::corruption, ""), {}};
    command.command =
        admit_read_command(read_command(pending.key, pending.value, pending.content_type,
                                        options_.json_commands, &command.command_id),
                           pending.key, partition, layout_.command_partitions, &command.command_id);
    incoming.push_back(std::move(command));
  }
  std::optional<DecidedBatch> decided = owned.engine.decide_batch(incoming, clock_->now());
  if (!decided) return decided;
  size_t commands = 0;
  for (size_t i = 0; i < decided->consumed; ++i) {
    if (incoming[i].from_control) {
      ++totals_.control_copies;
    } else {
      ++commands;
    }
  }
  queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(commands));
  totals_.commands += commands;
  return decided;
}

std::vector<OutgoingMessage> KafkaEngineLoop::batch_messages(const DecidedBatch& decided,
                                                             int32_t partition) const {
  std::vector<OutgoingMessage> messages;
  messages.reserve(decided.commands.size() + 1);
  messages.push_back(OutgoingMessage{names_.events, partition, "", encode_event_batch(decided.batch)});
  append_results(decided.commands, partition, decided.batch.epoch, messages);
  append_follow_ons(decided.commands, messages);
  // What recognises the PINs of the cards issued, in the same transaction as their CardIssued.
  for (const DecidedCommand& command : decided.commands) {
    for (const IssuedCard& card : command.issued) {
      messages.push_back(
          OutgoingMessage{names_.card_secrets, partition, card.number, card_secret_message(card)});
    }
  }
  return messages;
}

void KafkaEngineLoop::append_follow_ons(const std::vector<DecidedCommand>& commands,
                                        std::vector<OutgoingMessage>& messages) const {
  for (const DecidedCommand& command : commands) {
    for (const FollowOn& follow_on : command.follow_ons) {
      messages.push_back(OutgoingMessage{names_.commands,
                                         partition_of_key(follow_on.key, layout_.command_partitions),
                                         follow_on.key, encode_command(follow_on.command)});
    }
  }
}

void KafkaEngineLoop::append_results(const std::vector<DecidedCommand>& commands, int32_t partition,
                                     uint64_t epoch, std::vector<OutgoingMessage>& messages) const {
  for (const DecidedCommand& command : commands) {
    // Every owner decides each control command; the owner of partition 0 answers for them.
    if (command.outcome.from_control && partition != 0) continue;
    const std::string& key = command.outcome.command_id;
    messages.push_back(OutgoingMessage{names_.results, partition_of_key(key, layout_.result_partitions), key,
                                       encode_result_json(command, partition, epoch)});
  }
}

std::string KafkaEngineLoop::idle_reason() const {
  {
    std::lock_guard lock(refusal_mutex_);
    if (!group_refusal_.empty()) return fmt::format("the group refused it: {}", group_refusal_);
  }
  return "the group's other members hold them, or it still waits for a member that left without a word (up "
         "to that member's session.timeout.ms, 45 s by default) before sharing them out";
}

void KafkaEngineLoop::note_consumer_error(const std::string& error) {
  {
    std::lock_guard lock(refusal_mutex_);
    if (error == group_refusal_) return;  // said already
    group_refusal_ = error;
  }
  say(fmt::format("group '{}' on '{}': {}", options_.group, names_.commands, error));
}

Status KafkaEngineLoop::run(const std::atomic<bool>& stop) {
  in_group_ = true;
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, names_.commands.c_str(), RD_KAFKA_PARTITION_UA);
  const rd_kafka_resp_err_t subscribed = rd_kafka_subscribe(commands_->native(), topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (subscribed != 0) return kafka_error(fmt::format("cannot join group '{}'", options_.group), subscribed);
  Status result = ok_status();
  // An instance in a group that holds no partition says so now and then, and how long it has waited.
  const std::chrono::milliseconds idle_notice_interval{options_.idle_notice_ms};
  auto said_idle = std::chrono::steady_clock::now();
  while (!stop.load()) {
    if (Status stepped = step(100); !stepped) {
      result = stepped;
      break;
    }
    retake_due();
    const auto now = std::chrono::steady_clock::now();
    if (!owned_.empty()) {
      idle_since_ns_ = 0;
      std::lock_guard lock(refusal_mutex_);
      group_refusal_.clear();
    } else if (idle_since_ns_.load() == 0) {
      idle_since_ns_ = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
    } else if (const std::optional<std::chrono::seconds> waited = waiting_for_partitions();
               now - said_idle >= idle_notice_interval && *waited >= idle_notice_interval) {
      said_idle = now;
      say(fmt::format("holds no partition of '{}' after {} s in group '{}': {}", names_.commands,
                      waited->count(), options_.group, idle_reason()));
    }
  }
  idle_since_ns_ = 0;
  // Leaving the group revokes (and so releases and checkpoints) every partition.
  rd_kafka_consumer_close(commands_->native());
  for (const int32_t partition : owned()) {
    if (Status released = release(partition); !released && result) result = released;
  }
  commands_.reset();
  return result;
}

}  // namespace paystream
