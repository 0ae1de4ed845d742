#include "events/event.h"

#include <catch2/catch.hpp>
#include <string>

#include "events/command.h"

namespace paystream {
namespace {

TEST_CASE("event: account type names round-trip", "[event]") {
  for (AccountType type : {AccountType::direct, AccountType::agent, AccountType::clearing}) {
    CHECK(parse_account_type(account_type_name(type)) == type);
  }
  CHECK(std::string(account_type_name(AccountType::agent)) == "agent");
  CHECK_FALSE(parse_account_type("Agent").has_value());
  CHECK_FALSE(parse_account_type("").has_value());
  CHECK_FALSE(parse_account_type("unknown").has_value());
  CHECK_FALSE(parse_account_type("agent ").has_value());
}

TEST_CASE("event: payment type names round-trip", "[event]") {
  for (int number = 1; number <= 7; ++number) {
    const auto type = static_cast<PaymentType>(number);
    CHECK(parse_payment_type(payment_type_name(type)) == type);
  }
  CHECK(std::string(payment_type_name(PaymentType::make_zero)) == "make_zero");
  CHECK(std::string(payment_type_name(PaymentType::minimum_consumption)) == "minimum_consumption");
  CHECK_FALSE(parse_payment_type("unknown").has_value());
  CHECK_FALSE(parse_payment_type("").has_value());
  CHECK_FALSE(parse_payment_type("Payment").has_value());
}

TEST_CASE("event: payment method names round-trip", "[event]") {
  for (PaymentMethod method : {PaymentMethod::cash, PaymentMethod::card, PaymentMethod::other}) {
    CHECK(parse_payment_method(payment_method_name(method)) == method);
  }
  CHECK_FALSE(parse_payment_method("cheque").has_value());
  CHECK_FALSE(parse_payment_method("unknown").has_value());
}

TEST_CASE("event: every event type has a past-tense name", "[event]") {
  CHECK(std::string(event_type_name(EventType::account_opened)) == "AccountOpened");
  CHECK(std::string(event_type_name(EventType::parameter_set)) == "ParameterSet");
  CHECK(std::string(event_type_name(EventType::operator_updated)) == "OperatorUpdated");
  CHECK(std::string(event_type_name(EventType::card_payment_refused)) == "CardPaymentRefused");
  for (int number = 1; number <= 20; ++number) {
    CHECK(std::string(event_type_name(static_cast<EventType>(number))) != "Unknown");
  }
  CHECK(std::string(event_type_name(static_cast<EventType>(21))) == "Unknown");
}

TEST_CASE("event: operator roles and permissions read back as written", "[event]") {
  for (OperatorRole role :
       {OperatorRole::admin, OperatorRole::finance, OperatorRole::agent, OperatorRole::auditor}) {
    CHECK(parse_operator_role(operator_role_name(role)) == role);
  }
  CHECK_FALSE(parse_operator_role("root").has_value());
  CHECK(parse_permissions("pay-self,adjust").value() ==
        (static_cast<uint32_t>(Permission::pay_self) | static_cast<uint32_t>(Permission::adjust)));
  CHECK(parse_permissions("").value() == 0);
  CHECK(permissions_text(all_permissions) ==
        "pay-self,pay-sub-accounts,set-overdraft,adjust,set-own-overdraft,reverse,reverse-any");
  // The bits are stored in operator events: the first four keep their values.
  CHECK(parse_permissions("set-own-overdraft,reverse,reverse-any").value() == 16 + 32 + 64);
  CHECK(parse_permissions("pay-self,pay-sub-accounts,set-overdraft,adjust").value() == 15);
  CHECK(permissions_text(parse_permissions("set-overdraft,pay-self").value()) == "pay-self,set-overdraft");
  CHECK(parse_permissions("pay-self,fly").error().code == Errc::invalid_argument);
  CHECK(parse_permissions("pay-self,").error().code == Errc::invalid_argument);
  CHECK(check_operator_name("finance.1").ok());
  CHECK_FALSE(check_operator_name("has space").ok());
  CHECK_FALSE(check_operator_name("").ok());
}

TEST_CASE("event: payment records and the payment type they show as", "[event]") {
  CHECK(is_payment_record(EventType::payment_recorded));
  CHECK(is_payment_record(EventType::credit_set));
  CHECK(is_payment_record(EventType::balance_zeroed));
  CHECK(is_payment_record(EventType::reversal_recorded));
  CHECK(is_payment_record(EventType::adjustment_recorded));
  CHECK_FALSE(is_payment_record(EventType::account_opened));
  CHECK_FALSE(is_payment_record(EventType::account_updated));
  CHECK_FALSE(is_payment_record(EventType::parameter_set));

  CHECK(payment_type_of(EventType::payment_recorded) == PaymentType::payment);
  CHECK(payment_type_of(EventType::credit_set) == PaymentType::credit);
  CHECK(payment_type_of(EventType::balance_zeroed) == PaymentType::make_zero);
  CHECK(payment_type_of(EventType::reversal_recorded) == PaymentType::reversal);
  CHECK(payment_type_of(EventType::adjustment_recorded) == PaymentType::adjustment);
}

TEST_CASE("event: the account IDs . and .. are refused, as a URL path cannot carry them", "[event]") {
  for (const char* id : {".", ".."}) {
    INFO("id '" << id << "'");
    CHECK_FALSE(is_valid_account_id(id));
    Status status = check_account_id(id);
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code == Errc::invalid_account_id);
    CHECK(status.error().message.find("other than '.' and '..'") != std::string::npos);
    CHECK_FALSE(check_operator_name(id).ok());
  }
  for (const char* id : {"...", ".a", "a.", "a..b", "._"}) {  // only the two path segments are special
    INFO("id '" << id << "'");
    CHECK(is_valid_account_id(id));
  }
}

TEST_CASE("event: account IDs are 1-64 characters of A-Za-z0-9._-", "[event]") {
  for (const char* id :
       {"1", "1001", "a", "Z", "acme.main", "acme_main", "acme-main", "._-", "-leading-dash"}) {
    INFO("id '" << id << "'");
    CHECK(is_valid_account_id(id));
    CHECK(check_account_id(id).ok());
  }
  CHECK(is_valid_account_id(std::string(64, 'a')));
  CHECK_FALSE(is_valid_account_id(std::string(65, 'a')));
  for (const char* id : {"", " ", "a b", " 1", "1 ", "a/b", "a:b", "a@b", "ü", "a\tb", "a,b", "a+b", "a*"}) {
    INFO("id '" << id << "'");
    CHECK_FALSE(is_valid_account_id(id));
    Status status = check_account_id(id);
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code == Errc::invalid_account_id);
  }
  CHECK_FALSE(is_valid_account_id(std::string_view("a\0b", 3)));
}

