#include "events/time.h"

#include <catch2/catch.hpp>

namespace paystream {
namespace {

constexpr int64_t micros_per_second = 1'000'000;
constexpr int64_t micros_per_day = 86'400 * micros_per_second;

int32_t days_of(std::string_view text) {
  Result<Date> date = parse_date(text);
  INFO("parsing '" << text << "'");
  REQUIRE(date.ok());
  return date->days;
}

int64_t micros_of(std::string_view text) {
  Result<Timestamp> time = parse_timestamp(text);
  INFO("parsing '" << text << "'");
  REQUIRE(time.ok());
  return time->micros;
}

bool date_rejects(std::string_view text) {
  Result<Date> date = parse_date(text);
  return !date.ok() && date.error().code == Errc::invalid_date;
}

bool timestamp_rejects(std::string_view text) {
  Result<Timestamp> time = parse_timestamp(text);
  return !time.ok() && time.error().code == Errc::invalid_date;
}

TEST_CASE("time: parse_date counts days from the epoch", "[time]") {
  CHECK(days_of("1970-01-01") == 0);
  CHECK(days_of("1970-01-02") == 1);
  CHECK(days_of("1969-12-31") == -1);
  CHECK(days_of("2000-03-01") == 11'017);
  CHECK(days_of("2026-11-25") == 20'782);
  CHECK(days_of("0000-01-01") == -719'528);
  CHECK(days_of("9999-12-31") == 2'932'896);
}

TEST_CASE("time: parse_date knows leap years", "[time]") {
  CHECK(days_of("2024-02-29") == days_of("2024-03-01") - 1);
  CHECK(days_of("2000-02-29") == days_of("2000-03-01") - 1);  // divisible by 400: leap
  CHECK(date_rejects("1900-02-29"));                          // divisible by 100: not leap
  CHECK(date_rejects("2100-02-29"));
  CHECK(date_rejects("2026-02-29"));
  CHECK(days_of("2026-02-28") == days_of("2026-03-01") - 1);
}

TEST_CASE("time: parse_date rejects impossible dates and other shapes", "[time]") {
  for (const char* text :
       {"2026-02-30",  "2026-04-31",  "2026-13-01", "2026-00-10", "2026-01-00",  "2026-01-32",  "",
        "2026",        "2026-1-01",   "2026-01-1",  "26-01-01",   "2026/01/01",  "2026-01-01T", " 2026-01-01",
        "2026-01-01 ", "+2026-01-01", "2026-0a-01", "20260101",   "2026-01-01x", "-001-01-01"}) {
    INFO("text '" << text << "'");
    CHECK(date_rejects(text));
  }
}

TEST_CASE("time: format_date and parse_date round-trip", "[time]") {
  for (const char* text :
       {"1970-01-01", "1969-12-31", "2000-02-29", "2026-11-25", "0001-01-01", "9999-12-31"}) {
    CHECK(format_date(Date{days_of(text)}) == text);
  }
  for (int32_t days = -719'528; days <= 2'932'896; days += 997) {
    const std::string text = format_date(Date{days});
    INFO("days " << days << " text " << text);
    CHECK(days_of(text) == days);
  }
}

TEST_CASE("time: parse_timestamp accepts dates, Z, fractions and offsets", "[time]") {
  const int64_t day = days_of("2026-11-25") * micros_per_day;
  const int64_t ten = day + 10 * 3'600 * micros_per_second;
  CHECK(micros_of("2026-11-25") == day);
  CHECK(micros_of("2026-11-25T10:00:00Z") == ten);
  CHECK(micros_of("2026-11-25T10:00:00") == ten);  // no zone: UTC
  CHECK(micros_of("2026-11-25 10:00:00Z") == ten);
  CHECK(micros_of("2026-11-25T10:00:00.123456Z") == ten + 123'456);
  CHECK(micros_of("2026-11-25T10:00:00.1Z") == ten + 100'000);
  CHECK(micros_of("2026-11-25T10:00:00.000001") == ten + 1);
  CHECK(micros_of("2026-11-25T12:00:00+02:00") == ten);
  CHECK(micros_of("2026-11-25T05:30:00-04:30") == ten);
  CHECK(micros_of("2026-11-25T10:00:00+00:00") == ten);
  CHECK(micros_of("2026-11-25T10:00:00.5+01:00") == ten - 3'600 * micros_per_second + 500'000);
  CHECK(micros_of("2026-11-25T00:30:00+01:00") == day - 30 * 60 * micros_per_second);  // the day before
  CHECK(micros_of("2026-11-25T23:59:59.999999Z") == day + micros_per_day - 1);
}

TEST_CASE("time: parse_timestamp rejects garbage", "[time]") {
  for (const char* text : {"",
                           "2026-11-25T",
                           "2026-11-25T10",
                           "2026-11-25T10:00",
                           "2026-11-25T10:00:00.",
                           "2026-11-25T10:00:00.Z",
                           "2026-11-25T10:00:00.1234567Z",
                           "2026-11-25T24:00:00Z",
                           "2026-11-25T10:60:00Z",
                           "2026-11-25T10:00:60Z",
                           "2026-11-25T10:00:00ZZ",
                           "2026-11-25T10:00:00z",
                           "2026-11-25T10:00:00+2:00",
                           "2026-11-25T10:00:00+02",
                           "2026-11-25T10:00:00+0200",
                           "2026-11-25T10:00:00+24:00",
                           "2026-11-25T10:00:00+02:60",
                           "2026-11-25T10:00:00 +02:00",
                           "2026-11-25X10:00:00Z",
                           "2026-02-30T10:00:00Z",
                           "2026-11-25T1a:00:00Z",
                           "2026-11-25T10:00:00Z ",
                           " 2026-11-25T10:00:00Z",
                           "2026-11-25T10-00-00Z",
                           "now",
                           "1764064800"}) {
    INFO("text '" << text << "'");
    CHECK(timestamp_rejects(text));
  }
}

TEST_CASE("time: format_timestamp always writes six fractional digits and round-trips", "[time]") {
  CHECK(format_timestamp(Timestamp{0}) == "1970-01-01T00:00:00.000000Z");
  CHECK(format_timestamp(Timestamp{1}) == "1970-01-01T00:00:00.000001Z");
  CHECK(format_timestamp(Timestamp{-1}) == "1969-12-31T23:59:59.999999Z");
  CHECK(format_timestamp(Timestamp{-micros_per_day}) == "1969-12-31T00:00:00.000000Z");
  CHECK(format_timestamp(Timestamp{-micros_per_day - 1}) == "1969-12-30T23:59:59.999999Z");
  for (int64_t micros : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{1'764'064'800'123'456},
                         int64_t{-1'000'000'000'000'001}, int64_t{253'402'300'799'999'999}}) {
    const std::string text = format_timestamp(Timestamp{micros});
    INFO("micros " << micros << " text " << text);
    CHECK(micros_of(text) == micros);
  }
}

TEST_CASE("time: date_of and start_of floor towards the past", "[time]") {
  CHECK(date_of(Timestamp{0}).days == 0);
  CHECK(date_of(Timestamp{micros_per_day - 1}).days == 0);
  CHECK(date_of(Timestamp{-1}).days == -1);
  CHECK(date_of(Timestamp{-micros_per_day}).days == -1);
  CHECK(date_of(Timestamp{-micros_per_day - 1}).days == -2);
  CHECK(start_of(Date{-1}).micros == -micros_per_day);
  CHECK(add_days(Date{0}, -1).days == -1);
  CHECK(add_days(Date{days_of("2024-02-28")}, 1).days == days_of("2024-02-29"));
}

TEST_CASE("time: month_of buckets by calendar month, before the epoch too", "[time]") {
  CHECK(month_of(Timestamp{0}) == 1970 * 12);
  CHECK(month_of(Timestamp{-1}) == 1969 * 12 + 11);
  CHECK(month_of(Timestamp{micros_of("2026-11-30T23:59:59.999999Z")}) == 2026 * 12 + 10);
  CHECK(month_of(Timestamp{micros_of("2026-12-01T00:00:00Z")}) == 2026 * 12 + 11);
  CHECK(month_of(Timestamp{micros_of("2027-01-01")}) == 2027 * 12);
  CHECK(month_of(Timestamp{micros_of("2024-02-29T12:00:00Z")}) == 2024 * 12 + 1);
}

TEST_CASE("time: civil conversions agree with each other", "[time]") {
  for (int32_t days = -1'000'000; days <= 1'000'000; days += 331) {
    int year = 0;
    unsigned month = 0, day = 0;
    civil_from_date(Date{days}, year, month, day);
    CHECK(date_from_civil(year, month, day).days == days);
  }
}

}  // namespace
}  // namespace paystream
