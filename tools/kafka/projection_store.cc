#include "tools/kafka/projection_store.h"

#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "engine/embedded/info_log.h"
#include "events/log_format.h"
#include "tools/kafka/store_rows.h"

namespace paystream {
namespace {

constexpr const char* progress_cf_name = "kafka_progress";
constexpr std::string_view store_name = "Kafka projections";
// Handles: default, log, kafka_progress, then the projections' families.
constexpr size_t log_handle = 1;
constexpr size_t progress_handle = 2;
constexpr size_t first_projection_handle = 3;

// next offset (8) | last position (8) | head (32) | epoch (8) | sequence (8) | owner
std::string encode_progress(const PartitionProgress& progress) {
  std::string value = big_endian_u64(static_cast<uint64_t>(progress.next_offset));
  value += big_endian_u64(progress.last_position);
  value.append(reinterpret_cast<const char*>(progress.head.data()), progress.head.size());
  value += big_endian_u64(progress.accepted.epoch);
  value += big_endian_u64(progress.accepted.sequence);
  value += progress.accepted.owner;
  return value;
}

std::optional<PartitionProgress> decode_progress(std::string_view value) {
  constexpr size_t fixed = 8 + 8 + 32 + 8 + 8;
  if (value.size() < fixed) return std::nullopt;
  PartitionProgress progress;
  progress.next_offset = static_cast<int64_t>(*read_big_endian_u64(value.substr(0, 8)));
  progress.last_position = *read_big_endian_u64(value.substr(8, 8));
  std::copy(value.begin() + 16, value.begin() + 48, reinterpret_cast<char*>(progress.head.data()));
  progress.accepted.epoch = *read_big_endian_u64(value.substr(48, 8));
  progress.accepted.sequence = *read_big_endian_u64(value.substr(56, 8));
  progress.accepted.owner = std::string(value.substr(fixed));
  return progress;
}

Error corrupt_batch(int32_t partition, int64_t offset, const std::string& why) {
  return make_error(Errc::corruption,
                    fmt::format("events partition {} offset {}: {}", partition, offset, why));
}

std::vector<std::string> family_names() {
  std::vector<std::string> names{rocksdb::kDefaultColumnFamilyName, log_cf_name, progress_cf_name};
  for (const std::string& name : Projections::column_families()) names.push_back(name);
  return names;
}

// A store written by a build of an older projection layout. The embedded ledger rebuilds such
// projections from its log on open; this store's rows and progress are one round's batch, and the
// cluster holds every event, so it is rebuilt from the cluster instead, as the user decides.
Status refuse_retired_layout(const std::string& directory) {
  std::vector<std::string> existing;
  if (!rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), directory, &existing).ok()) return ok_status();
  for (const std::string& retired : Projections::retired_column_families()) {
    if (std::find(existing.begin(), existing.end(), retired) != existing.end()) {
      return make_error(
          Errc::invalid_argument,
          fmt::format("'{}' holds Kafka projections of an older layout (family '{}'); remove it to "
                      "rebuild them from the cluster",
                      directory, retired));
    }
  }
  const std::vector<std::string> current = Projections::column_families();
  const auto held = [&](const std::string& name) {
    return std::find(existing.begin(), existing.end(), name) != existing.end();
  };
  if (std::any_of(current.begin(), current.end(), held)) {
    for (const std::string& name : current) {
      if (held(name)) continue;
      return make_error(
          Errc::invalid_argument,
          fmt::format("'{}' holds Kafka projections of an older layout (no family '{}'); remove "
                      "it to rebuild them from the cluster",
                      directory, name));
    }
  }
  return ok_status();
}

}  // namespace

