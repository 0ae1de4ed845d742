#pragma once
// replay --verify's comparison of live column families with their rebuild, row by row, naming
// the first differences (embedded mode: tools/commands/replay.cc; Kafka mode:
// tools/commands/replay_kafka.cc).
#include <cstdint>
#include <string>
#include <vector>

#include "events/result.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace paystream {

inline constexpr size_t differences_shown_max = 10;

struct Comparison {
  uint64_t rows = 0;
  std::vector<std::string> differences;  // the first differences_shown_max
  uint64_t difference_count = 0;
};

void note(Comparison& comparison, std::string what);

// Every key of `live` against `rebuilt`: a row only live is "not explained by the log", a row only
// rebuilt is "missing from the live projection", a row in both with other bytes "differs".
Status compare_family(rocksdb::DB* live_db, rocksdb::ColumnFamilyHandle* live, rocksdb::DB* rebuilt_db,
                      rocksdb::ColumnFamilyHandle* rebuilt, const std::string& name, Comparison& comparison);

}  // namespace paystream
