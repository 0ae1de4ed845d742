#pragma once
// `paystream bench`: the realistic mix on a fresh data directory; prints the figures.
#include <cstdint>
#include <ostream>
#include <string>

namespace paystream {

struct BenchOptions {
  std::string data_dir;  // fresh directory (created; must not exist or be empty)
  uint64_t accounts = 10'000;
  uint64_t commands = 200'000;
  unsigned threads = 8;
  uint64_t batch = 64;  // commands per submit_all() from each thread (as POST /v1/commands)
  // Records the table must hold before the query phase; when the mixed workload made fewer, more
  // payments are added first (not counted in the throughput).
  uint64_t query_table_records = 0;
  uint64_t queries = 2'000;
  bool keep = false;  // keep the data directory afterwards
};

int run_bench(const BenchOptions& options, std::ostream& out, std::ostream& err);

}  // namespace paystream
