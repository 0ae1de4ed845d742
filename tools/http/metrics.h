#pragma once
// Counters for GET /metrics, in Prometheus' text exposition format (version 0.0.4). Only
// aggregates: command types, outcome codes, routes and positions; never an account or an operator,
// so the endpoint needs no token (docs/api.md). Thread-safe: one mutex, held for a map update.
#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

namespace paystream::http {

class Metrics {
 public:
  // One submitted command: `type` is command_name(), `outcome` "applied", "duplicate" or the
  // refusal's errc name; `seconds` from submission to its durable outcome.
  void count_command(std::string_view type, std::string_view outcome, double seconds);
  // One answered HTTP request; `route` is the route's pattern ("unmatched" when none).
  void count_request(std::string_view route, std::string_view method, int status);

  struct Positions {
    uint64_t log_end = 0;
    std::optional<uint64_t> projection_lag;  // nullopt when it could not be read
  };
  std::string render(const Positions& positions) const;

  static constexpr std::array<double, 14> duration_buckets_seconds = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

 private:
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string>, uint64_t, std::less<>> commands_;
  std::array<uint64_t, duration_buckets_seconds.size()> duration_counts_{};  // not cumulative
  uint64_t duration_count_ = 0;
  double duration_sum_seconds_ = 0;
  std::map<std::tuple<std::string, std::string, int>, uint64_t, std::less<>> requests_;
};

}  // namespace paystream::http
