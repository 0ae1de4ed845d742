#pragma once
// The queries of rows kept per account and keyed (account, time, position): payment records
// (payment_records.cc) and charges (charges.cc). Internal to projections/.
// - One account: one range of its family, so a time range is one seek. The cursor (a log position)
//   becomes a key through the time of the event at that position, read from the log.
// - Some accounts (an agent's tree): those accounts' ranges merged in position order.
// - All accounts: the rows are made straight from the engine's log (events/log_format.h), whose
//   entries are in position and time order. A time range's bounds are found by binary search over
//   the entries, then the log is scanned forward.
// Every query reads one RocksDB snapshot, and never goes past the projections' applied position,
// so the kinds of query see the same rows.
//
// Kafka mode: the log holds one sequence per partition, in time order within its partition only,
// each applied up to its own position (AppliedEnds). The all-accounts query takes the partitions'
// segments one after the other (position order); an account lives in one partition, so its range
// is in position order as in embedded mode.
//
// A Kind says what rows are scanned:
//   using Row, Query (Query has account_id, from, to, visible_accounts, limit, cursor; Row has id);
//   static rocksdb::ColumnFamilyHandle* family(const Handles&);
//   static Result<Row> decode(std::string_view value, const std::string& account, Timestamp, LogPosition);
//   static bool matches(const Query&, const Row&): the filters besides account and time;
//   static bool event_matches(const Query&, const Event&): the same, on an event of the log;
//   static Result<std::map<int32_t, Timestamp>> floors(const Handles&, const rocksdb::ReadOptions&):
//                   per partition, the time before which the log's rows are no longer shown;
//   class LogRows { LogRows(const Handles&, const rocksdb::ReadOptions&);
//                   Result<Row> row_of(const Event&); }: the row of a matching event.
#include <algorithm>
#include <charconv>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "events/log_format.h"
#include "projections/key_codec.h"
#include "projections/log_reader.h"
#include "projections/page_cursor.h"
#include "projections/projections_internal.h"

