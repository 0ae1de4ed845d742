#pragma once
// Money: an exact amount in micro-units (6 decimals) of the ledger's one currency.
// Arithmetic is checked: an overflow yields nullopt, never a wrapped value.
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "events/result.h"

namespace paystream {

class Money {
 public:
  static constexpr int decimals = 6;
  static constexpr int64_t micros_per_unit = 1'000'000;

  constexpr Money() = default;
  static constexpr Money zero() { return Money{}; }
  static constexpr Money from_micros(int64_t micros) { return Money{micros}; }
  // Parses "12", "-3.10", "+0.000001". Rejects whitespace, exponents, more than 6 decimals,
  // empty parts ("1." and ".5" are both rejected, so no input is ambiguous), and
  // values outside int64 micro-units. "-0" parses as zero.
  static Result<Money> parse(std::string_view text);

  constexpr int64_t micros() const { return micros_; }
  // Shortest exact decimal with at least two decimals: "12.50", "-0.000001", "0.00".
  std::string to_string() const;

  std::optional<Money> checked_add(Money other) const;
  std::optional<Money> checked_sub(Money other) const;
  std::optional<Money> checked_negate() const;

  constexpr auto operator<=>(const Money&) const = default;

 private:
  constexpr explicit Money(int64_t micros) : micros_(micros) {}
  int64_t micros_ = 0;
};

}  // namespace paystream
