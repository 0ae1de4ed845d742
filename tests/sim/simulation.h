#pragma once
// The seeded simulator of the embedded ledger (docs/reliability.md, "The simulator"): random
// commands of every kind, valid and not (duplicates, conflicting retries, operators outside their
// rights, unknown accounts, bad amounts, phone cards with wrong PINs, the monthly minimum), submitted through
// the real Runtime (engine, projections, RocksDB) on a file system that fails WAL writes and syncs and loses
// what was not synced when the simulated process crashes; the time is the simulator's. After every step it
// checks what the ledger promises, and every so often the expensive checks (replay --verify, the whole log).
// The seed decides everything: the same seed gives the same log, event for event (the digest says so).
#include <cstdint>
#include <ostream>
#include <string>

namespace paystream::sim {

struct SimulationOptions {
  uint64_t seed = 1;
  double seconds = 10;          // of wall time; the run stops at whichever of the two limits comes first
  uint64_t steps_max = 0;       // 0: no limit
  std::string data_dir;         // a fresh directory of the run's own
  std::ostream* log = nullptr;  // progress lines and the first violation; may be null
  // The disk loses synced WAL bytes at a crash (CrashableFileSystem::lie_about_syncs): a run must
  // then find a violation. For the simulator's own test.
  bool disk_lies = false;
};

struct SimulationReport {
  uint64_t steps = 0;
  uint64_t acknowledged = 0;    // commands applied and acknowledged (duplicates not counted)
  uint64_t duplicates = 0;      // retries answered with their first outcome
  uint64_t refused = 0;         // refused by the ledger's rules or rights: nothing changed
  uint64_t unacknowledged = 0;  // failed on an injected I/O fault: their fate learnt after a restart
  uint64_t crashes = 0;         // of them torn_crashes left part of an unsynced write behind
  uint64_t torn_crashes = 0;
  uint64_t restarts = 0;         // clean ones
  uint64_t verifications = 0;    // replay --verify runs
  uint64_t cards_redeemed = 0;   // acknowledged phone card payments
  uint64_t minimum_charges = 0;  // monthly minimum charges the schedule made
  uint64_t events = 0;           // in the log at the end
  std::string digest;     // SHA-256 of every event's encoding in log order: the same seed, the same digest
  std::string violation;  // empty: every check held
};

SimulationReport run_simulation(const SimulationOptions& options);

}  // namespace paystream::sim
