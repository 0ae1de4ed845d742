// Payment record queries. Times never decrease along the log, so a time range is a position range
// found by binary search over the position-keyed family; an account's records are one range of
// the account-keyed family. Type and operator are filtered while scanning.
#include <charconv>
#include <limits>
#include <memory>

#include "projections/key_codec.h"
#include "projections/projections_internal.h"

namespace paystream {
namespace {

constexpr uint64_t position_end = std::numeric_limits<uint64_t>::max();

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

// The row under the iterator, checked against its key (paired with the encoder in apply.cc).
Result<RecordRow> row_at(const rocksdb::Iterator& it, uint64_t key_position) {
  Result<RecordRow> row = decode_record_row(std::string_view(it.value().data(), it.value().size()));
  if (row && row->id.value != key_position)
    return make_error(Errc::corruption, "record row stored under another position");
  return row;
}

uint64_t key_position(const rocksdb::Iterator& it) {
  const rocksdb::Slice key = it.key();
  const std::string_view tail(key.data() + key.size() - keys::position_size, keys::position_size);
  return keys::decode_position_key(tail).value_or(0);
}

// The time of the first record at or after `position`; the caller knows one exists.
Result<Timestamp> time_at_or_after(rocksdb::Iterator& it, uint64_t position, uint64_t& found) {
  it.Seek(keys::position_key(position));
  if (!it.Valid()) {
    if (!it.status().ok()) return rocksdb_error("searching payment records", it.status());
    return make_error(Errc::corruption, "payment records changed under a snapshot");
  }
  found = key_position(it);
  Result<RecordRow> row = row_at(it, found);
  if (!row) return row.error();
  return row->time;
}

// The position p such that records before p are earlier than `time` and records from p are not:
// a binary search over positions, O(log n) seeks, never a scan.
Result<uint64_t> first_position_at(const Handles& handles, const rocksdb::ReadOptions& options,
                                   Timestamp time) {
  std::unique_ptr<rocksdb::Iterator> it(handles.db->NewIterator(options, handles.records));
  it->SeekToLast();
  if (!it->Valid()) {
    if (!it->status().ok()) return rocksdb_error("searching payment records", it->status());
    return uint64_t{1};  // no records at all
  }
  const uint64_t last = key_position(*it);
  uint64_t found = 0;
  Result<Timestamp> last_time = time_at_or_after(*it, last, found);
  if (!last_time) return last_time.error();
  if (*last_time < time) return last + 1;
  // Invariant: records before lo are earlier than `time`; records from hi are not.
  uint64_t lo = 1;
  uint64_t hi = last;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    Result<Timestamp> mid_time = time_at_or_after(*it, mid, found);
    if (!mid_time) return mid_time.error();
    if (*mid_time >= time) {
      hi = mid;  // no record lies between mid and found
    } else {
      lo = found + 1;
    }
  }
  return lo;
}

struct PositionRange {
  uint64_t from = 0;           // inclusive
  uint64_t to = position_end;  // exclusive
};

Result<PositionRange> position_range(const Handles& handles, const rocksdb::ReadOptions& options,
                                     const RecordQuery& query, uint64_t cursor) {
  PositionRange range{.from = cursor};
  if (query.from) {
    Result<uint64_t> from = first_position_at(handles, options, *query.from);
    if (!from) return from.error();
    range.from = std::max(range.from, *from);
  }
  if (query.to) {
    Result<uint64_t> to = first_position_at(handles, options, *query.to);
    if (!to) return to.error();
    range.to = *to;
  }
  return range;
}

bool matches(const RecordQuery& query, const RecordRow& row) {
  if (query.type && row.type != *query.type) return false;
  if (query.operator_name && row.operator_name != *query.operator_name) return false;
  return true;
}

// Scans [range.from, range.to) of one family: the position family (prefix empty) or one
// account's part of the account family (prefix = account ID + 0x00).
Result<std::string> scan_range(const Handles& handles, rocksdb::ReadOptions options, const RecordQuery& query,
                               const PositionRange& range, const std::string& prefix,
                               const RecordVisitor& visit) {
  const std::string upper = prefix + keys::position_key(range.to);
  const rocksdb::Slice upper_slice(upper);
  // The position family's largest possible key is position_end itself, so "to" is a real bound.
  options.iterate_upper_bound = &upper_slice;
  rocksdb::ColumnFamilyHandle* family = prefix.empty() ? handles.records : handles.records_by_account;
  std::unique_ptr<rocksdb::Iterator> it(handles.db->NewIterator(options, family));
  size_t visited = 0;
  for (it->Seek(prefix + keys::position_key(range.from)); it->Valid(); it->Next()) {
    const uint64_t position = key_position(*it);
    Result<RecordRow> row = row_at(*it, position);
    if (!row) return row.error();
    if (!prefix.empty() && row->account_id != query.account_id) {
      return make_error(Errc::corruption, "record row stored under another account");
    }
    if (!matches(query, *row)) continue;
    // A match beyond the page: the next page starts exactly here.
    if (query.limit != 0 && visited == query.limit) return std::to_string(position);
    visit(*row);
    ++visited;
  }
  if (!it->status().ok()) return rocksdb_error("scanning payment records", it->status());
  return std::string();
}

}  // namespace

Result<std::string> scan_records(const Handles& handles, const RecordQuery& query,
                                 const RecordVisitor& visit) {
  Result<uint64_t> cursor = parse_record_cursor(query.cursor);
  if (!cursor) return cursor.error();
  if (query.account_id) {
    if (Status valid = check_account_id(*query.account_id); !valid) return valid.error();
  }
  const QuerySnapshot snapshot(handles.db);
  Result<PositionRange> range = position_range(handles, snapshot.options(), query, *cursor);
  if (!range) return range.error();
  if (range->from >= range->to) return std::string();
  const std::string prefix =
      query.account_id ? keys::account_record_prefix(*query.account_id) : std::string();
  return scan_range(handles, snapshot.options(), query, *range, prefix, visit);
}

}  // namespace paystream
