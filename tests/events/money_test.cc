#include "events/money.h"

#include <catch2/catch.hpp>
#include <limits>

namespace paystream {
namespace {

constexpr int64_t int64_max = std::numeric_limits<int64_t>::max();
constexpr int64_t int64_min = std::numeric_limits<int64_t>::min();

int64_t micros_of(std::string_view text) {
  Result<Money> money = Money::parse(text);
  INFO("parsing '" << text << "'");
  REQUIRE(money.ok());
  return money->micros();
}

bool rejects(std::string_view text) {
  Result<Money> money = Money::parse(text);
  if (money.ok()) return false;
  return money.error().code == Errc::invalid_amount;
}

TEST_CASE("money: parse accepts plain decimals", "[money]") {
  CHECK(micros_of("12") == 12'000'000);
  CHECK(micros_of("-3.10") == -3'100'000);
  CHECK(micros_of("+0.000001") == 1);
  CHECK(micros_of("+1") == 1'000'000);
  CHECK(micros_of("0") == 0);
  CHECK(micros_of("-0") == 0);
  CHECK(micros_of("-0.000000") == 0);
  CHECK(micros_of("0.5") == 500'000);
  CHECK(micros_of("007.50") == 7'500'000);  // leading zeros are harmless: no octal here
  CHECK(micros_of("0000000000000000000000001") == 1'000'000);
}

TEST_CASE("money: parse rejects malformed text", "[money]") {
  for (const char* text : {"",     "+",     "-",   ".",   ".5",  "1.",   "-.5", "+.5", " 1",  "1 ",
                           " ",    "1 000", "1,5", "1e3", "1E3", "0x10", "--1", "+-1", "-+1", "1.2.3",
                           "1..2", "abc",   "1a",  "١",   "\t1", "1\n",  "∞",   "nan", "inf"}) {
    INFO("text '" << text << "'");
    CHECK(rejects(text));
  }
}

TEST_CASE("money: parse rejects more than six decimals", "[money]") {
  CHECK(micros_of("1.123456") == 1'123'456);
  CHECK(rejects("1.1234567"));
  CHECK(rejects("0.0000000"));  // even trailing zeros: precision the ledger cannot hold is refused
  CHECK(rejects("-0.0000001"));
}

TEST_CASE("money: parse stops exactly at the int64 micro-unit range", "[money]") {
  CHECK(micros_of("9223372036854.775807") == int64_max);
  CHECK(micros_of("+9223372036854.775807") == int64_max);
  CHECK(micros_of("-9223372036854.775807") == -int64_max);
  CHECK(micros_of("-9223372036854.775808") == int64_min);
  CHECK(rejects("9223372036854.775808"));
  CHECK(rejects("-9223372036854.775809"));
  CHECK(rejects("9223372036855"));
  CHECK(rejects("-9223372036855"));
  CHECK(rejects("99999999999999999999"));
  CHECK(rejects("18446744073709.551616"));  // 2^64 micro-units: must not wrap to zero
  CHECK(rejects("18446744073709.551617"));  // 2^64 + 1: must not wrap to one
}

TEST_CASE("money: parse errors say why", "[money]") {
  Result<Money> money = Money::parse("1.1234567");
  REQUIRE_FALSE(money.ok());
  CHECK(money.error().message.find("1.1234567") != std::string::npos);
  CHECK(money.error().message.find("decimal") != std::string::npos);
  CHECK(Money::parse("9223372036855").error().message.find("range") != std::string::npos);
}

TEST_CASE("money: to_string keeps at least two decimals and no more than needed", "[money]") {
  CHECK(Money::zero().to_string() == "0.00");
  CHECK(Money::from_micros(12'500'000).to_string() == "12.50");
  CHECK(Money::from_micros(-1).to_string() == "-0.000001");
  CHECK(Money::from_micros(1).to_string() == "0.000001");
  CHECK(Money::from_micros(1'000'000).to_string() == "1.00");
  CHECK(Money::from_micros(-1'230'000).to_string() == "-1.23");
  CHECK(Money::from_micros(1'234'500).to_string() == "1.2345");
  CHECK(Money::from_micros(int64_max).to_string() == "9223372036854.775807");
  CHECK(Money::from_micros(int64_min).to_string() == "-9223372036854.775808");
}

TEST_CASE("money: to_string and parse round-trip", "[money]") {
  for (int64_t micros :
       {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{10}, int64_t{999'999}, int64_t{1'000'000},
        int64_t{-123'456'789}, int64_max, int64_min, int64_max - 1, int64_min + 1}) {
    const Money money = Money::from_micros(micros);
    INFO("micros " << micros << " text " << money.to_string());
    CHECK(micros_of(money.to_string()) == micros);
  }
}

TEST_CASE("money: checked arithmetic refuses to wrap", "[money]") {
  const Money max = Money::from_micros(int64_max);
  const Money min = Money::from_micros(int64_min);
  const Money one = Money::from_micros(1);

  CHECK(max.checked_add(Money::zero()) == max);
  CHECK_FALSE(max.checked_add(one).has_value());
  CHECK_FALSE(min.checked_add(Money::from_micros(-1)).has_value());
  CHECK(min.checked_add(max) == Money::from_micros(-1));

  CHECK_FALSE(min.checked_sub(one).has_value());
  CHECK_FALSE(max.checked_sub(Money::from_micros(-1)).has_value());
  CHECK_FALSE(Money::zero().checked_sub(min).has_value());
  CHECK(Money::zero().checked_sub(max) == Money::from_micros(-int64_max));

  CHECK_FALSE(min.checked_negate().has_value());
  CHECK(max.checked_negate() == Money::from_micros(-int64_max));
  CHECK(Money::zero().checked_negate() == Money::zero());
  CHECK(one.checked_negate() == Money::from_micros(-1));
}

TEST_CASE("money: ordering follows the amount", "[money]") {
  CHECK(Money::from_micros(-1) < Money::zero());
  CHECK(Money::from_micros(int64_min) < Money::from_micros(int64_max));
  CHECK(Money::parse("-0").value() == Money::zero());
}

}  // namespace
}  // namespace paystream
