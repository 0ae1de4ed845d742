// paystream bench: the realistic mix against the real embedded runtime (WAL synced, projections on).
#include "tools/bench/bench.h"

#include <fmt/format.h>
#include <rocksdb/statistics.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <random>
#include <sstream>
#include <thread>

#include "engine/domain/decide.h"
#include "tools/commands/replay.h"
#include "tools/runtime/runtime.h"

namespace paystream {
namespace {

using SteadyClock = std::chrono::steady_clock;

// User and system CPU time of the whole process, all threads.
double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& time) { return static_cast<double>(time.tv_sec) + time.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Engine time advances a fixed step per command, so the records spread over a year and a
// one-month query selects about a twelfth of an account's records, as it would in production.
class BenchClock final : public Clock {
 public:
  BenchClock(Timestamp start, int64_t step_micros) : next_(start.micros), step_micros_(step_micros) {}
  Timestamp now() override { return Timestamp{next_.fetch_add(step_micros_)}; }

 private:
  std::atomic<int64_t> next_;
  int64_t step_micros_;
};

struct Latencies {
  std::vector<double> samples;
  double percentile(double p) {
    if (samples.empty()) return 0;
    std::sort(samples.begin(), samples.end());
    const size_t index =
        std::min(samples.size() - 1, static_cast<size_t>(p * static_cast<double>(samples.size())));
    return samples[index];
  }
};

struct ThreadResult {
  Latencies batch_ms;
  uint64_t accepted = 0;
  uint64_t rejected = 0;
  std::vector<LogPosition> payments;
};

std::string account_name(uint64_t index) { return fmt::format("acct-{:07}", index); }

Command random_command(std::mt19937_64& random, uint64_t accounts, std::vector<LogPosition>& reversible,
                       const std::string& id) {
  const std::string account = account_name(random() % accounts);
  const uint64_t roll = random() % 100;
  if (roll < 3 && !reversible.empty()) {
    const LogPosition record = reversible.back();
    reversible.pop_back();
    return Command{id, "bench", Reverse{record, "bench reversal"}};
  }
  if (roll < 6)
    return Command{
        id, "bench",
        SetCredit{account, Money::from_micros(static_cast<int64_t>(random() % 500) * 1'000'000), ""}};
  if (roll < 8) return Command{id, "bench", MakeZero{account, ""}};
  const Money amount = Money::from_micros(static_cast<int64_t>(1 + random() % 10'000) * 10'000);
  return Command{id, "bench", Pay{account, amount, "recharge, ref 0123456789abcdef", PaymentMethod::cash}};
}

void run_worker(Ledger& ledger, const BenchOptions& options, unsigned thread, uint64_t commands,
                ThreadResult& result) {
  std::mt19937_64 random(thread + 1);
  uint64_t sequence = 0;
  while (sequence < commands) {
    std::vector<Command> batch;
    for (uint64_t i = 0; i < options.batch && sequence < commands; ++i, ++sequence) {
      batch.push_back(random_command(random, options.accounts, result.payments,
                                     fmt::format("bench-{}-{}", thread, sequence)));
    }
    const auto started = SteadyClock::now();
    std::vector<Result<Outcome>> outcomes = ledger.submit_all(std::move(batch));
    result.batch_ms.samples.push_back(
        std::chrono::duration<double, std::milli>(SteadyClock::now() - started).count());
    for (const Result<Outcome>& outcome : outcomes) {
      if (!outcome) {
        ++result.rejected;
        continue;
      }
      ++result.accepted;
      const Event& event = outcome->events.front();
      if (event.type == EventType::payment_recorded && result.payments.size() < 1024) {
        result.payments.push_back(event.position);
      }
    }
  }
}

Status open_accounts(Ledger& ledger, uint64_t accounts) {
  for (uint64_t first = 0; first < accounts; first += 1000) {
    std::vector<Command> batch;
    for (uint64_t i = first; i < std::min(accounts, first + 1000); ++i) {
      OpenAccount open{account_name(i), {}, {}, {}};
      open.settings.name = fmt::format("Customer {}", i);
      batch.push_back(Command{"open-" + account_name(i), "bench", open});
    }
    for (const Result<Outcome>& outcome : ledger.submit_all(std::move(batch))) {
      if (!outcome) return outcome.error();
    }
  }
  return ok_status();
}

Status fill_records(Ledger& ledger, const BenchOptions& options, uint64_t records) {
  std::mt19937_64 random(99);
  for (uint64_t sequence = 0; sequence < records;) {
    std::vector<Command> batch;
    for (; batch.size() < 4096 && sequence < records; ++sequence) {
      batch.push_back(Command{fmt::format("fill-{}", sequence), "bench",
                              Pay{account_name(random() % options.accounts), Money::from_micros(1'000'000),
                                  "", PaymentMethod::cash}});
    }
    for (const Result<Outcome>& outcome : ledger.submit_all(std::move(batch))) {
      if (!outcome) return outcome.error();
    }
  }
  return ok_status();
}

void print_queries(Projections& projections, const BenchOptions& options, Timestamp start, uint64_t records,
                   std::ostream& out) {
  std::mt19937_64 random(7);
  Latencies latencies;
  uint64_t rows = 0;
  for (uint64_t i = 0; i < options.queries; ++i) {
    RecordQuery query;
    query.account_id = account_name(random() % options.accounts);
    const int64_t month = static_cast<int64_t>(random() % 12);
    query.from = Timestamp{start.micros + month * 30 * 86'400'000'000LL};
    query.to = Timestamp{query.from->micros + 30 * 86'400'000'000LL};
    query.limit = 100;
    const auto started = SteadyClock::now();
    Result<RecordPage> page = projections.records(query);
    latencies.samples.push_back(
        std::chrono::duration<double, std::micro>(SteadyClock::now() - started).count());
    if (page) rows += page->rows.size();
  }
  out << fmt::format(
      "record query (one account, one month, limit 100) over {} records: p50 {:.0f} us, p99 {:.0f} us, "
      "p999 {:.0f} us, {:.1f} rows on average\n",
      records, latencies.percentile(0.50), latencies.percentile(0.99), latencies.percentile(0.999),
      static_cast<double>(rows) / static_cast<double>(std::max<uint64_t>(1, options.queries)));
}

}  // namespace

int run_bench(const BenchOptions& options, std::ostream& out, std::ostream& err) {
  namespace fs = std::filesystem;
  if (fs::exists(options.data_dir) && !fs::is_empty(options.data_dir)) {
    err << fmt::format("paystream: bench needs a fresh data directory; '{}' is not empty\n",
                       options.data_dir);
    return 2;
  }
  if (options.accounts == 0 || options.threads == 0 || options.batch == 0) {
    err << "paystream: --accounts, --threads and --batch must be positive\n";
    return 2;
  }
  const Timestamp start = parse_timestamp("2026-01-01").value();
  const uint64_t total = options.accounts + options.commands + options.query_table_records;
  BenchClock clock(start, std::max<int64_t>(1, 365 * 86'400'000'000LL /
                                                   static_cast<int64_t>(std::max<uint64_t>(1, total))));
  LedgerOptions ledger_options;
  ledger_options.data_dir = options.data_dir;
  ledger_options.clock = &clock;
  ledger_options.statistics = rocksdb::CreateDBStatistics();
  Result<std::unique_ptr<Runtime>> runtime = open_runtime(ledger_options);
  if (!runtime) {
    err << "paystream: " << runtime.error().message << "\n";
    return 1;
  }
  Ledger& ledger = *(*runtime)->ledger;
  const std::string rocksdb_dir = PAYSTREAM_ROCKSDB_DIR;
  out << fmt::format("RocksDB: {}\n", rocksdb_dir.rfind("/usr/", 0) == 0
                                          ? "Debian's librocksdb-dev (assertions on)"
                                          : "Release build from scripts/build-rocksdb-release");
  out << fmt::format(
      "paystream bench: {} accounts, {} commands from {} threads in batches of {}, WAL synced, data in {}\n",
      options.accounts, options.commands, options.threads, options.batch, options.data_dir);
  if (Status status = open_accounts(ledger, options.accounts); !status) {
    err << "paystream: " << status.error().message << "\n";
    return 1;
  }
  rocksdb::Statistics& statistics = *ledger_options.statistics;
  const uint64_t keys_before = statistics.getTickerCount(rocksdb::NUMBER_KEYS_WRITTEN);
  const uint64_t bytes_before = statistics.getTickerCount(rocksdb::WAL_FILE_BYTES);
  const uint64_t syncs_before = statistics.getTickerCount(rocksdb::WAL_FILE_SYNCED);
  std::vector<ThreadResult> results(options.threads);
  std::vector<std::thread> workers;
  const double cpu_before = process_cpu_seconds();
  const auto started = SteadyClock::now();
  for (unsigned t = 0; t < options.threads; ++t) {
    const uint64_t share =
        options.commands / options.threads + (t < options.commands % options.threads ? 1 : 0);
    workers.emplace_back([&, t, share] { run_worker(ledger, options, t, share, results[t]); });
  }
  for (std::thread& worker : workers) worker.join();
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
  const double cpu_seconds = process_cpu_seconds() - cpu_before;
  Latencies latencies;
  uint64_t accepted = 0, rejected = 0;
  for (ThreadResult& result : results) {
    latencies.samples.insert(latencies.samples.end(), result.batch_ms.samples.begin(),
                             result.batch_ms.samples.end());
    accepted += result.accepted;
    rejected += result.rejected;
  }
  const double commands = static_cast<double>(accepted + rejected);
  const uint64_t keys = statistics.getTickerCount(rocksdb::NUMBER_KEYS_WRITTEN) - keys_before;
  const uint64_t bytes = statistics.getTickerCount(rocksdb::WAL_FILE_BYTES) - bytes_before;
  const uint64_t syncs = statistics.getTickerCount(rocksdb::WAL_FILE_SYNCED) - syncs_before;
  out << fmt::format("durable commands: {:.0f}/s ({} accepted, {} rejected by the rules, {:.2f} s)\n",
                     commands / seconds, accepted, rejected, seconds);
  out << fmt::format("acknowledgement latency of a batch: p50 {:.2f} ms, p99 {:.2f} ms, p999 {:.2f} ms\n",
                     latencies.percentile(0.50), latencies.percentile(0.99), latencies.percentile(0.999));
  out << fmt::format(
      "write path: {:.2f} keys and {:.0f} WAL bytes per accepted command, {} WAL syncs ({:.0f} commands per "
      "sync)\n",
      static_cast<double>(keys) / static_cast<double>(std::max<uint64_t>(1, accepted)),
      static_cast<double>(bytes) / static_cast<double>(std::max<uint64_t>(1, accepted)), syncs,
      commands / static_cast<double>(std::max<uint64_t>(1, syncs)));
  // Throughput moves with whatever else the machine runs; the CPU time a command costs (the engine,
  // RocksDB's background work and the bench's own client threads) moves much less.
  out << fmt::format("CPU time: {:.1f} us per command ({:.2f} of {} cores busy on average)\n",
                     cpu_seconds * 1e6 / std::max(1.0, commands), cpu_seconds / seconds,
                     std::thread::hardware_concurrency());
  const uint64_t records = accepted;
  if (options.query_table_records > records) {
    if (Status status = fill_records(ledger, options, options.query_table_records - records); !status) {
      err << "paystream: " << status.error().message << "\n";
      return 1;
    }
  }
  print_queries((*runtime)->projections(), options, start, std::max(records, options.query_table_records),
                out);

  LedgerState replayed;
  uint64_t events = 0;
  const auto replay_started = SteadyClock::now();
  Status scanned = ledger.scan(LogPosition{1}, [&](const Event& event) {
    evolve(replayed, event);
    ++events;
    return ok_status();
  });
  const double replay_seconds = std::chrono::duration<double>(SteadyClock::now() - replay_started).count();
  if (!scanned) {
    err << "paystream: " << scanned.error().message << "\n";
    return 1;
  }
  out << fmt::format(
      "replay of the log into engine state (hash chain checked): {:.0f} events/s ({} events, {:.2f} s)\n",
      static_cast<double>(events) / replay_seconds, events, replay_seconds);
  if (Status closed = ledger.close(); !closed) {
    err << "paystream: " << closed.error().message << "\n";
    return 1;
  }
  runtime->reset();
  std::ostringstream verify_out, verify_err;
  const auto verify_started = SteadyClock::now();
  const int verified = run_replay_verify(options.data_dir, verify_out, verify_err);
  const double verify_seconds = std::chrono::duration<double>(SteadyClock::now() - verify_started).count();
  out << fmt::format("replay --verify (chain, projections rebuilt and compared): {:.0f} events/s, {}\n",
                     static_cast<double>(events) / verify_seconds, verified == 0 ? "all match" : "FAILED");
  if (verified != 0) err << verify_out.str() << verify_err.str();
  if (!options.keep) fs::remove_all(options.data_dir);
  return verified == 0 ? 0 : 1;
}

}  // namespace paystream
