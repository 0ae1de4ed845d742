// paystream bench-charges: charges/s against payments/s, and authorization latency.
#include "tools/bench/charge_bench.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <random>
#include <thread>

#include "engine/domain/ledger_state.h"
#include "tools/runtime/runtime.h"

namespace paystream {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::string account_name(uint64_t index) { return fmt::format("acct-{:07}", index); }

double percentile(std::vector<double>& samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  return samples[std::min(samples.size() - 1, static_cast<size_t>(p * static_cast<double>(samples.size())))];
}

using MakeCommand = std::function<Command(std::mt19937_64& random, const std::string& id)>;

Command payment(std::mt19937_64& random, uint64_t accounts, const std::string& id) {
  const Money amount = Money::from_micros(static_cast<int64_t>(1 + random() % 10'000) * 10'000);
  return Command{id, "bench",
                 Pay{account_name(random() % accounts), amount, "recharge", PaymentMethod::cash}};
}

Command charge(std::mt19937_64& random, uint64_t accounts, const std::string& cdr, Timestamp start) {
  const uint32_t seconds = static_cast<uint32_t>(1 + random() % 600);
  return Command{charge_command_id(cdr), "bench",
                 Charge{.cdr_id = cdr,
                        .account_id = account_name(random() % accounts),
                        .amount = Money::from_micros(static_cast<int64_t>(seconds) * 1'500),
                        .call_start = start,
                        .duration_seconds = seconds,
                        .caller = "4420123456",
                        .callee = "3130987654"}};
}

struct Phase {
  double per_second = 0;
  uint64_t refused = 0;
};

// `total` commands from the threads, `batch` per submit, made by `make` (with a unique ID).
Phase run_phase(Ledger& ledger, const ChargeBenchOptions& options, uint64_t total, uint64_t batch,
                const std::string& prefix, const MakeCommand& make) {
  std::atomic<uint64_t> refused{0};
  std::vector<std::thread> workers;
  const auto started = SteadyClock::now();
  for (unsigned t = 0; t < options.threads; ++t) {
    const uint64_t share = total / options.threads + (t < total % options.threads ? 1 : 0);
    workers.emplace_back([&, t, share] {
      std::mt19937_64 random(t + 1);
      for (uint64_t sequence = 0; sequence < share;) {
        std::vector<Command> commands;
        for (uint64_t i = 0; i < batch && sequence < share; ++i, ++sequence) {
          commands.push_back(make(random, fmt::format("{}-{}-{}", prefix, t, sequence)));
        }
        for (const Result<Outcome>& outcome : ledger.submit_all(std::move(commands))) {
          if (!outcome) ++refused;
        }
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
  return Phase{static_cast<double>(total) / seconds, refused.load()};
}

Status open_accounts(Ledger& ledger, uint64_t accounts) {
  for (uint64_t first = 0; first < accounts; first += 4096) {
    std::vector<Command> batch;
    for (uint64_t i = first; i < std::min(accounts, first + 4096); ++i) {
      OpenAccount open{account_name(i), {}, Money::from_micros(50'000'000), {}};
      open.settings.name = fmt::format("Customer {}", i);
      // Every third account has a monthly maximum, so the authorization takes its longer path too.
      if (i % 3 == 0) open.settings.monthly_max = Money::from_micros(100'000'000);
      batch.push_back(Command{"open-" + account_name(i), "bench", open});
    }
    for (const Result<Outcome>& outcome : ledger.submit_all(std::move(batch))) {
      if (!outcome) return outcome.error();
    }
  }
  return ok_status();
}

}  // namespace

int run_charge_bench(const ChargeBenchOptions& options, std::ostream& out, std::ostream& err) {
  namespace fs = std::filesystem;
  if (fs::exists(options.data_dir) && !fs::is_empty(options.data_dir)) {
    err << fmt::format("paystream: bench-charges needs a fresh data directory; '{}' is not empty\n",
                       options.data_dir);
    return 2;
  }
  LedgerOptions ledger_options;
  ledger_options.data_dir = options.data_dir;
  Result<std::unique_ptr<Runtime>> runtime = open_runtime(ledger_options);
  if (!runtime) {
    err << "paystream: " << runtime.error().message << "\n";
    return 1;
  }
  Ledger& ledger = *(*runtime)->ledger;
  out << fmt::format(
      "paystream bench-charges: {} accounts, {} threads; batched: {} payments then {} charges in batches of "
      "{}; "
      "one per submit: {} of each; WAL synced\n",
      options.accounts, options.threads, options.commands, options.commands, options.batch, options.singles);
  const auto opening = SteadyClock::now();
  if (Status opened = open_accounts(ledger, options.accounts); !opened) {
    err << "paystream: " << opened.error().message << "\n";
    return 1;
  }
  out << fmt::format("opened {} accounts in {:.1f} s\n", options.accounts,
                     std::chrono::duration<double>(SteadyClock::now() - opening).count());
  // Calls of a minute ago: this month's consumption.
  const Timestamp start{std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count() -
                        60'000'000};
  const uint64_t accounts = options.accounts;
  const MakeCommand pay = [accounts](std::mt19937_64& random, const std::string& id) {
    return payment(random, accounts, id);
  };
  const MakeCommand call = [accounts, start](std::mt19937_64& random, const std::string& id) {
    return charge(random, accounts, id, start);
  };
  const auto report = [&](const char* what, const Phase& phase) {
    out << fmt::format("{}: {:.0f}/s durable{}\n", what, phase.per_second,
                       phase.refused > 0 ? fmt::format(" ({} refused)", phase.refused) : std::string());
  };
  report(fmt::format("payments, batches of {}", options.batch).c_str(),
         run_phase(ledger, options, options.commands, options.batch, "pay", pay));
  report(fmt::format("charges, batches of {}", options.batch).c_str(),
         run_phase(ledger, options, options.commands, options.batch, "cdr", call));
  report("payments, one per submit", run_phase(ledger, options, options.singles, 1, "pay1", pay));
  report("charges, one per submit", run_phase(ledger, options, options.singles, 1, "cdr1", call));

  // The authorization as GET /v1/accounts/{id}/authorization computes it: a shared read of the
  // engine's state and the rule, no disk read.
  std::mt19937_64 random(5);
  std::vector<double> micros;
  micros.reserve(options.authorizations);
  uint64_t allowed = 0;
  for (uint64_t i = 0; i < options.authorizations; ++i) {
    const std::string account = account_name(random() % options.accounts);
    const auto began = SteadyClock::now();
    const Timestamp now{std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count()};
    ledger.read_state([&](const LedgerState& state) {
      if (const AccountState* found = state.find(account)) allowed += authorize_call(*found, now).allowed();
    });
    micros.push_back(std::chrono::duration<double, std::micro>(SteadyClock::now() - began).count());
  }
  out << fmt::format(
      "authorization from the engine's state, {} accounts: p50 {:.2f} us, p99 {:.2f} us, p999 {:.2f} us ({} "
      "of {} "
      "allowed)\n",
      options.accounts, percentile(micros, 0.50), percentile(micros, 0.99), percentile(micros, 0.999),
      allowed, options.authorizations);
  if (Status closed = ledger.close(); !closed) {
    err << "paystream: " << closed.error().message << "\n";
    return 1;
  }
  runtime->reset();
  if (!options.keep) fs::remove_all(options.data_dir);
  return 0;
}

}  // namespace paystream
