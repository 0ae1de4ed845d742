#include "tools/commands/replay_kafka.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <random>

#include "tools/commands/family_compare.h"
#include "tools/kafka/projector.h"

namespace paystream {
namespace {

constexpr int verify_timeout_ms = 600'000;

// A scratch directory removed on destruction.
class ScratchDirectory {
 public:
  ScratchDirectory() {
    std::random_device random;
    path_ = (std::filesystem::temp_directory_path() / fmt::format("paystream-verify-kafka-{:x}", random()))
                .string();
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void compare_progress(const KafkaProjectionStore& live, const KafkaProjectionStore& rebuilt,
                      Comparison& comparison) {
  for (const auto& [partition, progress] : live.progress()) {
    const PartitionProgress replayed = rebuilt.progress_of(partition);
    if (progress.last_position != replayed.last_position || progress.head != replayed.head) {
      note(comparison, fmt::format("partition {}: the live projections end at position {}, the events at {}",
                                   partition, progress.last_position, replayed.last_position));
    }
    if (!(progress.accepted == replayed.accepted)) {
      note(comparison,
           fmt::format("partition {}: the live projections accepted batch {} of epoch {}, the replay {} "
                       "of epoch {}",
                       partition, progress.accepted.sequence, progress.accepted.epoch,
                       replayed.accepted.sequence, replayed.accepted.epoch));
    }
  }
}

int fail(const Error& error, std::ostream& err) {
  err << "paystream: " << error.message << "\n";
  return 1;
}

}  // namespace

int run_replay_verify_kafka(const KafkaConnection& connection, const std::string& data_dir, std::ostream& out,
                            std::ostream& err) {
  const auto started = std::chrono::steady_clock::now();
  const std::string live_dir = (std::filesystem::path(data_dir) / kafka_projections_dir_name).string();
  Result<std::unique_ptr<KafkaProjectionStore>> live =
      KafkaProjectionStore::open(live_dir, KafkaProjectionStore::Access::read);
  if (!live) return fail(live.error(), err);
  ScratchDirectory scratch;
  ProjectorOptions options;
  options.connection = connection;
  options.directory = scratch.path();
  Result<std::unique_ptr<KafkaProjector>> projector = KafkaProjector::open(options);
  if (!projector) return fail(projector.error(), err);
  if ((*projector)->scope() != (*live)->scope()) {
    err << fmt::format("paystream: '{}' holds the projections of '{}', not of '{}'\n", live_dir,
                       (*live)->scope(), (*projector)->scope());
    return 1;
  }
  std::map<int32_t, int64_t> targets;
  for (int32_t partition = 0; partition < (*projector)->partitions(); ++partition) {
    targets[partition] = (*live)->progress_of(partition).next_offset;
  }
  if (Status reached = (*projector)->reach(targets, verify_timeout_ms); !reached) {
    out << fmt::format("hash chain: FAILED after {} events\n", (*projector)->totals().events);
    return fail(reached.error(), err);
  }
  const ProjectorTotals& totals = (*projector)->totals();
  out << fmt::format(
      "hash chain: intact, {} events in {} partitions ({} batches accepted, {} ignored by the "
      "reader's rule)\n",
      totals.events, (*projector)->partitions(), totals.accepted, totals.ignored);
  Comparison comparison;
  compare_progress(**live, (*projector)->store(), comparison);
  const std::vector<std::string> names = KafkaProjectionStore::compared_family_names();
  const std::vector<rocksdb::ColumnFamilyHandle*> live_families = (*live)->compared_families();
  const std::vector<rocksdb::ColumnFamilyHandle*> rebuilt_families =
      (*projector)->store().compared_families();
  for (size_t i = 0; i < names.size(); ++i) {
    if (Status compared = compare_family((*live)->db(), live_families[i], (*projector)->store().db(),
                                         rebuilt_families[i], names[i], comparison);
        !compared) {
      return fail(compared.error(), err);
    }
  }
  for (const std::string& difference : comparison.differences) out << "DIFFERS " << difference << "\n";
  if (comparison.difference_count > 0) {
    out << fmt::format("projections: {} differences ({} shown)\n", comparison.difference_count,
                       comparison.differences.size());
    return 1;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  out << fmt::format(
      "projections: all {} rows in {} column families match their rebuild from the events topic\n",
      comparison.rows, names.size());
  out << fmt::format("verified in {:.2f} s\n", seconds);
  return 0;
}

}  // namespace paystream
