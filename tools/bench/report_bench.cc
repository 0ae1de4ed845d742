#include "tools/bench/report_bench.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <thread>

#include "projections/export/report_cells.h"
#include "tools/commands/replay.h"
#include "tools/runtime/retention.h"
#include "tools/runtime/runtime.h"

namespace paystream {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::string account_name(uint64_t index) { return fmt::format("acct-{:07}", index); }

// The engine's time for a bench of simulated days: it moves through the period as the payments are
// submitted, so that they spread over every day of it.
class ProgressClock final : public Clock {
 public:
  ProgressClock(Timestamp start, int64_t span_micros, uint64_t total)
      : start_(start), span_(span_micros), total_(std::max<uint64_t>(total, 1)) {}
  Timestamp now() override {
    const uint64_t done = std::min(done_.load(), total_);
    const auto offset = static_cast<int64_t>(
        static_cast<long double>(span_) * static_cast<long double>(done) / static_cast<long double>(total_));
    int64_t time = start_.micros + offset;
    int64_t last = last_.load();
    while (time > last && !last_.compare_exchange_weak(last, time)) {
    }
    return Timestamp{std::max(time, last_.load())};
  }
  void advance(uint64_t commands) { done_ += commands; }

 private:
  Timestamp start_;
  int64_t span_;
  uint64_t total_;
  std::atomic<uint64_t> done_{0};
  std::atomic<int64_t> last_{0};
};

// VmHWM and VmRSS of this process, MiB; the peak is reset first when `reset` (Linux's clear_refs 5).
double memory_mib(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with(field)) return std::stod(line.substr(std::string_view(field).size())) / 1024.0;
  }
  return 0;
}

void reset_peak_memory() { std::ofstream("/proc/self/clear_refs") << "5"; }

Status open_accounts(Ledger& ledger, const ReportBenchOptions& options) {
  for (uint64_t first = 0; first < options.accounts; first += 4096) {
    std::vector<Command> batch;
    for (uint64_t i = first; i < std::min(options.accounts, first + 4096); ++i) {
      OpenAccount open{account_name(i), {}, Money::from_micros(50'000'000), {}};
      open.settings.name = fmt::format("Customer {}", i);
      if (i < options.agents) {
        open.settings.type = AccountType::agent;
      } else if (i < options.agents + 100) {
        open.settings.type = AccountType::clearing;
      } else if (options.agents > 0 && i % 2 == 0) {
        open.settings.parent = account_name(i % options.agents);
      }
      batch.push_back(Command{"open-" + account_name(i), "bench", open});
    }
    for (const Result<Outcome>& outcome : ledger.submit_all(std::move(batch))) {
      if (!outcome) return outcome.error();
    }
  }
  return ok_status();
}

