#pragma once
// `paystream bench`: the realistic mix on a fresh data directory; prints the figures.
#include <cstdint>
#include <ostream>
#include <string>

namespace paystream {

struct BenchOptions {
  std::string data_dir;        // fresh directory (created; must not exist or be empty)
  uint64_t accounts = 10'000;
  uint64_t commands = 200'000;
  unsigned threads = 8;
  uint64_t query_table_records = 1'000'000;  // size of the table the record query runs on
  bool keep = false;           // keep the data directory afterwards
};

int run_bench(const BenchOptions& options, std::ostream& out, std::ostream& err);

}  // namespace paystream
