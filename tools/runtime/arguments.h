#pragma once
// Conversions from text (a command-line argument, a query parameter) to the ledger's types. They
// return Result with the option's name and the value in the message, so neither front end throws
// past its edge.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "events/event.h"
#include "events/money.h"
#include "events/result.h"
#include "events/time.h"

namespace paystream {

// Each prefixes its error with `what` (an option or argument name), e.g. "--overdraft: ...".
Result<Money> money_argument(std::string_view what, std::string_view text);
Result<Date> date_argument(std::string_view what, std::string_view text);
Result<Timestamp> time_argument(std::string_view what, std::string_view text);
// The end of a time range, which is exclusive: a bare date ("2026-11-30") stands for that whole
// day, so the range ends at the start of the next one; a time is the end itself.
Result<Timestamp> range_end_argument(std::string_view what, std::string_view text);
// A moment the ledger is read as of: a time, or a bare date for the end of that day (its last
// microsecond), so "as of 2026-11-30" is how that day closed.
Result<Timestamp> as_of_argument(std::string_view what, std::string_view text);
// An optional from (inclusive) and to (range_end_argument) given as text, read and checked with
// check_time_range; unset texts leave their bound unset.
Status time_range_arguments(std::string_view from_name, const std::optional<std::string>& from_text,
                            std::string_view to_name, const std::optional<std::string>& to_text,
                            std::optional<Timestamp>& from, std::optional<Timestamp>& to);
// invalid_argument when the range holds nothing: `from` not before `to`, or `min` above `max`
// (an unset bound never empties a range). The names are the options' or parameters' own.
Status check_time_range(std::string_view from_name, const std::optional<Timestamp>& from,
                        std::string_view to_name, const std::optional<Timestamp>& to);
Status check_amount_range(std::string_view min_name, const std::optional<Money>& min,
                          std::string_view max_name, const std::optional<Money>& max);
Status account_id_argument(std::string_view what, std::string_view text);
// The text an account search looks for in IDs and names: 1-100 characters (UTF-8), no control character.
Status search_text_argument(std::string_view what, std::string_view text);
Result<AccountType> account_type_argument(std::string_view what, std::string_view text);
Result<PaymentType> payment_type_argument(std::string_view what, std::string_view text);
Result<PaymentMethod> payment_method_argument(std::string_view what, std::string_view text);
// A whole number > 0 ("12"), for record IDs and counts.
Result<uint64_t> positive_integer_argument(std::string_view what, std::string_view text);
Status command_id_argument(std::string_view text);
Status operator_argument(std::string_view text);

}  // namespace paystream
