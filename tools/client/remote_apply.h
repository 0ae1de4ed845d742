#pragma once
// `paystream apply --server`: the chunks of run_apply_chunks go to POST /v1/commands, as the
// token's operator. A line that is not JSON is refused here with apply's own outcome; every other
// line is an element of the batch, so the server reads it with the same command_from_json and
// answers the same outcome.
#include "tools/client/http_client.h"
#include "tools/commands/apply.h"

namespace paystream {

// Splits a chunk into batches the server takes (at most commands_max commands and body_bytes_max
// bytes each; one larger line goes alone, and the server may refuse it as too large).
struct RemoteApplyLimits {
  size_t commands_max = 1000;
  size_t body_bytes_max = 512 * 1024;
};

ApplyChunk remote_apply_chunk(HttpClient& client, RemoteApplyLimits limits = {});

}  // namespace paystream
