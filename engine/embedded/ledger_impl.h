#pragma once
// Internal: the embedded Ledger. Public contract in engine/embedded/ledger.h.
//
// Threads and locks: any thread calls submit(); requests wait in queue_ (queue_mutex_). One
// sequencer thread takes up to group_commands_max of them, decides and evolves them in order under
// state_mutex_ (exclusive), and builds one WriteBatch with their events, the command-ID rows and the
// projections' rows. It hands the group to one writer thread (in_flight_, pipeline_mutex_) and goes
// on deciding the next group while the writer writes this one. At most groups_in_flight_max groups
// wait for the writer. Until a group is written, the sequencer finds its command IDs and events in
// in_flight_; once written, in the database.
// The writer writes without syncing and passes the group to one syncer thread (unsynced_,
// sync_mutex_), which syncs the WAL for every group written meanwhile and only then fills in the
// requests' outcomes: the sync of one group overlaps the writing of the next (an fdatasync of a
// group's ~250 KB takes ~1.4 ms, which would be a fifth of the writer's time if it synced itself).
// A written group is visible in the database before it is synced. So every read made for a caller
// (find_outcome, read_event, scan, and the observer's queries through what bind() hands it) reads the
// RocksDB snapshot taken just after the last synced group: nothing a crash could still take away
// is ever shown. Only the sequencer reads the latest state, and what it decides from it is
// acknowledged after a later sync, which covers everything written before.
// Readers of the state (snapshot) take state_mutex_ shared.
// A full disk: the sequencer refuses commands that would write while the file system is below the
// free-space reserve (reserve_). When a group still cannot be written for lack of space (the writer
// checks again just before writing; RocksDB may fail anyway), the state is ahead of the database:
// every later group is refused until the pipeline is idle and space is back; then the sequencer
// calls DB::Resume() and reloads the state from the database (recover_from_full_disk).
#include <rocksdb/db.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <thread>
#include <unordered_set>

#include "engine/embedded/free_space.h"
#include "engine/embedded/ledger.h"
#include "engine/embedded/log.h"

namespace paystream {

class EmbeddedLedger final : public Ledger {
 public:
  EmbeddedLedger(const LedgerOptions& options, AppendObserver* observer);
  ~EmbeddedLedger() override;

  Status start();  // open the database, load the checkpoint, replay the tail, start the sequencer

  Result<Outcome> submit(Command command) override;
  std::vector<Result<Outcome>> submit_all(std::vector<Command> commands) override;
  LedgerState snapshot() const override;
  void read_state(const std::function<void(const LedgerState&)>& read) const override;
  LogPosition end() const override;
  Result<Event> read_event(LogPosition position) const override;
  Result<std::optional<Outcome>> find_outcome(const std::string& command_id) const override;
  Status scan(LogPosition from, const std::function<Status(const Event&)>& visit) const override;
  rocksdb::DB* db() const override { return db_.get(); }
  Status close() override;

 private:
  // The outcomes of one submit_all(), filled in by the writer. The caller waits once for all of them:
  // one wake-up per call instead of a promise and a wake-up per command.
  struct Completion {
    explicit Completion(size_t count) : outcomes(count), remaining(count) {}
    std::mutex mutex;
    std::condition_variable done;
    std::vector<std::optional<Result<Outcome>>> outcomes;  // guarded by mutex
    size_t remaining;                                      // guarded by mutex
  };
  // The first bytes of the SHA-256 of a command's encoding: tells a retry from a conflict. A fixed
  // array, not a string: it is copied several times per command on the sequencer.
  static constexpr size_t fingerprint_bytes = 16;
  using Fingerprint = std::array<uint8_t, fingerprint_bytes>;
  struct Request {
    Command command;
    Fingerprint fingerprint;
    std::shared_ptr<Completion> completion;
    size_t index = 0;  // into completion->outcomes
  };
  struct Group;
  struct CommandRow {  // the command-ID index's row
    Fingerprint fingerprint;
    LogPosition first;
    uint64_t count = 0;
  };
  // nullopt when the index has no row for the ID.
  Result<std::optional<CommandRow>> read_command_row(const std::string& command_id,
                                                     const rocksdb::Snapshot* snapshot) const;
  static Result<std::optional<CommandRow>> decode_command_row(const std::string& command_id,
                                                              std::string_view row);
  // Per request: the row of its command ID in the groups waiting for the writer or in the database.
  // `stored`: set to the indices of the requests no waiting group knew (looked up in the database),
  // in command ID order.
  std::vector<Result<std::optional<CommandRow>>> look_up_commands(const std::vector<Request>& requests,
                                                                  std::vector<size_t>& stored) const;
  static constexpr size_t groups_in_flight_max = 3;

