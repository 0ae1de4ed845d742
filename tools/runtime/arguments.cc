#include "tools/runtime/arguments.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "events/command.h"

namespace paystream {

namespace {

Error prefixed(std::string_view what, const Error& error) {
  return make_error(error.code, fmt::format("{}: {}", what, error.message));
}

Error invalid(Errc code, std::string_view what, std::string_view text, std::string_view expected) {
  return make_error(code, fmt::format("{}: invalid value '{}': expected {}", what, text, expected));
}

}  // namespace

Result<Money> money_argument(std::string_view what, std::string_view text) {
  Result<Money> money = Money::parse(text);
  if (!money) return prefixed(what, money.error());
  return money;
}

Result<Date> date_argument(std::string_view what, std::string_view text) {
  Result<Date> date = parse_date(text);
  if (!date) return invalid(Errc::invalid_date, what, text, "a date YYYY-MM-DD");
  return date;
}

Result<Timestamp> time_argument(std::string_view what, std::string_view text) {
  Result<Timestamp> time = parse_timestamp(text);
  if (!time) {
    return invalid(Errc::invalid_date, what, text, "YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[.ffffff][Z|+hh:mm]");
  }
  return time;
}

Result<Timestamp> range_end_argument(std::string_view what, std::string_view text) {
  if (Result<Date> day = parse_date(text)) return start_of(add_days(*day, 1));
  return time_argument(what, text);
}

Result<Timestamp> as_of_argument(std::string_view what, std::string_view text) {
  Result<Timestamp> end = range_end_argument(what, text);
  if (!end) return end.error();
  if (parse_date(text)) return Timestamp{end->micros - 1};
  return end;
}

Status time_range_arguments(std::string_view from_name, const std::optional<std::string>& from_text,
                            std::string_view to_name, const std::optional<std::string>& to_text,
                            std::optional<Timestamp>& from, std::optional<Timestamp>& to) {
  if (from_text) {
    Result<Timestamp> time = time_argument(from_name, *from_text);
    if (!time) return time.error();
    from = *time;
  }
  if (to_text) {
    Result<Timestamp> time = range_end_argument(to_name, *to_text);
    if (!time) return time.error();
    to = *time;
  }
  return check_time_range(from_name, from, to_name, to);
}

Status check_time_range(std::string_view from_name, const std::optional<Timestamp>& from,
                        std::string_view to_name, const std::optional<Timestamp>& to) {
  if (!from || !to || *from < *to) return ok_status();
  return make_error(Errc::invalid_argument,
                    fmt::format("empty range: {} {} is not before {} {} ({} is exclusive; a date alone "
                                "is the end of that day)",
                                from_name, format_timestamp(*from), to_name, format_timestamp(*to), to_name));
}

Status check_amount_range(std::string_view min_name, const std::optional<Money>& min,
                          std::string_view max_name, const std::optional<Money>& max) {
  if (!min || !max || *min <= *max) return ok_status();
  return make_error(Errc::invalid_argument, fmt::format("empty range: {} {} is above {} {}", min_name,
                                                        min->to_string(), max_name, max->to_string()));
}

Status account_id_argument(std::string_view what, std::string_view text) {
  if (is_valid_account_id(text)) return ok_status();
  return invalid(Errc::invalid_account_id, what, text,
                 "1-64 characters of A-Z a-z 0-9 . _ -, other than '.' and '..'");
}

Status search_text_argument(std::string_view what, std::string_view text) {
  const bool has_control = std::any_of(
      text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
  // Characters, not bytes: UTF-8 continuation bytes (10xxxxxx) do not start one.
  const auto characters = std::count_if(
      text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
  if (characters >= 1 && characters <= 100 && !has_control) return ok_status();
  return invalid(Errc::invalid_argument, what, text, "1-100 characters, none of them a control character");
}

Result<AccountType> account_type_argument(std::string_view what, std::string_view text) {
  const std::optional<AccountType> type = parse_account_type(text);
  if (!type) return invalid(Errc::invalid_argument, what, text, "direct, agent or clearing");
  return *type;
}

Result<PaymentType> payment_type_argument(std::string_view what, std::string_view text) {
  const std::optional<PaymentType> type = parse_payment_type(text);
  if (!type) {
    return invalid(Errc::invalid_argument, what, text,
                   "payment, credit, make_zero, reversal, adjustment, phone_card or minimum_consumption");
  }
  return *type;
}

Result<PaymentMethod> payment_method_argument(std::string_view what, std::string_view text) {
  const std::optional<PaymentMethod> method = parse_payment_method(text);
  if (!method) return invalid(Errc::invalid_argument, what, text, "cash, card or other");
  return *method;
}

Result<uint64_t> positive_integer_argument(std::string_view what, std::string_view text) {
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size() || value == 0) {
    return invalid(Errc::invalid_argument, what, text, "a whole number greater than 0");
  }
  return value;
}

Status command_id_argument(std::string_view text) {
  Status status = check_command_id(text);
  if (!status) return prefixed("--command-id", status.error());
  return status;
}

Status operator_argument(std::string_view text) {
  // Names may be UTF-8 or hold spaces; control characters would break table and CSV output.
  bool valid = !text.empty() && text.size() <= 64;
  for (char c : text) valid = valid && (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
  if (valid) return ok_status();
  return invalid(Errc::invalid_argument, "--operator", text, "1-64 bytes without control characters");
}

}  // namespace paystream
