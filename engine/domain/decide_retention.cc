// Retention (domain.md "Retention"): a cleanup removes payment records from the query tables only,
// so the engine's part is to check that what the event will say is coherent. That the export holds
// `count` records is checked where the records are (the edge that exported them).
#include <fmt/format.h>

#include <algorithm>

#include "engine/domain/decide_support.h"

namespace paystream {
namespace {

using namespace decide_support;

constexpr size_t sha256_bytes = 32;
constexpr size_t export_file_bytes_max = 255;  // a file name on every common file system

bool is_file_name(std::string_view name) {
  if (name.empty() || name.size() > export_file_bytes_max || name == "." || name == "..") return false;
  return std::none_of(name.begin(), name.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f || c == '/' || c == '\\';
  });
}

}  // namespace

Status decide_clean_up_records(const Command& command, const CleanUpRecords& clean, const Context& context,
                               Events& events) {
  const RecordsCleanup& cleanup = clean.cleanup;
  if (cleanup.before.micros <= 0) return reject(Errc::invalid_argument, "a cleanup needs an end time");
  // Records are made at engine time, which never goes back: once `before` has passed, no record
  // can still join the range the export covered.
  if (cleanup.before > context.now) {
    return reject(Errc::invalid_argument,
                  fmt::format("records before {} cannot be cleaned up yet: that time has not come (now {})",
                              format_timestamp(cleanup.before), format_timestamp(context.now)));
  }
  if (cleanup.from.micros < 0 || cleanup.from >= cleanup.before) {
    return reject(Errc::invalid_argument, "a cleanup's range must start before it ends");
  }
  if (cleanup.count == 0) {
    return reject(Errc::nothing_to_change,
                  fmt::format("no payment records before {} to clean up", format_timestamp(cleanup.before)));
  }
  if (cleanup.export_sha256.size() != sha256_bytes) {
    return reject(Errc::invalid_argument, "a cleanup names its export's SHA-256 (32 bytes)");
  }
  if (!is_file_name(cleanup.export_file)) {
    return reject(Errc::invalid_argument,
                  "a cleanup names its export's file: 1-255 bytes, no directory, no control characters");
  }
  Event& event = add_base_event(events, EventType::records_cleaned_up, command, context, "");
  event.cleanup = cleanup;
  return ok_status();
}

}  // namespace paystream