TEST_CASE("event: the account ID error names the ID and the rule", "[event]") {
  Status status = check_account_id("a b");
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message.find("'a b'") != std::string::npos);
  CHECK(status.error().message.find("1-64") != std::string::npos);
}

TEST_CASE("event: command IDs are 1-128 printable ASCII characters", "[event]") {
  CHECK(check_command_id("c-1").ok());
  CHECK(check_command_id(std::string(128, 'x')).ok());
  CHECK(check_command_id("~!@#$%^&*()").ok());
  for (const std::string& id : {std::string(), std::string(129, 'x'), std::string("a b"), std::string("a\nb"),
                                std::string("\x7f"), std::string("é")}) {
    Status status = check_command_id(id);
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code == Errc::invalid_argument);
  }
}

TEST_CASE("event: every command kind has a name", "[event]") {
  CHECK(std::string(command_name(OpenAccount{})) == "OpenAccount");
  CHECK(std::string(command_name(UpdateAccount{})) == "UpdateAccount");
  CHECK(std::string(command_name(Pay{})) == "Pay");
  CHECK(std::string(command_name(SetCredit{})) == "SetCredit");
  CHECK(std::string(command_name(MakeZero{})) == "MakeZero");
  CHECK(std::string(command_name(Reverse{})) == "Reverse");
  CHECK(std::string(command_name(Adjust{})) == "Adjust");
  CHECK(std::string(command_name(SetParameter{})) == "SetParameter");
}

}  // namespace
}  // namespace paystream
