// Payment record queries: the rows of records_by_account, or made from the log's payment-record
// events (projections/row_scan.h says how each query reads). Each row read from the log shows the
// account's name when it was made, from the account_names history, cached per query. Type and
// operator are filtered while scanning.
#include <fmt/format.h>

#include <limits>
#include <unordered_map>

#include "projections/row_scan.h"

namespace paystream {
namespace {

constexpr uint64_t position_end = std::numeric_limits<uint64_t>::max();
// Accounts whose name a query remembers; beyond this the cache starts over (long exports).
constexpr size_t cached_names_max = 100'000;

// An account's name at a log position, from the account_names history: the row at the greatest
// position not after it. Each answer is remembered with the positions it holds for.
class NameLookup {
 public:
  NameLookup(const Handles& handles, const rocksdb::ReadOptions& options)
      : it_(handles.db->NewIterator(options, handles.account_names)) {}

  Result<std::string> name_at(const std::string& account_id, uint64_t position) {
    if (auto found = cache_.find(account_id);
        found != cache_.end() && found->second.from <= position && position < found->second.until) {
      return found->second.name;
    }
    const std::string prefix = keys::account_prefix(account_id);
    auto in_account = [&](const rocksdb::Slice& key) {
      return key.size() == prefix.size() + keys::position_size && key.starts_with(prefix);
    };
    it_->SeekForPrev(keys::account_name_key(account_id, position));
    if (!it_->Valid() || !in_account(it_->key())) {
      if (!it_->status().ok()) return rocksdb_error("reading account names", it_->status());
      return make_error(Errc::corruption,
                        fmt::format("no name of account '{}' at log position {}", account_id, position));
    }
    Span span{.from = keys::decode_position_key(it_->key().ToStringView().substr(prefix.size())).value_or(0),
              .until = position_end,
              .name = it_->value().ToString()};
    it_->Next();
    if (it_->Valid() && in_account(it_->key())) {
      span.until = keys::decode_position_key(it_->key().ToStringView().substr(prefix.size())).value_or(0);
    }
    if (!it_->status().ok()) return rocksdb_error("reading account names", it_->status());
    if (cache_.size() >= cached_names_max) cache_.clear();
    std::string name = span.name;
    cache_.insert_or_assign(account_id, std::move(span));
    return name;
  }

 private:
  struct Span {
    uint64_t from = 0;  // the name holds for positions [from, until)
    uint64_t until = 0;
    std::string name;
  };
  std::unique_ptr<rocksdb::Iterator> it_;
  std::unordered_map<std::string, Span> cache_;
};

struct RecordKind {
  using Row = RecordRow;
  using Query = RecordQuery;

  static rocksdb::ColumnFamilyHandle* family(const Handles& handles) { return handles.records_by_account; }
  static Result<Row> decode(std::string_view value, const std::string& account, Timestamp time,
                            LogPosition id) {
    return decode_record_value(value, account, time, id);
  }
  static bool matches_fields(const Query& query, PaymentType type, const std::string& operator_name) {
    if (query.type && type != *query.type) return false;
    if (query.operator_name && operator_name != *query.operator_name) return false;
    return true;
  }
  static bool matches(const Query& query, const Row& row) {
    return matches_fields(query, row.type, row.operator_name);
  }
  // Records before a partition's last cleanup left the query tables (domain.md "Retention").
  static Result<std::map<int32_t, Timestamp>> floors(const Handles& handles,
                                                     const rocksdb::ReadOptions& options) {
    return read_record_floors(handles, options);
  }
  static bool event_matches(const Query& query, const Event& event) {
    return is_payment_record(event.type) &&
           matches_fields(query, payment_type_of(event.type), event.operator_name);
  }

  class LogRows {
   public:
    LogRows(const Handles& handles, const rocksdb::ReadOptions& options) : names_(handles, options) {}
    Result<Row> row_of(const Event& event) {
      Result<std::string> name = names_.name_at(event.account_id, event.position.value);
      if (!name) return name.error();
      return record_row_of(event, std::move(*name));
    }

   private:
    NameLookup names_;
  };
};

}  // namespace

Result<std::string> scan_records(const Handles& handles, const RecordQuery& query,
                                 const RecordVisitor& visit) {
  return row_scan::scan<RecordKind>(handles, query, visit);
}

}  // namespace paystream
