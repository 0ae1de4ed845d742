#include "tools/http/metrics.h"

#include <fmt/format.h>

namespace paystream::http {
namespace {

std::string label_value(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

void Metrics::count_command(std::string_view type, std::string_view outcome, double seconds) {
  std::lock_guard lock(mutex_);
  ++commands_[{std::string(type), std::string(outcome)}];
  ++duration_count_;
  duration_sum_seconds_ += seconds;
  for (size_t i = 0; i < duration_buckets_seconds.size(); ++i) {
    if (seconds <= duration_buckets_seconds[i]) {
      ++duration_counts_[i];
      break;
    }
  }
}

void Metrics::count_request(std::string_view route, std::string_view method, int status) {
  std::lock_guard lock(mutex_);
  ++requests_[{std::string(route), std::string(method), status}];
}

std::string Metrics::render(const Positions& positions) const {
  std::string out;
  std::lock_guard lock(mutex_);
  header(out, "paystream_commands_total", "counter", "Commands submitted, by command type and outcome.");
  for (const auto& [labels, count] : commands_) {
    out += fmt::format("paystream_commands_total{{type=\"{}\",outcome=\"{}\"}} {}\n",
                       label_value(std::get<0>(labels)), label_value(std::get<1>(labels)), count);
  }
  header(out, "paystream_command_duration_seconds", "histogram",
         "Time from a command's submission to its durable outcome (a batch's commands share theirs).");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < duration_buckets_seconds.size(); ++i) {
    cumulative += duration_counts_[i];
    out += fmt::format("paystream_command_duration_seconds_bucket{{le=\"{}\"}} {}\n",
                       duration_buckets_seconds[i], cumulative);
  }
  out += fmt::format("paystream_command_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", duration_count_);
  out += fmt::format("paystream_command_duration_seconds_sum {}\n", duration_sum_seconds_);
  out += fmt::format("paystream_command_duration_seconds_count {}\n", duration_count_);
  header(out, "paystream_log_position", "gauge", "Position of the last event in the log (0 when empty).");
  out += fmt::format("paystream_log_position {}\n", positions.log_end);
  if (positions.projection_lag) {
    header(out, "paystream_projection_lag_events", "gauge",
           "What the projections have not applied yet: events of the log, or in Kafka mode offsets of the "
           "events topic (batches and transaction markers) behind its end.");
    out += fmt::format("paystream_projection_lag_events {}\n", *positions.projection_lag);
  }
  header(out, "paystream_http_requests_total", "counter",
         "HTTP requests answered, by route, method and status.");
  for (const auto& [labels, count] : requests_) {
    out += fmt::format("paystream_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n",
                       label_value(std::get<0>(labels)), label_value(std::get<1>(labels)),
                       std::get<2>(labels), count);
  }
  return out;
}

}  // namespace paystream::http
