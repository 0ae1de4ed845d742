// Payment record queries.
// - One account: one range of records_by_account, keyed (account, time, position), so a time range
//   is one seek. The cursor (a log position) becomes a key through the time of the event at that
//   position, read from the log.
// - Some accounts (an agent's tree): those accounts' ranges merged in position order.
// - All accounts: the records are read straight from the engine's log (events/log_format.h), whose
//   entries are in position and time order. A time range's bounds are found by binary search over
//   the entries, then the log is scanned forward; each record's account name (the name when it was
//   made) comes from the account_names history, cached per query.
// Type and operator are filtered while scanning. Every query reads one RocksDB snapshot, and never
// goes past the projections' applied position, so both kinds of query see the same records.
//
// Kafka mode: the log holds one sequence per partition, in time order within its partition only,
// each applied up to its own position (AppliedEnds). The all-accounts query takes the partitions'
// segments one after the other (position order); an account lives in one partition, so its
// range of records_by_account is in position order as in embedded mode.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <memory>
#include <optional>

#include "events/codec.h"
#include "events/log_format.h"
#include "projections/key_codec.h"
#include "projections/projections_internal.h"

namespace paystream {
namespace {

constexpr uint64_t position_end = std::numeric_limits<uint64_t>::max();
// Accounts whose name a query remembers; beyond this the cache starts over (long exports).
constexpr size_t cached_names_max = 100'000;

Result<uint64_t> parse_record_cursor(const std::string& cursor) {
  if (cursor.empty()) return uint64_t{0};
  uint64_t position = 0;
  const char* end = cursor.data() + cursor.size();
  const auto [stop, error] = std::from_chars(cursor.data(), end, position);
  if (error != std::errc() || stop != end || position == 0 || cursor[0] == '0') {
    return make_error(Errc::invalid_argument,
                      "invalid cursor '" + cursor + "': pass a previous page's next_cursor");
  }
  return position;
}

Error log_corrupt(const std::string& why) {
  return make_error(Errc::corruption, "payment records from the log: " + why);
}

bool is_visible(const RecordQuery& query, const std::string& account_id) {
  return !query.visible_accounts ||
         std::binary_search(query.visible_accounts->begin(), query.visible_accounts->end(), account_id);
}

bool matches(const RecordQuery& query, PaymentType type, const std::string& operator_name) {
  if (query.type && type != *query.type) return false;
  if (query.operator_name && operator_name != *query.operator_name) return false;
  return true;
}

// Reads the log under the query's snapshot. The log holds at least the events the ends cover, and
// nothing else is shown.
class LogReader {
 public:
  using Segment = AppliedEnds::Segment;

  LogReader(const LogSource& log, const rocksdb::ReadOptions& options, const AppliedEnds& ends)
      : log_(log), options_(options), ends_(ends), it_(log.db->NewIterator(options, log.family)) {}

  const AppliedEnds& ends() const { return ends_; }

  // The time of the event at `position` (covered by the ends).
  Result<Timestamp> time_at(uint64_t position) {
    it_->SeekForPrev(log_key(position));
    Result<uint64_t> first = entry_first();
    if (!first) return first.error();
    Result<std::string> event = decode_log_entry_event(it_->value().ToStringView(), position - *first);
    if (!event) return log_corrupt(fmt::format("position {}: {}", position, event.error().message));
    return decode_event_time(*event);
  }

  // The position p in [begin, end] of the segment such that its events before p are earlier than
  // `time` and those in [p, end) are not (times are in order within a partition only). A binary
  // search over entry starts (O(log n) seeks, comparing the time of each entry's first event),
  // then over the events of the one entry that can straddle `time`.
  Result<uint64_t> first_position_at(Timestamp time, const Segment& segment) {
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

  // Visits the events in [from, to) of one segment in order; stops early when visit returns false.
  Status scan(uint64_t from, uint64_t to, const std::function<Result<bool>(const Event&)>& visit) {
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
        Result<bool> more = visit(*event);
        if (!more) return more.error();
        if (!*more) return ok_status();
      }
    }
    if (!it->status().ok()) return rocksdb_error("scanning the log", it->status());
    if (next < to) return log_corrupt(fmt::format("the log ends before position {}", next));
    return ok_status();
  }

