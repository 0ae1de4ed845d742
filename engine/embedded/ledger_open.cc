// Opening the embedded ledger: the database, the checkpoint, the log tail, the observer's catch-up.
#include <fmt/format.h>
#include <pthread.h>
#include <rocksdb/convenience.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/listener.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "engine/domain/decide.h"
#include "engine/domain/state_codec.h"
#include "engine/embedded/info_log.h"
#include "engine/embedded/ledger_impl.h"
#include "engine/embedded/space_ballast.h"
#include "events/log_format.h"

namespace paystream {
namespace {

constexpr const char* format_key = "format";
constexpr const char* format_value = "paystream-embedded-1";
constexpr const char* checkpoint_key = "checkpoint";
// The observer's column families, comma-separated, once they are set up to hold the log's rows:
// written after a rebuild of them is set up, so that a directory without it (an older build's, or
// a rebuild cut short by a crash) is set up again.
constexpr const char* observer_families_key = "observer_families";
constexpr const char* parameters_key = "parameters";
constexpr uint64_t catch_up_events_max = 4096;

// RocksDB's refusal as the ledger's error: damaged data (a WAL record or a table that fails its
// checksum) is corruption, for the operator to restore; anything else an I/O error.
Error storage_error(const std::string& what, const rocksdb::Status& status) {
  return make_error(status.IsCorruption() ? Errc::corruption : Errc::io_error,
                    fmt::format("{}: {}", what, status.ToString()));
}

// RocksDB finds a database by its CURRENT file. Without it (a lost directory entry, a careless
// clean-up), it would create an empty database among the old files and later delete them as
// obsolete: the ledger would open empty and lose its history without a word. So a directory that
// holds a database's files (tables, a manifest, a write-ahead log) but no CURRENT is refused. The
// info log (LOG) and the space reserve are the ledger's own and are made before the database.
Status check_current_file(rocksdb::Env& env, const std::string& dir) {
  if (env.FileExists(dir + "/CURRENT").ok()) return ok_status();
  std::vector<std::string> children;
  if (!env.GetChildren(dir, &children).ok()) return ok_status();  // a new directory
  size_t database_files = 0;
  for (const std::string& name : children) {
    if (name.ends_with(".sst") || name.ends_with(".log") || name.starts_with("MANIFEST-")) ++database_files;
  }
  if (database_files == 0) return ok_status();
  return make_error(
      Errc::corruption,
      fmt::format("cannot open data directory '{}': it holds {} files of a ledger's database but "
                  "no CURRENT file, which names its manifest; opening it would start an empty "
                  "ledger over them. It is damaged: restore it from a backup (its files are "
                  "left as they are)",
                  dir, database_files));
}

// Memtable insert hints: keys that start with a run ending in a zero byte (big-endian positions,
// whose first byte is zero; "account\0position" rows) mostly arrive in order within that run, so
// the skip list can insert next to the previous key of the run instead of searching from the top.
// Keys without a zero byte (account IDs, command IDs) arrive in no order and get no hint.
class RunPrefix final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "paystream.RunPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    const void* zero = std::memchr(key.data(), 0, key.size());
    return rocksdb::Slice(key.data(), static_cast<const char*>(zero) - key.data() + 1);
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return std::memchr(key.data(), 0, key.size()) != nullptr;
  }
};

// RocksDB recovers from a full disk by itself only once the free space exceeds its own buffer
// (the size of all write buffers, 64 MiB and more here), polled every few seconds. The ledger
// resumes it instead, when its own reserve is free again (EmbeddedLedger::recover_from_full_disk),
// and must then also reload its state: a recovery behind its back would leave that undone.
class ResumedByLedger final : public rocksdb::EventListener {
 public:
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status error,
                            bool* auto_recovery) override {
    error.PermitUncheckedError();
    *auto_recovery = false;
  }
};

constexpr const char* commands_family = "commands";
constexpr const char* state_family = "state";
// What recognises each phone card's PIN (CardSecret), by card number: not in the log, and not
// derivable from it, so this family is as precious as the log (docs/storage.md).
constexpr const char* card_secrets_family = "card-secrets";
constexpr size_t engine_family_count = 5;
constexpr std::string_view card_checkpoint_prefix = "card:";  // account IDs hold no ':'

