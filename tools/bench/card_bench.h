#pragma once
// `paystream bench-cards`: a batch of phone cards issued on the embedded runtime (WAL synced,
// projections on), as `card issue` does it: making the numbers, PINs and hashes, then the durable
// issue; its wall time and the process's peak memory; then redemptions, one per submit and
// batched from threads. Prints the figures.
#include <cstdint>
#include <ostream>
#include <string>

namespace paystream {

struct CardBenchOptions {
  std::string data_dir;  // fresh directory (created; must not exist or be empty)
  uint64_t cards = 100'000;
  uint64_t redemptions = 20'000;  // of the batch's cards, into 1,000 accounts
  unsigned threads = 8;
  bool keep = false;
};

int run_card_bench(const CardBenchOptions& options, std::ostream& out, std::ostream& err);

}  // namespace paystream