  // ledger_open.cc
  Status open_database();
  Status open_read_only(rocksdb::DBOptions& options,
                        std::vector<rocksdb::ColumnFamilyDescriptor>& descriptors,
                        const std::vector<std::string>& existing);
  Status check_format();
  Status drop_observer_families(size_t first, size_t current_end);
  Status renew_outdated_observer_families(size_t first, size_t current_end, bool family_was_missing);
  // Whether the observer names `name` in one of its family lists (AppendObserver).
  bool observer_family_in(std::vector<std::string> (AppendObserver::*list)() const,
                          const std::string& name) const;
  rocksdb::ColumnFamilyOptions column_family_options(const std::string& name) const;
  Status load_checkpoint();
  Status load_card_secrets();
  Status replay_tail();
  Status catch_up_observer();
  Status write_checkpoint(bool sync);
  // Evolves the state by an appended event and notes which accounts the checkpoint must rewrite.
  void evolve_and_track(const Event& event);

  // ledger_commit.cc
  Request make_request(Command command, std::shared_ptr<Completion> completion, size_t index);
  // Queues the commands for the sequencer and waits for all their outcomes.
  std::vector<Result<Outcome>> enqueue_and_wait(std::vector<Command> commands);
  // Fills in the outcomes of requests [first, last), which share one completion.
  static void complete(std::vector<Request>& requests, std::vector<Result<Outcome>>& outcomes, size_t first,
                       size_t last);
  void run_sequencer();
  void run_writer();
  void run_syncer();
  // Syncs the WAL for `groups` (written, oldest first) and publishes what they wrote as durable;
  // on failure, turns their outcomes into the error.
  void sync_groups(const std::vector<std::shared_ptr<Group>>& groups);
  // Moves a written and synced group's events into its outcomes and wakes its callers.
  static void acknowledge(Group& group);
  std::shared_ptr<const rocksdb::Snapshot> take_snapshot() const;
  // The snapshot of the database just after the last synced group, and that group's last position.
  struct DurableView {
    std::shared_ptr<const rocksdb::Snapshot> snapshot;
    uint64_t end = 0;
  };
  DurableView durable_view() const;
  void process_group(std::vector<Request>& requests);
  // ok when the next group may write; else Errc::storage_full (below the reserve, or a group was
  // refused for lack of space and the ledger cannot recover yet). Sequencer only.
  Status prepare_to_write();
  // After a group was refused for lack of space, with the pipeline idle and space back: resumes
  // RocksDB and reloads the state, the chain head and the checkpoint position from the database.
  Status recover_from_full_disk();
  // The number of the WAL RocksDB appends to now (0 when it cannot say).
  uint64_t current_wal_number() const;
  // A request while writing is refused: a retry of an applied command still gets its outcome.
  Result<Outcome> process_without_writing(const Group& group, const Request& request,
                                          const Result<std::optional<CommandRow>>& known,
                                          const Error& refusal) const;
  // Whether the writer may write `group`: ok, or why not (then it writes nothing).
  Status writable(const Group& group);
  void hand_to_writer(std::shared_ptr<Group> group);
  void write_group(Group& group);
  // `known`: the command ID's row before this group (look_up_commands).
  Result<Outcome> process_one(Group& group, const Command& command, const Fingerprint& fingerprint,
                              const Result<std::optional<CommandRow>>& known);
  Result<Outcome> find_previous_outcome(const Group& group, const Command& command,
                                        const Fingerprint& fingerprint,
                                        const Result<std::optional<CommandRow>>& known) const;
  Result<Event> find_event(const Group& group, LogPosition position) const;
  void build_batch(Group& group);
  void add_checkpoint(rocksdb::WriteBatch& batch);

