#include "tools/commands/project_kafka.h"

#include <fmt/format.h>

#include <chrono>

#include "tools/commands/exit_codes.h"
#include "tools/commands/stop_signals.h"

namespace paystream {
namespace {

constexpr int round_ms = 200;

void print_totals(const KafkaProjector& projector, double seconds, std::ostream& out) {
  const ProjectorTotals& totals = projector.totals();
  out << fmt::format("{{\"accepted_batches\":{},\"ignored_batches\":{},\"events\":{},\"seconds\":{:.3f}}}",
                     totals.accepted, totals.ignored, totals.events, seconds)
      << std::endl;
}

}  // namespace

int run_project_kafka(const ProjectKafkaOptions& options, std::ostream& out, std::ostream& err) {
  StopSignals signals;  // before librdkafka starts its threads
  const auto started = std::chrono::steady_clock::now();
  Result<std::unique_ptr<KafkaProjector>> projector = KafkaProjector::open(options.projector);
  if (!projector) return report_error(projector.error(), err);
  signals.listen();
  err << fmt::format("paystream: project --kafka: {} events partitions of {} into '{}'\n",
                     (*projector)->partitions(), (*projector)->scope(), options.projector.directory);
  Status ran = ok_status();
  (*projector)->stop_on(&signals.stop());
  if (options.until_caught_up) {
    ran = (*projector)->catch_up(options.catch_up_timeout_ms);
  } else {
    err << "paystream: project --kafka: following the events; Ctrl-C stops\n";
    while (ran && !signals.stop()) ran = (*projector)->step(round_ms);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  print_totals(**projector, seconds, out);
  if (!ran) return report_error(ran.error(), err);
  // Only Kafka's lag tools read these: a failure is said, not an error of the projections.
  if (Status committed = (*projector)->commit_offsets(); !committed) {
    err << fmt::format("paystream: project --kafka: the projections are stored; {}\n",
                       committed.error().message);
  }
  return 0;
}

}  // namespace paystream
