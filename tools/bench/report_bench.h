#pragma once
// `paystream bench-reports`: payments spread over a month of simulated days on the embedded
// runtime (WAL synced, projections on), then each report's time and the memory it takes: settlement
// by month and by day, agent income, the as-of account balance report of every account, clearing
// balances. Prints the figures.
#include <cstdint>
#include <ostream>
#include <string>

namespace paystream {

struct ReportBenchOptions {
  std::string data_dir;  // fresh directory (created; must not exist or be empty)
  uint64_t accounts = 100'000;
  uint64_t agents = 1'000;        // the first accounts; every other direct account is a sub-account
  uint64_t records = 10'000'000;  // payments, spread evenly over `days`
  unsigned days = 30;
  unsigned threads = 8;
  uint64_t batch = 256;
  unsigned repeats = 3;  // each report is run this many times; the first and the best are printed
  bool keep = false;
};

int run_report_bench(const ReportBenchOptions& options, std::ostream& out, std::ostream& err);

}  // namespace paystream
