// Charge queries: the rows of charges_by_account, or made from the log's ChargeRecorded events
// (projections/row_scan.h says how each query reads).
#include "projections/row_scan.h"

namespace paystream {
namespace {

struct ChargeKind {
  using Row = ChargeRow;
  using Query = ChargeQuery;

  static rocksdb::ColumnFamilyHandle* family(const Handles& handles) { return handles.charges_by_account; }
  static Result<Row> decode(std::string_view value, const std::string& account, Timestamp time,
                            LogPosition id) {
    return decode_charge_value(value, account, time, id);
  }
  static bool matches(const Query&, const Row&) { return true; }
  // Retention removes payment records only.
  static Result<std::map<int32_t, Timestamp>> floors(const Handles&, const rocksdb::ReadOptions&) {
    return std::map<int32_t, Timestamp>();
  }
  static bool event_matches(const Query&, const Event& event) {
    return event.type == EventType::charge_recorded;
  }

  class LogRows {
   public:
    LogRows(const Handles&, const rocksdb::ReadOptions&) {}
    Result<Row> row_of(const Event& event) { return charge_row_of(event); }
  };
};

}  // namespace

Result<std::string> scan_charges(const Handles& handles, const ChargeQuery& query,
                                 const ChargeVisitor& visit) {
  return row_scan::scan<ChargeKind>(handles, query, visit);
}

}  // namespace paystream