// Flushes and the first compactions handle every byte written, soon rewritten again: compressing
// them costs ~10% of the CPU time of a payment at 3 M commands (bench). The levels that keep data for
// long are compressed, with LZ4 (cheaper than Snappy, RocksDB's default) where the library has it.
std::vector<rocksdb::CompressionType> compression_per_level() {
  const std::vector<rocksdb::CompressionType> supported = rocksdb::GetSupportedCompressions();
  auto has = [&](rocksdb::CompressionType type) {
    return std::find(supported.begin(), supported.end(), type) != supported.end();
  };
  const rocksdb::CompressionType lasting = has(rocksdb::kLZ4Compression)      ? rocksdb::kLZ4Compression
                                           : has(rocksdb::kSnappyCompression) ? rocksdb::kSnappyCompression
                                                                              : rocksdb::kNoCompression;
  return {rocksdb::kNoCompression, rocksdb::kNoCompression, lasting, lasting, lasting, lasting, lasting};
}

}  // namespace

rocksdb::ColumnFamilyOptions EmbeddedLedger::column_family_options(const std::string& name) const {
  const bool overwritten = observer_family_in(&AppendObserver::overwritten_column_families, name);
  // The log is read by iterators only (a position is found with SeekForPrev) and the state family
  // only when the checkpoint is loaded.
  const bool scanned = name == log_cf_name || name == state_family ||
                       observer_family_in(&AppendObserver::scanned_column_families, name);
  rocksdb::ColumnFamilyOptions options;
  // A flush keeps only the last version of each row, so for an overwritten family a small memtable
  // costs little more flushing, and its skip list stays short enough to sit in the CPU's caches: a
  // balance row per payment is otherwise the most expensive insert of a group commit (bench: +15%).
  options.write_buffer_size = overwritten ? 4 << 20 : 64 << 20;
  options.max_write_buffer_number = 4;
  options.compression_per_level = compression_per_level();
  rocksdb::BlockBasedTableOptions table;
  // Building a filter hashes every key of every flush and compaction: for the records of the
  // by-account family, 15% of its compaction time (bench, 10 M commands), for no read.
  if (!scanned) table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  if (name == commands_family) {
    // Nearly every lookup is of a new command ID, so the memtables hold no row for it: a bloom
    // filter in front of each spares the search of its skip list. (Not a hash table memtable: its
    // inserts are cheap, but a flush sorts its ~1 M entries into a skip list at once, which holds
    // up the flushes of the other families until writes stall.)
    options.memtable_whole_key_filtering = true;
    options.memtable_prefix_bloom_size_ratio = 0.02;
  } else {
    options.memtable_insert_with_hint_prefix_extractor = std::make_shared<RunPrefix>();
  }
  return options;
}

bool EmbeddedLedger::observer_family_in(std::vector<std::string> (AppendObserver::*list)() const,
                                        const std::string& name) const {
  if (observer_ == nullptr) return false;
  const std::vector<std::string> families = (observer_->*list)();
  return std::find(families.begin(), families.end(), name) != families.end();
}

