// The applied positions in the meta column family, one per partition (docs/storage.md), and what
// they let a query show.
#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <memory>

#include "events/log_format.h"
#include "projections/key_codec.h"
#include "projections/projections_internal.h"

namespace paystream {
namespace {

Result<uint64_t> decode_applied(int32_t partition, std::string_view value) {
  const std::optional<uint64_t> position = keys::decode_position_key(value);
  if (!position) {
    return make_error(
        Errc::corruption,
        fmt::format("the projections' applied position of partition {} is not 8 bytes", partition));
  }
  // Written only after applying an event of the partition: base + 1 at least.
  if (partition_of_position(*position) != partition || *position == partition_base(partition)) {
    return make_error(Errc::corruption,
                      fmt::format("the projections' applied position of partition {} is {}, "
                                  "outside that partition",
                                  partition, *position));
  }
  return *position;
}

}  // namespace

Result<uint64_t> read_applied_position(const Handles& handles, const rocksdb::ReadOptions& options,
                                       int32_t partition) {
  std::string value;
  const rocksdb::Status status =
      handles.db->Get(options, handles.meta, keys::applied_position_key(partition), &value);
  if (status.IsNotFound()) return partition_base(partition);
  if (!status.ok()) return rocksdb_error("reading the projections' applied position", status);
  return decode_applied(partition, value);
}

Result<std::map<int32_t, uint64_t>> read_applied_positions(const Handles& handles,
                                                           const rocksdb::ReadOptions& options) {
  std::map<int32_t, uint64_t> applied;
  std::unique_ptr<rocksdb::Iterator> it(handles.db->NewIterator(options, handles.meta));
  for (it->Seek(keys::applied_position_prefix); it->Valid(); it->Next()) {
    const std::string_view key = it->key().ToStringView();
    if (!key.starts_with(keys::applied_position_prefix)) break;
    const std::optional<int32_t> partition = keys::decode_applied_position_key(key);
    if (!partition) return make_error(Errc::corruption, "a projections' applied position key is malformed");
    Result<uint64_t> position = decode_applied(*partition, it->value().ToStringView());
    if (!position) return position.error();
    applied.emplace(*partition, *position);
  }
  if (!it->status().ok()) return rocksdb_error("reading the projections' applied positions", it->status());
  return applied;
}

Result<AppliedEnds> AppliedEnds::read(const Handles& handles, const rocksdb::ReadOptions& options) {
  Result<std::map<int32_t, uint64_t>> applied = read_applied_positions(handles, options);
  if (!applied) return applied.error();
  return AppliedEnds(*applied);
}

AppliedEnds::AppliedEnds(const std::map<int32_t, uint64_t>& applied) {
  for (const auto& [partition, position] : applied) {
    segments_.push_back({partition_base(partition) + 1, position + 1});
  }
}

bool AppliedEnds::covers(uint64_t position) const {
  // The last segment starting at or before the position: the position's partition, if it applied.
  const auto after =
      std::upper_bound(segments_.begin(), segments_.end(), position,
                       [](uint64_t value, const Segment& segment) { return value < segment.begin; });
  return after != segments_.begin() && position < std::prev(after)->end;
}

}  // namespace paystream