uint64_t pay_everything(Ledger& ledger, ProgressClock& clock, const ReportBenchOptions& options) {
  std::atomic<uint64_t> refused{0};
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < options.threads; ++t) {
    const uint64_t share =
        options.records / options.threads + (t < options.records % options.threads ? 1 : 0);
    workers.emplace_back([&, t, share] {
      std::mt19937_64 random(t + 1);
      for (uint64_t sequence = 0; sequence < share;) {
        std::vector<Command> commands;
        for (uint64_t i = 0; i < options.batch && sequence < share; ++i, ++sequence) {
          const Money amount = Money::from_micros(static_cast<int64_t>(1 + random() % 10'000) * 10'000);
          commands.push_back(
              Command{fmt::format("pay-{}-{}", t, sequence), "bench",
                      Pay{account_name(random() % options.accounts), amount, "", PaymentMethod::cash}});
        }
        const size_t submitted = commands.size();
        for (const Result<Outcome>& outcome : ledger.submit_all(std::move(commands))) {
          if (!outcome) ++refused;
        }
        clock.advance(submitted);
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  return refused.load();
}

// Runs `report` options.repeats times; prints the first run, the best, the rows and the memory.
void time_report(std::ostream& out, const ReportBenchOptions& options, const std::string& what,
                 const std::function<Result<uint64_t>()>& report) {
  double first = 0, best = 0, peak_growth = 0;
  uint64_t rows = 0;
  for (unsigned run = 0; run < options.repeats; ++run) {
    reset_peak_memory();
    const double before = memory_mib("VmRSS:");
    const auto started = SteadyClock::now();
    Result<uint64_t> counted = report();
    const double seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
    if (!counted) {
      out << fmt::format("{}: failed: {}\n", what, counted.error().message);
      return;
    }
    rows = *counted;
    peak_growth = std::max(peak_growth, memory_mib("VmHWM:") - before);
    if (run == 0) first = seconds;
    best = run == 0 ? seconds : std::min(best, seconds);
  }
  out << fmt::format("{}: {} rows, first {:.3f} s, best {:.3f} s, peak memory +{:.1f} MiB\n", what, rows,
                     first, best, peak_growth);
}

// Retention: the records of the period's first tenth of days exported to CSV and removed (with
// 10 million payments over 30 days, about a million records).
void clean_up_first_days(std::ostream& out, Runtime& runtime, Date first_day,
                         const ReportBenchOptions& options) {
  const Date before = add_days(first_day, std::max(1, static_cast<int32_t>(options.days / 10)));
  const std::filesystem::path file = std::filesystem::path(options.data_dir) / "bench-cleanup.csv";
  double event_seconds = 0;
  reset_peak_memory();
  const double memory_before = memory_mib("VmRSS:");
  const auto started = SteadyClock::now();
  Result<CleanupDone> done = clean_up_records(
      runtime.projections(),
      CleanupRequest{.before = before,
                     .export_file = file,
                     .command_id = "bench-cleanup",
                     .operator_name = "bench",
                     .replace_export = false,
                     .exported_row = {},
                     .confirm = {}},
      Timestamp{std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count()},
      [&](Command command) {
        const auto submitted = SteadyClock::now();
        Result<Outcome> outcome = runtime.ledger->submit(std::move(command));
        event_seconds = std::chrono::duration<double>(SteadyClock::now() - submitted).count();
        return outcome;
      });
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
  if (!done) {
    out << fmt::format("records cleanup: failed: {}\n", done.error().message);
    return;
  }
  std::error_code error;
  out << fmt::format(
      "records cleanup before {}: {} records exported ({:.0f} MiB CSV) and removed in {:.2f} s ({:.0f} "
      "records/s; the event and the rows' removal {:.2f} s), peak memory +{:.1f} MiB\n",
      format_date(before), done->exported.count,
      static_cast<double>(std::filesystem::file_size(file, error)) / (1 << 20), seconds,
      static_cast<double>(done->exported.count) / seconds, event_seconds,
      memory_mib("VmHWM:") - memory_before);
}

// audit verify (replay --verify) of the whole data directory: the hash chain, every projection rebuilt
// and compared.
void time_verify(std::ostream& out, const std::string& data_dir, uint64_t events) {
  std::ostringstream verify_out, verify_err;
  const auto started = SteadyClock::now();
  const int code = run_replay_verify(data_dir, verify_out, verify_err);
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
  out << fmt::format("audit verify: {} events in {:.1f} s, {:.0f} events/s{}\n", events, seconds,
                     static_cast<double>(events) / seconds,
                     code == 0 ? "" : " (FAILED: " + verify_out.str() + verify_err.str() + ")");
}

}  // namespace

int run_report_bench(const ReportBenchOptions& options, std::ostream& out, std::ostream& err) {
  namespace fs = std::filesystem;
  if (fs::exists(options.data_dir) && !fs::is_empty(options.data_dir)) {
    err << fmt::format("paystream: bench-reports needs a fresh data directory; '{}' is not empty\n",
                       options.data_dir);
    return 2;
  }
  // The simulated month: the last `days` whole days before today (UTC), so no event is in the future.
  const auto wall = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  const Date first_day = add_days(date_of(Timestamp{wall.count()}), -static_cast<int32_t>(options.days));
  const Date last_day = add_days(first_day, static_cast<int32_t>(options.days) - 1);
  ProgressClock clock(start_of(first_day), int64_t{options.days} * 86'400'000'000 - 1, options.records);
  LedgerOptions ledger_options;
  ledger_options.data_dir = options.data_dir;
  ledger_options.clock = &clock;
  Result<std::unique_ptr<Runtime>> runtime = open_runtime(ledger_options);
  if (!runtime) {
    err << "paystream: " << runtime.error().message << "\n";
    return 1;
  }
  Ledger& ledger = *(*runtime)->ledger;
  out << fmt::format(
      "paystream bench-reports: {} accounts ({} agents, 100 clearing, half the rest sub-accounts), {} "
      "payments "
      "over {} days ({} to {}), {} threads, batches of {}; WAL synced\n",
      options.accounts, options.agents, options.records, options.days, format_date(first_day),
      format_date(last_day), options.threads, options.batch);
  if (Status opened = open_accounts(ledger, options); !opened) {
    err << "paystream: " << opened.error().message << "\n";
    return 1;
  }
  const auto paying = SteadyClock::now();
  const uint64_t refused = pay_everything(ledger, clock, options);
  const double pay_seconds = std::chrono::duration<double>(SteadyClock::now() - paying).count();
  out << fmt::format("payments: {:.0f}/s durable, with the history and per-day totals{}\n",
                     static_cast<double>(options.records) / pay_seconds,
                     refused > 0 ? fmt::format(" ({} refused)", refused) : std::string());
  out << fmt::format("memory before the reports: {:.0f} MiB resident (the ledger's state of every account)\n",
                     memory_mib("VmRSS:"));

  const Projections& projections = (*runtime)->projections();
  const auto count_cells = [](uint64_t& rows) {
    return [&rows](const std::vector<std::string>&) { ++rows; };
  };
  for (const ReportPeriod by : {ReportPeriod::month, ReportPeriod::day}) {
    time_report(out, options, fmt::format("settlement by {}", by == ReportPeriod::month ? "month" : "day"),
                [&]() -> Result<uint64_t> {
                  Result<std::vector<SettlementRow>> rows =
                      projections.settlement({.from = first_day, .to = last_day, .by = by});
                  if (!rows) return rows.error();
                  for (const SettlementRow& row : *rows) (void)settlement_cells(row);
                  return rows->size();
                });
  }
  time_report(out, options, "agent income, every agent", [&]() -> Result<uint64_t> {
    uint64_t rows = 0;
    AgentIncomeQuery query;
    query.from = first_day;
    query.to = last_day;
    const auto cells = count_cells(rows);
    Status read = projections.for_each_agent_income(
        query, [&](const AgentIncomeRow& row) { cells(agent_income_cells(row)); });
    if (!read) return read.error();
    return rows;
  });
  time_report(out, options, "account balance as of mid-period, every account", [&]() -> Result<uint64_t> {
    uint64_t rows = 0;
    BalanceQuery query;
    query.as_of = Timestamp{start_of(add_days(first_day, static_cast<int32_t>(options.days / 2))).micros +
                            43'200'000'000};
    const auto cells = count_cells(rows);
    Status read =
        projections.for_each_balance(query, [&](const BalanceRow& row) { cells(balance_cells(row)); });
    if (!read) return read.error();
    return rows;
  });
  time_report(out, options, "clearing balance, the whole period", [&]() -> Result<uint64_t> {
    uint64_t rows = 0;
    const ClearingQuery query{.from = first_day, .as_of = clock.now(), .visible_accounts = std::nullopt};
    const auto cells = count_cells(rows);
    Status read =
        projections.for_each_clearing(query, [&](const ClearingRow& row) { cells(clearing_cells(row)); });
    if (!read) return read.error();
    return rows;
  });
  clean_up_first_days(out, **runtime, first_day, options);
  const uint64_t events = ledger.end().value;
  runtime->reset();
  time_verify(out, options.data_dir, events);
  uintmax_t bytes = 0;
  for (const auto& entry : fs::recursive_directory_iterator(options.data_dir)) {
    if (entry.is_regular_file()) bytes += entry.file_size();
  }
  out << fmt::format("data directory: {:.0f} MiB\n", static_cast<double>(bytes) / (1 << 20));
  if (!options.keep) fs::remove_all(options.data_dir);
  return 0;
}

}  // namespace paystream
