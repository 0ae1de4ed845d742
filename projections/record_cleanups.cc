// Retention in the projections (domain.md "Retention"): a RecordsCleanedUp event drops the record
// rows before its end from records_by_account, and leaves a row in the meta family saying where
// they went. The all-accounts records query reads the log, so it starts each partition at that
// partition's last cleanup end (its records floor). Only the query tables change: the log, the
// balances, the history and the report totals keep everything.
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <unordered_map>

#include "events/log_format.h"
#include "projections/byte_codec.h"
#include "projections/key_codec.h"
#include "projections/projections_internal.h"

namespace paystream {
namespace {

Error corrupt_cleanup_row() {
  return make_error(Errc::corruption, "a records cleanup row of the projections is malformed");
}

struct RecordKeyParts {
  std::string_view account_id;
  Timestamp time;
  uint64_t position = 0;
};

std::optional<RecordKeyParts> split_record_key(std::string_view key) {
  if (key.size() <= keys::account_record_suffix_size) return std::nullopt;
  const size_t account_size = key.size() - keys::account_record_suffix_size;
  const std::optional<Timestamp> time = keys::decode_time_key(key.substr(account_size + 1, keys::time_size));
  const std::optional<uint64_t> position =
      keys::decode_position_key(key.substr(key.size() - keys::position_size));
  if (key[account_size] != '\0' || !time || !position) return std::nullopt;
  return RecordKeyParts{key.substr(0, account_size), *time, *position};
}

}  // namespace

std::string encode_cleanup_row(const CleanupRow& row) {
  ByteWriter writer;
  writer.varint(row.id.value);
  writer.signed_varint(row.time.micros);
  writer.text(row.operator_name);
  writer.text(row.command_id);
  writer.signed_varint(row.cleanup.from.micros);
  writer.signed_varint(row.cleanup.before.micros);
  writer.varint(row.cleanup.count);
  writer.text(row.cleanup.export_sha256);
  writer.text(row.cleanup.export_file);
  writer.varint(row.removed);
  return writer.take();
}

Result<CleanupRow> decode_cleanup_row(std::string_view bytes) {
  ByteReader reader(bytes);
  CleanupRow row;
  row.id = LogPosition{reader.varint()};
  row.time = Timestamp{reader.signed_varint()};
  row.operator_name = reader.text();
  row.command_id = reader.text();
  row.cleanup.from = Timestamp{reader.signed_varint()};
  row.cleanup.before = Timestamp{reader.signed_varint()};
  row.cleanup.count = reader.varint();
  row.cleanup.export_sha256 = reader.text();
  row.cleanup.export_file = reader.text();
  row.removed = reader.varint();
  if (!reader.complete()) return corrupt_cleanup_row();
  return row;
}

bool is_cleaned_by(const Event& cleanup, std::string_view record_key) {
  const std::optional<RecordKeyParts> parts = split_record_key(record_key);
  PAYSTREAM_ASSERT(parts.has_value());
  return partition_of_position(parts->position) == partition_of_position(cleanup.position.value) &&
         parts->time < cleanup.cleanup.before;
}

Result<uint64_t> delete_cleaned_records(const Handles& handles, const Event& event,
                                        const std::vector<std::string>& unwritten_keys,
                                        rocksdb::WriteBatch& batch) {
  const int32_t partition = partition_of_position(event.position.value);
  const Timestamp before = event.cleanup.before;
  // One snapshot for the scan and the lookups below, so that a batch the ledger's writer stores
  // meanwhile is either seen by both or by neither, and no row is counted twice.
  const QuerySnapshot snapshot(handles.db, DatabaseView::live);
  std::unique_ptr<rocksdb::Iterator> it(
      handles.db->NewIterator(snapshot.options(), handles.records_by_account));
  uint64_t removed = 0;
  for (it->SeekToFirst(); it->Valid();) {
    const std::optional<RecordKeyParts> parts = split_record_key(it->key().ToStringView());
    if (!parts) return make_error(Errc::corruption, "a record row's key is malformed");
    // An account lives in one partition: its first row says whether this cleanup is about it.
    if (partition_of_position(parts->position) != partition || parts->time >= before) {
      it->Seek(keys::account_prefix_end(parts->account_id));
      continue;
    }
    PAYSTREAM_ASSERT(batch.Delete(handles.records_by_account, it->key()).ok());
    ++removed;
    it->Next();
  }
  if (!it->status().ok()) return rocksdb_error("scanning records to clean up", it->status());
  // Rows of groups whose batches are not written yet (and of this one) are in no scan.
  for (const std::string& key : unwritten_keys) {
    if (!is_cleaned_by(event, key)) continue;
    std::string value;
    const rocksdb::Status stored =
        handles.db->Get(snapshot.options(), handles.records_by_account, key, &value);
    if (stored.ok()) continue;  // the scan saw it
    if (!stored.IsNotFound()) return rocksdb_error("reading a record row", stored);
    PAYSTREAM_ASSERT(batch.Delete(handles.records_by_account, key).ok());
    ++removed;
  }
  return removed;
}

Result<std::map<int32_t, Timestamp>> read_record_floors(const Handles& handles,
                                                        const rocksdb::ReadOptions& options) {
  std::map<int32_t, Timestamp> floors;
  std::unique_ptr<rocksdb::Iterator> it(handles.db->NewIterator(options, handles.meta));
  for (it->Seek(keys::records_cleanup_prefix); it->Valid(); it->Next()) {
    const std::string_view key = it->key().ToStringView();
    if (!key.starts_with(keys::records_cleanup_prefix)) break;
    Result<CleanupRow> row = decode_cleanup_row(it->value().ToStringView());
    if (!row) return row.error();
    Timestamp& floor = floors[partition_of_position(row->id.value)];
    floor = std::max(floor, row->cleanup.before);
  }
  if (!it->status().ok()) return rocksdb_error("reading the records cleanups", it->status());
  return floors;
}

Result<std::vector<CleanupRow>> read_record_cleanups(const Handles& handles,
                                                     const rocksdb::ReadOptions& options) {
  std::vector<CleanupRow> cleanups;
  std::unordered_map<std::string, size_t> by_command;  // one row per command, whatever the partitions
  std::unique_ptr<rocksdb::Iterator> it(handles.db->NewIterator(options, handles.meta));
  for (it->Seek(keys::records_cleanup_prefix); it->Valid(); it->Next()) {
    const std::string_view key = it->key().ToStringView();
    if (!key.starts_with(keys::records_cleanup_prefix)) break;
    Result<CleanupRow> row = decode_cleanup_row(it->value().ToStringView());
    if (!row) return row.error();
    const auto [found, added] = by_command.emplace(row->command_id, cleanups.size());
    if (added) {
      cleanups.push_back(std::move(*row));
    } else {
      cleanups[found->second].removed += row->removed;
    }
  }
  if (!it->status().ok()) return rocksdb_error("reading the records cleanups", it->status());
  std::stable_sort(cleanups.begin(), cleanups.end(), [](const CleanupRow& a, const CleanupRow& b) {
    return a.cleanup.before < b.cleanup.before;
  });
  return cleanups;
}

}  // namespace paystream
