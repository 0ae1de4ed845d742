#include "projections/row_codec.h"

#include <cstdint>

namespace paystream {
namespace {

constexpr uint8_t record_row_version = 1;
constexpr uint8_t balance_state_version = 1;

class ByteWriter {
 public:
  void u8(uint8_t value) { bytes_.push_back(static_cast<char>(value)); }
  void u32(uint32_t value) { fixed(value, 4); }
  void u64(uint64_t value) { fixed(value, 8); }
  void i32(int32_t value) { fixed(static_cast<uint32_t>(value), 4); }
  void i64(int64_t value) { fixed(static_cast<uint64_t>(value), 8); }
  void money(Money value) { i64(value.micros()); }
  void text(std::string_view value) {
    PAYSTREAM_ASSERT(value.size() <= row_text_bytes_max);
    u32(static_cast<uint32_t>(value.size()));
    bytes_.append(value);
  }
  std::string take() { return std::move(bytes_); }

 private:
  void fixed(uint64_t value, int size) {
    for (int i = 0; i < size; ++i)
      bytes_.push_back(static_cast<char>(static_cast<uint8_t>(value >> (8 * i))));
  }
  std::string bytes_;
};

// Reads until the first failure, then only reports it: callers read every field and check once.
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}
  uint8_t u8() { return static_cast<uint8_t>(fixed(1)); }
  uint32_t u32() { return static_cast<uint32_t>(fixed(4)); }
  uint64_t u64() { return fixed(8); }
  int32_t i32() { return static_cast<int32_t>(u32()); }
  int64_t i64() { return static_cast<int64_t>(u64()); }
  Money money() { return Money::from_micros(i64()); }
  bool flag() {
    const uint8_t value = u8();
    if (value > 1) ok_ = false;
    return value == 1;
  }
  std::string text() {
    const uint32_t size = u32();
    if (!ok_ || size > row_text_bytes_max || size > bytes_.size() - offset_) {
      ok_ = false;
      return {};
    }
    std::string value(bytes_.substr(offset_, size));
    offset_ += size;
    return value;
  }
  // True when every read succeeded and every byte was consumed.
  bool complete() const { return ok_ && offset_ == bytes_.size(); }

 private:
  uint64_t fixed(int size) {
    if (!ok_ || static_cast<size_t>(size) > bytes_.size() - offset_) {
      ok_ = false;
      return 0;
    }
    uint64_t value = 0;
    for (int i = 0; i < size; ++i) value |= uint64_t{static_cast<uint8_t>(bytes_[offset_ + i])} << (8 * i);
    offset_ += size;
    return value;
  }
  std::string_view bytes_;
  size_t offset_ = 0;
  bool ok_ = true;
};

bool is_known_payment_type(uint8_t value) { return value >= 1 && value <= 7; }
bool is_known_method(uint8_t value) { return value <= 2; }
bool is_known_account_type(uint8_t value) { return value <= 2; }

Error corrupt(const char* what) {
  return make_error(Errc::corruption, std::string("corrupt projection row: ") + what);
}

}  // namespace

std::string encode_record_row(const RecordRow& row) {
  ByteWriter out;
  out.u8(record_row_version);
  out.u64(row.id.value);
  out.text(row.account_id);
  out.text(row.account_name);
  out.u8(static_cast<uint8_t>(row.type));
  out.money(row.amount);
  out.money(row.balance_before);
  out.money(row.balance_after);
  out.i64(row.time.micros);
  out.text(row.operator_name);
  out.text(row.memo);
  out.u8(static_cast<uint8_t>(row.method));
  out.u64(row.reverses.value);
  return out.take();
}

Result<RecordRow> decode_record_row(std::string_view bytes) {
  ByteReader in(bytes);
  if (in.u8() != record_row_version) return corrupt("unknown record row version");
  RecordRow row;
  row.id = LogPosition{in.u64()};
  row.account_id = in.text();
  row.account_name = in.text();
  const uint8_t type = in.u8();
  row.amount = in.money();
  row.balance_before = in.money();
  row.balance_after = in.money();
  row.time = Timestamp{in.i64()};
  row.operator_name = in.text();
  row.memo = in.text();
  const uint8_t method = in.u8();
  row.reverses = LogPosition{in.u64()};
  if (!in.complete()) return corrupt("record row has the wrong length");
  if (!is_known_payment_type(type) || !is_known_method(method))
    return corrupt("record row has an unknown enum value");
  row.type = static_cast<PaymentType>(type);
  row.method = static_cast<PaymentMethod>(method);
  return row;
}

std::string encode_balance_state(const BalanceState& state) {
  ByteWriter out;
  out.u8(balance_state_version);
  out.text(state.settings.name);
  out.u8(static_cast<uint8_t>(state.settings.type));
  out.text(state.settings.parent);
  out.money(state.settings.monthly_min);
  out.money(state.settings.monthly_max);
  // The days are written as 0 when there is no date, so equal rows are equal bytes.
  out.u8(state.settings.expires_on ? 1 : 0);
  out.i32(state.settings.expires_on ? state.settings.expires_on->days : 0);
  out.u8(state.settings.locked ? 1 : 0);
  out.money(state.balance);
  out.money(state.overdraft);
  out.i32(state.consumption_month);
  out.money(state.month_consumption);
  return out.take();
}

Result<BalanceState> decode_balance_state(std::string_view bytes) {
  ByteReader in(bytes);
  if (in.u8() != balance_state_version) return corrupt("unknown balance row version");
  BalanceState state;
  state.settings.name = in.text();
  const uint8_t type = in.u8();
  state.settings.parent = in.text();
  state.settings.monthly_min = in.money();
  state.settings.monthly_max = in.money();
  const bool has_expiration = in.flag();
  const int32_t expires_days = in.i32();
  state.settings.locked = in.flag();
  state.balance = in.money();
  state.overdraft = in.money();
  state.consumption_month = in.i32();
  state.month_consumption = in.money();
  if (!in.complete()) return corrupt("balance row has the wrong length");
  if (!is_known_account_type(type)) return corrupt("balance row has an unknown account type");
  if (!has_expiration && expires_days != 0) return corrupt("balance row has days without an expiration");
  state.settings.type = static_cast<AccountType>(type);
  if (has_expiration) state.settings.expires_on = Date{expires_days};
  return state;
}

}  // namespace paystream
