#include "projections/log_reader.h"

#include <fmt/format.h>

#include <algorithm>

#include "events/codec.h"
#include "events/log_format.h"

namespace paystream {

Error log_corrupt(const std::string& why) {
  return make_error(Errc::corruption, "reading the log for a query: " + why);
}

Result<Timestamp> LogReader::time_at(uint64_t position) {
  it_->SeekForPrev(log_key(position));
  Result<uint64_t> first = entry_first();
  if (!first) return first.error();
  Result<std::string> event = decode_log_entry_event(it_->value().ToStringView(), position - *first);
  if (!event) return log_corrupt(fmt::format("position {}: {}", position, event.error().message));
  return decode_event_time(*event);
}

Result<uint64_t> LogReader::first_position_at(Timestamp time, const Segment& segment) {
  // Invariant: entries starting in [begin, lo) begin earlier than `time`; entries starting in
  // [hi, end) do not.
  const uint64_t end = segment.end;
  uint64_t lo = segment.begin;
  uint64_t hi = end;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    it_->Seek(log_key(mid));
    if (!it_->Valid()) {
      if (!it_->status().ok()) return rocksdb_error("searching the log", it_->status());
      hi = mid;  // no entry starts at or after mid
      continue;
    }
    const std::optional<uint64_t> found = decode_log_key(it_->key().ToStringView());
    if (!found) return log_corrupt("a key is not 8 bytes");
    if (*found >= end) {
      hi = mid;  // no entry starts in [mid, end)
      continue;
    }
    Result<std::string> event = decode_log_entry_event(it_->value().ToStringView(), 0);
    if (!event) return log_corrupt(fmt::format("entry {}: {}", *found, event.error().message));
    Result<Timestamp> first_time = decode_event_time(*event);
    if (!first_time) return first_time.error();
    if (*first_time >= time) {
      hi = mid;  // no entry starts between mid and found
    } else {
      lo = *found + 1;
    }
  }
  if (lo == segment.begin) return lo;
  // The entry holding lo - 1 begins earlier than `time`; the next one (starting at or after lo)
  // begins at or after it, or lies beyond end. So the answer is in this entry, or just after it.
  it_->SeekForPrev(log_key(lo - 1));
  Result<uint64_t> first = entry_first();
  if (!first) return first.error();
  Result<std::vector<std::string>> entry = decode_log_entry(it_->value().ToStringView());
  if (!entry) return log_corrupt(fmt::format("entry {}: {}", *first, entry.error().message));
  size_t low = 0;  // events before low are earlier than `time`
  size_t high = std::min<uint64_t>(entry->size(), end - *first);
  while (low < high) {
    const size_t middle = low + (high - low) / 2;
    Result<Timestamp> middle_time = decode_event_time((*entry)[middle]);
    if (!middle_time) return middle_time.error();
    if (*middle_time >= time) {
      high = middle;
    } else {
      low = middle + 1;
    }
  }
  return std::min(*first + low, end);
}

Status LogReader::scan(uint64_t from, uint64_t to, const std::function<Result<bool>(const Event&)>& visit) {
  return scan_encoded(from, to, [&](const Event& event, std::string_view) { return visit(event); });
}

Status LogReader::scan_encoded(
    uint64_t from, uint64_t to,
    const std::function<Result<bool>(const Event&, std::string_view encoded)>& visit) {
  if (from >= to) return ok_status();
  const std::string upper = log_key(to);
  const rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions options = options_;
  options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(log_.db->NewIterator(options, log_.family));
  it->SeekForPrev(log_key(from));
  uint64_t next = from;
  for (; it->Valid() && next < to; it->Next()) {
    const std::optional<uint64_t> first = decode_log_key(it->key().ToStringView());
    if (!first) return log_corrupt("a key is not 8 bytes");
    if (*first > next) return log_corrupt(fmt::format("positions {} to {} are missing", next, *first - 1));
    Result<std::vector<std::string>> entry = decode_log_entry(it->value().ToStringView());
    if (!entry) return log_corrupt(fmt::format("entry {}: {}", *first, entry.error().message));
    for (uint64_t position = next; position < to && position - *first < entry->size(); ++position) {
      Result<Event> event = decode_event((*entry)[position - *first]);
      if (!event) return log_corrupt(fmt::format("position {}: {}", position, event.error().message));
      if (event->position.value != position) {
        return log_corrupt(
            fmt::format("the event at position {} says it is at {}", position, event->position.value));
      }
      next = position + 1;
      Result<bool> more = visit(*event, (*entry)[position - *first]);
      if (!more) return more.error();
      if (!*more) return ok_status();
    }
  }
  if (!it->status().ok()) return rocksdb_error("scanning the log", it->status());
  if (next < to) return log_corrupt(fmt::format("the log ends before position {}", next));
  return ok_status();
}

Result<uint64_t> LogReader::entry_first() {
  if (!it_->Valid()) {
    if (!it_->status().ok()) return rocksdb_error("reading the log", it_->status());
    return log_corrupt("the log holds fewer events than the projections applied");
  }
  const std::optional<uint64_t> first = decode_log_key(it_->key().ToStringView());
  if (!first) return log_corrupt("a key is not 8 bytes");
  return *first;
}

}  // namespace paystream
