// The auditor's reads: an account's events, through account_history (the positions of every event
// that changed the account), and the log itself by time, each event with the bytes its hash is of.
#include <fmt/format.h>

#include <limits>
#include <memory>

#include "projections/key_codec.h"
#include "projections/log_reader.h"
#include "projections/projections_internal.h"

namespace paystream {

Status account_events(const Handles& handles, std::string_view account_id, std::optional<Timestamp> as_of,
                      const std::function<void(const Event&)>& visit) {
  if (Status valid = check_account_id(account_id); !valid) return valid;
  const QuerySnapshot snapshot(handles.db, handles.view, handles.snapshots);
  Result<AppliedEnds> ends = AppliedEnds::read(handles, snapshot.options());
  if (!ends) return ends.error();
  LogReader log(handles.log, snapshot.options(), *ends);
  const std::string prefix = keys::account_prefix(account_id);
  const std::string upper =
      as_of ? keys::account_record_key(account_id, *as_of, std::numeric_limits<uint64_t>::max())
            : keys::account_prefix_end(account_id);
  rocksdb::ReadOptions options = snapshot.options();
  const rocksdb::Slice upper_slice(upper);
  options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(handles.db->NewIterator(options, handles.account_history));
  bool any = false;
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    const std::string_view key = it->key().ToStringView();
    const std::optional<uint64_t> position =
        key.size() == prefix.size() + keys::time_size + keys::position_size
            ? keys::decode_position_key(key.substr(prefix.size() + keys::time_size))
            : std::nullopt;
    if (!position)
      return make_error(Errc::corruption, fmt::format("corrupt history key of account {}", account_id));
    any = true;
    Status read = log.scan(*position, *position + 1, [&](const Event& event) -> Result<bool> {
      if (event.account_id != account_id) {
        return make_error(Errc::corruption,
                          fmt::format("the history of account {} names position {}, an event of {}",
                                      account_id, *position, event.account_id));
      }
      visit(event);
      return true;
    });
    if (!read) return read;
  }
  if (!it->status().ok()) return rocksdb_error("reading an account's history", it->status());
  if (!any && !as_of) {
    return make_error(Errc::account_not_found, fmt::format("account '{}' does not exist", account_id));
  }
  return ok_status();
}

Status log_events(const Handles& handles, std::optional<Timestamp> from, std::optional<Timestamp> to,
                  const std::function<void(const Event&, std::string_view encoded)>& visit) {
  const QuerySnapshot snapshot(handles.db, handles.view, handles.snapshots);
  Result<AppliedEnds> ends = AppliedEnds::read(handles, snapshot.options());
  if (!ends) return ends.error();
  LogReader log(handles.log, snapshot.options(), *ends);
  for (const LogReader::Segment& segment : ends->segments()) {
    uint64_t first = segment.begin;
    uint64_t end = segment.end;
    // Times are in order within a segment (a partition) only, so each gets its own bounds.
    if (from) {
      Result<uint64_t> found = log.first_position_at(*from, segment);
      if (!found) return found.error();
      first = *found;
    }
    if (to) {
      Result<uint64_t> found = log.first_position_at(*to, segment);
      if (!found) return found.error();
      end = *found;
    }
    Status scanned =
        log.scan_encoded(first, end, [&](const Event& event, std::string_view encoded) -> Result<bool> {
          visit(event, encoded);
          return true;
        });
    if (!scanned) return scanned;
  }
  return ok_status();
}

}  // namespace paystream