 private:
  // The first position of the entry under it_, which must be valid.
  Result<uint64_t> entry_first() {
    if (!it_->Valid()) {
      if (!it_->status().ok()) return rocksdb_error("reading the log", it_->status());
      return log_corrupt("the log holds fewer events than the projections applied");
    }
    const std::optional<uint64_t> first = decode_log_key(it_->key().ToStringView());
    if (!first) return log_corrupt("a key is not 8 bytes");
    return *first;
  }

  LogSource log_;
  rocksdb::ReadOptions options_;
  const AppliedEnds& ends_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

// An account's name at a log position, from the account_names history: the row at the greatest
// position not after it. Each answer is remembered with the positions it holds for.
class NameLookup {
 public:
  NameLookup(const Handles& handles, const rocksdb::ReadOptions& options)
      : it_(handles.db->NewIterator(options, handles.account_names)) {}

  Result<std::string> name_at(const std::string& account_id, uint64_t position) {
    if (auto found = cache_.find(account_id);
        found != cache_.end() && found->second.from <= position && position < found->second.until) {
      return found->second.name;
    }
    const std::string prefix = keys::account_prefix(account_id);
    auto in_account = [&](const rocksdb::Slice& key) {
      return key.size() == prefix.size() + keys::position_size && key.starts_with(prefix);
    };
    it_->SeekForPrev(keys::account_name_key(account_id, position));
    if (!it_->Valid() || !in_account(it_->key())) {
      if (!it_->status().ok()) return rocksdb_error("reading account names", it_->status());
      return make_error(Errc::corruption,
                        fmt::format("no name of account '{}' at log position {}", account_id, position));
    }
    Span span{.from = keys::decode_position_key(it_->key().ToStringView().substr(prefix.size())).value_or(0),
              .until = position_end,
              .name = it_->value().ToString()};
    it_->Next();
    if (it_->Valid() && in_account(it_->key())) {
      span.until = keys::decode_position_key(it_->key().ToStringView().substr(prefix.size())).value_or(0);
    }
    if (!it_->status().ok()) return rocksdb_error("reading account names", it_->status());
    if (cache_.size() >= cached_names_max) cache_.clear();
    std::string name = span.name;
    cache_.insert_or_assign(account_id, std::move(span));
    return name;
  }

