#pragma once
// Values of the projection column families: a small versioned binary format of varints and
// length-prefixed text, written down in docs/storage.md. Encoding is a pure function of the row, so a rebuild
// from the log writes the same bytes; decoding checks every byte and reports damage as Errc::corruption.
#include <string>
#include <string_view>

#include "events/event.h"
#include "projections/projections.h"

namespace paystream {

// The balance row of one account as stored; status and available credit are derived at query time.
struct BalanceState {
  AccountSettings settings;
  Money balance;
  Money overdraft;
  int32_t consumption_month = 0;  // month_of() that month_consumption counts
  Money month_consumption;
  bool operator==(const BalanceState&) const = default;
};

// Text fields longer than this are refused by the encoder (an assertion: the engine limits them).
constexpr size_t row_text_bytes_max = 1u << 20;

// The value of a records_by_account row: the record without what its key holds (account, time,
// position), which the reader passes back in.
std::string encode_record_value(const RecordRow& row);
Result<RecordRow> decode_record_value(std::string_view bytes, std::string_view account_id, Timestamp time,
                                      LogPosition id);

// The value of a charges_by_account row: the charge without its key's account, time and position.
std::string encode_charge_value(const ChargeRow& row);
Result<ChargeRow> decode_charge_value(std::string_view bytes, std::string_view account_id, Timestamp time,
                                      LogPosition id);

std::string encode_balance_state(const BalanceState& state);
Result<BalanceState> decode_balance_state(std::string_view bytes);

}  // namespace paystream
