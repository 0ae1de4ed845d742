#include "tools/kafka/store_rows.h"

#include <fmt/format.h>
#include <rocksdb/db.h>

#include <limits>
#include <memory>

#include "events/log_format.h"

namespace paystream {
namespace {

constexpr char progress_key_tag = 'p';
constexpr size_t progress_key_bytes = 5;

}  // namespace

std::string partition_progress_key(int32_t partition) {
  return progress_key_tag + big_endian_u64(static_cast<uint32_t>(partition)).substr(4);
}

std::optional<int32_t> partition_of_progress_key(std::string_view key) {
  if (key.size() != progress_key_bytes || key[0] != progress_key_tag) return std::nullopt;
  const std::optional<uint64_t> partition =
      read_big_endian_u64(std::string(4, '\0') + std::string(key.substr(1)));
  if (!partition || *partition > static_cast<uint64_t>(std::numeric_limits<int32_t>::max()))
    return std::nullopt;
  return static_cast<int32_t>(*partition);
}

Error store_error(std::string_view store, std::string_view doing, const rocksdb::Status& status) {
  return make_error(status.IsCorruption() ? Errc::corruption : Errc::io_error,
                    fmt::format("{}: {}: {}", store, doing, status.ToString()));
}

Status read_progress_rows(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family, std::string_view store,
                          std::string& scope, const std::function<bool(int32_t, std::string_view)>& visit) {
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions(), family));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view key = it->key().ToStringView();
    if (key == store_scope_key) {
      scope = it->value().ToString();
      continue;
    }
    const std::optional<int32_t> partition = partition_of_progress_key(key);
    if (!partition || !visit(*partition, it->value().ToStringView())) {
      return make_error(Errc::corruption, fmt::format("{}: an unreadable progress row", store));
    }
  }
  if (!it->status().ok()) return store_error(store, "reading the progress", it->status());
  return ok_status();
}

Status claim_scope(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family, std::string& stored,
                   const std::string& scope, const std::string& directory, std::string_view what,
                   std::string_view remedy) {
  if (stored.empty()) {
    const rocksdb::Status put = db.Put(rocksdb::WriteOptions(), family, store_scope_key, scope);
    if (!put.ok()) return store_error(what, "writing the scope", put);
    stored = scope;
    return ok_status();
  }
  if (stored == scope) return ok_status();
  return make_error(Errc::invalid_argument, fmt::format("'{}' holds {} of '{}', not of '{}': {}", directory,
                                                        what, stored, scope, remedy));
}

}  // namespace paystream