 private:
  struct Span {
    uint64_t from = 0;  // the name holds for positions [from, until)
    uint64_t until = 0;
    std::string name;
  };
  std::unique_ptr<rocksdb::Iterator> it_;
  std::unordered_map<std::string, Span> cache_;
};

// All accounts: the records of each partition's segment of the log, in position order, from the
// cursor on.
Result<std::string> scan_log(const Handles& handles, const rocksdb::ReadOptions& options, LogReader& log,
                             const RecordQuery& query, uint64_t cursor, const RecordVisitor& visit) {
  NameLookup names(handles, options);
  size_t visited = 0;
  std::string next_cursor;
  const auto visit_event = [&](const Event& event) -> Result<bool> {
    if (!is_payment_record(event.type)) return true;
    if (!matches(query, payment_type_of(event.type), event.operator_name)) return true;
    if (!is_visible(query, event.account_id)) return true;
    // A match beyond the page: the next page starts exactly here.
    if (query.limit != 0 && visited == query.limit) {
      next_cursor = std::to_string(event.position.value);
      return false;
    }
    Result<std::string> name = names.name_at(event.account_id, event.position.value);
    if (!name) return name.error();
    visit(record_row_of(event, std::move(*name)));
    ++visited;
    return true;
  };
  for (const LogReader::Segment& segment : log.ends().segments()) {
    if (segment.end <= cursor) continue;
    uint64_t from = std::max(cursor, segment.begin);
    uint64_t to = segment.end;
    // Times are ordered within the segment only, so each segment gets its own bounds.
    if (query.from) {
      Result<uint64_t> first = log.first_position_at(*query.from, segment);
      if (!first) return first.error();
      from = std::max(from, *first);
    }
    if (query.to) {
      Result<uint64_t> first = log.first_position_at(*query.to, segment);
      if (!first) return first.error();
      to = std::min(to, *first);
    }
    if (Status scanned = log.scan(from, to, visit_event); !scanned) return scanned.error();
    if (!next_cursor.empty()) break;
  }
  return next_cursor;
}

// One account's records in [lower, upper) of records_by_account, in position order, each row
// checked against its key. An account lives in one partition, so its rows sort by (time, position)
// within one segment: position order.
class AccountRange {
 public:
  // Empty when the range holds nothing.
  static Result<std::unique_ptr<AccountRange>> open(const Handles& handles,
                                                    const rocksdb::ReadOptions& options, LogReader& log,
                                                    const RecordQuery& query, uint64_t cursor,
                                                    const std::string& account_id) {
    std::string lower = query.from ? keys::account_record_time_key(account_id, *query.from)
                                   : keys::account_prefix(account_id);
    std::string upper = query.to ? keys::account_record_time_key(account_id, *query.to)
                                 : keys::account_prefix_end(account_id);
    if (lower >= upper) return std::unique_ptr<AccountRange>();
    auto range = std::unique_ptr<AccountRange>(new AccountRange(account_id, std::move(upper), log.ends()));
    rocksdb::ReadOptions bounded = options;
    bounded.iterate_upper_bound = &range->upper_slice_;
    range->it_.reset(handles.db->NewIterator(bounded, handles.records_by_account));
    range->it_->Seek(lower);
    if (Status status = range->load(); !status) return status.error();
    if (cursor == 0 || !range->valid() || range->row().id.value >= cursor) return range;
    // The range starts before the cursor. The first row names the account's partition: an earlier
    // partition than the cursor's is wholly before it; in the cursor's partition, the records from
    // the cursor on are those at or after (its event's time, its position).
    if (partition_of_position(range->row().id.value) != partition_of_position(cursor) ||
        !log.ends().covers(cursor)) {
      return std::unique_ptr<AccountRange>();
    }
    Result<Timestamp> time = log.time_at(cursor);
    if (!time) return time.error();
    range->floor_ = cursor;
    range->it_->Seek(std::max(lower, keys::account_record_key(account_id, *time, cursor)));
    if (Status status = range->load(); !status) return status.error();
    return range;
  }

  bool valid() const { return row_.has_value(); }
  const RecordRow& row() const { return *row_; }
  Status next() {
    it_->Next();
    return load();
  }

 private:
  AccountRange(std::string account_id, std::string upper, const AppliedEnds& ends)
      : account_id_(std::move(account_id)), upper_(std::move(upper)), upper_slice_(upper_), ends_(ends) {}

  // The row under the iterator, or none at the range's end, or at a row its partition has not
  // applied (impossible while rows and position share a batch, and never shown; the later rows of
  // the range are later in that partition too).
  Status load() {
    row_.reset();
    for (; it_->Valid(); it_->Next()) {
      const std::string_view key = it_->key().ToStringView();
      const size_t key_size = account_id_.size() + keys::account_record_suffix_size;
      if (key.size() != key_size) {
        return make_error(Errc::corruption, "a records_by_account key has the wrong size");
      }
      const uint64_t position =
          keys::decode_position_key(key.substr(key_size - keys::position_size)).value_or(0);
      if (!ends_.covers(position)) return ok_status();
      if (position < floor_) continue;  // after the cursor's key only if times went back
      // The size check above leaves the time 8 bytes: it always decodes.
      const Timestamp time = *keys::decode_time_key(key.substr(account_id_.size() + 1, keys::time_size));
      Result<RecordRow> row =
          decode_record_value(it_->value().ToStringView(), account_id_, time, LogPosition{position});
      if (!row) return row.error();
      row_ = std::move(*row);
      return ok_status();
    }
    if (!it_->status().ok()) return rocksdb_error("scanning payment records", it_->status());
    return ok_status();
  }

