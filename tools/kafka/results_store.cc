#include "tools/kafka/results_store.h"

#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <filesystem>
#include <limits>

#include "engine/embedded/info_log.h"
#include "events/log_format.h"
#include "tools/kafka/store_rows.h"

namespace paystream {
namespace {

constexpr const char* results_cf_name = "results";
constexpr const char* progress_cf_name = "progress";
constexpr std::string_view store_name = "Kafka results index";
// Handles: default, results, progress.
constexpr size_t results_handle = 1;
constexpr size_t progress_handle = 2;

}  // namespace

Result<std::unique_ptr<KafkaResultsStore>> KafkaResultsStore::open(const std::string& directory,
                                                                   const std::string& scope) {
  PAYSTREAM_ASSERT(!scope.empty());
  std::unique_ptr<KafkaResultsStore> store(new KafkaResultsStore());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name :
       {rocksdb::kDefaultColumnFamilyName, std::string(results_cf_name), std::string(progress_cf_name)}) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::error_code ignored;  // RocksDB makes the database's own directory, not its parents
  std::filesystem::create_directories(std::filesystem::path(directory).parent_path(), ignored);
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  // RocksDB's own logger aborts an assertion build after a failed write (a full disk): see info_log.h.
  std::filesystem::create_directories(directory, ignored);
  options.info_log = open_info_log(directory);
  rocksdb::DB* db = nullptr;
  const rocksdb::Status status = rocksdb::DB::Open(options, directory, descriptors, &store->handles_, &db);
  if (db != nullptr) store->db_.reset(db);
  if (!status.ok()) return store_error(store_name, "opening", status);
  if (Status loaded = store->load(); !loaded) return loaded.error();
  if (Status claimed = claim_scope(*store->db_, store->handles_[progress_handle], store->scope_, scope,
                                   directory, "the results",
                                   "use another directory, or remove it to read the results again "
                                   "from this cluster");
      !claimed) {
    return claimed.error();
  }
  return store;
}

KafkaResultsStore::~KafkaResultsStore() {
  if (!db_) return;
  for (rocksdb::ColumnFamilyHandle* handle : handles_) (void)db_->DestroyColumnFamilyHandle(handle);
  (void)db_->Close();
}

Status KafkaResultsStore::load() {
  return read_progress_rows(
      *db_, handles_[progress_handle], store_name, scope_, [&](int32_t partition, std::string_view value) {
        const std::optional<uint64_t> offset = read_big_endian_u64(value);
        if (!offset || *offset > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          return false;
        }
        next_offsets_[partition] = static_cast<int64_t>(*offset);
        return true;
      });
}

Result<std::optional<ReadResult>> KafkaResultsStore::read_row(const std::string& command_id) const {
  std::string json;
  const rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), handles_[results_handle], command_id, &json);
  if (status.IsNotFound()) return std::optional<ReadResult>();
  if (!status.ok()) return store_error(store_name, "reading a result", status);
  Result<CommandResult> result = decode_result_json(json);
  if (!result) {
    return make_error(Errc::corruption, fmt::format("Kafka results index: the row of command '{}': {}",
                                                    command_id, result.error().message));
  }
  return std::optional<ReadResult>(ReadResult{std::move(*result), std::move(json)});
}

Status KafkaResultsStore::write(const ResultsRound& round) {
  // Whether the row kept so far for each ID of the round is ok (read once, then followed in memory).
  std::map<std::string, bool> kept_ok;
  rocksdb::WriteBatch batch;
  for (const ReadResult& read : round.results) {
    const std::string& id = read.result.command_id;
    if (!kept_ok.contains(id)) {
      Result<std::optional<ReadResult>> row = read_row(id);
      // A stored row that does not decode (damaged on disk) is replaced by what the topic says.
      if (!row && row.error().code != Errc::corruption) return row.error();
      if (row && *row) kept_ok.emplace(id, (*row)->result.ok);
    }
    if (const auto kept = kept_ok.find(id); kept != kept_ok.end() && kept->second) {
      continue;  // an ok result answers for its ID forever
    }
    PAYSTREAM_ASSERT(batch.Put(handles_[results_handle], id, read.json).ok());
    kept_ok[id] = read.result.ok;
  }
  for (const auto& [partition, offset] : round.next_offsets) {
    PAYSTREAM_ASSERT(offset >= 0);
    const std::string value = big_endian_u64(static_cast<uint64_t>(offset));
    PAYSTREAM_ASSERT(batch.Put(handles_[progress_handle], partition_progress_key(partition), value).ok());
  }
  if (batch.Count() == 0) return ok_status();
  const rocksdb::Status written = db_->Write(rocksdb::WriteOptions(), &batch);
  if (!written.ok()) return store_error(store_name, "writing", written);
  for (const auto& [partition, offset] : round.next_offsets) next_offsets_[partition] = offset;
  return ok_status();
}

Result<std::optional<CommandResult>> KafkaResultsStore::lookup(const std::string& command_id) const {
  Result<std::optional<ReadResult>> row = read_row(command_id);
  if (!row) return row.error();
  if (!*row) return std::optional<CommandResult>();
  return std::optional<CommandResult>(std::move((*row)->result));
}

}  // namespace paystream
