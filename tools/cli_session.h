#pragma once
// Opening the data directory for one command: the embedded runtime (ledger + projections), with
// the errors a user meets explained (no such directory, locked by another process).
#include <memory>

#include "tools/cli_options.h"
#include "tools/kafka_projection_store.h"
#include "tools/runtime.h"

namespace paystream {

enum class DataDirUse {
  create_if_missing,  // commands that change something
  must_exist,         // queries: a typo in --data must not silently create an empty ledger
};

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

 private:
  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<KafkaProjectionStore> kafka_;
};

// The wall clock, for the derived account status and this month's consumption in queries.
Timestamp now_utc();

}  // namespace paystream