  LedgerOptions options_;
  AppendObserver* observer_;
  std::unique_ptr<Clock> owned_clock_;
  Clock* clock_;

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // owned; destroyed before db_
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  rocksdb::ColumnFamilyHandle* log_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* commands_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* state_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* card_secrets_cf_ = nullptr;
  std::unique_ptr<EmbeddedLog> log_;

  mutable std::shared_mutex state_mutex_;
  LedgerState state_;  // guarded by state_mutex_; written only by the sequencer
  Sha256 head_{};      // hash of the last event; sequencer only
  // Accounts changed since the last checkpoint; sequencer only. Pointers into state_.accounts, whose
  // elements stay put (accounts are never removed): hashing a pointer per event is cheaper than an ID.
  std::unordered_set<const AccountState*> dirty_accounts_;
  std::unordered_set<const CardState*> dirty_cards_;  // as dirty_accounts_, for state_.cards
  // Every card's CardSecret (the card secrets family, loaded on open); sequencer only.
  std::unordered_map<std::string, CardSecret> card_secrets_;
  LogPosition checkpoint_position_;       // sequencer only
  std::atomic<uint64_t> written_end_{0};  // last position written, perhaps not yet synced
  mutable std::mutex durable_mutex_;
  DurableView durable_view_;  // guarded by durable_mutex_; set on open (start()), then by the syncer

  std::mutex queue_mutex_;
  std::condition_variable queue_ready_;
  std::deque<Request> queue_;  // guarded by queue_mutex_
  bool stopping_ = false;      // guarded by queue_mutex_
  std::thread sequencer_;

  mutable std::mutex pipeline_mutex_;
  std::condition_variable pipeline_changed_;
  std::deque<std::shared_ptr<Group>> in_flight_;  // guarded by pipeline_mutex_; oldest first
  bool sequencer_done_ = false;                   // guarded by pipeline_mutex_
  // The encoded events of the last groups written, oldest first. A reversal or a retried command
  // mostly names an event of the last few groups: decoding it from its own bytes spares reading it
  // back from the log (an iterator and a copy of a whole log entry, ~10% of the sequencer's time).
  struct WrittenGroup {
    LogPosition first;  // position of encoded[0]
    std::vector<std::string> encoded;
  };
  static constexpr size_t recent_groups_max = 8;
  std::deque<WrittenGroup> recent_;  // guarded by pipeline_mutex_
  std::atomic<bool> write_failed_{false};
  // A group was refused for lack of space: the sequencer's state is ahead of the database, so every
  // later group is refused until recover_from_full_disk().
  std::atomic<bool> storage_failed_{false};
  // RocksDB failed a WAL append: its WAL writer keeps the error until DB::Resume(), and a SyncWAL()
  // on it aborts an assertion build of RocksDB (Debian's), so the syncer skips syncing meanwhile.
  std::atomic<bool> wal_append_failed_{false};
  // The WAL a failed append went to: RocksDB clears the error only in a WAL it switches to.
  std::atomic<uint64_t> failed_wal_number_{0};
  std::atomic<size_t> groups_pending_{0};  // handed to the writer, not yet acknowledged
  std::unique_ptr<FreeSpaceReserve> reserve_;
  std::thread writer_;

  std::mutex sync_mutex_;
  std::condition_variable sync_ready_;
  std::deque<std::shared_ptr<Group>> unsynced_;  // guarded by sync_mutex_; written, oldest first
  bool writer_done_ = false;                     // guarded by sync_mutex_
  bool sync_failed_ = false;                     // syncer only
  std::thread syncer_;
  bool closed_ = false;
};

}  // namespace paystream
