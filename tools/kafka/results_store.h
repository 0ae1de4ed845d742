#pragma once
// The results index's database (docs/kafka.md, "The results index"): DIR/kafka-results, a RocksDB
// database of its own, holding
//   - `results`: per command ID, the result JSON that answers for it (the bytes read from P.results);
//   - `progress`: per results partition, the next offset to read; and the scope (the cluster's ID and
//     the results topic) the rows belong to.
// Rows and offsets of one round are one WriteBatch, so a crash leaves them together. Not synced: the
// topic is the truth, and a lost tail is read again.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tools/kafka/result_decoding.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace paystream {

inline constexpr const char* kafka_results_dir_name = "kafka-results";

// One result read, with its bytes as they are on the topic.
struct ReadResult {
  CommandResult result;
  std::string json;
};

// What one round of reading brings: results in the order read, and the next offset of each
// partition that moved (results read, or an end reached past offsets that held no result).
struct ResultsRound {
  std::vector<ReadResult> results;
  std::map<int32_t, int64_t> next_offsets;
};

class KafkaResultsStore {
 public:
  // `directory` is the database itself, created when missing. A database of another `scope`
  // ("<cluster ID>/<results topic>") is refused with invalid_argument: its offsets mean nothing here.
  static Result<std::unique_ptr<KafkaResultsStore>> open(const std::string& directory,
                                                         const std::string& scope);
  ~KafkaResultsStore();
  KafkaResultsStore(const KafkaResultsStore&) = delete;
  KafkaResultsStore& operator=(const KafkaResultsStore&) = delete;

  const std::string& scope() const { return scope_; }
  // The next offset of each partition stored (a partition never read is absent: read it from 0).
  // Changed by write(): for its one writer thread.
  const std::map<int32_t, int64_t>& next_offsets() const { return next_offsets_; }

  // Writes a round in one WriteBatch: the offsets, and per command ID the row the rule keeps. The
  // first ok result of an ID is kept forever; until one comes, the latest refusal is. For one
  // writer thread at a time; lookup() may run beside it.
  Status write(const ResultsRound& round);

  // The row of `command_id`: nullopt when none was read. io_error, or corruption for a row that
  // does not decode. Thread-safe.
  Result<std::optional<CommandResult>> lookup(const std::string& command_id) const;

 private:
  KafkaResultsStore() = default;
  Status load();
  Result<std::optional<ReadResult>> read_row(const std::string& command_id) const;

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // default, results, progress
  std::map<int32_t, int64_t> next_offsets_;
  std::string scope_;
};

}  // namespace paystream
