#include "projections/period_totals.h"

#include <algorithm>

#include "projections/byte_codec.h"

namespace paystream {
namespace {

constexpr uint8_t movement_totals_version = 1;
constexpr uint32_t day_sign_bit = uint32_t{1} << 31;

Micros128 micros_of(Money amount) { return amount.micros(); }

void put_sum(ByteWriter& out, const CountedSum& sum) {
  out.varint(sum.count);
  out.signed_varint128(sum.micros);
}

CountedSum read_sum(ByteReader& in) {
  CountedSum sum;
  sum.count = in.varint();
  sum.micros = in.signed_varint128();
  return sum;
}

}  // namespace

Micros128 MovementTotals::movement_by_types() const {
  Micros128 moved = -charges.micros;
  for (const CountedSum& sum : records) moved += sum.micros;
  return moved;
}

void MovementTotals::add(const MovementTotals& other) {
  for (size_t i = 0; i < records.size(); ++i) {
    records[i].count += other.records[i].count;
    records[i].micros += other.records[i].micros;
  }
  charges.count += other.charges.count;
  charges.micros += other.charges.micros;
  net += other.net;
  transferred += other.transferred;
}

void MovementTotals::count_record(PaymentType type, Money amount, Money before, Money after) {
  CountedSum& sum = of(type);
  ++sum.count;
  const Micros128 moved = micros_of(after) - micros_of(before);
  // A credit moves the limit, not the balance; a reversal's amount is the limit it restored when
  // it reverses a credit, so what it did to the balance is taken instead.
  if (type == PaymentType::reversal) sum.micros += moved;
  if (type != PaymentType::reversal && type != PaymentType::credit) sum.micros += micros_of(amount);
  net += moved;
}

void MovementTotals::count_charge(Money amount, Money before, Money after) {
  ++charges.count;
  charges.micros += micros_of(amount);
  net += micros_of(after) - micros_of(before);
}

std::string format_micros(Micros128 micros) {
  const bool negative = micros < 0;
  UMicros128 magnitude = negative ? -static_cast<UMicros128>(micros) : static_cast<UMicros128>(micros);
  const auto units_per = static_cast<UMicros128>(Money::micros_per_unit);
  std::string fraction = std::to_string(static_cast<uint64_t>(magnitude % units_per));
  fraction.insert(0, static_cast<size_t>(Money::decimals) - fraction.size(), '0');
  while (fraction.size() > 2 && fraction.back() == '0') fraction.pop_back();
  UMicros128 units = magnitude / units_per;
  std::string whole;
  do {
    whole.push_back(static_cast<char>('0' + static_cast<int>(units % 10)));
    units /= 10;
  } while (units != 0);
  if (negative) whole.push_back('-');
  std::reverse(whole.begin(), whole.end());
  return whole + "." + fraction;
}

namespace period_keys {

std::string day_bytes(Date day) {
  const uint32_t flipped = static_cast<uint32_t>(day.days) ^ day_sign_bit;
  std::string bytes(day_size, '\0');
  for (size_t i = 0; i < day_size; ++i) bytes[i] = static_cast<char>(flipped >> (8 * (day_size - 1 - i)));
  return bytes;
}

std::optional<Date> decode_day(std::string_view bytes) {
  if (bytes.size() != day_size) return std::nullopt;
  uint32_t flipped = 0;
  for (const char byte : bytes) flipped = (flipped << 8) | static_cast<uint8_t>(byte);
  return Date{static_cast<int32_t>(flipped ^ day_sign_bit)};
}

std::string settlement_key(Date day, AccountType type) {
  return std::string(1, settlement) + day_bytes(day) + static_cast<char>(type);
}

std::string account_prefix(char kind, std::string_view account_id) {
  std::string key(1, kind);
  key.append(account_id);
  key.push_back('\0');
  return key;
}

std::string account_key(char kind, std::string_view account_id, Date day) {
  return account_prefix(kind, account_id) + day_bytes(day);
}

}  // namespace period_keys

std::string encode_movement_totals(const MovementTotals& totals) {
  ByteWriter out;
  out.u8(movement_totals_version);
  for (const CountedSum& sum : totals.records) put_sum(out, sum);
  put_sum(out, totals.charges);
  out.signed_varint128(totals.net);
  out.signed_varint128(totals.transferred);
  return out.take();
}

Result<MovementTotals> decode_movement_totals(std::string_view bytes) {
  ByteReader in(bytes);
  if (in.u8() != movement_totals_version)
    return make_error(Errc::corruption, "corrupt projection row: unknown period totals version");
  MovementTotals totals;
  for (CountedSum& sum : totals.records) sum = read_sum(in);
  totals.charges = read_sum(in);
  totals.net = in.signed_varint128();
  totals.transferred = in.signed_varint128();
  if (!in.complete()) return make_error(Errc::corruption, "corrupt projection row: period totals");
  return totals;
}

void PeriodTotalsWriter::begin_apply(uint64_t apply) {
  apply_ = apply;
  touched_.clear();
  // As the balance cache: rows untouched by the applies whose batches may still be unwritten go.
  if (cache_.size() > Applier::cached_accounts_max) {
    std::erase_if(cache_, [&](const auto& entry) {
      return entry.second.last_apply + Applier::unwritten_applies_max < apply_;
    });
  }
}

Result<MovementTotals*> PeriodTotalsWriter::touch(const std::string& key) {
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    MovementTotals totals;
    std::string value;
    const rocksdb::Status status =
        handles_.db->Get(rocksdb::ReadOptions(), handles_.period_totals, key, &value);
    if (!status.ok() && !status.IsNotFound()) return rocksdb_error("reading a period totals row", status);
    if (status.ok()) {
      Result<MovementTotals> decoded = decode_movement_totals(value);
      if (!decoded) return decoded.error();
      totals = *decoded;
    }
    it = cache_.emplace(key, Cached{totals, 0}).first;
  }
  if (it->second.last_apply != apply_) {
    it->second.last_apply = apply_;
    touched_.push_back(&it->first);
  }
  return &it->second.totals;
}