Status EmbeddedLedger::open_database() {
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.max_background_jobs = 2;
  options.bytes_per_sync = 1 << 20;
  options.statistics = options_.statistics;
  if (options_.env != nullptr) options.env = options_.env;
  // One writer thread writes every batch, so memtable inserts are never concurrent. Saying so keeps
  // RunPrefix's insert hints in use: RocksDB ignores them for concurrent inserts.
  options.allow_concurrent_memtable_write = false;
  // Every acknowledged group is synced, so only the WAL's last record can be incomplete after a
  // crash (unacknowledged: dropped). A damaged record before it is refused: RocksDB's default,
  // point-in-time recovery, would open the ledger without every acknowledged write after it.
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  options.info_log = options_.read_only ? discarding_info_log() : open_info_log(options_.data_dir);
  options.listeners.push_back(std::make_shared<ResumedByLedger>());
  std::vector<std::string> names = {rocksdb::kDefaultColumnFamilyName, log_cf_name, commands_family,
                                    state_family, card_secrets_family};
  const size_t engine_families = names.size();
  PAYSTREAM_ASSERT(engine_families == engine_family_count);
  if (observer_ != nullptr) {
    for (const std::string& name : observer_->column_families()) names.push_back(name);
  }
  const size_t observer_end = names.size();
  // Retired families of the observer that this directory still holds: opened so they can be dropped.
  std::vector<std::string> existing;
  if (!rocksdb::DB::ListColumnFamilies(options, options_.data_dir, &existing).ok()) existing.clear();
  if (observer_ != nullptr) {
    for (const std::string& name : observer_->retired_column_families()) {
      if (std::find(existing.begin(), existing.end(), name) != existing.end()) names.push_back(name);
    }
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) {
    descriptors.emplace_back(name, column_family_options(name));
  }
  if (Status found = check_current_file(*options.env, options_.data_dir); !found) return found;
  if (options_.read_only) return open_read_only(options, descriptors, existing);
  rocksdb::DB* db = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(options, options_.data_dir, descriptors, &handles_, &db);
  if (status.IsNoSpace() && remove_ballast(options_.data_dir)) {
    // The ballast exists for this: its space lets the open write its MANIFEST, OPTIONS and WAL.
    // The ledger then runs below its reserve, so writes are refused until space is freed, and
    // resume by themselves (the ballast is made again once there is room for it).
    const std::optional<uint64_t> free = free_bytes_of(options_.data_dir);
    std::fprintf(stderr,
                 "paystream: the file system of data directory '%s' was too full to open it for writing; "
                 "removed its space reserve file '%s' (%s bytes free now) and opened it again\n",
                 options_.data_dir.c_str(), ballast_file_name,
                 free ? std::to_string(*free).c_str() : "unknown");
    status = rocksdb::DB::Open(options, options_.data_dir, descriptors, &handles_, &db);
  }
  if (status.IsNoSpace()) {
    return make_error(Errc::storage_full,
                      fmt::format("cannot open data directory '{}' for writing: its file system is full ({})",
                                  options_.data_dir, status.ToString()));
  }
  if (!status.ok()) {
    if (status.ToString().find("lock") != std::string::npos) {
      return make_error(
          Errc::io_error,
          fmt::format("data directory '{}' is in use by another paystream process", options_.data_dir));
    }
    return storage_error(fmt::format("cannot open data directory '{}'", options_.data_dir), status);
  }
  db_.reset(db);
  meta_ = handles_[0];
  log_cf_ = handles_[1];
  commands_cf_ = handles_[2];
  state_cf_ = handles_[3];
  card_secrets_cf_ = handles_[4];
  log_ = std::make_unique<EmbeddedLog>(db_.get(), log_cf_);
  if (Status format = check_format(); !format) return format;
  // A family of this build missing from a directory that held a ledger (made empty just now).
  const bool family_was_missing =
      !existing.empty() &&
      std::any_of(names.begin() + static_cast<std::ptrdiff_t>(engine_families),
                  names.begin() + static_cast<std::ptrdiff_t>(observer_end), [&](const std::string& name) {
                    return std::find(existing.begin(), existing.end(), name) == existing.end();
                  });
  if (Status status = renew_outdated_observer_families(engine_families, observer_end, family_was_missing);
      !status)
    return status;
  if (observer_ != nullptr) {
    observer_->bind(db_.get(),
                    std::vector<rocksdb::ColumnFamilyHandle*>(
                        handles_.begin() + static_cast<std::ptrdiff_t>(engine_families), handles_.end()),
                    log_cf_, [this] { return durable_view().snapshot; });
  }
  return ok_status();
}

// A backup, a snapshot, a read-only mount or a full disk: RocksDB's OpenForReadOnly writes nothing
// (it replays the WAL into memory only). What a writable open would change (create a missing
// family, drop a retired one, write the format marker) is refused instead.
Status EmbeddedLedger::open_read_only(rocksdb::DBOptions& options,
                                      std::vector<rocksdb::ColumnFamilyDescriptor>& descriptors,
                                      const std::vector<std::string>& existing) {
  for (const rocksdb::ColumnFamilyDescriptor& descriptor : descriptors) {
    if (std::find(existing.begin(), existing.end(), descriptor.name) != existing.end()) continue;
    return make_error(
        Errc::io_error,
        fmt::format("data directory '{}' (opened read-only) {}: open it writable once to set it up",
                    options_.data_dir,
                    existing.empty() ? "holds no ledger"
                                     : "lacks the column family '" + descriptor.name + "' of this build"));
  }
  if (descriptors.size() >
      engine_family_count + (observer_ != nullptr ? observer_->column_families().size() : 0)) {
    return make_error(Errc::io_error,
                      fmt::format("data directory '{}' (opened read-only) holds projections of an "
                                  "older layout: open it writable once to rebuild them",
                                  options_.data_dir));
  }
  options.create_if_missing = false;
  options.create_missing_column_families = false;
  rocksdb::DB* db = nullptr;
  const rocksdb::Status status =
      rocksdb::DB::OpenForReadOnly(options, options_.data_dir, descriptors, &handles_, &db);
  if (!status.ok()) {
    return storage_error(fmt::format("cannot open data directory '{}' read-only", options_.data_dir), status);
  }
  db_.reset(db);
  meta_ = handles_[0];
  log_cf_ = handles_[1];
  commands_cf_ = handles_[2];
  state_cf_ = handles_[3];
  card_secrets_cf_ = handles_[4];
  log_ = std::make_unique<EmbeddedLog>(db_.get(), log_cf_);
  if (Status format = check_format(); !format) return format;
  if (observer_ != nullptr) {
    observer_->bind(
        db_.get(),
        std::vector<rocksdb::ColumnFamilyHandle*>(handles_.begin() + engine_family_count, handles_.end()),
        log_cf_, [this] { return durable_view().snapshot; });
  }
  return ok_status();
}