Result<CheckedBatch> check_accepted_batch(int32_t partition, int64_t offset, const EventBatch& batch,
                                          const PartitionProgress& before,
                                          const BatchPosition& accepted_after) {
  if (batch.command_partition != partition) {
    return corrupt_batch(partition, offset,
                         fmt::format("a batch of commands partition {}", batch.command_partition));
  }
  CheckedBatch checked{
      .partition = partition, .offset = offset, .events = {}, .encoded = batch.events, .after = before};
  checked.events.reserve(batch.events.size());
  Timestamp last_time{std::numeric_limits<int64_t>::min()};
  for (const std::string& bytes : batch.events) {
    Result<Event> event = decode_event(bytes);
    if (!event) return corrupt_batch(partition, offset, event.error().message);
    const uint64_t position = event->position.value;
    if (position != checked.after.last_position + 1) {
      return corrupt_batch(
          partition, offset,
          fmt::format("the event at position {} follows position {}", position, checked.after.last_position));
    }
    if (partition_of_position(position) != partition) {
      return corrupt_batch(partition, offset,
                           fmt::format("position {} is not of partition {}", position, partition));
    }
    if (event->prev_hash != checked.after.head) {
      return corrupt_batch(
          partition, offset,
          fmt::format("the event at position {} does not chain to the one before", position));
    }
    if (!checked.events.empty() && event->time < last_time) {
      return corrupt_batch(partition, offset,
                           fmt::format("the event at position {} goes back in time", position));
    }
    last_time = event->time;
    checked.after.head = sha256(bytes);
    checked.after.last_position = position;
    checked.events.push_back(std::move(*event));
  }
  checked.after.next_offset = offset + 1;
  checked.after.accepted = accepted_after;
  return checked;
}

Result<std::unique_ptr<KafkaProjectionStore>> KafkaProjectionStore::open(const std::string& directory,
                                                                         Access access,
                                                                         const std::string& scope) {
  if (Status current = refuse_retired_layout(directory); !current) return current.error();
  std::unique_ptr<KafkaProjectionStore> store(new KafkaProjectionStore());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : family_names())
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  rocksdb::DBOptions options;
  rocksdb::DB* db = nullptr;
  rocksdb::Status status;
  if (access == Access::write) {
    std::error_code ignored;  // RocksDB makes the database's own directory, not its parents
    std::filesystem::create_directories(std::filesystem::path(directory).parent_path(), ignored);
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    // RocksDB's own logger aborts an assertion build after a failed write (a full disk): see info_log.h.
    std::filesystem::create_directories(directory, ignored);
    options.info_log = open_info_log(directory);
    status = rocksdb::DB::Open(options, directory, descriptors, &store->handles_, &db);
  } else {
    if (!std::filesystem::exists(std::filesystem::path(directory) / "CURRENT")) {
      return make_error(
          Errc::invalid_argument,
          fmt::format("'{}' holds no Kafka projections (run `paystream project --kafka` first)", directory));
    }
    // A secondary instance reads beside the projector that holds the database's lock.
    std::random_device random;
    store->secondary_path_ =
        (std::filesystem::temp_directory_path() / fmt::format("paystream-secondary-{:x}", random())).string();
    options.max_open_files = -1;
    status = rocksdb::DB::OpenAsSecondary(options, directory, store->secondary_path_, descriptors,
                                          &store->handles_, &db);
    if (status.ok()) status = db->TryCatchUpWithPrimary();
  }
  if (db != nullptr) store->db_.reset(db);
  if (!status.ok()) return store_error(store_name, "opening", status);
  if (Status loaded = store->load(); !loaded) return loaded.error();
  if (access == Access::write) {
    if (Status claimed =
            claim_scope(*store->db_, store->handles_[progress_handle], store->scope_, scope, directory,
                        "the projections", "use another --data, or remove it to rebuild from this cluster");
        !claimed) {
      return claimed.error();
    }
  }
  store->projections_ = std::make_unique<Projections>(
      db,
      std::vector<rocksdb::ColumnFamilyHandle*>(store->handles_.begin() + first_projection_handle,
                                                store->handles_.end()),
      store->log(), access == Access::read ? DatabaseView::frozen : DatabaseView::live);
  return store;
}

KafkaProjectionStore::~KafkaProjectionStore() {
  projections_.reset();
  if (db_) {
    for (rocksdb::ColumnFamilyHandle* handle : handles_) (void)db_->DestroyColumnFamilyHandle(handle);
    (void)db_->Close();
    db_.reset();
  }
  if (!secondary_path_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(secondary_path_, ignored);
  }
}

Status KafkaProjectionStore::load() {
  return read_progress_rows(*db_, handles_[progress_handle], store_name, scope_,
                            [&](int32_t partition, std::string_view value) {
                              std::optional<PartitionProgress> progress = decode_progress(value);
                              if (progress) progress_[partition] = std::move(*progress);
                              return progress.has_value();
                            });
}

PartitionProgress KafkaProjectionStore::progress_of(int32_t partition) const {
  if (const auto found = progress_.find(partition); found != progress_.end()) return found->second;
  PartitionProgress fresh;
  fresh.last_position = partition_base(partition);
  return fresh;
}