Status PeriodTotalsWriter::count_into(const Event& event, const AccountSettings& settings,
                                      const Count& count) {
  const Date day = date_of(event.time);
  std::vector<std::string> keys{period_keys::settlement_key(day, settings.type)};
  if (!settings.parent.empty())
    keys.push_back(period_keys::account_key(period_keys::sub_accounts, settings.parent, day));
  if (settings.type != AccountType::direct)
    keys.push_back(period_keys::account_key(period_keys::own, event.account_id, day));
  for (const std::string& key : keys) {
    Result<MovementTotals*> totals = touch(key);
    if (!totals) return totals.error();
    count(**totals);
  }
  return ok_status();
}

Status PeriodTotalsWriter::count_record(const Event& event, const AccountSettings& settings) {
  return count_into(event, settings, [&](MovementTotals& totals) {
    totals.count_record(payment_type_of(event.type), event.amount, event.balance_before, event.balance_after);
  });
}

Status PeriodTotalsWriter::count_charge(const Event& event, const AccountSettings& settings) {
  return count_into(event, settings, [&](MovementTotals& totals) {
    totals.count_charge(event.amount, event.balance_before, event.balance_after);
  });
}

Status PeriodTotalsWriter::move_type(Date day, AccountType from, AccountType to, Money balance) {
  for (auto [type, sign] : {std::pair{from, -1}, {to, 1}}) {
    Result<MovementTotals*> totals = touch(period_keys::settlement_key(day, type));
    if (!totals) return totals.error();
    (*totals)->transferred += sign * micros_of(balance);
  }
  return ok_status();
}

void PeriodTotalsWriter::write(rocksdb::WriteBatch& batch) {
  std::sort(touched_.begin(), touched_.end(),
            [](const std::string* a, const std::string* b) { return *a < *b; });
  for (const std::string* key : touched_) {
    PAYSTREAM_ASSERT(
        batch.Put(handles_.period_totals, *key, encode_movement_totals(cache_.at(*key).totals)).ok());
  }
  touched_.clear();
}

void PeriodTotalsWriter::discard() {
  cache_.clear();
  touched_.clear();
}

}  // namespace paystream
