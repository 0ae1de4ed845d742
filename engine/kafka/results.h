#pragma once
// The result of one command on P.results (docs/kafka.md, "Results"): keyed by the command ID, in
// the partition murmur2(command ID) mod the results partitions, the value a one-line JSON object:
//   {"command_id":"pay-7","ok":true,"duplicate":false,"positions":[12],
//    "partition":3,"offset":17,"topic":"commands","epoch":2}
//   {"command_id":"pay-8","ok":false,"error":{"code":"account_not_found","message":"..."},...}
// A retried batch sends exactly the same bytes, so a reader that sees an aborted copy (the mock
// cluster; any read_uncommitted consumer) sees the same outcome twice, never two outcomes.
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/kafka/partition_engine.h"

namespace paystream {

std::string encode_result_json(const DecidedCommand& decided, int32_t partition, uint64_t epoch);

// JSON string literal of `text` (quotes included); bytes that are not valid UTF-8 become U+FFFD.
std::string json_quoted(std::string_view text);

}  // namespace paystream
