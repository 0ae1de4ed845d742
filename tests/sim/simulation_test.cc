// The simulator's fixed seeds, as CI runs them (a short budget; paystream-sim runs one for as
// long as asked), and its promise that a seed decides the whole run.
#include "tests/sim/simulation.h"

#include <catch2/catch.hpp>
#include <sstream>

#include "tests/support/run_process.h"

namespace paystream::sim {

TEST_CASE("simulator: fixed seeds, every invariant after every step, crashes and WAL faults included",
          "[sim]") {
  const uint64_t seed = GENERATE(1, 2, 3, 4);
  e2e::TemporaryDirectory directory;
  std::ostringstream log;
  const SimulationReport report = run_simulation({.seed = seed,
                                                  .seconds = 120,
                                                  .steps_max = 1000,
                                                  .data_dir = directory.file("data"),
                                                  .log = &log,
                                                  .disk_lies = false});
  INFO(log.str());
  CHECK(report.violation.empty());
  CHECK(report.steps == 1000);
  // The run did what it is for: commands applied and refused, faults injected and got over.
  CHECK(report.acknowledged > 400);
  CHECK(report.refused > 50);
  CHECK(report.duplicates > 50);
  CHECK(report.crashes > 5);
  CHECK(report.unacknowledged > 0);
  CHECK(report.verifications >= 2);
  CHECK(report.cards_redeemed > 0);   // phone cards paid in (wrong PINs and locks among the tries)
  CHECK(report.minimum_charges > 0);  // months ended, and the monthly minimum was charged
}

TEST_CASE("simulator: the same seed gives the same run, event for event", "[sim]") {
  e2e::TemporaryDirectory directory;
  const auto run = [&](const std::string& name) {
    return run_simulation({.seed = 77,
                           .seconds = 120,
                           .steps_max = 600,
                           .data_dir = directory.file(name),
                           .log = nullptr,
                           .disk_lies = false});
  };
  const SimulationReport first = run("first");
  const SimulationReport second = run("second");
  REQUIRE(first.violation.empty());
  REQUIRE(second.violation.empty());
  CHECK(first.digest == second.digest);
  CHECK(first.events == second.events);
  CHECK(first.acknowledged == second.acknowledged);
  CHECK(first.crashes == second.crashes);
  CHECK_FALSE(first.digest.empty());
  // And another seed, another run.
  const SimulationReport other = run_simulation({.seed = 78,
                                                 .seconds = 120,
                                                 .steps_max = 600,
                                                 .data_dir = directory.file("other"),
                                                 .log = nullptr,
                                                 .disk_lies = false});
  CHECK(other.digest != first.digest);
}

TEST_CASE("simulator: a disk that loses synced writes is caught, with the seed and step that show it",
          "[sim]") {
  e2e::TemporaryDirectory directory;
  std::ostringstream log;
  const SimulationReport report = run_simulation({.seed = 5,
                                                  .seconds = 120,
                                                  .steps_max = 1000,
                                                  .data_dir = directory.file("data"),
                                                  .log = &log,
                                                  .disk_lies = true});
  INFO(log.str());
  CHECK_THAT(report.violation, Catch::StartsWith("seed 5 step "));
  CHECK(report.steps < 1000);  // it stopped at the first violation
}

}  // namespace paystream::sim
