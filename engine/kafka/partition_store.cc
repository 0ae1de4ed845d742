#include "engine/kafka/partition_store.h"

#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <filesystem>

#include "engine/domain/state_codec.h"
#include "engine/embedded/info_log.h"

namespace paystream {
namespace {

// Key layout: scope, 0, partition (4 bytes, big-endian), kind, then the row's own key.
constexpr char meta_kind = 'm';
constexpr char account_kind = 'a';
constexpr char command_kind = 'c';
constexpr char record_kind = 'r';
constexpr char card_kind = 'k';
constexpr uint64_t meta_format = 1;

std::string partition_prefix(const std::string& scope, int32_t partition) {
  std::string prefix = scope;
  prefix += '\0';
  prefix += big_endian_key(static_cast<uint64_t>(partition)).substr(4);
  return prefix;
}

void put_u64(std::string& out, uint64_t value) { out += big_endian_key(value); }
void put_text(std::string& out, std::string_view text) {
  put_u64(out, text.size());
  out.append(text);
}

class RowReader {
 public:
  explicit RowReader(std::string_view in) : in_(in) {}
  bool u64(uint64_t& value) {
    if (in_.size() < 8) return false;
    value = read_big_endian(in_.substr(0, 8));
    in_.remove_prefix(8);
    return true;
  }
  bool text(std::string& value) {
    uint64_t size = 0;
    if (!u64(size) || size > in_.size()) return false;
    value.assign(in_.substr(0, size));
    in_.remove_prefix(size);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

Error corrupt_row(std::string_view what) {
  return make_error(Errc::corruption, fmt::format("Kafka checkpoint: a corrupt {} row", what));
}

std::string encode_meta(const PartitionEngine& engine, int64_t events_offset) {
  std::string out;
  put_u64(out, meta_format);
  put_u64(out, engine.position().epoch);
  put_text(out, engine.position().owner);
  put_u64(out, engine.position().sequence);
  put_u64(out, static_cast<uint64_t>(engine.next_command_offset()));
  put_u64(out, static_cast<uint64_t>(engine.next_control_offset()));
  put_u64(out, static_cast<uint64_t>(events_offset));
  put_text(out, std::string_view(reinterpret_cast<const char*>(engine.head().data()), engine.head().size()));
  put_u64(out, engine.state().last_position.value);
  put_u64(out, static_cast<uint64_t>(engine.state().last_time.micros));
  put_text(out, encode_globals(engine.state().parameters, engine.state().operators));
  return out;
}

struct Meta {
  BatchPosition position;
  int64_t next_command_offset = 0;
  int64_t next_control_offset = 0;
  int64_t events_offset = 0;
  Sha256 head{};
  LogPosition last_position;
  Timestamp last_time;
  LedgerGlobals globals;
};

Result<Meta> decode_meta(std::string_view bytes) {
  RowReader in(bytes);
  Meta meta;
  uint64_t format = 0, command = 0, control = 0, events = 0, time = 0;
  std::string head, globals;
  if (!in.u64(format) || format != meta_format || !in.u64(meta.position.epoch) ||
      !in.text(meta.position.owner) || !in.u64(meta.position.sequence) || !in.u64(command) ||
      !in.u64(control) || !in.u64(events) || !in.text(head) || head.size() != meta.head.size() ||
      !in.u64(meta.last_position.value) || !in.u64(time) || !in.text(globals) || !in.done()) {
    return corrupt_row("partition");
  }
  meta.next_command_offset = static_cast<int64_t>(command);
  meta.next_control_offset = static_cast<int64_t>(control);
  meta.events_offset = static_cast<int64_t>(events);
  std::copy(head.begin(), head.end(), meta.head.begin());
  meta.last_time.micros = static_cast<int64_t>(time);
  Result<LedgerGlobals> decoded = decode_globals(globals);
  if (!decoded) return decoded.error();
  meta.globals = std::move(*decoded);
  return meta;
}

}  // namespace

PartitionStore::PartitionStore(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}
PartitionStore::~PartitionStore() = default;

Result<std::unique_ptr<PartitionStore>> PartitionStore::open(const std::string& directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    return make_error(Errc::io_error,
                      fmt::format("cannot create directory '{}': {}", directory, error.message()));
  }
  rocksdb::Options options;
  options.create_if_missing = true;
  options.max_background_jobs = 2;
  // RocksDB's own logger aborts an assertion build after a failed write (a full disk): see info_log.h.
  options.info_log = open_info_log(directory);
  rocksdb::DB* db = nullptr;
  const rocksdb::Status status = rocksdb::DB::Open(options, directory, &db);
  if (!status.ok()) {
    return make_error(Errc::io_error, fmt::format("cannot open the Kafka checkpoint directory '{}': {}",
                                                  directory, status.ToString()));
  }
  return std::unique_ptr<PartitionStore>(new PartitionStore(std::unique_ptr<rocksdb::DB>(db)));
}

Result<std::optional<int64_t>> PartitionStore::load(const std::string& scope, PartitionEngine& engine) const {
  const std::string prefix = partition_prefix(scope, engine.partition());
  std::string meta_row;
  const rocksdb::Status found = db_->Get(rocksdb::ReadOptions(), prefix + meta_kind, &meta_row);
  if (found.IsNotFound()) return std::optional<int64_t>();
  if (!found.ok()) return make_error(Errc::io_error, "reading the Kafka checkpoint: " + found.ToString());
  Result<Meta> meta = decode_meta(meta_row);
  if (!meta) return meta.error();
  LedgerState state;
  state.parameters = meta->globals.parameters;
  state.operators = std::move(meta->globals.operators);
  state.last_position = meta->last_position;
  state.last_time = meta->last_time;
  std::unordered_map<std::string, PartitionCommandEntry> commands;
  std::unordered_map<uint64_t, Event> records;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const std::string_view key(it->key().data() + prefix.size(), it->key().size() - prefix.size());
    const std::string_view value(it->value().data(), it->value().size());
    if (key.empty()) return corrupt_row("key");
    const std::string_view name = key.substr(1);
    if (key[0] == account_kind) {
      Result<AccountState> account = decode_account_state(value);
      if (!account) return account.error();
      state.accounts.emplace(std::string(name), std::move(*account));
    } else if (key[0] == command_kind) {
      RowReader in(value);
      PartitionCommandEntry entry;
      uint64_t count = 0;
      if (!in.u64(entry.first.value) || !in.u64(count) || !in.text(entry.fingerprint)) {
        return corrupt_row("command");
      }
      // A recorded refusal's answer follows (rows written before cards were decided here lack it).
      if (!in.done() && (!in.text(entry.refusal_code) || !in.text(entry.refusal_message) || !in.done())) {
        return corrupt_row("command");
      }
      entry.count = static_cast<uint32_t>(count);
      commands.emplace(std::string(name), std::move(entry));
    } else if (key[0] == card_kind) {
      Result<CardState> card = decode_card_state(value);
      if (!card) return card.error();
      state.cards.emplace(std::string(name), std::move(*card));
    } else if (key[0] == record_kind) {
      Result<Event> event = decode_event(value);
      if (!event || name.size() != 8) return corrupt_row("record");
      records.emplace(read_big_endian(name), std::move(*event));
    } else if (key[0] != meta_kind) {
      return corrupt_row("unknown");
    }
  }
  if (!it->status().ok())
    return make_error(Errc::io_error, "reading the Kafka checkpoint: " + it->status().ToString());
  engine.restore(std::move(state), meta->head, meta->position, meta->next_command_offset,
                 meta->next_control_offset, std::move(commands), std::move(records));
  return std::optional<int64_t>(meta->events_offset);
}

Status PartitionStore::save(const std::string& scope, const PartitionEngine& engine, int64_t events_offset) {
  const std::string prefix = partition_prefix(scope, engine.partition());
  rocksdb::WriteBatch batch;
  // The whole partition is rewritten: nothing of an older checkpoint survives it.
  PAYSTREAM_ASSERT(batch.DeleteRange(prefix, prefix + '\xff').ok());
  PAYSTREAM_ASSERT(batch.Put(prefix + meta_kind, encode_meta(engine, events_offset)).ok());
  for (const auto& [id, account] : engine.state().accounts) {
    PAYSTREAM_ASSERT(batch.Put(prefix + account_kind + id, encode_account_state(account)).ok());
  }
  for (const auto& [id, entry] : engine.commands()) {
    std::string row;
    put_u64(row, entry.first.value);
    put_u64(row, entry.count);
    put_text(row, entry.fingerprint);
    if (!entry.refusal_code.empty()) {
      put_text(row, entry.refusal_code);
      put_text(row, entry.refusal_message);
    }
    PAYSTREAM_ASSERT(batch.Put(prefix + command_kind + id, row).ok());
  }
  for (const auto& [number, card] : engine.state().cards) {
    PAYSTREAM_ASSERT(batch.Put(prefix + card_kind + number, encode_card_state(card)).ok());
  }
  for (const auto& [position, event] : engine.records()) {
    PAYSTREAM_ASSERT(batch.Put(prefix + record_kind + big_endian_key(position), encode_event(event)).ok());
  }
  rocksdb::WriteOptions options;
  options.sync = true;
  const rocksdb::Status written = db_->Write(options, &batch);
  if (!written.ok()) return make_error(Errc::io_error, "writing the Kafka checkpoint: " + written.ToString());
  return ok_status();
}

}  // namespace paystream
