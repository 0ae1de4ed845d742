#pragma once
// `paystream bench-charges`: call charges against payments on the embedded runtime (WAL synced,
// projections on), batched and one at a time, and the call authorization's latency from the
// engine's state in memory. Prints the figures.
#include <cstdint>
#include <ostream>
#include <string>

namespace paystream {

struct ChargeBenchOptions {
  std::string data_dir;  // fresh directory (created; must not exist or be empty)
  uint64_t accounts = 100'000;
  uint64_t commands = 200'000;  // payments, then as many charges, batched
  uint64_t singles = 20'000;    // payments, then as many charges, one per submit
  unsigned threads = 8;
  uint64_t batch = 256;  // commands per submit_all() from each thread (as POST /v1/commands)
  uint64_t authorizations = 200'000;
  bool keep = false;
};

int run_charge_bench(const ChargeBenchOptions& options, std::ostream& out, std::ostream& err);

}  // namespace paystream
