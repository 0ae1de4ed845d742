#pragma once
// What every route works with: the backend of the server process (the embedded runtime, or Kafka
// mode's gateway), the metrics, and the API's limits.
#include <cstddef>
#include <filesystem>
#include <optional>

#include "tools/http/api_backend.h"
#include "tools/http/metrics.h"

namespace paystream::http {

struct ApiLimits {
  size_t batch_commands_max = 10'000;  // commands in one POST /v1/commands
  size_t page_rows_max = 10'000;       // rows of one page (limit=N); limit=0 streams every row
  size_t json_depth_max = 32;          // nesting of a request body
};

struct ApiContext {
  ApiBackend& backend;
  Metrics& metrics;
  ApiLimits limits;
  // serve --records-export-dir: where records cleanups write their exports (none: they are refused).
  std::optional<std::filesystem::path> records_export_dir;
};

}  // namespace paystream::http
