#pragma once
// The embedded log: the "log" column family of the ledger's RocksDB database, in the stored format
// of events/log_format.h (key: position of the entry's first event, 8 bytes big-endian; value: a
// LogEntry of up to entry_events_max encoded events with consecutive positions). Append goes into
// the caller's WriteBatch; reads check the hash chain (each event's prev_hash is the SHA-256 of the
// previous event's bytes).
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "events/codec.h"
#include "events/log_format.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Snapshot;
class WriteBatch;
}  // namespace rocksdb

namespace paystream {

class EmbeddedLog {
 public:
  static constexpr size_t entry_events_max = log_entry_events_max;

  EmbeddedLog(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log);

  // Appends encoded events whose first position is `first` (entries split at entry_events_max).
  void append(rocksdb::WriteBatch& batch, LogPosition first, const std::vector<std::string>& encoded) const;

  // The event and its encoded bytes; Errc::record_not_found past the end.
  Result<Event> read(LogPosition position) const;
  Result<std::string> read_encoded(LogPosition position) const;
  // An event's stored bytes decoded, checked to be the event at `position`; errors name the position.
  static Result<Event> decode_at(LogPosition position, const std::string& encoded);

  // Visits every event from `from` in order, checking each against the hash of the one before,
  // and the last one against `head` (the hash the ledger stored with its last append) when given.
  // Stops at the first error, which names the position of the altered event. Reads the log as of
  // `snapshot` when given (what the ledger has synced), else the latest.
  Status scan(LogPosition from, const std::function<Status(const Event&, const std::string& encoded)>& visit,
              const Sha256* head = nullptr, const rocksdb::Snapshot* snapshot = nullptr) const;

  // The position of the last stored event (0 when empty), read from the last entry.
  Result<LogPosition> last_position() const;

 private:
  struct Entry {
    LogPosition first;                         // position of its first event
    size_t count = 0;                          // events it holds
    std::shared_ptr<const std::string> bytes;  // the stored LogEntry; shared with the cache
  };
  Result<Entry> entry_at(LogPosition position) const;

  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* log_;
  // The last entry read, because reversals and duplicate lookups tend to touch recent entries.
  mutable std::mutex cache_mutex_;
  mutable Entry cached_;
};

}  // namespace paystream
