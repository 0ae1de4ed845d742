#include "events/time.h"

#include <fmt/format.h>

namespace paystream {
namespace {

constexpr int64_t micros_per_day = 86'400'000'000;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool parse_digits(std::string_view text, size_t at, size_t count, int& out) {
  if (at + count > text.size()) return false;
  int value = 0;
  for (size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  out = value;
  return true;
}

unsigned days_in_month(int year, unsigned month) {
  static constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : days[month - 1];
}

Error invalid_date(std::string_view text, const char* expected) {
  return make_error(Errc::invalid_date, fmt::format("invalid date '{}': expected {}", text, expected));
}

}  // namespace

// Howard Hinnant's days_from_civil / civil_from_days.
Date date_from_civil(int year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int era = (year >= 0 ? year : year - 399) / 400;
  const unsigned year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return Date{static_cast<int32_t>(era * 146097 + static_cast<int>(day_of_era) - 719468)};
}

void civil_from_date(Date date, int& year, unsigned& month, unsigned& day) {
  const int z = date.days + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned day_of_era = static_cast<unsigned>(z - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned mp = (5 * day_of_year + 2) / 153;
  day = day_of_year - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int>(year_of_era) + era * 400 + (month <= 2);
}

Date date_of(Timestamp time) { return Date{static_cast<int32_t>(floor_div(time.micros, micros_per_day))}; }
Timestamp start_of(Date date) { return Timestamp{date.days * micros_per_day}; }
Date add_days(Date date, int32_t days) { return Date{date.days + days}; }

int32_t month_of(Timestamp time) {
  int year = 0;
  unsigned month = 0, day = 0;
  civil_from_date(date_of(time), year, month, day);
  return year * 12 + static_cast<int32_t>(month) - 1;
}

Date first_day_of_month(int32_t month) {
  const int year = static_cast<int>(floor_div(month, 12));
  return date_from_civil(year, static_cast<unsigned>(month - year * 12) + 1, 1);
}

std::string format_month(int32_t month) {
  int year = 0;
  unsigned month_of_year = 0, day = 0;
  civil_from_date(first_day_of_month(month), year, month_of_year, day);
  return fmt::format("{:04d}-{:02d}", year, month_of_year);
}

Result<int32_t> parse_month(std::string_view text) {
  int year = 0, month = 0;
  if (text.size() != 7 || text[4] != '-' || !parse_digits(text, 0, 4, year) ||
      !parse_digits(text, 5, 2, month) || month < 1 || month > 12) {
    return invalid_date(text, "YYYY-MM");
  }
  return year * 12 + month - 1;
}

Result<Date> parse_date(std::string_view text) {
  int year = 0, month = 0, day = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !parse_digits(text, 0, 4, year) ||
      !parse_digits(text, 5, 2, month) || !parse_digits(text, 8, 2, day)) {
    return invalid_date(text, "YYYY-MM-DD");
  }
  if (month < 1 || month > 12 || day < 1 || static_cast<unsigned>(day) > days_in_month(year, month)) {
    return invalid_date(text, "a real calendar date");
  }
  return date_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

std::string format_date(Date date) {
  int year = 0;
  unsigned month = 0, day = 0;
  civil_from_date(date, year, month, day);
  return fmt::format("{:04}-{:02}-{:02}", year, month, day);
}

Result<Timestamp> parse_timestamp(std::string_view text) {
  const char* expected = "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[.ffffff][Z|+HH:MM]";
  if (text.size() < 10) return invalid_date(text, expected);
  Result<Date> date = parse_date(text.substr(0, 10));
  if (!date) return invalid_date(text, expected);
  int64_t micros = start_of(*date).micros;
  if (text.size() == 10) return Timestamp{micros};
  int hour = 0, minute = 0, second = 0;
  if ((text[10] != 'T' && text[10] != ' ') || !parse_digits(text, 11, 2, hour) || text.size() < 19 ||
      text[13] != ':' || !parse_digits(text, 14, 2, minute) || text[16] != ':' ||
      !parse_digits(text, 17, 2, second) || hour > 23 || minute > 59 || second > 59) {
    return invalid_date(text, expected);
  }
  micros += ((hour * 60LL + minute) * 60 + second) * 1'000'000;
  size_t at = 19;
  if (at < text.size() && text[at] == '.') {
    ++at;
    int64_t fraction = 0;
    size_t digits = 0;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      if (++digits > 6) return invalid_date(text, "at most 6 fractional digits");
      fraction = fraction * 10 + (text[at++] - '0');
    }
    if (digits == 0) return invalid_date(text, expected);
    for (; digits < 6; ++digits) fraction *= 10;
    micros += fraction;
  }
  if (at == text.size() || (text[at] == 'Z' && at + 1 == text.size())) return Timestamp{micros};
  int offset_hours = 0, offset_minutes = 0;
  if ((text[at] != '+' && text[at] != '-') || text.size() != at + 6 || text[at + 3] != ':' ||
      !parse_digits(text, at + 1, 2, offset_hours) || !parse_digits(text, at + 4, 2, offset_minutes) ||
      offset_hours > 23 || offset_minutes > 59) {
    return invalid_date(text, expected);
  }
  const int64_t offset = (offset_hours * 60LL + offset_minutes) * 60'000'000;
  return Timestamp{text[at] == '+' ? micros - offset : micros + offset};
}

std::string format_timestamp(Timestamp time) {
  const Date date = date_of(time);
  const int64_t in_day = time.micros - start_of(date).micros;
  const int64_t seconds = in_day / 1'000'000;
  return fmt::format("{}T{:02}:{:02}:{:02}.{:06}Z", format_date(date), seconds / 3600, seconds / 60 % 60,
                     seconds % 60, in_day % 1'000'000);
}

}  // namespace paystream
