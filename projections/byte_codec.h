#pragma once
// The bytes of projection rows: LEB128 varints (zigzag for signed values), length-prefixed text.
// Internal to projections/ (row_codec.cc, period_totals.cc).
#include <cstdint>
#include <string>
#include <string_view>

#include "events/money.h"
#include "projections/row_codec.h"

namespace paystream {

// Numbers as LEB128 varints, signed ones zigzag-mapped first: the amounts of payments are small
// next to 2^63, so a value costs 3-5 bytes instead of 8, on every row written, synced and compacted.
class ByteWriter {
 public:
  void u8(uint8_t value) { bytes_.push_back(static_cast<char>(value)); }
  void varint(uint64_t value) {
    while (value >= 0x80) {
      u8(static_cast<uint8_t>(value | 0x80));
      value >>= 7;
    }
    u8(static_cast<uint8_t>(value));
  }
  void signed_varint(int64_t value) {
    varint((static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63));
  }
  void money(Money value) { signed_varint(value.micros()); }
  void text(std::string_view value) {
    PAYSTREAM_ASSERT(value.size() <= row_text_bytes_max);
    varint(value.size());
    bytes_.append(value);
  }
  // A 128-bit sum (report totals), zigzag-mapped as signed_varint.
  void signed_varint128(Micros128 value) {
    auto zigzag = (static_cast<UMicros128>(value) << 1) ^ static_cast<UMicros128>(value >> 127);
    while (zigzag >= 0x80) {
      u8(static_cast<uint8_t>(zigzag | 0x80));
      zigzag >>= 7;
    }
    u8(static_cast<uint8_t>(zigzag));
  }
  std::string take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

// Reads until the first failure, then only reports it: callers read every field and check once.
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}
  uint8_t u8() {
    if (!ok_ || offset_ == bytes_.size()) {
      ok_ = false;
      return 0;
    }
    return static_cast<uint8_t>(bytes_[offset_++]);
  }
  // Only the shortest encoding of a value is accepted, so that equal rows are equal bytes.
  uint64_t varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const uint8_t byte = u8();
      if (!ok_ || (shift == 63 && byte > 1)) break;  // the tenth byte holds bit 63 alone
      value |= uint64_t{byte & 0x7fu} << shift;
      if ((byte & 0x80) == 0) {
        if (byte == 0 && shift > 0) break;
        return value;
      }
    }
    ok_ = false;
    return 0;
  }
  int64_t signed_varint() {
    const uint64_t zigzag = varint();
    return static_cast<int64_t>((zigzag >> 1) ^ (~(zigzag & 1) + 1));
  }
  Money money() { return Money::from_micros(signed_varint()); }
  Micros128 signed_varint128() {
    UMicros128 value = 0;
    for (int shift = 0; shift < 128; shift += 7) {
      const uint8_t byte = u8();
      if (!ok_ || (shift == 126 && byte > 3)) break;  // the 19th byte holds bits 126-127
      value |= static_cast<UMicros128>(byte & 0x7fu) << shift;
      if ((byte & 0x80) == 0) {
        if (byte == 0 && shift > 0) break;
        return static_cast<Micros128>((value >> 1) ^ (~(value & 1) + 1));
      }
    }
    ok_ = false;
    return 0;
  }
  std::string text() {
    const uint64_t size = varint();
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
  std::string_view bytes_;
  size_t offset_ = 0;
  bool ok_ = true;
};

}  // namespace paystream
