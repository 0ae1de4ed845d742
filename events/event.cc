#include "events/event.h"

namespace paystream {

const char* account_type_name(AccountType type) {
  switch (type) {
    case AccountType::direct:
      return "direct";
    case AccountType::agent:
      return "agent";
    case AccountType::clearing:
      return "clearing";
  }
  return "unknown";
}

std::optional<AccountType> parse_account_type(std::string_view text) {
  for (AccountType type : {AccountType::direct, AccountType::agent, AccountType::clearing}) {
    if (text == account_type_name(type)) return type;
  }
  return std::nullopt;
}

const char* payment_type_name(PaymentType type) {
  switch (type) {
    case PaymentType::payment:
      return "payment";
    case PaymentType::credit:
      return "credit";
    case PaymentType::make_zero:
      return "make_zero";
    case PaymentType::reversal:
      return "reversal";
    case PaymentType::adjustment:
      return "adjustment";
    case PaymentType::phone_card:
      return "phone_card";
    case PaymentType::minimum_consumption:
      return "minimum_consumption";
  }
  return "unknown";
}

std::optional<PaymentType> parse_payment_type(std::string_view text) {
  for (int i = 1; i <= 7; ++i) {
    const auto type = static_cast<PaymentType>(i);
    if (text == payment_type_name(type)) return type;
  }
  return std::nullopt;
}

const char* payment_method_name(PaymentMethod method) {
  switch (method) {
    case PaymentMethod::cash:
      return "cash";
    case PaymentMethod::card:
      return "card";
    case PaymentMethod::other:
      return "other";
  }
  return "unknown";
}

std::optional<PaymentMethod> parse_payment_method(std::string_view text) {
  for (PaymentMethod method : {PaymentMethod::cash, PaymentMethod::card, PaymentMethod::other}) {
    if (text == payment_method_name(method)) return method;
  }
  return std::nullopt;
}

bool is_valid_account_id(std::string_view id) {
  // "." and ".." are path segments a URL resolves away (RFC 3986 5.2.4): /v1/accounts/.. would
  // never reach the account, so no HTTP client could address it.
  if (id.empty() || id.size() > 64 || id == "." || id == "..") return false;
  for (char c : id) {
    const bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                         c == '.' || c == '_' || c == '-';
    if (!allowed) return false;
  }
  return true;
}

Status check_account_id(std::string_view id) {
  if (is_valid_account_id(id)) return ok_status();
  return make_error(Errc::invalid_account_id,
                    "invalid account ID '" + std::string(id) +
                        "': expected 1-64 characters of A-Za-z0-9._-, other than '.' and '..'");
}

const char* event_type_name(EventType type) {
  switch (type) {
    case EventType::account_opened:
      return "AccountOpened";
    case EventType::account_updated:
      return "AccountUpdated";
    case EventType::payment_recorded:
      return "PaymentRecorded";
    case EventType::credit_set:
      return "CreditSet";
    case EventType::balance_zeroed:
      return "BalanceZeroed";
    case EventType::reversal_recorded:
      return "ReversalRecorded";
    case EventType::adjustment_recorded:
      return "AdjustmentRecorded";
    case EventType::parameter_set:
      return "ParameterSet";
    case EventType::operator_added:
      return "OperatorAdded";
    case EventType::operator_updated:
      return "OperatorUpdated";
    case EventType::charge_recorded:
      return "ChargeRecorded";
    case EventType::minimum_charged:
      return "MinimumCharged";
    case EventType::card_issued:
      return "CardIssued";
    case EventType::card_redeemed:
      return "CardRedeemed";
    case EventType::card_payment_recorded:
      return "CardPaymentRecorded";
    case EventType::card_pin_failed:
      return "CardPinFailed";
    case EventType::card_disabled:
      return "CardDisabled";
    case EventType::records_cleaned_up:
      return "RecordsCleanedUp";
    case EventType::card_payment_refused:
      return "CardPaymentRefused";
    case EventType::card_returned:
      return "CardReturned";
  }
  return "Unknown";
}

bool is_payment_record(EventType type) {
  switch (type) {
    case EventType::payment_recorded:
    case EventType::credit_set:
    case EventType::balance_zeroed:
    case EventType::reversal_recorded:
    case EventType::adjustment_recorded:
    case EventType::minimum_charged:
    case EventType::card_payment_recorded:
      return true;
    default:
      return false;
  }
}

PaymentType payment_type_of(EventType type) {
  switch (type) {
    case EventType::payment_recorded:
      return PaymentType::payment;
    case EventType::credit_set:
      return PaymentType::credit;
    case EventType::balance_zeroed:
      return PaymentType::make_zero;
    case EventType::reversal_recorded:
      return PaymentType::reversal;
    case EventType::adjustment_recorded:
      return PaymentType::adjustment;
    case EventType::minimum_charged:
      return PaymentType::minimum_consumption;
    case EventType::card_payment_recorded:
      return PaymentType::phone_card;
    default:
      break;
  }
  PAYSTREAM_ASSERT(false && "payment_type_of on an event that is not a payment record");
}

}  // namespace paystream
