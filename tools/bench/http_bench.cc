#include "tools/bench/http_bench.h"

#include <fmt/format.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>
#include <vector>

#include "events/money.h"
#include "tools/bench/slow_client_load.h"

namespace paystream {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr const char* amount = "1.000001";  // a fraction that must survive exactly
constexpr uint64_t setup_batch = 1'000;

struct Failure {
  std::mutex mutex;
  std::string first;
  std::atomic<uint64_t> count{0};
  void add(std::string what) {
    if (count++ == 0) {
      std::lock_guard lock(mutex);
      first = std::move(what);
    }
  }
};

std::unique_ptr<httplib::Client> client_for(const HttpBenchOptions& options) {
  auto client = std::make_unique<httplib::Client>(options.url);
  client->set_bearer_token_auth(options.token.c_str());
  client->set_keep_alive(true);
  client->set_tcp_nodelay(true);  // headers and body go out as two writes: no Nagle wait between them
  client->set_connection_timeout(5);
  client->set_read_timeout(60);
  client->set_write_timeout(60);
  return client;
}

std::string describe(const httplib::Result& result) {
  if (!result) return "no answer: " + httplib::to_string(result.error());
  return fmt::format("HTTP {}: {}", result->status, result->body.substr(0, 300));
}

// Posts commands; true when every one was applied (a duplicate counts: it was applied before).
bool post_commands(httplib::Client& client, const json& commands, Failure& failure) {
  const json body = {{"commands", commands}};
  const httplib::Result result = client.Post("/v1/commands", body.dump(), "application/json");
  if (!result || result->status != 200) {
    failure.add(describe(result));
    return false;
  }
  const json answer = json::parse(result->body, nullptr, false);
  if (!answer.contains("outcomes") || answer["outcomes"].size() != commands.size()) {
    failure.add("an answer without one outcome per command: " + result->body.substr(0, 300));
    return false;
  }
  for (const json& outcome : answer["outcomes"]) {
    if (!outcome.value("ok", false)) {
      failure.add("a refused command: " + outcome.dump());
      return false;
    }
  }
  return true;
}

std::string account_name(const std::string& run, uint64_t index) {
  return fmt::format("hb-{}-{}", run, index);
}

bool open_accounts(const HttpBenchOptions& options, const std::string& run, Failure& failure) {
  auto client = client_for(options);
  for (uint64_t first = 0; first < options.accounts; first += setup_batch) {
    json commands = json::array();
    for (uint64_t i = first; i < std::min(options.accounts, first + setup_batch); ++i) {
      commands.push_back({{"type", "open_account"},
                          {"account", account_name(run, i)},
                          {"name", fmt::format("bench account {}", i)},
                          {"command_id", fmt::format("hb-{}-open-{}", run, i)}});
    }
    if (!post_commands(*client, commands, failure)) return false;
  }
  return true;
}

struct ClientResult {
  std::vector<double> latencies_ms;
  uint64_t payments = 0;
};

void run_client(const HttpBenchOptions& options, const std::string& run, unsigned index,
                std::atomic<uint64_t>& remaining, Failure& failure, ClientResult& result) {
  auto client = client_for(options);
  std::mt19937_64 random(index + 1);
  uint64_t sequence = 0;
  while (failure.count == 0) {
    uint64_t before = remaining.load();
    if (before == 0) return;
    const uint64_t take = std::min(before, options.batch);
    if (!remaining.compare_exchange_weak(before, before - take)) continue;
    const Clock::time_point start = Clock::now();
    bool ok = true;
    if (options.batch == 1) {
      const std::string account = account_name(run, random() % options.accounts);
      const json body = {{"amount", amount},
                         {"command_id", fmt::format("hb-{}-{}-{}", run, index, sequence++)}};
      const httplib::Result answer =
          client->Post(("/v1/accounts/" + account + "/payments").c_str(), body.dump(), "application/json");
      ok = answer && answer->status == 201;
      if (!ok) failure.add(describe(answer));
    } else {
      json commands = json::array();
      for (uint64_t i = 0; i < take; ++i) {
        commands.push_back({{"type", "pay"},
                            {"account", account_name(run, random() % options.accounts)},
                            {"amount", amount},
                            {"command_id", fmt::format("hb-{}-{}-{}", run, index, sequence++)}});
      }
      ok = post_commands(*client, commands, failure);
    }
    if (!ok) return;
    result.latencies_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    result.payments += take;
  }
}

double percentile(const std::vector<double>& sorted, double fraction) {
  if (sorted.empty()) return 0;
  const auto index = static_cast<size_t>(fraction * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)];
}