  std::string account_id_;
  std::string upper_;
  rocksdb::Slice upper_slice_;
  const AppliedEnds& ends_;
  uint64_t floor_ = 0;  // rows below this position (the cursor) are never shown
  std::unique_ptr<rocksdb::Iterator> it_;
  std::optional<RecordRow> row_;
};

// Some accounts (one, or an agent's tree): their ranges of records_by_account merged in position
// (log) order, so the query costs what those accounts hold, not a scan of the whole log.
Result<std::string> scan_accounts(const Handles& handles, const rocksdb::ReadOptions& options, LogReader& log,
                                  const RecordQuery& query, uint64_t cursor,
                                  const std::vector<std::string>& accounts, const RecordVisitor& visit) {
  std::vector<std::unique_ptr<AccountRange>> ranges;
  for (const std::string& account_id : accounts) {
    Result<std::unique_ptr<AccountRange>> range =
        AccountRange::open(handles, options, log, query, cursor, account_id);
    if (!range) return range.error();
    if (*range && (*range)->valid()) ranges.push_back(std::move(*range));
  }
  const auto later = [](const std::unique_ptr<AccountRange>& a, const std::unique_ptr<AccountRange>& b) {
    return a->row().id > b->row().id;
  };
  std::make_heap(ranges.begin(), ranges.end(), later);
  size_t visited = 0;
  while (!ranges.empty()) {
    std::pop_heap(ranges.begin(), ranges.end(), later);
    AccountRange& range = *ranges.back();
    if (matches(query, range.row().type, range.row().operator_name)) {
      // A match beyond the page: the next page starts exactly here.
      if (query.limit != 0 && visited == query.limit) return std::to_string(range.row().id.value);
      visit(range.row());
      ++visited;
    }
    if (Status status = range.next(); !status) return status.error();
    if (range.valid()) {
      std::push_heap(ranges.begin(), ranges.end(), later);
    } else {
      ranges.pop_back();
    }
  }
  return std::string();
}

}  // namespace

Result<std::string> scan_records(const Handles& handles, const RecordQuery& query,
                                 const RecordVisitor& visit) {
  Result<uint64_t> cursor = parse_record_cursor(query.cursor);
  if (!cursor) return cursor.error();
  if (query.account_id) {
    if (Status valid = check_account_id(*query.account_id); !valid) return valid.error();
    if (!is_visible(query, *query.account_id)) return std::string();
  }
  const QuerySnapshot snapshot(handles.db, handles.view, handles.snapshots);
  // The log in another database (replay --verify's scratch projections) gets its own snapshot.
  std::optional<QuerySnapshot> log_snapshot;
  if (handles.log.db != handles.db) log_snapshot.emplace(handles.log.db, handles.view);
  Result<AppliedEnds> ends = AppliedEnds::read(handles, snapshot.options());
  if (!ends) return ends.error();
  LogReader log(handles.log, log_snapshot ? log_snapshot->options() : snapshot.options(), *ends);
  if (query.from && query.to && *query.to <= *query.from) return std::string();
  if (query.account_id) {
    return scan_accounts(handles, snapshot.options(), log, query, *cursor, {*query.account_id}, visit);
  }
  if (query.visible_accounts) {
    return scan_accounts(handles, snapshot.options(), log, query, *cursor, *query.visible_accounts, visit);
  }
  return scan_log(handles, snapshot.options(), log, query, *cursor, visit);
}

}  // namespace paystream
