// paystream bench-cards: a card batch's issue time and memory, and redemptions per second.
#include "tools/bench/card_bench.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "tools/runtime/card_batch.h"
#include "tools/runtime/runtime.h"

namespace paystream {
namespace {

using SteadyClock = std::chrono::steady_clock;

double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// Peak resident memory of this process so far (Linux reports KiB).
double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

std::string account_name(uint64_t index) { return fmt::format("acct-{:04}", index); }

constexpr uint64_t accounts = 1'000;

Status open_accounts(Ledger& ledger) {
  std::vector<Command> commands;
  for (uint64_t i = 0; i < accounts; ++i) {
    OpenAccount open{.account_id = account_name(i), .settings = {}, .overdraft = {}, .initial_balance = {}};
    open.settings.name = account_name(i);
    commands.push_back(Command{"open-" + account_name(i), "bench", open});
  }
  for (Result<Outcome>& outcome : ledger.submit_all(std::move(commands))) {
    if (!outcome) return outcome.error();
  }
  return ok_status();
}

Command redemption(const NewCard& card, uint64_t index) {
  return Command{fmt::format("redeem-{}", index), "bench",
                 RedeemCard{card.number, card.pin, account_name(index % accounts), ""}};
}

}  // namespace

int run_card_bench(const CardBenchOptions& options, std::ostream& out, std::ostream& err) {
  LedgerOptions ledger_options;
  ledger_options.data_dir = options.data_dir;
  Result<std::unique_ptr<Runtime>> runtime = open_runtime(ledger_options);
  if (!runtime) {
    err << "paystream: " << runtime.error().message << '\n';
    return 1;
  }
  Ledger& ledger = *(*runtime)->ledger;
  if (Status opened = open_accounts(ledger); !opened) {
    err << "paystream: " << opened.error().message << '\n';
    return 1;
  }
  const double rss_before = peak_rss_mib();
  CardBatchSpec spec{.batch = "bench",
                     .count = options.cards,
                     .value = Money::from_micros(10'000'000),
                     .expires = parse_date("2099-12-31").value()};
  const auto made_at = SteadyClock::now();
  Result<CardBatch> batch = make_card_batch(spec, "bench", Timestamp{});
  if (!batch) {
    err << "paystream: " << batch.error().message << '\n';
    return 1;
  }
  const double make_seconds = seconds_since(made_at);
  const auto issued_at = SteadyClock::now();
  const BatchIssue issue = submit_card_batch(
      *batch, [&](std::vector<Command> commands) { return ledger.submit_all(std::move(commands)); });
  if (issue.refusal) {
    err << "paystream: issuing: " << issue.refusal->message << '\n';
    return 1;
  }
  const double issue_seconds = seconds_since(issued_at);
  const double rss_after = peak_rss_mib();
  out << fmt::format(
      "card batch of {} cards: numbers, PINs and hashes made in {:.2f} s; issued durably in "
      "{:.2f} s ({:.0f} cards/s); total {:.2f} s\n",
      options.cards, make_seconds, issue_seconds, static_cast<double>(options.cards) / issue_seconds,
      make_seconds + issue_seconds);
  out << fmt::format(
      "peak memory: {:.0f} MiB before the batch, {:.0f} MiB after ({:.0f} MiB for the batch)\n", rss_before,
      rss_after, rss_after - rss_before);

  const uint64_t redemptions = std::min<uint64_t>(options.redemptions, batch->cards.size());
  const uint64_t singles = std::min<uint64_t>(redemptions / 10, 2'000);
  const auto singles_at = SteadyClock::now();
  for (uint64_t i = 0; i < singles; ++i) {
    if (!ledger.submit(redemption(batch->cards[i], i))) {
      err << "paystream: a redemption was refused\n";
      return 1;
    }
  }
  const double single_seconds = seconds_since(singles_at);
  std::atomic<uint64_t> next{singles}, refused{0};
  const auto threaded_at = SteadyClock::now();
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < options.threads; ++t) {
    workers.emplace_back([&] {
      for (uint64_t i = next++; i < redemptions; i = next++) {
        if (!ledger.submit(redemption(batch->cards[i], i))) ++refused;
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  const double threaded_seconds = seconds_since(threaded_at);
  out << fmt::format(
      "redemptions: {:.0f}/s one at a time ({} of them), {:.0f}/s from {} threads ({}), {} refused\n",
      static_cast<double>(singles) / single_seconds, singles,
      static_cast<double>(redemptions - singles) / threaded_seconds, options.threads, redemptions - singles,
      refused.load());
  if (Status closed = ledger.close(); !closed) {
    err << "paystream: " << closed.error().message << '\n';
    return 1;
  }
  if (!options.keep) {
    std::error_code ignored;
    std::filesystem::remove_all(options.data_dir, ignored);
  }
  return refused.load() == 0 ? 0 : 1;
}

}  // namespace paystream
