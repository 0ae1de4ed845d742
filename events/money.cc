#include "events/money.h"

#include <limits>

namespace paystream {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

Error invalid(std::string_view text, const char* why) {
  return make_error(Errc::invalid_amount, "invalid amount '" + std::string(text) + "': " + why);
}

}  // namespace

Result<Money> Money::parse(std::string_view text) {
  const std::string_view original = text;
  if (text.empty()) return invalid(original, "empty");
  bool negative = false;
  if (text.front() == '+' || text.front() == '-') {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (whole.empty()) return invalid(original, "expected digits before the decimal point");
  if (dot != std::string_view::npos && fraction.empty()) {
    return invalid(original, "expected digits after the decimal point");
  }
  for (char c : whole) {
    if (!is_digit(c)) return invalid(original, "expected a decimal number like 12.50");
  }
  for (char c : fraction) {
    if (!is_digit(c)) return invalid(original, "expected a decimal number like 12.50");
  }
  if (fraction.size() > static_cast<size_t>(decimals)) {
    return invalid(original, "more than 6 decimal places");
  }
  // Accumulate as a negative number so that INT64_MIN micro-units stays representable.
  constexpr int64_t min = std::numeric_limits<int64_t>::min();
  int64_t value = 0;
  auto push_digit = [&](char c) {
    const int64_t digit = c - '0';
    if (value < (min + digit) / 10) return false;
    value = value * 10 - digit;
    return true;
  };
  for (char c : whole) {
    if (!push_digit(c)) return invalid(original, "out of range");
  }
  for (size_t i = 0; i < static_cast<size_t>(decimals); ++i) {
    if (!push_digit(i < fraction.size() ? fraction[i] : '0')) return invalid(original, "out of range");
  }
  if (negative) return Money{value};
  if (value == min) return invalid(original, "out of range");
  return Money{-value};
}

std::string Money::to_string() const {
  // Work on the magnitude as unsigned so INT64_MIN prints correctly.
  const bool negative = micros_ < 0;
  const uint64_t magnitude = negative ? ~static_cast<uint64_t>(micros_) + 1 : static_cast<uint64_t>(micros_);
  std::string out = std::to_string(magnitude / micros_per_unit);
  std::string fraction = std::to_string(magnitude % micros_per_unit);
  fraction.insert(0, decimals - fraction.size(), '0');
  while (fraction.size() > 2 && fraction.back() == '0') fraction.pop_back();
  out += '.';
  out += fraction;
  return negative ? "-" + out : out;
}

std::optional<Money> Money::checked_add(Money other) const {
  int64_t sum = 0;
  if (__builtin_add_overflow(micros_, other.micros_, &sum)) return std::nullopt;
  return Money{sum};
}

std::optional<Money> Money::checked_sub(Money other) const {
  int64_t difference = 0;
  if (__builtin_sub_overflow(micros_, other.micros_, &difference)) return std::nullopt;
  return Money{difference};
}

std::optional<Money> Money::checked_negate() const {
  if (micros_ == std::numeric_limits<int64_t>::min()) return std::nullopt;
  return Money{-micros_};
}

}  // namespace paystream
