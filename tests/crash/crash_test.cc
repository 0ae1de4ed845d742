// Crash consistency of the real process: `paystream apply` under a stream of payments with known
// command IDs is killed with SIGKILL at random moments and restarted on the same input. Every
// payment it acknowledged must be present exactly once, and every balance must equal the sum of
// its records. The seed is printed so a failure can be replayed (PAYSTREAM_CRASH_SEED).
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "events/money.h"
#include "tests/crash/process.h"
#include "tests/support/temp_dir.h"

namespace paystream::testing {
namespace {

using json = nlohmann::json;

constexpr int accounts = 10;
constexpr int payments = 4000;
constexpr int kill_rounds = 6;

std::string binary() {
  const char* path = std::getenv("PAYSTREAM_BIN");
  REQUIRE(path != nullptr);
  return path;
}

std::string amount_of(int i) { return fmt::format("{}.{}", 1 + i % 97, 10 + i % 90); }

void write_inputs(const TempDir& dir, std::map<std::string, Money>& expected) {
  std::ofstream setup(dir.path("setup.jsonl"));
  for (int a = 0; a < accounts; ++a) {
    setup << json{{"type", "open_account"},
                  {"command_id", fmt::format("open-{}", a)},
                  {"account", fmt::format("a{}", a)},
                  {"name", fmt::format("Account {}", a)}}
                 .dump()
          << "\n";
    expected[fmt::format("a{}", a)] = Money::zero();
  }
  std::ofstream input(dir.path("payments.jsonl"));
  for (int i = 0; i < payments; ++i) {
    const std::string account = fmt::format("a{}", i % accounts);
    input << json{{"type", "pay"},
                  {"command_id", fmt::format("p-{}", i)},
                  {"account", account},
                  {"amount", amount_of(i)}}
                 .dump()
          << "\n";
    expected[account] = *expected[account].checked_add(Money::parse(amount_of(i)).value());
  }
}

std::vector<std::string> apply_args(const TempDir& dir, const std::string& file) {
  return {binary(), "--data", dir.path("data"), "apply", "--file", dir.path(file), "--chunk", "32"};
}

}  // namespace

TEST_CASE("crash: acknowledged payments survive SIGKILL exactly once", "[crash]") {
  const char* seed_text = std::getenv("PAYSTREAM_CRASH_SEED");
  const uint64_t seed =
      seed_text ? std::strtoull(seed_text, nullptr, 10)
                : static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  std::printf("crash test seed: %llu (set PAYSTREAM_CRASH_SEED to repeat)\n",
              static_cast<unsigned long long>(seed));
  std::mt19937_64 random(seed);
  TempDir dir;
  std::map<std::string, Money> expected;
  write_inputs(dir, expected);
  std::string output;
  REQUIRE(run_process(apply_args(dir, "setup.jsonl"), output) == 0);

  std::set<std::string> acknowledged;
  int killed = 0;
  for (int round = 0; round < kill_rounds; ++round) {
    KillableChild child(apply_args(dir, "payments.jsonl"), dir.path("stderr.txt"));
    // Kill once a random number of outcomes has arrived, then a random moment later: a fixed delay
    // would let a fast build finish before it, and the test would test nothing.
    const size_t outcomes_before_kill = 1 + random() % (payments - 1);
    std::vector<std::string> lines;
    bool running = true;
    while (running && lines.size() < outcomes_before_kill) running = child.read_lines(lines, 5);
    std::this_thread::sleep_for(std::chrono::microseconds(random() % 3000));
    child.kill_now();
    const int code = child.wait();
    killed += code == 128 + 9;
    for (const std::string& line : lines) {
      const json outcome = json::parse(line);
      REQUIRE(outcome["ok"].get<bool>());
      const std::string id = outcome["command_id"];
      // Acknowledged in an earlier life: it must come back as already applied.
      if (acknowledged.count(id)) CHECK(outcome["duplicate"].get<bool>());
      acknowledged.insert(id);
    }
  }
  INFO("killed " << killed << " of " << kill_rounds << " runs; " << acknowledged.size() << " acknowledged");
  CHECK(killed > 0);

  // Let it finish: every payment applied, the acknowledged ones exactly once (as duplicates).
  REQUIRE(run_process(apply_args(dir, "payments.jsonl"), output) == 0);
  std::set<uint64_t> positions;
  std::istringstream final_lines(output);
  std::string line;
  int lines = 0;
  while (std::getline(final_lines, line)) {
    const json outcome = json::parse(line);
    REQUIRE(outcome["ok"].get<bool>());
    if (acknowledged.count(outcome["command_id"].get<std::string>())) CHECK(outcome["duplicate"].get<bool>());
    REQUIRE(outcome["events"].size() == 1);
    CHECK(positions.insert(outcome["events"][0]["position"].get<uint64_t>()).second);
    ++lines;
  }
  CHECK(lines == payments);

  REQUIRE(run_process({binary(), "--data", dir.path("data"), "--format", "json", "balances"}, output) == 0);
  const json balances = json::parse(output);
  REQUIRE(balances["rows"].size() == accounts);
  for (const json& row : balances["rows"]) {
    const std::string account = row["account_id"];
    CHECK(row["current_balance"].get<std::string>() == expected[account].to_string());
  }
  REQUIRE(run_process({binary(), "--data", dir.path("data"), "replay", "--verify"}, output) == 0);
}

}  // namespace paystream::testing
