#pragma once
// Time in the ledger: UTC microseconds since the Unix epoch, and calendar dates as days since it.
// Pure conversions only; reading the clock belongs to the engine's Clock.
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "events/result.h"

namespace paystream {

struct Timestamp {
  int64_t micros = 0;
  auto operator<=>(const Timestamp&) const = default;
};

struct Date {
  int32_t days = 0;  // since 1970-01-01
  auto operator<=>(const Date&) const = default;
};

Date date_of(Timestamp time);
Timestamp start_of(Date date);
Date date_from_civil(int year, unsigned month, unsigned day);
void civil_from_date(Date date, int& year, unsigned& month, unsigned& day);
Date add_days(Date date, int32_t days);
// Month index (year * 12 + month - 1), to bucket monthly consumption.
int32_t month_of(Timestamp time);
// The first day of a month index.
Date first_day_of_month(int32_t month);
// "2026-11"; and back, refusing anything else (invalid_date).
std::string format_month(int32_t month);
Result<int32_t> parse_month(std::string_view text);

// "2026-11-25"; rejects anything else, including impossible dates (2026-02-30).
Result<Date> parse_date(std::string_view text);
std::string format_date(Date date);

// Accepts "2026-11-25" (midnight UTC), "2026-11-25T10:00:00Z", "2026-11-25T10:00:00.123456Z"
// and an explicit offset "2026-11-25T12:00:00+02:00"; a time without zone is UTC.
Result<Timestamp> parse_timestamp(std::string_view text);
// "2026-11-25T10:00:00.123456Z" (always 6 fractional digits, so the text sorts as the time).
std::string format_timestamp(Timestamp time);

}  // namespace paystream
