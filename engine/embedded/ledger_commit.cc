// The sequencer: decide in log order, group-commit, then acknowledge.
#include <fmt/format.h>
#include <rocksdb/transaction_log.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <unordered_map>

#include "engine/domain/decide.h"
#include "engine/domain/state_codec.h"
#include "engine/embedded/ledger_impl.h"

namespace paystream {
namespace {

// meta column family: position and SHA-256 of the last event, written with every append, so an
// alteration of the last event is caught too.
constexpr const char* head_key = "head";

// u64 big-endian, as big_endian_key(), into place.
void write_big_endian(char* out, uint64_t value) {
  for (size_t i = 0; i < 8; ++i) out[i] = static_cast<char>(static_cast<uint8_t>(value >> (56 - 8 * i)));
}

// commands column family value: fingerprint, first position, event count. A fixed array, not a
// string: concatenating strings would take two heap blocks per new command, on the sequencer.
template <size_t fingerprint_bytes>
std::array<char, fingerprint_bytes + 16> encode_command_row(
    const std::array<uint8_t, fingerprint_bytes>& fingerprint, LogPosition first, uint64_t count) {
  std::array<char, fingerprint_bytes + 16> row;
  std::memcpy(row.data(), fingerprint.data(), fingerprint_bytes);
  write_big_endian(row.data() + fingerprint_bytes, first.value);
  write_big_endian(row.data() + fingerprint_bytes + 8, count);
  return row;
}

}  // namespace

struct EmbeddedLedger::Group {
  struct Slot {
    Fingerprint fingerprint;
    size_t first = 0;  // index into events
    size_t count = 0;
  };
  LogPosition first;  // position of events[0]
  std::vector<Event> events;
  std::vector<std::string> encoded;
  std::unordered_map<std::string, Slot> commands;
  std::vector<Request> requests;
  std::vector<Result<Outcome>> outcomes;
  // The card secrets of the cards this group issues (number, encoded secret): written with it.
  std::vector<std::pair<std::string, std::string>> card_secret_rows;
  // Per request: where its new events sit in `events` (count 0 for a duplicate or a refusal). The
  // writer moves them into the outcome once the group is written, rather than copying each event.
  std::vector<Slot> appended;
  // The indices of the requests whose command ID no waiting group held, in ID order: the new
  // commands are among them (look_up_commands).
  std::vector<size_t> looked_up_by_id;
  rocksdb::WriteBatch batch;
  // The database just after this group's write (set by the writer when it wrote events): published
  // as the durable view once a sync covers the group.
  std::shared_ptr<const rocksdb::Snapshot> snapshot;

  // The command-ID row of a command decided in this group; nullopt when it is not one of them.
  std::optional<CommandRow> find_command(const std::string& command_id) const {
    const auto it = commands.find(command_id);
    if (it == commands.end()) return std::nullopt;
    return CommandRow{it->second.fingerprint, LogPosition{first.value + it->second.first}, it->second.count};
  }
};

EmbeddedLedger::EmbeddedLedger(const LedgerOptions& options, AppendObserver* observer)
    : options_(options), observer_(observer) {
  if (options_.clock == nullptr) owned_clock_ = make_system_clock();
  clock_ = options_.clock != nullptr ? options_.clock : owned_clock_.get();
}

EmbeddedLedger::~EmbeddedLedger() {
  const Status status = close();
  if (!status) std::fprintf(stderr, "paystream: closing the ledger: %s\n", status.error().message.c_str());
}

EmbeddedLedger::Request EmbeddedLedger::make_request(Command command, std::shared_ptr<Completion> completion,
                                                     size_t index) {
  if (command.command_id.empty()) command.command_id = generate_command_id();
  // Hashing here, on the caller's thread, keeps it off the sequencer.
  const Sha256 digest = sha256(encode_command(command));
  Fingerprint fingerprint;
  std::copy_n(digest.begin(), fingerprint.size(), fingerprint.begin());
  return Request{std::move(command), fingerprint, std::move(completion), index};
}

std::vector<Result<Outcome>> EmbeddedLedger::enqueue_and_wait(std::vector<Command> commands) {
  if (options_.read_only) return std::vector<Result<Outcome>>(commands.size(), *options_.read_only);
  auto completion = std::make_shared<Completion>(commands.size());
  std::vector<Request> requests;
  requests.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i)
    requests.push_back(make_request(std::move(commands[i]), completion, i));
  bool closed = false;
  {
    std::lock_guard lock(queue_mutex_);
    closed = stopping_;
    if (!closed) {
      for (Request& request : requests) queue_.push_back(std::move(request));
    }
  }
  if (closed) {
    return std::vector<Result<Outcome>>(requests.size(), make_error(Errc::io_error, "the ledger is closed"));
  }
  queue_ready_.notify_one();
  std::vector<Result<Outcome>> outcomes;
  outcomes.reserve(requests.size());
  std::unique_lock lock(completion->mutex);
  completion->done.wait(lock, [&] { return completion->remaining == 0; });
  for (std::optional<Result<Outcome>>& outcome : completion->outcomes)
    outcomes.push_back(std::move(*outcome));
  return outcomes;
}

