#pragma once
// Ledger: the embedded engine. One RocksDB database in a data directory holds the log, the
// command-ID index, the engine's checkpoint and every projection (in column families). Commands
// from any thread are decided one at a time in log order by one sequencer thread, and many are
// group-committed: one WriteBatch, one WAL sync, then all of them are acknowledged.
// submit() returns only after the events are synced: acknowledged means durable.
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/domain/clock.h"
#include "engine/domain/ledger_state.h"
#include "engine/domain/outcome.h"
#include "events/command.h"

namespace rocksdb {
class DB;
class Env;
class Statistics;
class Snapshot;
class ColumnFamilyHandle;
class WriteBatch;
}  // namespace rocksdb

namespace paystream {

// Whatever else must change atomically with an append (the projections). Called on the
// sequencer thread, in log order, with the events of one group commit. The batches of up to three
// earlier calls may still be unwritten: what they put there is not yet in the database.
class AppendObserver {
 public:
  virtual ~AppendObserver() = default;
  virtual std::vector<std::string> column_families() const = 0;
  // Families of older layouts of the observer that this layout does not use. A data directory
  // holding one has the older layout: on open the ledger drops it and every family of
  // column_families(), creates those empty, and rebuilds them from the log (as for a dropped one).
  virtual std::vector<std::string> retired_column_families() const { return {}; }
  // Families (of column_families()) whose rows are rewritten over and over, few rows many times
  // (one per account): the ledger gives them a small memtable (see ledger_open.cc).
  virtual std::vector<std::string> overwritten_column_families() const { return {}; }
  // Families (of column_families()) read only by range scans, never by key: the ledger builds no
  // bloom filter for their files, which would cost flush and compaction time and serve no read.
  virtual std::vector<std::string> scanned_column_families() const { return {}; }
  // `handles`: the observer's column families, in its column_families() order. `log`: the log's
  // column family (stored format in events/log_format.h), for reading only: the observer may
  // serve queries from the log instead of copying it. All stay owned by the ledger. `durable`
  // gives the snapshot of the database as of the last synced write: the ledger writes before it
  // syncs, so a query must read that one, not the latest. It may be called from any thread.
  virtual void bind(rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>& handles,
                    rocksdb::ColumnFamilyHandle* log,
                    std::function<std::shared_ptr<const rocksdb::Snapshot>()> durable) = 0;
  [[nodiscard]] virtual Status on_append(std::span<const Event> events, rocksdb::WriteBatch& batch) = 0;
  // The batches of the last on_append() calls were not written (the disk was full): forget
  // whatever was kept from them; the next call follows what the database holds.
  virtual void discard_unwritten() {}
  // The last position the observer has applied. On open, the ledger feeds it the events after this
  // one, so dropped or newly added projections are rebuilt from the log.
  virtual Result<LogPosition> applied_position() const = 0;
};

struct LedgerOptions {
  std::string data_dir = "paystream-data";
  bool sync = true;  // false only for tests that measure nothing durable
  // Commands in one group commit. Small enough that under load several groups are under way at
  // once (one being decided, others being written or synced), so the three threads overlap; a
  // group of everything queued left them waiting on each other (docs/performance.md).
  size_t group_commands_max = 512;
  uint64_t checkpoint_events_max = 200'000;         // events after which the state is checkpointed
  Clock* clock = nullptr;                           // nullptr: the system clock
  std::shared_ptr<rocksdb::Statistics> statistics;  // optional, for the benchmark's counters
  rocksdb::Env* env = nullptr;  // nullptr: RocksDB's default; tests give one whose WAL syncs stall or fail
  // Commands that would write are refused with Errc::storage_full, before anything is written,
  // while the data directory's file system has less free space than this; they are accepted
  // again once it has (docs/architecture.md, "A full disk").
  uint64_t free_bytes_min = uint64_t{64} << 20;
  // Set: the database is opened read-only (nothing is written, not even RocksDB's LOG), for a
  // read-only or full data directory; every command is refused with this error. Opening fails when
  // the directory holds no ledger, or projections that only a writable open would rebuild.
  std::optional<Error> read_only;
};

class Ledger {
 public:
  // Opens (creating if missing) the database, loads the checkpoint and replays the log tail.
  static Result<std::unique_ptr<Ledger>> open(const LedgerOptions& options, AppendObserver* observer);
  virtual ~Ledger() = default;

  // Thread-safe. Blocks until the command's events are durable, or returns why it was refused.
  // An empty command_id is replaced by a generated one.
  virtual Result<Outcome> submit(Command command) = 0;
  // Applied in order; one outcome each. Shares group commits like concurrent submit() calls.
  virtual std::vector<Result<Outcome>> submit_all(std::vector<Command> commands) = 0;

  // A consistent copy of the state, for show commands and tests. It may include groups that are
  // decided but still being written (end() tells what is durable); after a failed write it is
  // ahead of the log until the ledger is reopened.
  virtual LedgerState snapshot() const = 0;
  // Calls read(state) under the state's read lock, without copying it (authorization of a request,
  // one account's row). `read` must be quick: the sequencer waits for it before deciding.
  virtual void read_state(const std::function<void(const LedgerState&)>& read) const = 0;
  virtual LogPosition end() const = 0;  // position of the last event, 0 when empty
  virtual Result<Event> read_event(LogPosition position) const = 0;
  // The outcome of an applied command, by its ID, as a repeat of it would get (duplicate set):
  // nullopt when no durable command has that ID (a refused command records nothing).
  virtual Result<std::optional<Outcome>> find_outcome(const std::string& command_id) const = 0;
  // Calls visit(event) for every event from `from` in order; stops on the first error
  // (a corrupt entry names its position). Checks the hash chain as it goes, and the last event
  // against the stored chain head; run it on a quiet ledger (replay, verification), since the head
  // moves with every write.
  virtual Status scan(LogPosition from, const std::function<Status(const Event&)>& visit) const = 0;
  virtual rocksdb::DB* db() const = 0;

  // Writes a checkpoint and closes. Also done by the destructor.
  virtual Status close() = 0;
};

}  // namespace paystream