void KafkaProjectionStore::put_progress(int32_t partition, const PartitionProgress& progress,
                                        rocksdb::WriteBatch& batch) {
  PAYSTREAM_ASSERT(
      batch.Put(handles_[progress_handle], partition_progress_key(partition), encode_progress(progress))
          .ok());
}

Status KafkaProjectionStore::write(const std::vector<CheckedBatch>& batches) {
  if (batches.empty()) return ok_status();
  const int32_t partition = batches.front().partition;
  rocksdb::WriteBatch write_batch;
  std::vector<Event> events;
  for (const CheckedBatch& batch : batches) {
    PAYSTREAM_ASSERT(batch.partition == partition);
    // The log's entries hold at most log_entry_events_max events each, keyed by their first.
    for (size_t begin = 0; begin < batch.encoded.size(); begin += log_entry_events_max) {
      const size_t end = std::min(batch.encoded.size(), begin + log_entry_events_max);
      const std::vector<std::string> part(batch.encoded.begin() + static_cast<ptrdiff_t>(begin),
                                          batch.encoded.begin() + static_cast<ptrdiff_t>(end));
      PAYSTREAM_ASSERT(
          write_batch
              .Put(handles_[log_handle], log_key(batch.events[begin].position.value), encode_log_entry(part))
              .ok());
    }
    events.insert(events.end(), batch.events.begin(), batch.events.end());
  }
  if (Status applied = projections_->apply(events, write_batch); !applied) return applied;
  put_progress(partition, batches.back().after, write_batch);
  const rocksdb::Status written = db_->Write(rocksdb::WriteOptions(), &write_batch);
  if (!written.ok()) {
    projections_->discard_cache();
    return store_error(store_name, "writing", written);
  }
  progress_[partition] = batches.back().after;
  return ok_status();
}

Status KafkaProjectionStore::skip(int32_t partition, int64_t next_offset, const BatchPosition& accepted) {
  PartitionProgress progress = progress_of(partition);
  progress.next_offset = next_offset;
  progress.accepted = accepted;
  rocksdb::WriteBatch batch;
  put_progress(partition, progress, batch);
  const rocksdb::Status written = db_->Write(rocksdb::WriteOptions(), &batch);
  if (!written.ok()) return store_error(store_name, "writing the progress", written);
  progress_[partition] = std::move(progress);
  return ok_status();
}

Status KafkaProjectionStore::scan_partition(int32_t partition, uint64_t from, uint64_t last,
                                            const std::function<Status(const Event&)>& visit) const {
  PAYSTREAM_ASSERT(partition_of_position(from) == partition && from > partition_base(partition));
  uint64_t next = from;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_[log_handle]));
  // Entries never straddle partitions, so the entry holding `from` starts in this partition.
  for (it->SeekForPrev(log_key(from)); next <= last; it->Next()) {
    if (!it->Valid()) {
      if (!it->status().ok()) return store_error(store_name, "reading the log", it->status());
      return make_error(Errc::corruption,
                        fmt::format("Kafka projections: log positions {} to {} are missing", next, last));
    }
    const std::optional<uint64_t> first = decode_log_key(it->key().ToStringView());
    Result<std::vector<std::string>> entry = decode_log_entry(it->value().ToStringView());
    if (!first || !entry || *first > next) {
      return make_error(Errc::corruption,
                        fmt::format("Kafka projections: the log entry holding position {} is "
                                    "unreadable or missing",
                                    next));
    }
    for (size_t i = next - *first; i < entry->size() && next <= last; ++i, ++next) {
      Result<Event> event = decode_event((*entry)[i]);
      if (!event) {
        return make_error(Errc::corruption, fmt::format("Kafka projections: the event at log position {} is "
                                                        "unreadable: {}",
                                                        next, event.error().message));
      }
      if (Status visited = visit(*event); !visited) return visited;
    }
  }
  return ok_status();
}

LogSource KafkaProjectionStore::log() const {
  return LogSource{.db = db_.get(), .family = handles_[log_handle]};
}

std::vector<rocksdb::ColumnFamilyHandle*> KafkaProjectionStore::compared_families() const {
  std::vector<rocksdb::ColumnFamilyHandle*> families(handles_.begin() + first_projection_handle,
                                                     handles_.end());
  families.push_back(handles_[log_handle]);
  return families;
}

std::vector<std::string> KafkaProjectionStore::compared_family_names() {
  std::vector<std::string> names = Projections::column_families();
  names.push_back(log_cf_name);
  return names;
}

}  // namespace paystream
