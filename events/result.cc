#include "events/result.h"

namespace paystream {

const char* errc_name(Errc code) {
  switch (code) {
    case Errc::invalid_argument:
      return "invalid_argument";
    case Errc::invalid_amount:
      return "invalid_amount";
    case Errc::invalid_account_id:
      return "invalid_account_id";
    case Errc::invalid_date:
      return "invalid_date";
    case Errc::account_not_found:
      return "account_not_found";
    case Errc::account_exists:
      return "account_exists";
    case Errc::parent_not_found:
      return "parent_not_found";
    case Errc::parent_not_agent:
      return "parent_not_agent";
    case Errc::parent_not_allowed:
      return "parent_not_allowed";
    case Errc::account_has_sub_accounts:
      return "account_has_sub_accounts";
    case Errc::amount_must_be_positive:
      return "amount_must_be_positive";
    case Errc::amount_must_not_be_negative:
      return "amount_must_not_be_negative";
    case Errc::amount_must_not_be_zero:
      return "amount_must_not_be_zero";
    case Errc::balance_would_overflow:
      return "balance_would_overflow";
    case Errc::monthly_range_invalid:
      return "monthly_range_invalid";
    case Errc::record_not_found:
      return "record_not_found";
    case Errc::record_not_reversible:
      return "record_not_reversible";
    case Errc::record_already_reversed:
      return "record_already_reversed";
    case Errc::unknown_parameter:
      return "unknown_parameter";
    case Errc::parameter_out_of_range:
      return "parameter_out_of_range";
    case Errc::command_id_conflict:
      return "command_id_conflict";
    case Errc::nothing_to_change:
      return "nothing_to_change";
    case Errc::wrong_card_or_pin:
      return "wrong_card_or_pin";
    case Errc::card_not_found:
      return "card_not_found";
    case Errc::card_used:
      return "card_used";
    case Errc::card_disabled:
      return "card_disabled";
    case Errc::card_expired:
      return "card_expired";
    case Errc::card_locked:
      return "card_locked";
    case Errc::card_exists:
      return "card_exists";
    case Errc::command_not_found:
      return "command_not_found";
    case Errc::unauthenticated:
      return "unauthenticated";
    case Errc::forbidden:
      return "forbidden";
    case Errc::operator_not_found:
      return "operator_not_found";
    case Errc::operator_exists:
      return "operator_exists";
    case Errc::io_error:
      return "io_error";
    case Errc::corruption:
      return "corruption";
    case Errc::unsupported_event:
      return "unsupported_event";
    case Errc::kafka_error:
      return "kafka_error";
    case Errc::storage_full:
      return "storage_full";
    case Errc::outcome_pending:
      return "outcome_pending";
  }
  return "unknown";
}

std::optional<Errc> errc_from_name(std::string_view name) {
  for (int code = 0; code <= static_cast<int>(Errc::outcome_pending); ++code) {  // the last code
    if (errc_name(static_cast<Errc>(code)) == name) return static_cast<Errc>(code);
  }
  return std::nullopt;
}

bool is_usage_error(Errc code) {
  return code == Errc::invalid_argument || code == Errc::invalid_amount || code == Errc::invalid_account_id ||
         code == Errc::invalid_date;
}

bool is_rejection(Errc code) {
  return !is_usage_error(code) && code != Errc::io_error && code != Errc::corruption &&
         code != Errc::unsupported_event && code != Errc::kafka_error && code != Errc::storage_full &&
         code != Errc::outcome_pending;
}

}  // namespace paystream
