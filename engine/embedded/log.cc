#include "engine/embedded/log.h"

#include <fmt/format.h>
#include <rocksdb/db.h>

#include <algorithm>
#include <memory>
#include <span>

namespace paystream {

EmbeddedLog::EmbeddedLog(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log) : db_(db), log_(log) {}

void EmbeddedLog::append(rocksdb::WriteBatch& batch, LogPosition first,
                         const std::vector<std::string>& encoded) const {
  for (size_t begin = 0; begin < encoded.size(); begin += entry_events_max) {
    const size_t count = std::min(encoded.size() - begin, entry_events_max);
    const rocksdb::Status status = batch.Put(log_, log_key(first.value + begin),
                                             encode_log_entry(std::span(encoded).subspan(begin, count)));
    PAYSTREAM_ASSERT(status.ok());
  }
}

Result<EmbeddedLog::Entry> EmbeddedLog::entry_at(LogPosition position) const {
  {
    std::lock_guard lock(cache_mutex_);
    if (cached_.bytes && position >= cached_.first && position.value < cached_.first.value + cached_.count) {
      return cached_;
    }
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), log_));
  it->SeekForPrev(log_key(position.value));
  if (!it->status().ok()) return make_error(Errc::io_error, "reading the log: " + it->status().ToString());
  const std::optional<uint64_t> key = it->Valid() ? decode_log_key(it->key().ToStringView()) : std::nullopt;
  if (!key) {
    return make_error(Errc::record_not_found, fmt::format("log position {} does not exist", position.value));
  }
  // The entry's bytes, not its decoded events: a read needs one event of up to 256, and its own
  // copy of the bytes is word-aligned, so that one is decoded in place.
  Entry entry{LogPosition{*key}, 0, std::make_shared<const std::string>(it->value().ToString())};
  Result<size_t> count = decode_log_entry_size(*entry.bytes);
  if (!count) {
    return make_error(count.error().code,
                      fmt::format("log entry at position {}: {}", entry.first.value, count.error().message));
  }
  entry.count = *count;
  if (position.value >= entry.first.value + entry.count) {
    return make_error(Errc::record_not_found, fmt::format("log position {} does not exist", position.value));
  }
  std::lock_guard lock(cache_mutex_);
  cached_ = entry;
  return entry;
}

Result<std::string> EmbeddedLog::read_encoded(LogPosition position) const {
  if (position.value == 0) {
    return make_error(Errc::record_not_found, "log position 0 does not exist (positions start at 1)");
  }
  Result<Entry> entry = entry_at(position);
  if (!entry) return entry.error();
  Result<std::string> event = decode_log_entry_event(*entry->bytes, position.value - entry->first.value);
  if (!event) {
    return make_error(event.error().code,
                      fmt::format("log entry at position {}: {}", entry->first.value, event.error().message));
  }
  return event;
}

Result<Event> EmbeddedLog::read(LogPosition position) const {
  Result<std::string> encoded = read_encoded(position);
  if (!encoded) return encoded.error();
  return decode_at(position, *encoded);
}

Result<Event> EmbeddedLog::decode_at(LogPosition position, const std::string& encoded) {
  Result<Event> event = decode_event(encoded);
  if (!event) {
    return make_error(event.error().code,
                      fmt::format("event at log position {}: {}", position.value, event.error().message));
  }
  if (event->position != position) {
    return make_error(Errc::corruption, fmt::format("event at log position {} says it is at {}",
                                                    position.value, event->position.value));
  }
  return event;
}

namespace {

// Event p records the hash of event p-1. When that link is broken, either p-1's bytes or p's
// prev_hash changed; the next link (or the stored head) tells which.
Error altered(uint64_t position) {
  return make_error(
      Errc::corruption,
      fmt::format("the event at log position {} was altered: its SHA-256 no longer matches the hash "
                  "chain",
                  position));
}

}  // namespace

Status EmbeddedLog::scan(LogPosition from,
                         const std::function<Status(const Event&, const std::string& encoded)>& visit,
                         const Sha256* head, const rocksdb::Snapshot* snapshot) const {
  PAYSTREAM_ASSERT(from.value >= 1);
  Sha256 expected{};
  if (from.value > 1) {
    Result<std::string> previous = read_encoded(LogPosition{from.value - 1});
    if (!previous) return previous.error();
    expected = sha256(*previous);
  }
  rocksdb::ReadOptions options;
  options.snapshot = snapshot;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, log_));
  it->SeekForPrev(log_key(from.value));
  if (!it->Valid()) it->SeekToFirst();
  uint64_t next = from.value;
  uint64_t broken_link = 0;  // position whose prev_hash did not match, awaiting the next link
  for (; it->Valid(); it->Next()) {
    const std::optional<uint64_t> key = decode_log_key(it->key().ToStringView());
    if (!key) return make_error(Errc::corruption, "a log key is not 8 bytes");
    const uint64_t first = *key;
    Result<std::vector<std::string>> entry = decode_log_entry(it->value().ToStringView());
    if (!entry) {
      return make_error(entry.error().code,
                        fmt::format("the log entry starting at position {} is unreadable: {}", first,
                                    entry.error().message));
    }
    if (first > next) {
      return make_error(Errc::corruption, fmt::format("log positions {} to {} are missing", next, first - 1));
    }
    for (size_t i = 0; i < entry->size(); ++i) {
      const uint64_t position = first + i;
      if (position < next) continue;
      const std::string& encoded = (*entry)[i];
      Result<Event> event = decode_event(encoded);
      if (!event) {
        return make_error(event.error().code, fmt::format("the event at log position {} is unreadable: {}",
                                                          position, event.error().message));
      }
      if (event->position.value != position) {
        return make_error(Errc::corruption, fmt::format("the event at log position {} says it is at {}",
                                                        position, event->position.value));
      }
      const bool linked = event->prev_hash == expected;
      if (broken_link != 0) return altered(linked && broken_link > 1 ? broken_link - 1 : broken_link);
      if (!linked) broken_link = position;
      if (linked) {
        if (Status status = visit(*event, encoded); !status) return status;
      }
      expected = sha256(encoded);
      next = position + 1;
    }
  }
  if (!it->status().ok()) return make_error(Errc::io_error, "reading the log: " + it->status().ToString());
  const bool head_matches = head == nullptr || *head == expected;
  if (broken_link != 0) return altered(head_matches && broken_link > 1 ? broken_link - 1 : broken_link);
  if (!head_matches) return altered(next - 1);
  return ok_status();
}

Result<LogPosition> EmbeddedLog::last_position() const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), log_));
  it->SeekToLast();
  if (!it->status().ok()) return make_error(Errc::io_error, "reading the log: " + it->status().ToString());
  if (!it->Valid()) return LogPosition{0};
  const std::optional<uint64_t> key = decode_log_key(it->key().ToStringView());
  if (!key) return make_error(Errc::corruption, "a log key is not 8 bytes");
  const uint64_t first = *key;
  Result<size_t> count = decode_log_entry_size(it->value().ToStringView());
  if (!count) {
    return make_error(count.error().code,
                      fmt::format("log entry at position {}: {}", first, count.error().message));
  }
  return LogPosition{first + *count - 1};
}

}  // namespace paystream
