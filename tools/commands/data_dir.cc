#include "tools/commands/data_dir.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <system_error>

#include "tools/kafka/partition_states.h"

namespace paystream {
namespace {

bool mentions_lock(std::string message) {
  std::transform(message.begin(), message.end(), message.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return message.find("lock") != std::string::npos;
}

Status check_directory(const std::string& dir, DataDirUse use) {
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(dir, error);
  if (std::filesystem::is_directory(status)) return ok_status();
  if (std::filesystem::exists(status)) {
    return make_error(Errc::io_error, fmt::format("data directory '{}' is not a directory", dir));
  }
  if (use == DataDirUse::create_if_missing) return ok_status();
  return make_error(Errc::io_error,
                    fmt::format("no data directory at '{}': open an account first (paystream account open) "
                                "or pass --data DIR",
                                dir));
}

}  // namespace

Result<std::unique_ptr<Runtime>> open_data_dir(const GlobalOptions& options, DataDirUse use) {
  const std::string dir = options.data_dir_or_default();
  if (dir.empty()) return make_error(Errc::invalid_argument, "--data: the directory name is empty");
  if (QuerySource::is_kafka(options)) {
    return make_error(
        Errc::invalid_argument,
        fmt::format("data directory '{}' holds Kafka mode's projections and no embedded ledger: in Kafka "
                    "mode commands go through Kafka (paystream publish, or the HTTP API of serve --kafka "
                    "--listen); records, balances, account show, param list and operator list read it",
                    dir));
  }
  Status exists = check_directory(dir, use);
  if (!exists) return exists.error();
  LedgerOptions ledger_options;
  ledger_options.data_dir = dir;
  if (options.free_bytes_min) ledger_options.free_bytes_min = *options.free_bytes_min;
  Result<std::unique_ptr<Runtime>> runtime = open_runtime_or_read_only(ledger_options);
  if (runtime) return runtime;
  // RocksDB allows one process per database; its message about the LOCK file is cryptic.
  if (runtime.error().code == Errc::io_error && mentions_lock(runtime.error().message)) {
    return make_error(
        Errc::io_error,
        fmt::format("data directory '{}' is locked by another paystream process; wait for it to "
                    "finish or use another --data ({})",
                    dir, runtime.error().message));
  }
  return runtime.error();
}

Status QuerySource::read_control(const std::function<void(const LedgerState&)>& read) const {
  if (runtime_) {
    runtime_->ledger->read_state(read);
    return ok_status();
  }
  Result<std::unique_ptr<PartitionStates>> states = PartitionStates::load(*kafka_, 1);
  if (!states) return states.error();
  (*states)->read(0, read);
  return ok_status();
}

bool QuerySource::is_kafka(const GlobalOptions& options) {
  const std::filesystem::path dir(options.data_dir_or_default());
  std::error_code error;
  return !std::filesystem::exists(dir / "CURRENT", error) &&
         std::filesystem::exists(dir / kafka_projections_dir_name / "CURRENT", error);
}

Result<std::unique_ptr<QuerySource>> QuerySource::open(const GlobalOptions& options) {
  auto source = std::make_unique<QuerySource>();
  if (is_kafka(options)) {
    const std::filesystem::path dir(options.data_dir_or_default());
    Result<std::unique_ptr<KafkaProjectionStore>> store = KafkaProjectionStore::open(
        (dir / kafka_projections_dir_name).string(), KafkaProjectionStore::Access::read);
    if (!store) return store.error();
    source->kafka_ = std::move(*store);
    return source;
  }
  Result<std::unique_ptr<Runtime>> runtime = open_data_dir(options, DataDirUse::must_exist);
  if (!runtime) return runtime.error();
  source->runtime_ = std::move(*runtime);
  return source;
}

Timestamp now_utc() {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return Timestamp{std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count()};
}

}  // namespace paystream
