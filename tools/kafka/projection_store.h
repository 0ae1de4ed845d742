#pragma once
// The projections of Kafka mode (`paystream project --kafka`, docs/kafka.md "Projections"): one
// RocksDB database, DIR/kafka-projections, holding
//   - `log`: a copy of every accepted event of every events partition, in the embedded log's stored
//     format (events/log_format.h; positions (p << 48) | n, an entry never spans two partitions),
//     because the all-account queries read the records from the log;
//   - the projection column families (projections/projections.h), fed partition by partition;
//   - `kafka_progress`: per events partition, the next offset to read, the reader's accepted
//     (epoch, owner, sequence), the hash-chain head and the last position; and the scope (the
//     cluster's ID and the events topic) the rows belong to.
// Everything one accepted batch changes is one WriteBatch: a crash leaves the rows and the offset
// they cover together, and reading resumes from that offset.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "events/codec.h"
#include "events/kafka/batch_acceptance.h"
#include "projections/projections.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class WriteBatch;
}  // namespace rocksdb

namespace paystream {

inline constexpr const char* kafka_projections_dir_name = "kafka-projections";

struct PartitionProgress {
  int64_t next_offset = 0;     // the first events offset not read yet
  BatchPosition accepted;      // the reader's rule's position after the batches read
  Sha256 head{};               // SHA-256 of the partition's last event (zeros before the first)
  uint64_t last_position = 0;  // of the partition's last event; partition_base(p) before the first
  bool operator==(const PartitionProgress&) const = default;
};

// One accepted batch of a partition, decoded and checked (chain, positions, time) against the
// progress before it, ready to be written.
struct CheckedBatch {
  int32_t partition = 0;
  int64_t offset = 0;
  std::vector<Event> events;
  std::vector<std::string> encoded;  // the events' bytes as they are on the topic
  PartitionProgress after;
};

// Decodes and checks the events of an accepted batch read at `offset` of `partition`: each event
// follows on (position last + 1, prev_hash = head, time not earlier). corruption naming the offset
// and position otherwise. Pure.
Result<CheckedBatch> check_accepted_batch(int32_t partition, int64_t offset, const EventBatch& batch,
                                          const PartitionProgress& before,
                                          const BatchPosition& accepted_after);

class KafkaProjectionStore {
 public:
  enum class Access {
    write,  // the projector: creates the database when missing
    read,   // queries beside a running projector: a RocksDB secondary instance, caught up on open
  };

  // `directory` is the database itself (DIR/kafka-projections). Writing needs `scope` ("<cluster
  // ID>/<events topic>"): a database of another scope is refused (its offsets mean nothing here).
  static Result<std::unique_ptr<KafkaProjectionStore>> open(const std::string& directory, Access access,
                                                            const std::string& scope = {});
  ~KafkaProjectionStore();
  KafkaProjectionStore(const KafkaProjectionStore&) = delete;
  KafkaProjectionStore& operator=(const KafkaProjectionStore&) = delete;

  // The stored scope ("" when nothing was written yet).
  const std::string& scope() const { return scope_; }
  // Every partition read so far.
  const std::map<int32_t, PartitionProgress>& progress() const { return progress_; }
  // The progress of one partition (a fresh one when it was never read).
  PartitionProgress progress_of(int32_t partition) const;

  // Writes accepted batches of ONE partition, in order, each checked by check_accepted_batch
  // against the previous: their events into the log, the projection rows, and the progress, in one
  // WriteBatch (no sync: the topic is the truth, and a lost tail is read again).
  Status write(const std::vector<CheckedBatch>& batches);
  // Moves a partition's next offset past messages the reader's rule ignored (the accepted position
  // as given).
  Status skip(int32_t partition, int64_t next_offset, const BatchPosition& accepted);

  // Calls visit(event) for the stored events of `partition` at positions from..last, in order
  // (from = partition_base(partition) + 1 for all of them). corruption naming the position when an
  // entry does not decode or a position is missing; stops on visit's error.
  Status scan_partition(int32_t partition, uint64_t from, uint64_t last,
                        const std::function<Status(const Event&)>& visit) const;

  Projections& projections() { return *projections_; }
  rocksdb::DB* db() const { return db_.get(); }
  LogSource log() const;
  // The projection column families (Projections::column_families() order) followed by `log`.
  std::vector<rocksdb::ColumnFamilyHandle*> compared_families() const;
  static std::vector<std::string> compared_family_names();

 private:
  KafkaProjectionStore() = default;
  Status load();
  void put_progress(int32_t partition, const PartitionProgress& progress, rocksdb::WriteBatch& batch);

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // default, log, kafka_progress, projections...
  std::unique_ptr<Projections> projections_;
  std::map<int32_t, PartitionProgress> progress_;
  std::string scope_;
  std::string secondary_path_;  // a read access's scratch directory, removed on close
};

}  // namespace paystream
