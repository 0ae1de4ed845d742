#pragma once
// Opening the data directory for one command: the embedded runtime (ledger + projections), with
// the errors a user meets explained (no such directory, locked by another process).
#include <memory>

#include "tools/kafka/projection_store.h"
#include "tools/runtime/global_options.h"
#include "tools/runtime/runtime.h"

namespace paystream {

enum class DataDirUse {
  create_if_missing,  // commands that change something
  must_exist,         // queries: a typo in --data must not silently create an empty ledger
};

// invalid_argument for a directory holding Kafka mode's projections and no embedded ledger: opening
// one there would create an empty ledger that the queries would then read instead.
Result<std::unique_ptr<Runtime>> open_data_dir(const GlobalOptions& options, DataDirUse use);

// What the queries (records, balances) read: the embedded ledger's projections when the data
// directory holds an embedded ledger; else Kafka mode's (DIR/kafka-projections, written by
// `project --kafka`), read beside a running projector.
class QuerySource {
 public:
  static Result<std::unique_ptr<QuerySource>> open(const GlobalOptions& options);
  // Whether the data directory holds Kafka mode's projections and no embedded ledger (no I/O
  // beyond looking at the directory).
  static bool is_kafka(const GlobalOptions& options);
  Projections& projections() { return runtime_ ? runtime_->projections() : kafka_->projections(); }
  // Calls read(state) with the operators and parameters in force: the embedded ledger's, or in Kafka
  // mode those of events partition 0 (every partition applies the same control commands), evolved
  // from the projections' copy of its events.
  Status read_control(const std::function<void(const LedgerState&)>& read) const;

 private:
  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<KafkaProjectionStore> kafka_;
};

// The wall clock, for the derived account status and this month's consumption in queries.
Timestamp now_utc();

}  // namespace paystream