Status EmbeddedLedger::check_format() {
  std::string format;
  const rocksdb::Status read = db_->Get(rocksdb::ReadOptions(), meta_, format_key, &format);
  if (read.IsNotFound() && options_.read_only) {
    return make_error(Errc::io_error, fmt::format("data directory '{}' (opened read-only) holds no ledger",
                                                  options_.data_dir));
  }
  if (read.IsNotFound()) {
    rocksdb::WriteOptions sync;
    sync.sync = true;
    const rocksdb::Status written = db_->Put(sync, meta_, format_key, format_value);
    if (!written.ok()) return storage_error("writing the format marker", written);
  } else if (!read.ok()) {
    return storage_error("reading the format marker", read);
  } else if (format != format_value) {
    return make_error(Errc::corruption,
                      fmt::format("data directory '{}' holds format '{}'; this build reads '{}'",
                                  options_.data_dir, format, format_value));
  }
  return ok_status();
}

// Projections of another layout than this build's (a retired family is open, one of this build's
// was missing, or the families this build has are not the ones recorded: a new family would start
// empty beside rows that reflect the whole log) are dropped and made again from the log. The record of the
// families goes first and comes back last, so that a crash in between repeats all of it.
Status EmbeddedLedger::renew_outdated_observer_families(size_t first, size_t current_end,
                                                        bool family_was_missing) {
  if (observer_ == nullptr) return ok_status();
  const std::vector<std::string> current = observer_->column_families();
  std::string wanted;
  for (const std::string& name : current) wanted += (wanted.empty() ? "" : ",") + name;
  std::string recorded;
  const rocksdb::Status read = db_->Get(rocksdb::ReadOptions(), meta_, observer_families_key, &recorded);
  if (!read.ok() && !read.IsNotFound()) return storage_error("reading the projections' layout", read);
  if (read.ok() && recorded == wanted && handles_.size() == current_end && !family_was_missing)
    return ok_status();
  rocksdb::WriteOptions sync;
  sync.sync = true;
  if (const rocksdb::Status forgotten = db_->Delete(sync, meta_, observer_families_key); !forgotten.ok()) {
    return storage_error("recording the projections' layout", forgotten);
  }
  if (Status status = drop_observer_families(first, current_end); !status) return status;
  if (const rocksdb::Status recorded_now = db_->Put(sync, meta_, observer_families_key, wanted);
      !recorded_now.ok()) {
    return storage_error("recording the projections' layout", recorded_now);
  }
  return ok_status();
}

// Drops every family of the observer, retired ones included, and creates the current ones empty;
// catch_up_observer() then rebuilds them from the log.
Status EmbeddedLedger::drop_observer_families(size_t first, size_t current_end) {
  const std::vector<std::string> current = observer_->column_families();
  PAYSTREAM_ASSERT(current.size() == current_end - first);
  const std::vector<rocksdb::ColumnFamilyHandle*> dropped(
      handles_.begin() + static_cast<std::ptrdiff_t>(first), handles_.end());
  handles_.resize(first);
  rocksdb::Status failed;
  std::string failed_name;
  for (rocksdb::ColumnFamilyHandle* handle : dropped) {
    if (failed.ok()) {
      failed = db_->DropColumnFamily(handle);
      failed_name = handle->GetName();
    }
    (void)db_->DestroyColumnFamilyHandle(handle);
  }
  if (!failed.ok()) {
    return storage_error(fmt::format("dropping the projection family '{}' of an older layout", failed_name),
                         failed);
  }
  for (const std::string& name : current) {
    rocksdb::ColumnFamilyHandle* handle = nullptr;
    const rocksdb::Status status = db_->CreateColumnFamily(column_family_options(name), name, &handle);
    if (!status.ok()) return storage_error(fmt::format("creating the projection family '{}'", name), status);
    handles_.push_back(handle);
  }
  return ok_status();
}

