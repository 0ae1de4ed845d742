// The values of query parameters and command-line options, of any text (what a client puts after
// `from=`, `min=`, `type=`, `cursor=`, `search=`...): the first byte picks the parser, the rest is the value.
// Each answers a value or an error with a message, never a crash; a value it accepts prints back to a text it
// reads as the same value.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "events/result.h"
#include "events/time.h"
#include "projections/page_cursor.h"
#include "tools/runtime/arguments.h"

namespace {

using namespace paystream;

template <class T>
void refused_with_a_message(const Result<T>& result) {
  if (!result) PAYSTREAM_ASSERT(!result.error().message.empty());
}

void refused_with_a_message(const Status& status) {
  if (!status) PAYSTREAM_ASSERT(!status.error().message.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 14) {
    case 0: {  // min=, max=, amounts
      const Result<Money> amount = money_argument("min", text);
      refused_with_a_message(amount);
      if (amount) PAYSTREAM_ASSERT(money_argument("min", amount->to_string()).value() == *amount);
      break;
    }
    case 1: {  // a date (expires=, a card batch's expiry)
      const Result<Date> date = date_argument("expires", text);
      refused_with_a_message(date);
      if (date) PAYSTREAM_ASSERT(date_argument("expires", format_date(*date)).value() == *date);
      break;
    }
    case 2: {  // from=
      const Result<Timestamp> time = time_argument("from", text);
      refused_with_a_message(time);
      if (time) PAYSTREAM_ASSERT(time_argument("from", format_timestamp(*time)).value() == *time);
      break;
    }
    case 3: {  // to=: a bare date ends with its day
      const Result<Timestamp> end = range_end_argument("to", text);
      refused_with_a_message(end);
      const Result<Date> date = date_argument("to", text);
      if (end && date) PAYSTREAM_ASSERT(*end == start_of(add_days(*date, 1)));
      break;
    }
    case 4: {  // as_of=: a bare date is how that day closed
      const Result<Timestamp> as_of = as_of_argument("as_of", text);
      refused_with_a_message(as_of);
      const Result<Date> date = date_argument("as_of", text);
      if (as_of && date) PAYSTREAM_ASSERT(date_of(*as_of) == *date);
      break;
    }
    case 5: {  // from= and to= together, split at the first '|'
      const size_t bar = text.find('|');
      std::optional<Timestamp> from;
      std::optional<Timestamp> to;
      const Status range = time_range_arguments(
          "from", std::string(text.substr(0, bar)), "to",
          bar == std::string_view::npos ? std::nullopt : std::optional<std::string>(text.substr(bar + 1)),
          from, to);
      refused_with_a_message(range);
      if (range && from && to) PAYSTREAM_ASSERT(*from < *to);
      break;
    }
    case 6:  // account=
      refused_with_a_message(account_id_argument("account", text));
      break;
    case 7: {  // type= of balances
      const Result<AccountType> type = account_type_argument("type", text);
      refused_with_a_message(type);
      if (type) PAYSTREAM_ASSERT(account_type_argument("type", account_type_name(*type)).value() == *type);
      break;
    }
    case 8: {  // type= of payment records
      const Result<PaymentType> type = payment_type_argument("type", text);
      refused_with_a_message(type);
      if (type) PAYSTREAM_ASSERT(payment_type_argument("type", payment_type_name(*type)).value() == *type);
      break;
    }
    case 9: {  // a record ID, a count
      const Result<uint64_t> number = positive_integer_argument("record", text);
      refused_with_a_message(number);
      if (number)
        PAYSTREAM_ASSERT(*number > 0 &&
                         positive_integer_argument("record", std::to_string(*number)).value() == *number);
      break;
    }
    case 10: {  // month= of the monthly minimum
      const Result<int32_t> month = parse_month(text);
      refused_with_a_message(month);
      if (month) PAYSTREAM_ASSERT(parse_month(format_month(*month)).value() == *month);
      break;
    }
    case 11: {  // cursor= of records and charges: a position it accepts prints back to the same text
      const Result<uint64_t> position = row_scan::parse_cursor(std::string(text));
      refused_with_a_message(position);
      if (position && !text.empty()) PAYSTREAM_ASSERT(std::to_string(*position) == text);
      break;
    }
    case 12:  // search= of balances
      refused_with_a_message(search_text_argument("search", text));
      break;
    default:  // operator=, command IDs
      refused_with_a_message(operator_argument(text));
      refused_with_a_message(command_id_argument(text));
      break;
  }
  return 0;
}
