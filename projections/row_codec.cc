#include "projections/row_codec.h"

#include <cstdint>

#include "projections/byte_codec.h"

namespace paystream {
namespace {

// Layout 3 of the record row, 2 of the balance row (docs/storage.md). Layout 1 (fixed-width
// numbers, the record's key fields repeated in its value) and the record rows of layout 2 (no
// expiration date) live only in directories whose families an open retires and rebuilds.
constexpr uint8_t record_row_version = 3;
constexpr uint8_t balance_state_version = 2;
constexpr uint8_t charge_row_version = 1;

constexpr uint8_t balance_flag_locked = 1;
constexpr uint8_t balance_flag_expires = 2;

bool is_known_payment_type(uint8_t value) { return value >= 1 && value <= 7; }
bool is_known_method(uint8_t value) { return value <= 2; }
bool is_known_account_type(uint8_t value) { return value <= 2; }

Error corrupt(const char* what) {
  return make_error(Errc::corruption, std::string("corrupt projection row: ") + what);
}

// balance_before as its distance from balance_after − amount, modulo 2^64 (so no sum can overflow):
// 0 for payments, reversals and adjustments, one byte instead of a whole amount.
int64_t before_offset(Money amount, Money before, Money after) {
  return static_cast<int64_t>(
      static_cast<uint64_t>(before.micros()) -
      (static_cast<uint64_t>(after.micros()) - static_cast<uint64_t>(amount.micros())));
}

Money before_from_offset(int64_t offset, Money amount, Money after) {
  return Money::from_micros(static_cast<int64_t>(static_cast<uint64_t>(offset) +
                                                 static_cast<uint64_t>(after.micros()) -
                                                 static_cast<uint64_t>(amount.micros())));
}

}  // namespace

std::string encode_record_value(const RecordRow& row) {
  ByteWriter out;
  out.u8(record_row_version);
  out.u8(static_cast<uint8_t>(row.type));
  out.u8(static_cast<uint8_t>(row.method));
  out.money(row.amount);
  out.money(row.balance_after);
  out.signed_varint(before_offset(row.amount, row.balance_before, row.balance_after));
  out.varint(row.reverses.value);
  // The days are written as 0 when the record set no date, so equal rows are equal bytes.
  out.u8(row.new_expiry ? 1 : 0);
  out.signed_varint(row.new_expiry ? row.new_expiry->days : 0);
  out.text(row.account_name);
  out.text(row.operator_name);
  out.text(row.memo);
  return out.take();
}

Result<RecordRow> decode_record_value(std::string_view bytes, std::string_view account_id, Timestamp time,
                                      LogPosition id) {
  ByteReader in(bytes);
  if (in.u8() != record_row_version) return corrupt("unknown record row version");
  RecordRow row;
  row.id = id;
  row.account_id = std::string(account_id);
  row.time = time;
  const uint8_t type = in.u8();
  const uint8_t method = in.u8();
  row.amount = in.money();
  row.balance_after = in.money();
  row.balance_before = before_from_offset(in.signed_varint(), row.amount, row.balance_after);
  row.reverses = LogPosition{in.varint()};
  const uint8_t has_new_expiry = in.u8();
  const int64_t new_expiry_days = in.signed_varint();
  row.account_name = in.text();
  row.operator_name = in.text();
  row.memo = in.text();
  if (!in.complete()) return corrupt("record row has the wrong length");
  if (!is_known_payment_type(type) || !is_known_method(method))
    return corrupt("record row has an unknown enum value");
  if (has_new_expiry > 1 || (has_new_expiry == 0 && new_expiry_days != 0) ||
      new_expiry_days != static_cast<int32_t>(new_expiry_days)) {
    return corrupt("record row has a malformed expiration date");
  }
  if (has_new_expiry == 1) row.new_expiry = Date{static_cast<int32_t>(new_expiry_days)};
  row.type = static_cast<PaymentType>(type);
  row.method = static_cast<PaymentMethod>(method);
  return row;
}

std::string encode_charge_value(const ChargeRow& row) {
  ByteWriter out;
  out.u8(charge_row_version);
  out.text(row.cdr_id);
  out.money(row.amount);
  out.money(row.balance_after);
  // balance_before is balance_after + amount unless the row is damaged: kept as that offset (0).
  out.signed_varint(static_cast<int64_t>(
      static_cast<uint64_t>(row.balance_before.micros()) -
      (static_cast<uint64_t>(row.balance_after.micros()) + static_cast<uint64_t>(row.amount.micros()))));
  out.signed_varint(row.call_start.micros);
  out.u8(row.duration_seconds ? 1 : 0);
  out.varint(row.duration_seconds.value_or(0));
  out.text(row.caller);
  out.text(row.callee);
  out.text(row.operator_name);
  return out.take();
}

Result<ChargeRow> decode_charge_value(std::string_view bytes, std::string_view account_id, Timestamp time,
                                      LogPosition id) {
  ByteReader in(bytes);
  if (in.u8() != charge_row_version) return corrupt("unknown charge row version");
  ChargeRow row;
  row.id = id;
  row.account_id = std::string(account_id);
  row.time = time;
  row.cdr_id = in.text();
  row.amount = in.money();
  row.balance_after = in.money();
  const int64_t before_offset = in.signed_varint();
  row.call_start = Timestamp{in.signed_varint()};
  const uint8_t has_duration = in.u8();
  const uint64_t duration = in.varint();
  row.caller = in.text();
  row.callee = in.text();
  row.operator_name = in.text();
  if (!in.complete()) return corrupt("charge row has the wrong length");
  if (has_duration > 1 || duration > UINT32_MAX || (has_duration == 0 && duration != 0)) {
    return corrupt("charge row has a malformed duration");
  }
  row.balance_before = Money::from_micros(static_cast<int64_t>(
      static_cast<uint64_t>(before_offset) +
      (static_cast<uint64_t>(row.balance_after.micros()) + static_cast<uint64_t>(row.amount.micros()))));
  if (has_duration == 1) row.duration_seconds = static_cast<uint32_t>(duration);
  return row;
}

std::string encode_balance_state(const BalanceState& state) {
  ByteWriter out;
  out.u8(balance_state_version);
  out.u8(static_cast<uint8_t>(state.settings.type));
  out.u8((state.settings.locked ? balance_flag_locked : 0) |
         (state.settings.expires_on ? balance_flag_expires : 0));
  out.text(state.settings.name);
  out.text(state.settings.parent);
  out.money(state.settings.monthly_min);
  out.money(state.settings.monthly_max);
  // The days are written as 0 when there is no date, so equal rows are equal bytes.
  out.signed_varint(state.settings.expires_on ? state.settings.expires_on->days : 0);
  out.money(state.balance);
  out.money(state.overdraft);
  out.signed_varint(state.consumption_month);
  out.money(state.month_consumption);
  return out.take();
}

Result<BalanceState> decode_balance_state(std::string_view bytes) {
  ByteReader in(bytes);
  if (in.u8() != balance_state_version) return corrupt("unknown balance row version");
  BalanceState state;
  const uint8_t type = in.u8();
  const uint8_t flags = in.u8();
  state.settings.name = in.text();
  state.settings.parent = in.text();
  state.settings.monthly_min = in.money();
  state.settings.monthly_max = in.money();
  const int64_t expires_days = in.signed_varint();
  state.balance = in.money();
  state.overdraft = in.money();
  const int64_t consumption_month = in.signed_varint();
  state.month_consumption = in.money();
  if (!in.complete()) return corrupt("balance row has the wrong length");
  if (!is_known_account_type(type)) return corrupt("balance row has an unknown account type");
  if ((flags & ~(balance_flag_locked | balance_flag_expires)) != 0)
    return corrupt("balance row has unknown flags");
  const bool has_expiration = (flags & balance_flag_expires) != 0;
  if (!has_expiration && expires_days != 0) return corrupt("balance row has days without an expiration");
  if (expires_days != static_cast<int32_t>(expires_days) ||
      consumption_month != static_cast<int32_t>(consumption_month)) {
    return corrupt("balance row has a day or month out of range");
  }
  state.settings.type = static_cast<AccountType>(type);
  state.settings.locked = (flags & balance_flag_locked) != 0;
  if (has_expiration) state.settings.expires_on = Date{static_cast<int32_t>(expires_days)};
  state.consumption_month = static_cast<int32_t>(consumption_month);
  return state;
}

}  // namespace paystream
