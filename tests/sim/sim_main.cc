// paystream-sim: the seeded simulator on demand (docs/reliability.md, "The simulator").
//   paystream-sim --seed 42 --seconds 3600     one seed for an hour
//   paystream-sim --seconds 60                 a seed from the clock, printed first
// Exit 0 when every check held, 1 on a violation (with the seed and step to reproduce it).
#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <random>

#include "tests/sim/simulation.h"

int main(int argc, char** argv) {
  CLI::App app{
      "The seeded simulator of the embedded ledger: random commands and storage faults, every invariant "
      "checked"};
  uint64_t seed = std::random_device{}() ^
                  static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  double seconds = 10;
  uint64_t steps = 0;
  std::string data;
  bool keep = false;
  app.add_option("--seed", seed, "The run's seed: the same seed, the same run (default: a new one, printed)");
  app.add_option("--seconds", seconds, "Run for this long (default 10)");
  app.add_option("--steps", steps, "Stop after this many steps (default: no limit)");
  app.add_option("--data", data,
                 "The data directory (default: a fresh one under the system's temporary folder)");
  app.add_flag("--keep", keep, "Keep the data directory afterwards (for a violation's post-mortem)");
  CLI11_PARSE(app, argc, argv);
  if (data.empty()) {
    data = (std::filesystem::temp_directory_path() / ("paystream-sim-" + std::to_string(seed))).string();
  }
  std::filesystem::remove_all(data);
  std::cout << "paystream-sim: seed " << seed << ", data " << data << std::endl;
  const paystream::sim::SimulationReport report = paystream::sim::run_simulation({.seed = seed,
                                                                                  .seconds = seconds,
                                                                                  .steps_max = steps,
                                                                                  .data_dir = data,
                                                                                  .log = &std::cout,
                                                                                  .disk_lies = false});
  if (!keep && report.violation.empty()) std::filesystem::remove_all(data);
  return report.violation.empty() ? 0 : 1;
}