// The checkpoint is a cache of evolve(): when it is missing or unreadable the whole log is replayed.
Status EmbeddedLedger::load_checkpoint() {
  std::string position_bytes, parameters_bytes;
  const rocksdb::Status found = db_->Get(rocksdb::ReadOptions(), meta_, checkpoint_key, &position_bytes);
  if (found.IsNotFound()) return ok_status();
  if (!found.ok()) return storage_error("reading the checkpoint", found);
  if (position_bytes.size() != 16) return ok_status();
  const rocksdb::Status parameters_found =
      db_->Get(rocksdb::ReadOptions(), meta_, parameters_key, &parameters_bytes);
  if (!parameters_found.ok()) return ok_status();
  Result<LedgerGlobals> globals = decode_globals(parameters_bytes);
  if (!globals) return ok_status();
  LedgerState loaded;
  loaded.parameters = globals->parameters;
  loaded.operators = std::move(globals->operators);
  loaded.last_position = LogPosition{read_big_endian(std::string_view(position_bytes).substr(0, 8))};
  loaded.last_time =
      Timestamp{static_cast<int64_t>(read_big_endian(std::string_view(position_bytes).substr(8)))};
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), state_cf_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().starts_with(card_checkpoint_prefix)) {
      Result<CardState> card = decode_card_state(it->value().ToStringView());
      if (!card) return ok_status();
      loaded.cards.emplace(card->number, std::move(card).value());
      continue;
    }
    Result<AccountState> account = decode_account_state(it->value().ToStringView());
    if (!account) return ok_status();
    loaded.accounts.emplace(account->id, std::move(account).value());
  }
  if (!it->status().ok()) return storage_error("reading the checkpoint", it->status());
  rebuild_indexes(loaded);
  state_ = std::move(loaded);
  checkpoint_position_ = state_.last_position;
  return ok_status();
}

Status EmbeddedLedger::load_card_secrets() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), card_secrets_cf_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    Result<CardSecret> secret = decode_card_secret(it->value().ToStringView());
    if (!secret) {
      return make_error(Errc::corruption,
                        fmt::format("the card secrets row of card {} is corrupt", it->key().ToStringView()));
    }
    card_secrets_.insert_or_assign(it->key().ToString(), std::move(secret).value());
  }
  if (!it->status().ok()) return storage_error("reading the card secrets", it->status());
  return ok_status();
}

Status EmbeddedLedger::replay_tail() {
  Result<LogPosition> last = log_->last_position();
  if (!last) return last.error();
  if (*last < state_.last_position) {
    // A checkpoint ahead of the log cannot come from this ledger's own writes: start from scratch.
    state_ = LedgerState{};
    dirty_accounts_.clear();  // its pointers were into the state just dropped
    dirty_cards_.clear();
  }
  Status replayed = ok_status();
  if (last->value > state_.last_position.value) {
    replayed = log_->scan(LogPosition{state_.last_position.value + 1},
                          [this](const Event& event, const std::string& encoded) -> Status {
                            evolve_and_track(event);
                            head_ = sha256(encoded);
                            return ok_status();
                          });
  } else if (last->value > 0) {
    Result<std::string> encoded = log_->read_encoded(*last);
    if (!encoded) return encoded.error();
    head_ = sha256(*encoded);
  }
  if (!replayed) return replayed;
  written_end_ = state_.last_position.value;
  return ok_status();
}