// The sum of this run's balances, read back through the balances query.
Result<Money> balances_sum(const HttpBenchOptions& options, const std::string& run) {
  auto client = client_for(options);
  Money sum = Money::zero();
  std::string cursor;
  const std::string prefix = fmt::format("hb-{}-", run);
  do {
    httplib::Params params = {{"format", "json"}, {"limit", "10000"}};
    if (!cursor.empty()) params.emplace("cursor", cursor);
    const httplib::Result result = client->Get("/v1/balances", params, httplib::Headers{});
    if (!result || result->status != 200) return make_error(Errc::io_error, describe(result));
    const json page = json::parse(result->body, nullptr, false);
    if (!page.contains("rows")) return make_error(Errc::io_error, "a balances page without rows");
    for (const json& row : page["rows"]) {
      if (row.value("account_id", "").rfind(prefix, 0) != 0) continue;
      Result<Money> balance = Money::parse(row.value("current_balance", ""));
      if (!balance) return balance.error();
      const std::optional<Money> added = sum.checked_add(*balance);
      if (!added) return make_error(Errc::invalid_amount, "the balances overflow");
      sum = *added;
    }
    cursor = page.value("next_cursor", "");
  } while (!cursor.empty());
  return sum;
}

}  // namespace

int run_http_bench(const HttpBenchOptions& options, std::ostream& out, std::ostream& err) {
  ::signal(SIGPIPE, SIG_IGN);  // httplib's client writes without MSG_NOSIGNAL: a hang-up is an error
  const std::string run = fmt::format("{:x}", std::chrono::system_clock::now().time_since_epoch().count());
  out << fmt::format(
      "bench-http: {} clients, {} per request, {} payments over {} accounts at {}\n", options.clients,
      options.batch == 1 ? "1 payment (single requests)" : fmt::format("{} payments", options.batch),
      options.payments, options.accounts, options.url);
  Failure failure;
  if (!open_accounts(options, run, failure)) {
    err << "paystream: bench-http: opening the accounts failed: " << failure.first << '\n';
    return 1;
  }
  SlowClientLoad slow;
  if (options.slow_clients > 0) {
    Result<std::pair<std::string, int>> host_port = loopback_host_port(options.url);
    Status started = host_port ? slow.start(host_port->first, host_port->second, options.slow_clients)
                               : Status(host_port.error());
    if (!started) {
      err << "paystream: bench-http: " << started.error().message << '\n';
      return 1;
    }
    out << fmt::format(
        "slow clients: {} connections held from 127.0.0.2 upwards (a third trickling headers, a "
        "third a body, a third silent)\n",
        options.slow_clients);
  }
  std::atomic<uint64_t> remaining{options.payments};
  std::vector<ClientResult> results(options.clients);
  std::vector<std::thread> threads;
  const Clock::time_point start = Clock::now();
  for (unsigned i = 0; i < options.clients; ++i) {
    threads.emplace_back([&, i] { run_client(options, run, i, remaining, failure, results[i]); });
  }
  for (std::thread& thread : threads) thread.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  slow.stop();
  if (options.slow_clients > 0) {
    out << fmt::format("slow clients: {} dropped by the server (and opened again) meanwhile\n",
                       slow.dropped());
  }
  if (failure.count != 0) {
    err << "paystream: bench-http: " << failure.count << " request(s) failed; the first: " << failure.first
        << '\n';
    return 1;
  }
  std::vector<double> latencies;
  uint64_t payments = 0;
  for (const ClientResult& result : results) {
    latencies.insert(latencies.end(), result.latencies_ms.begin(), result.latencies_ms.end());
    payments += result.payments;
  }
  std::sort(latencies.begin(), latencies.end());
  out << fmt::format("requests: {} in {:.2f} s: {:.0f} requests/s, {:.0f} payments/s\n", latencies.size(),
                     seconds, static_cast<double>(latencies.size()) / seconds,
                     static_cast<double>(payments) / seconds);
  out << fmt::format("request latency (ms): p50 {:.2f}, p90 {:.2f}, p99 {:.2f}, p99.9 {:.2f}, max {:.2f}\n",
                     percentile(latencies, 0.50), percentile(latencies, 0.90), percentile(latencies, 0.99),
                     percentile(latencies, 0.999), latencies.empty() ? 0.0 : latencies.back());
  Result<Money> sum = balances_sum(options, run);
  int64_t expected_micros = 0;
  if (__builtin_mul_overflow(Money::parse(amount).value().micros(), static_cast<int64_t>(payments),
                             &expected_micros)) {
    err << "paystream: bench-http: the expected total overflows\n";
    return 1;
  }
  const Money expected = Money::from_micros(expected_micros);
  if (!sum) {
    err << "paystream: bench-http: reading the balances back failed: " << sum.error().message << '\n';
    return 1;
  }
  out << fmt::format("check: the {} accounts' balances sum to {}; {} payments of {} make {}: {}\n",
                     options.accounts, sum->to_string(), payments, amount, expected.to_string(),
                     *sum == expected ? "ok" : "MISMATCH");
  return *sum == expected ? 0 : 1;
}

}  // namespace paystream
