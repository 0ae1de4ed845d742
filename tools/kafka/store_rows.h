#pragma once
// What Kafka mode's two RocksDB stores (the projections, tools/kafka/projection_store.h, and the
// results index, tools/kafka/results_store.h) share: the keys of their per-partition progress rows,
// and the scope row that ties a store to one cluster's topic.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "events/result.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Status;
}  // namespace rocksdb

namespace paystream {

inline constexpr std::string_view store_scope_key = "scope";

// 'p' and the partition as a big-endian u32, so the partitions' rows sort in partition order.
std::string partition_progress_key(int32_t partition);
// nullopt for any other key.
std::optional<int32_t> partition_of_progress_key(std::string_view key);

// io_error, or corruption when RocksDB says so: "<store>: <doing>: <RocksDB's message>".
Error store_error(std::string_view store, std::string_view doing, const rocksdb::Status& status);

// A store holds the rows of one scope ("<cluster ID>/<topic>"): an empty store takes `scope`
// (written to `family`, and into `stored`); one of another scope is refused (invalid_argument) with
// "'<directory>' holds <what> of '<stored>', not of '<scope>': <remedy>".
// Reads a store's progress family: the scope row into `scope`, and each partition's row to
// visit(partition, value), whose false means the value does not decode (corruption "<store>: an
// unreadable progress row", as for a key that names no partition).
Status read_progress_rows(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family, std::string_view store,
                          std::string& scope, const std::function<bool(int32_t, std::string_view)>& visit);

Status claim_scope(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family, std::string& stored,
                   const std::string& scope, const std::string& directory, std::string_view what,
                   std::string_view remedy);

}  // namespace paystream
