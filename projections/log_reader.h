#pragma once
// The engine's log as the projections' queries read it, under the query's snapshot: the log holds
// at least the events the applied ends cover, and nothing else is shown. Internal to projections/.
#include <functional>
#include <memory>

#include "projections/projections_internal.h"

namespace paystream {

Error log_corrupt(const std::string& why);

class LogReader {
 public:
  using Segment = AppliedEnds::Segment;

  LogReader(const LogSource& log, const rocksdb::ReadOptions& options, const AppliedEnds& ends)
      : log_(log), options_(options), ends_(ends), it_(log.db->NewIterator(options, log.family)) {}

  const AppliedEnds& ends() const { return ends_; }

  // The time of the event at `position` (covered by the ends).
  Result<Timestamp> time_at(uint64_t position);

  // The position p in [begin, end] of the segment such that its events before p are earlier than
  // `time` and those in [p, end) are not (times are in order within a partition only). A binary
  // search over entry starts (O(log n) seeks, comparing the time of each entry's first event),
  // then over the events of the one entry that can straddle `time`.
  Result<uint64_t> first_position_at(Timestamp time, const Segment& segment);

  // Visits the events in [from, to) of one segment in order; stops early when visit returns false.
  Status scan(uint64_t from, uint64_t to, const std::function<Result<bool>(const Event&)>& visit);
  // The same, with each event's bytes as the log holds them (what its hash is of).
  Status scan_encoded(uint64_t from, uint64_t to,
                      const std::function<Result<bool>(const Event&, std::string_view encoded)>& visit);

 private:
  // The first position of the entry under it_, which must be valid.
  Result<uint64_t> entry_first();

  LogSource log_;
  rocksdb::ReadOptions options_;
  const AppliedEnds& ends_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

}  // namespace paystream
