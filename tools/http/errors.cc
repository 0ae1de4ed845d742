#include "tools/http/errors.h"

#include <nlohmann/json.hpp>

namespace paystream::http {

int http_status_of(Errc code) {
  switch (code) {
    case Errc::invalid_argument:
    case Errc::invalid_amount:
    case Errc::invalid_account_id:
    case Errc::invalid_date:
      return 400;
    case Errc::unauthenticated:
      return 401;
    case Errc::forbidden:
      return 403;
    case Errc::operator_not_found:
    case Errc::account_not_found:
    case Errc::record_not_found:
    case Errc::unknown_parameter:
    case Errc::command_not_found:
    case Errc::card_not_found:
      return 404;
    case Errc::operator_exists:
    case Errc::account_exists:
    case Errc::account_has_sub_accounts:
    case Errc::record_already_reversed:
    case Errc::command_id_conflict:
    case Errc::card_used:
    case Errc::card_disabled:
    case Errc::card_expired:
    case Errc::card_locked:
    case Errc::card_exists:
      return 409;
    case Errc::parent_not_found:
    case Errc::parent_not_agent:
    case Errc::parent_not_allowed:
    case Errc::amount_must_be_positive:
    case Errc::amount_must_not_be_negative:
    case Errc::amount_must_not_be_zero:
    case Errc::balance_would_overflow:
    case Errc::monthly_range_invalid:
    case Errc::record_not_reversible:
    case Errc::parameter_out_of_range:
    case Errc::nothing_to_change:
    case Errc::wrong_card_or_pin:  // not 404: an unknown number must look like a wrong PIN
      return 422;
    case Errc::io_error:
    case Errc::corruption:
    case Errc::unsupported_event:
      return 500;
    case Errc::kafka_error:  // the broker did not answer or refused: try again later
      return 503;
    case Errc::storage_full:  // RFC 4918's Insufficient Storage: try again once space is freed
      return 507;
    case Errc::outcome_pending:  // accepted for processing, outcome not known yet
      return 202;
  }
  return 500;
}

std::string error_body(std::string_view code, std::string_view message) {
  const nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
  // A message may quote the client's invalid UTF-8 back: replace it rather than fail.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

ApiResponse error_response(int status, std::string_view code, std::string_view message) {
  ApiResponse response;
  response.status = status;
  response.body = error_body(code, message);
  if (status == 401) response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"paystream\"");
  return response;
}

ApiResponse error_response(const Error& error) {
  return error_response(http_status_of(error.code), errc_name(error.code), error.message);
}

}  // namespace paystream::http