void EmbeddedLedger::complete(std::vector<Request>& requests, std::vector<Result<Outcome>>& outcomes,
                              size_t first, size_t last) {
  Completion& completion = *requests[first].completion;
  bool all_done = false;
  {
    std::lock_guard lock(completion.mutex);
    for (size_t i = first; i < last; ++i) completion.outcomes[requests[i].index] = std::move(outcomes[i]);
    completion.remaining -= last - first;
    all_done = completion.remaining == 0;
  }
  if (all_done) completion.done.notify_one();
}

Result<Outcome> EmbeddedLedger::submit(Command command) {
  std::vector<Command> commands;
  commands.push_back(std::move(command));
  return std::move(enqueue_and_wait(std::move(commands)).front());
}

std::vector<Result<Outcome>> EmbeddedLedger::submit_all(std::vector<Command> commands) {
  if (commands.empty()) return {};
  return enqueue_and_wait(std::move(commands));
}

void EmbeddedLedger::run_sequencer() {
  std::vector<Request> requests;
  for (;;) {
    {
      std::unique_lock lock(queue_mutex_);
      queue_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) break;  // stopping, and everything queued has been decided
      const size_t take = std::min(queue_.size(), options_.group_commands_max);
      for (size_t i = 0; i < take; ++i) {
        requests.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    process_group(requests);
    requests.clear();
  }
  {
    std::lock_guard lock(pipeline_mutex_);
    sequencer_done_ = true;
  }
  pipeline_changed_.notify_all();
}

void EmbeddedLedger::process_group(std::vector<Request>& requests) {
  auto group = std::make_shared<Group>();
  group->outcomes.reserve(requests.size());
  group->appended.reserve(requests.size());
  // Most commands make one event: growing these one by one would move every event several times.
  group->events.reserve(requests.size());
  group->encoded.reserve(requests.size());
  group->commands.reserve(requests.size());
  const Status may_write = prepare_to_write();
  group->first = LogPosition{state_.last_position.value + 1};  // the state may have been reloaded
  const std::vector<Result<std::optional<CommandRow>>> known =
      look_up_commands(requests, group->looked_up_by_id);
  {
    std::unique_lock lock(state_mutex_);
    for (size_t i = 0; i < requests.size(); ++i) {
      const Request& request = requests[i];
      const size_t events_before = group->events.size();
      if (write_failed_) {
        // Built in place from the Error: g++ 12 takes the moved-from temporary Result<Outcome> for
        // an uninitialized vector (a false -Wmaybe-uninitialized).
        group->outcomes.emplace_back(make_error(
            Errc::io_error, "the ledger stopped after a failed write; restart it to recover from the log"));
      } else if (!may_write) {
        group->outcomes.push_back(process_without_writing(*group, request, known[i], may_write.error()));
      } else {
        group->outcomes.push_back(process_one(*group, request.command, request.fingerprint, known[i]));
      }
      group->appended.push_back(Group::Slot{{}, events_before, group->events.size() - events_before});
    }
  }
  group->requests = std::move(requests);
  if (!group->events.empty()) build_batch(*group);
  hand_to_writer(std::move(group));
}

Status EmbeddedLedger::prepare_to_write() {
  if (storage_failed_) {
    // The groups still in the pipeline were decided from the state that is ahead of the database.
    if (groups_pending_ > 0) {
      return make_error(Errc::storage_full,
                        "the data directory's file system is full: write commands are refused "
                        "(nothing was written) until space is freed");
    }
    if (Status space = reserve_->check(); !space) return space;
    if (Status recovered = recover_from_full_disk(); !recovered) return recovered;
  }
  return reserve_->check();
}

Status EmbeddedLedger::recover_from_full_disk() {
  // Clears RocksDB's error from a failed write; after a failed WAL append it also flushes every
  // memtable into synced files and starts a new WAL, so whatever the database holds is durable.
  const rocksdb::Status resumed = db_->Resume();
  if (!resumed.ok()) {
    return make_error(Errc::storage_full,
                      "the data directory's file system was full and RocksDB cannot resume "
                      "writing yet (" +
                          resumed.ToString() + "): write commands are refused");
  }
  if (wal_append_failed_ && current_wal_number() == failed_wal_number_) {
    // RocksDB clears a failed append's error from its WAL writer only when it moves to a new WAL,
    // which a resume does when it has memtables to flush. This WAL would take no more writes (in an
    // assertion build the next one aborts the process): stop, as for any failed write.
    write_failed_ = true;
    std::fprintf(stderr,
                 "paystream: RocksDB resumed after a full disk without leaving the WAL that failed; the "
                 "ledger stops: restart it to recover from the log\n");
    return make_error(Errc::io_error,
                      "the ledger stopped after a failed write on a full disk; restart it to recover "
                      "from the log");
  }
  wal_append_failed_ = false;
  {
    std::unique_lock lock(state_mutex_);
    state_ = LedgerState{};
    dirty_accounts_.clear();
    dirty_cards_.clear();
    head_ = Sha256{};
    checkpoint_position_ = LogPosition{0};
    Status reloaded = load_checkpoint();
    if (reloaded) reloaded = replay_tail();
    if (!reloaded) {
      write_failed_ = true;
      std::fprintf(stderr, "paystream: reloading the ledger after a full disk: %s\n",
                   reloaded.error().message.c_str());
      return make_error(Errc::io_error, "the ledger stopped: reloading it after a full disk failed (" +
                                            reloaded.error().message +
                                            "); restart it to recover from the log");
    }
  }
  if (observer_ != nullptr) observer_->discard_unwritten();
  {
    std::lock_guard lock(pipeline_mutex_);
    recent_.clear();
  }
  {
    std::lock_guard lock(durable_mutex_);
    durable_view_ = DurableView{take_snapshot(), state_.last_position.value};
  }
  storage_failed_ = false;
  std::fprintf(stderr,
               "paystream: writing resumed after a full disk; the log continues after position %llu\n",
               static_cast<unsigned long long>(state_.last_position.value));
  return ok_status();
}

uint64_t EmbeddedLedger::current_wal_number() const {
  std::unique_ptr<rocksdb::LogFile> wal;
  if (!db_->GetCurrentWalFile(&wal).ok() || !wal) return 0;
  return wal->LogNumber();
}

Result<Outcome> EmbeddedLedger::process_without_writing(const Group& group, const Request& request,
                                                        const Result<std::optional<CommandRow>>& known,
                                                        const Error& refusal) const {
  // After a failed write the database may hold groups not yet synced: a duplicate found there is
  // not durable, so nothing is answered from it until the ledger has recovered.
  if (storage_failed_) return refusal;
  Result<Outcome> previous = find_previous_outcome(group, request.command, request.fingerprint, known);
  if (previous.ok() || previous.error().code != Errc::record_not_found) return previous;
  return refusal;
}

void EmbeddedLedger::hand_to_writer(std::shared_ptr<Group> group) {
  ++groups_pending_;
  {
    std::unique_lock lock(pipeline_mutex_);
    pipeline_changed_.wait(lock, [this] { return in_flight_.size() < groups_in_flight_max; });
    in_flight_.push_back(std::move(group));
  }
  pipeline_changed_.notify_all();
}

void EmbeddedLedger::run_writer() {
  for (;;) {
    std::shared_ptr<Group> group;
    {
      std::unique_lock lock(pipeline_mutex_);
      pipeline_changed_.wait(lock, [this] { return sequencer_done_ || !in_flight_.empty(); });
      if (in_flight_.empty()) break;
      group = in_flight_.front();
    }
    write_group(*group);
    std::optional<WrittenGroup> dropped;
    {
      std::lock_guard lock(pipeline_mutex_);
      in_flight_.pop_front();
      if (!write_failed_ && !group->events.empty()) {
        recent_.push_back(WrittenGroup{group->first, std::move(group->encoded)});
        if (recent_.size() > recent_groups_max) {
          dropped = std::move(recent_.front());
          recent_.pop_front();
        }
      }
    }
    // The oldest group's encoded events (one string each) are freed here, not under the lock that
    // the sequencer takes for every group it decides.
    dropped.reset();
    pipeline_changed_.notify_all();
    {
      std::lock_guard lock(sync_mutex_);
      unsynced_.push_back(std::move(group));
    }
    sync_ready_.notify_one();
  }
  {
    std::lock_guard lock(sync_mutex_);
    writer_done_ = true;
  }
  sync_ready_.notify_one();
}

void EmbeddedLedger::run_syncer() {
  std::vector<std::shared_ptr<Group>> groups;
  for (;;) {
    {
      std::unique_lock lock(sync_mutex_);
      sync_ready_.wait(lock, [this] { return writer_done_ || !unsynced_.empty(); });
      if (unsynced_.empty()) return;
      groups.assign(std::make_move_iterator(unsynced_.begin()), std::make_move_iterator(unsynced_.end()));
      unsynced_.clear();
    }
    sync_groups(groups);
    for (const std::shared_ptr<Group>& group : groups) acknowledge(*group);
    groups_pending_ -= groups.size();
    groups.clear();
  }
}

void EmbeddedLedger::sync_groups(const std::vector<std::shared_ptr<Group>>& groups) {
  const Group* newest = nullptr;  // the last group that wrote something
  for (const std::shared_ptr<Group>& group : groups) {
    if (group->snapshot) newest = group.get();
  }
  if (newest != nullptr && wal_append_failed_) {
    // Not synced (see wal_append_failed_): these groups are in the database, and become durable
    // when the ledger resumes (DB::Resume() flushes them), or are lost with a crash before that.
    for (const std::shared_ptr<Group>& group : groups) {
      for (Result<Outcome>& outcome : group->outcomes) {
        if (outcome.ok()) {
          outcome = make_error(
              Errc::storage_full,
              "the data directory's file system filled up before this command was synced: it may "
              "or may not have been applied; retry it with the same command ID once space is freed");
        }
      }
    }
    return;
  }
  if (newest != nullptr && !sync_failed_ && options_.sync) {
    // One sync covers every group written before it, and the groups are only acknowledged after it.
    const rocksdb::Status synced = db_->SyncWAL();
    if (!synced.ok()) {
      sync_failed_ = true;
      write_failed_ = true;
      std::fprintf(stderr, "paystream: syncing the log: %s\n", synced.ToString().c_str());
    }
  }
  if (sync_failed_) {
    // What was written after a failed sync may be lost with it; a duplicate found in such a group
    // is no more durable. None of it is acknowledged.
    for (const std::shared_ptr<Group>& group : groups) {
      for (Result<Outcome>& outcome : group->outcomes) {
        if (outcome.ok()) {
          outcome = make_error(Errc::io_error,
                               "syncing the log failed; restart the ledger to recover from the log");
        }
      }
    }
    return;
  }
  if (newest == nullptr) return;
  std::lock_guard lock(durable_mutex_);
  durable_view_ = DurableView{newest->snapshot, newest->events.back().position.value};
}

void EmbeddedLedger::acknowledge(Group& group) {
  // The group is the syncer's alone now: its events can move into the outcomes.
  for (size_t i = 0; i < group.outcomes.size(); ++i) {
    const Group::Slot& slot = group.appended[i];
    if (slot.count == 0 || !group.outcomes[i].ok()) continue;
    const auto first = group.events.begin() + static_cast<std::ptrdiff_t>(slot.first);
    group.outcomes[i]->events.assign(
        std::make_move_iterator(first),
        std::make_move_iterator(first + static_cast<std::ptrdiff_t>(slot.count)));
    if (Status refused = recorded_refusal(group.outcomes[i]->events); !refused)
      group.outcomes[i] = refused.error();
  }
  // A submit_all() call's commands sit next to each other in the queue, so consecutive requests
  // mostly share a completion: fill them in under one lock.
  std::vector<Request>& requests = group.requests;
  for (size_t first = 0; first < requests.size();) {
    size_t last = first + 1;
    while (last < requests.size() && requests[last].completion == requests[first].completion) ++last;
    complete(requests, group.outcomes, first, last);
    first = last;
  }
}

std::shared_ptr<const rocksdb::Snapshot> EmbeddedLedger::take_snapshot() const {
  rocksdb::DB* db = db_.get();
  return std::shared_ptr<const rocksdb::Snapshot>(
      db->GetSnapshot(), [db](const rocksdb::Snapshot* taken) { db->ReleaseSnapshot(taken); });
}

EmbeddedLedger::DurableView EmbeddedLedger::durable_view() const {
  std::lock_guard lock(durable_mutex_);
  return durable_view_;
}

Status EmbeddedLedger::writable(const Group& group) {
  if (write_failed_) {
    return make_error(Errc::io_error,
                      "the ledger stopped after a failed write; restart it to recover from the log");
  }
  if (storage_failed_) {
    return make_error(Errc::storage_full,
                      "the data directory's file system is full: write commands are refused "
                      "(nothing was written) until space is freed");
  }
  if (group.batch.Count() == 0) return ok_status();
  // Checked again here, just before writing, against what this batch appends to the WAL: a WAL
  // append that RocksDB sees fail costs a DB::Resume() (a flush of every memtable), and leaves a
  // window in which a concurrent SyncWAL() aborts an assertion build of RocksDB.
  constexpr uint64_t wal_slack_bytes = 64 << 10;
  const std::optional<uint64_t> free = free_bytes_of(options_.data_dir);
  if (free && *free < group.batch.GetDataSize() + wal_slack_bytes) {
    return make_error(
        Errc::storage_full,
        fmt::format("the data directory's file system has {} bytes free, too few to write this group "
                    "of commands: refused, nothing was written",
                    *free));
  }
  return ok_status();
}

void EmbeddedLedger::write_group(Group& group) {
  Status written = writable(group);
  if (written && group.batch.Count() > 0) {
    // Not synced here: the syncer does, while this thread writes the next group.
    const rocksdb::Status status = db_->Write(rocksdb::WriteOptions(), &group.batch);
    if (status.IsNoSpace()) {
      failed_wal_number_ = current_wal_number();
      wal_append_failed_ = true;
      written = make_error(Errc::storage_full,
                           "the data directory's file system is full: this command was not "
                           "applied; retry it once space is freed (" +
                               status.ToString() + ")");
    } else if (!status.ok()) {
      written = make_error(Errc::io_error, "writing to the log: " + status.ToString());
    }
  }
  if (!written) {
    // The sequencer's state already includes this group: nothing more may be written after it
    // until the state is reloaded (after a full disk) or the ledger restarted.
    if (written.error().code == Errc::storage_full) {
      if (!storage_failed_.exchange(true)) {
        std::fprintf(stderr, "paystream: %s\n", written.error().message.c_str());
      }
    } else {
      write_failed_ = true;
    }
    for (Result<Outcome>& outcome : group.outcomes) {
      if (outcome.ok()) outcome = written.error();
    }
    return;
  }
  if (!group.events.empty()) {
    // Taken before the next group's write, so it shows exactly the groups up to this one.
    group.snapshot = take_snapshot();
    written_end_ = group.events.back().position.value;
  }
}

Result<Outcome> EmbeddedLedger::process_one(Group& group, const Command& command,
                                            const Fingerprint& fingerprint,
                                            const Result<std::optional<CommandRow>>& known) {
  Result<Outcome> previous = find_previous_outcome(group, command, fingerprint, known);
  if (previous.ok() || previous.error().code != Errc::record_not_found) return previous;
  Context context{.now = std::max(clock_->now(), state_.last_time)};
  Result<Event> target = make_error(Errc::record_not_found, "");
  if (const Reverse* reverse = std::get_if<Reverse>(&command.body)) {
    target = find_event(group, reverse->record);
    if (!target && target.error().code != Errc::record_not_found) return target.error();
    if (target) context.reversal_target = &*target;
  }
  if (const RedeemCard* redeem = std::get_if<RedeemCard>(&command.body)) {
    const auto secret = card_secrets_.find(redeem->number);
    if (secret != card_secrets_.end()) context.card_secret = &secret->second;
  }
  const size_t first = group.events.size();
  if (Status decided = decide_into(state_, command, context, group.events); !decided) return decided.error();
  if (const IssueCards* issue = std::get_if<IssueCards>(&command.body)) {
    for (const IssuedCard& card : issue->cards) {
      group.card_secret_rows.emplace_back(card.number, encode_card_secret(card.secret));
      card_secrets_.insert_or_assign(card.number, card.secret);
    }
  }
  for (size_t i = first; i < group.events.size(); ++i) {
    Event& event = group.events[i];
    event.position = LogPosition{state_.last_position.value + 1};
    event.prev_hash = head_;
    std::string encoded = encode_event(event);
    head_ = sha256(encoded);
    evolve_and_track(event);
    group.encoded.push_back(std::move(encoded));
  }
  group.commands.emplace(command.command_id, Group::Slot{fingerprint, first, group.events.size() - first});
  return Outcome{{}, false};  // the events follow once written (run_writer)
}

// record_not_found: the command ID is new.
Result<Outcome> EmbeddedLedger::find_previous_outcome(const Group& group, const Command& command,
                                                      const Fingerprint& fingerprint,
                                                      const Result<std::optional<CommandRow>>& known) const {
  std::optional<CommandRow> in_group = group.find_command(command.command_id);
  if (!in_group) {
    if (!known) return known.error();
    if (!*known) return make_error(Errc::record_not_found, "");
  }
  const CommandRow& row = in_group ? *in_group : **known;
  if (row.fingerprint != fingerprint) {
    return make_error(
        Errc::command_id_conflict,
        fmt::format("command ID '{}' was already used for a different command", command.command_id));
  }
  Outcome outcome{{}, true};
  for (uint64_t i = 0; i < row.count; ++i) {
    Result<Event> event = find_event(group, LogPosition{row.first.value + i});
    if (!event) {
      return event.error().code == Errc::record_not_found
                 ? make_error(Errc::corruption, "command index names a missing event")
                 : event.error();
    }
    outcome.events.push_back(std::move(event).value());
  }
  if (Status refused = recorded_refusal(outcome.events); !refused) return refused.error();
  return outcome;
}

// One MultiGet for the IDs that no waiting group holds: RocksDB probes the files' filters for the
// whole batch at once, where a Get per command would walk every level on its own (the lookup is the
// largest share of the sequencer's time). Waiting groups are looked at first and under the same
// lock: a group leaves in_flight_ only once written, so an ID missed there is in the database.
std::vector<Result<std::optional<EmbeddedLedger::CommandRow>>> EmbeddedLedger::look_up_commands(
    const std::vector<Request>& requests, std::vector<size_t>& stored) const {
  std::vector<Result<std::optional<CommandRow>>> known(requests.size(), std::optional<CommandRow>());
  stored.clear();
  {
    std::lock_guard lock(pipeline_mutex_);
    for (size_t i = 0; i < requests.size(); ++i) {
      std::optional<CommandRow> waiting_row;
      for (const std::shared_ptr<Group>& waiting : in_flight_) {
        waiting_row = waiting->find_command(requests[i].command.command_id);
        if (waiting_row) break;
      }
      if (waiting_row) {
        known[i] = std::move(waiting_row);
      } else {
        stored.push_back(i);
      }
    }
  }
  if (stored.empty()) return known;
  // Sorted here, where comparing is a memcmp of two strings: MultiGet would otherwise sort its keys
  // itself, through the column family's comparator (a virtual call per comparison).
  std::sort(stored.begin(), stored.end(), [&](size_t a, size_t b) {
    return requests[a].command.command_id < requests[b].command.command_id;
  });
  std::vector<rocksdb::Slice> keys;
  keys.reserve(stored.size());
  for (size_t i : stored) keys.emplace_back(requests[i].command.command_id);
  std::vector<rocksdb::PinnableSlice> rows(stored.size());
  std::vector<rocksdb::Status> statuses(stored.size());
  db_->MultiGet(rocksdb::ReadOptions(), commands_cf_, keys.size(), keys.data(), rows.data(), statuses.data(),
                /*sorted_input=*/true);
  for (size_t k = 0; k < stored.size(); ++k) {
    const std::string& command_id = requests[stored[k]].command.command_id;
    if (statuses[k].IsNotFound()) continue;
    known[stored[k]] =
        statuses[k].ok() ? decode_command_row(command_id, rows[k].ToStringView())
                         : make_error(Errc::io_error, "reading the command index: " + statuses[k].ToString());
  }
  return known;
}

Result<std::optional<EmbeddedLedger::CommandRow>> EmbeddedLedger::read_command_row(
    const std::string& command_id, const rocksdb::Snapshot* snapshot) const {
  rocksdb::ReadOptions options;
  options.snapshot = snapshot;
  std::string row;
  const rocksdb::Status found = db_->Get(options, commands_cf_, command_id, &row);
  if (found.IsNotFound()) return std::optional<CommandRow>();
  if (!found.ok()) return make_error(Errc::io_error, "reading the command index: " + found.ToString());
  return decode_command_row(command_id, row);
}

Result<std::optional<EmbeddedLedger::CommandRow>> EmbeddedLedger::decode_command_row(
    const std::string& command_id, std::string_view row) {
  if (row.size() != fingerprint_bytes + 16) {
    return make_error(Errc::corruption, fmt::format("command index row of '{}' is corrupt", command_id));
  }
  CommandRow decoded{{},
                     LogPosition{read_big_endian(row.substr(fingerprint_bytes, 8))},
                     read_big_endian(row.substr(fingerprint_bytes + 8))};
  std::memcpy(decoded.fingerprint.data(), row.data(), fingerprint_bytes);
  return std::optional<CommandRow>(decoded);
}

Result<std::optional<Outcome>> EmbeddedLedger::find_outcome(const std::string& command_id) const {
  // Found only once synced: a command still waiting for its sync has no outcome yet.
  const DurableView durable = durable_view();
  Result<std::optional<CommandRow>> row = read_command_row(command_id, durable.snapshot.get());
  if (!row) return row.error();
  if (!*row) return std::optional<Outcome>();
  Outcome outcome{{}, true};
  for (uint64_t i = 0; i < (*row)->count; ++i) {
    Result<Event> event = read_event(LogPosition{(*row)->first.value + i});
    if (!event) return event.error();
    outcome.events.push_back(std::move(event).value());
  }
  if (Status refused = recorded_refusal(outcome.events); !refused) return refused.error();
  return std::optional<Outcome>(std::move(outcome));
}

Result<Event> EmbeddedLedger::find_event(const Group& group, LogPosition position) const {
  auto holds = [&](const Group& candidate) {
    return position >= candidate.first && position.value < candidate.first.value + candidate.events.size();
  };
  if (holds(group)) return group.events[position.value - group.first.value];
  std::string written;
  {
    std::lock_guard lock(pipeline_mutex_);
    for (const std::shared_ptr<Group>& waiting : in_flight_) {
      if (holds(*waiting)) return waiting->events[position.value - waiting->first.value];
    }
    for (const WrittenGroup& recent : recent_) {
      if (position >= recent.first && position.value < recent.first.value + recent.encoded.size()) {
        written = recent.encoded[position.value - recent.first.value];
        break;
      }
    }
  }
  if (!written.empty()) return EmbeddedLog::decode_at(position, written);
  if (position.value > written_end_) {
    return make_error(Errc::record_not_found, fmt::format("log position {} does not exist", position.value));
  }
  return log_->read(position);
}

void EmbeddedLedger::build_batch(Group& group) {
  size_t encoded_bytes = 0;
  for (const std::string& encoded : group.encoded) encoded_bytes += encoded.size();
  // The log entry and the projections' rows each hold about one copy of the events: reserving that
  // much spares the batch's buffer its repeated growth (and copies) while it is filled.
  group.batch = rocksdb::WriteBatch(2 * encoded_bytes + 256 * group.events.size() + 4096);
  rocksdb::WriteBatch& batch = group.batch;
  log_->append(batch, group.first, group.encoded);
  for (const auto& [number, secret] : group.card_secret_rows) {
    PAYSTREAM_ASSERT(batch.Put(card_secrets_cf_, number, secret).ok());
  }
  // In key order: the memtable's skip list then inserts each ID from where the previous one went,
  // instead of searching down from its top levels for every random ID (the writer's largest cost).
  // A new command is one no waiting group and not the database knew, so look_up_commands has
  // already sorted it among the requests it looked up; sorting group.commands again would cost ~1.5% of
  // the sequencer's instructions. A request that added no events (refused, a retry, a second
  // copy of an ID) has no row to write.
  size_t rows = 0;
  for (const size_t i : group.looked_up_by_id) {
    const Group::Slot& slot = group.appended[i];
    if (slot.count == 0) continue;
    const auto row = encode_command_row(group.requests[i].fingerprint,
                                        LogPosition{group.first.value + slot.first}, slot.count);
    PAYSTREAM_ASSERT(
        batch.Put(commands_cf_, group.requests[i].command.command_id, rocksdb::Slice(row.data(), row.size()))
            .ok());
    ++rows;
  }
  PAYSTREAM_ASSERT(rows == group.commands.size());
  PAYSTREAM_ASSERT(
      batch
          .Put(meta_, head_key,
               big_endian_key(state_.last_position.value) + std::string(head_.begin(), head_.end()))
          .ok());
  if (observer_ != nullptr) {
    if (Status status = observer_->on_append(group.events, batch); !status) {
      // A projection refusing an event the engine accepted is a bug; nothing of it may be written.
      std::fprintf(stderr, "paystream: projections refused log positions %llu-%llu: %s\n",
                   static_cast<unsigned long long>(group.first.value),
                   static_cast<unsigned long long>(state_.last_position.value),
                   status.error().message.c_str());
      PAYSTREAM_ASSERT(false && "projections refused an accepted event");
    }
  }
  // The checkpoint rides in the same batch, so it is exactly the state after this group.
  if (state_.last_position.value - checkpoint_position_.value >= options_.checkpoint_events_max) {
    add_checkpoint(batch);
  }
}

LedgerState EmbeddedLedger::snapshot() const {
  std::shared_lock lock(state_mutex_);
  return state_;
}

void EmbeddedLedger::read_state(const std::function<void(const LedgerState&)>& read) const {
  std::shared_lock lock(state_mutex_);
  read(state_);
}

LogPosition EmbeddedLedger::end() const {
  std::lock_guard lock(durable_mutex_);
  return LogPosition{durable_view_.end};
}

Result<Event> EmbeddedLedger::read_event(LogPosition position) const {
  if (position.value > end().value) {
    return make_error(Errc::record_not_found, fmt::format("log position {} does not exist", position.value));
  }
  return log_->read(position);
}

Status EmbeddedLedger::scan(LogPosition from, const std::function<Status(const Event&)>& visit) const {
  // The head and the log as of the last sync: groups written after it are not shown yet.
  const DurableView durable = durable_view();
  rocksdb::ReadOptions options;
  options.snapshot = durable.snapshot.get();
  std::string head;
  const rocksdb::Status found = db_->Get(options, meta_, head_key, &head);
  if (!found.ok() && !found.IsNotFound()) {
    return make_error(Errc::io_error, "reading the log head: " + found.ToString());
  }
  Sha256 head_hash{};
  if (found.ok()) {
    if (head.size() != 8 + head_hash.size())
      return make_error(Errc::corruption, "the stored log head is corrupt");
    if (read_big_endian(std::string_view(head).substr(0, 8)) != durable.end) {
      return make_error(Errc::corruption, "the stored log head does not name the last event of the log");
    }
    std::copy(head.begin() + 8, head.end(), head_hash.begin());
  }
  return log_->scan(
      from, [&](const Event& event, const std::string&) { return visit(event); },
      found.ok() ? &head_hash : nullptr, durable.snapshot.get());
}

Status EmbeddedLedger::close() {
  if (closed_) return ok_status();
  closed_ = true;
  if (sequencer_.joinable()) {
    {
      std::lock_guard lock(queue_mutex_);
      stopping_ = true;
    }
    queue_ready_.notify_all();
    sequencer_.join();
  }
  if (writer_.joinable()) writer_.join();
  if (syncer_.joinable()) syncer_.join();
  {
    // Snapshots must go before the database; callers' reads are over by now.
    std::lock_guard lock(durable_mutex_);
    durable_view_ = DurableView{};
  }
  Status checkpoint = ok_status();
  // The checkpoint and the flush are for a quicker next open, not for durability: on a read-only
  // database, after a failed write, or below the free-space reserve they are left out (a write
  // refused for lack of space is what this close must not risk).
  const bool writes =
      db_ && !options_.read_only && !write_failed_ && !storage_failed_ && reserve_ && reserve_->has_reserve();
  if (writes) checkpoint = write_checkpoint(true);
  if (writes && checkpoint) {
    // Flushing the memtables now spares the next open from replaying the WAL into them.
    std::vector<rocksdb::ColumnFamilyHandle*> families(handles_.begin(), handles_.end());
    const rocksdb::Status flushed = db_->Flush(rocksdb::FlushOptions(), families);
    if (!flushed.ok()) checkpoint = make_error(Errc::io_error, "flushing on close: " + flushed.ToString());
  }
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    if (db_) (void)db_->DestroyColumnFamilyHandle(handle);
  }
  handles_.clear();
  if (db_) (void)db_->Close();
  db_.reset();
  return checkpoint;
}

}  // namespace paystream