namespace paystream::row_scan {

template <class Query>
bool is_visible(const Query& query, const std::string& account_id) {
  return !query.visible_accounts ||
         std::binary_search(query.visible_accounts->begin(), query.visible_accounts->end(), account_id);
}

// All accounts: the rows of each partition's segment of the log, in position order, from the
// cursor on.
template <class Kind>
Result<std::string> scan_log(const Handles& handles, const rocksdb::ReadOptions& options, LogReader& log,
                             const typename Kind::Query& query, uint64_t cursor,
                             const std::function<void(const typename Kind::Row&)>& visit) {
  Result<std::map<int32_t, Timestamp>> floors = Kind::floors(handles, options);
  if (!floors) return floors.error();
  typename Kind::LogRows rows(handles, options);
  size_t visited = 0;
  std::string next_cursor;
  const auto visit_event = [&](const Event& event) -> Result<bool> {
    if (!Kind::event_matches(query, event)) return true;
    if (!is_visible(query, event.account_id)) return true;
    // A match beyond the page: the next page starts exactly here.
    if (query.limit != 0 && visited == query.limit) {
      next_cursor = std::to_string(event.position.value);
      return false;
    }
    Result<typename Kind::Row> row = rows.row_of(event);
    if (!row) return row.error();
    visit(*row);
    ++visited;
    return true;
  };
  for (const LogReader::Segment& segment : log.ends().segments()) {
    if (segment.end <= cursor) continue;
    uint64_t from = std::max(cursor, segment.begin);
    uint64_t to = segment.end;
    // Times are ordered within the segment only, so each segment gets its own bounds.
    std::optional<Timestamp> lowest = query.from;
    if (const auto floor = floors->find(partition_of_position(segment.begin)); floor != floors->end()) {
      lowest = std::max(lowest.value_or(floor->second), floor->second);
    }
    if (lowest) {
      Result<uint64_t> first = log.first_position_at(*lowest, segment);
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

// One account's rows in [lower, upper) of its family, in position order, each row checked against
// its key. An account lives in one partition, so its rows sort by (time, position) within one
// segment: position order.
template <class Kind>
class AccountRange {
 public:
  using Row = typename Kind::Row;

  // Empty when the range holds nothing.
  static Result<std::unique_ptr<AccountRange>> open(const Handles& handles,
                                                    const rocksdb::ReadOptions& options, LogReader& log,
                                                    const typename Kind::Query& query, uint64_t cursor,
                                                    const std::string& account_id) {
    std::string lower = query.from ? keys::account_record_time_key(account_id, *query.from)
                                   : keys::account_prefix(account_id);
    std::string upper = query.to ? keys::account_record_time_key(account_id, *query.to)
                                 : keys::account_prefix_end(account_id);
    if (lower >= upper) return std::unique_ptr<AccountRange>();
    auto range = std::unique_ptr<AccountRange>(new AccountRange(account_id, std::move(upper), log.ends()));
    rocksdb::ReadOptions bounded = options;
    bounded.iterate_upper_bound = &range->upper_slice_;
    range->it_.reset(handles.db->NewIterator(bounded, Kind::family(handles)));
    range->it_->Seek(lower);
    if (Status status = range->load(); !status) return status.error();
    if (cursor == 0 || !range->valid() || range->row().id.value >= cursor) return range;
    // The range starts before the cursor. The first row names the account's partition: an earlier
    // partition than the cursor's is wholly before it; in the cursor's partition, the rows from
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
  const Row& row() const { return *row_; }
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
      if (key.size() != key_size)
        return make_error(Errc::corruption, "a per-account row's key has the wrong size");
      const uint64_t position =
          keys::decode_position_key(key.substr(key_size - keys::position_size)).value_or(0);
      if (!ends_.covers(position)) return ok_status();
      if (position < floor_) continue;  // after the cursor's key only if times went back
      // The size check above leaves the time 8 bytes: it always decodes.
      const Timestamp time = *keys::decode_time_key(key.substr(account_id_.size() + 1, keys::time_size));
      Result<Row> row = Kind::decode(it_->value().ToStringView(), account_id_, time, LogPosition{position});
      if (!row) return row.error();
      row_ = std::move(*row);
      return ok_status();
    }
    if (!it_->status().ok()) return rocksdb_error("scanning per-account rows", it_->status());
    return ok_status();
  }

  std::string account_id_;
  std::string upper_;
  rocksdb::Slice upper_slice_;
  const AppliedEnds& ends_;
  uint64_t floor_ = 0;  // rows below this position (the cursor) are never shown
  std::unique_ptr<rocksdb::Iterator> it_;
  std::optional<Row> row_;
};

// Some accounts (one, or an agent's tree): their ranges merged in position (log) order, so the
// query costs what those accounts hold, not a scan of the whole log.
template <class Kind>
Result<std::string> scan_accounts(const Handles& handles, const rocksdb::ReadOptions& options, LogReader& log,
                                  const typename Kind::Query& query, uint64_t cursor,
                                  const std::vector<std::string>& accounts,
                                  const std::function<void(const typename Kind::Row&)>& visit) {
  using Range = AccountRange<Kind>;
  std::vector<std::unique_ptr<Range>> ranges;
  for (const std::string& account_id : accounts) {
    Result<std::unique_ptr<Range>> range = Range::open(handles, options, log, query, cursor, account_id);
    if (!range) return range.error();
    if (*range && (*range)->valid()) ranges.push_back(std::move(*range));
  }
  const auto later = [](const std::unique_ptr<Range>& a, const std::unique_ptr<Range>& b) {
    return a->row().id > b->row().id;
  };
  std::make_heap(ranges.begin(), ranges.end(), later);
  size_t visited = 0;
  while (!ranges.empty()) {
    std::pop_heap(ranges.begin(), ranges.end(), later);
    Range& range = *ranges.back();
    if (Kind::matches(query, range.row())) {
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

// A page of rows (query.limit and cursor honoured); returns the next page's cursor.
template <class Kind>
Result<std::string> scan(const Handles& handles, const typename Kind::Query& query,
                         const std::function<void(const typename Kind::Row&)>& visit) {
  Result<uint64_t> cursor = parse_cursor(query.cursor);
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
    return scan_accounts<Kind>(handles, snapshot.options(), log, query, *cursor, {*query.account_id}, visit);
  }
  if (query.visible_accounts) {
    return scan_accounts<Kind>(handles, snapshot.options(), log, query, *cursor, *query.visible_accounts,
                               visit);
  }
  return scan_log<Kind>(handles, snapshot.options(), log, query, *cursor, visit);
}

}  // namespace paystream::row_scan