Status EmbeddedLedger::catch_up_observer() {
  if (observer_ == nullptr) return ok_status();
  Result<LogPosition> applied = observer_->applied_position();
  if (!applied) return applied.error();
  if (*applied == state_.last_position) return ok_status();
  if (*applied > state_.last_position) {
    return make_error(Errc::corruption,
                      fmt::format("projections are at log position {} but the log ends at {}", applied->value,
                                  state_.last_position.value));
  }
  if (options_.read_only) {
    return make_error(
        Errc::io_error,
        fmt::format("data directory '{}' (opened read-only): its projections end at log position {}, "
                    "the log at {}; open it writable once to bring them up to date",
                    options_.data_dir, applied->value, state_.last_position.value));
  }
  std::vector<Event> pending;
  auto flush = [&]() -> Status {
    rocksdb::WriteBatch batch;
    if (Status status = observer_->on_append(pending, batch); !status) return status;
    const rocksdb::Status written = db_->Write(rocksdb::WriteOptions(), &batch);
    if (!written.ok()) return storage_error("rebuilding projections", written);
    pending.clear();
    return ok_status();
  };
  Status scanned = log_->scan(LogPosition{applied->value + 1}, [&](const Event& event, const std::string&) {
    pending.push_back(event);
    return pending.size() >= catch_up_events_max ? flush() : ok_status();
  });
  if (!scanned) return scanned;
  return pending.empty() ? ok_status() : flush();
}

void EmbeddedLedger::evolve_and_track(const Event& event) {
  // Opening or moving an account changes its parents' sub-account counts too.
  if (event.type == EventType::account_opened || event.type == EventType::account_updated) {
    if (const AccountState* before = state_.find(event.account_id);
        before && !before->settings.parent.empty()) {
      dirty_accounts_.insert(state_.find(before->settings.parent));
    }
    if (!event.settings.parent.empty()) dirty_accounts_.insert(state_.find(event.settings.parent));
  }
  if (const AccountState* account = evolve(state_, event)) dirty_accounts_.insert(account);
  if (!event.card_number.empty() && event.type != EventType::card_payment_recorded) {
    dirty_cards_.insert(state_.find_card(event.card_number));
  }
}

void EmbeddedLedger::add_checkpoint(rocksdb::WriteBatch& batch) {
  for (const AccountState* account : dirty_accounts_) {
    PAYSTREAM_ASSERT(account != nullptr);
    PAYSTREAM_ASSERT(batch.Put(state_cf_, account->id, encode_account_state(*account)).ok());
  }
  std::string position = big_endian_key(state_.last_position.value);
  position += big_endian_key(static_cast<uint64_t>(state_.last_time.micros));
  PAYSTREAM_ASSERT(batch.Put(meta_, checkpoint_key, position).ok());
  PAYSTREAM_ASSERT(
      batch.Put(meta_, parameters_key, encode_globals(state_.parameters, state_.operators)).ok());
  for (const CardState* card : dirty_cards_) {
    PAYSTREAM_ASSERT(card != nullptr);
    PAYSTREAM_ASSERT(
        batch.Put(state_cf_, std::string(card_checkpoint_prefix) + card->number, encode_card_state(*card))
            .ok());
  }
  dirty_accounts_.clear();
  dirty_cards_.clear();
  checkpoint_position_ = state_.last_position;
}

Status EmbeddedLedger::write_checkpoint(bool sync) {
  rocksdb::WriteBatch batch;
  add_checkpoint(batch);
  rocksdb::WriteOptions options;
  options.sync = sync && options_.sync;
  const rocksdb::Status written = db_->Write(options, &batch);
  if (!written.ok()) return storage_error("writing the checkpoint", written);
  return ok_status();
}

Status EmbeddedLedger::start() {
  if (Status status = open_database(); !status) return status;
  if (Status status = load_checkpoint(); !status) return status;
  if (Status status = replay_tail(); !status) return status;
  if (Status status = load_card_secrets(); !status) return status;
  if (Status status = catch_up_observer(); !status) return status;
  // What the database holds on open counts as durable: RocksDB flushes what it recovers from the
  // WAL into synced table files while opening (avoid_flush_during_recovery is left false).
  durable_view_ = DurableView{take_snapshot(), state_.last_position.value};
  if (options_.read_only) return ok_status();  // nothing to decide, write or sync
  reserve_ = std::make_unique<FreeSpaceReserve>(options_.data_dir, options_.free_bytes_min,
                                                ballast_bytes_for(options_.free_bytes_min));
  reserve_->keep_ballast();
  // Named so that `top -H` and profiles tell the threads that set the write rate apart.
  syncer_ = std::thread([this] { run_syncer(); });
  pthread_setname_np(syncer_.native_handle(), "ps-wal-syncer");
  writer_ = std::thread([this] { run_writer(); });
  pthread_setname_np(writer_.native_handle(), "ps-log-writer");
  sequencer_ = std::thread([this] { run_sequencer(); });
  pthread_setname_np(sequencer_.native_handle(), "ps-sequencer");
  return ok_status();
}

}  // namespace paystream
