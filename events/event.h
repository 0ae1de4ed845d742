#pragma once
// The facts the ledger records. An Event is immutable once appended; corrections are new events.
// The flat struct mirrors the Cap'n Proto schema (events/schema/events.capnp): each event type uses
// the fields its comment names and leaves the rest at their defaults, which the codec checks.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/money.h"
#include "events/time.h"

namespace paystream {

// A position in the log: the sequence number of an event, from 1. A payment record's ID is the
// position of the event that made it.
struct LogPosition {
  uint64_t value = 0;
  auto operator<=>(const LogPosition&) const = default;
};

enum class AccountType : uint8_t { direct = 0, agent = 1, clearing = 2 };
enum class PaymentType : uint8_t {
  payment = 1,
  credit = 2,
  make_zero = 3,
  reversal = 4,
  adjustment = 5,
  phone_card = 6,
  minimum_consumption = 7,
};
enum class PaymentMethod : uint8_t { cash = 0, card = 1, other = 2 };

const char* account_type_name(AccountType type);
std::optional<AccountType> parse_account_type(std::string_view text);
const char* payment_type_name(PaymentType type);
std::optional<PaymentType> parse_payment_type(std::string_view text);
const char* payment_method_name(PaymentMethod method);
std::optional<PaymentMethod> parse_payment_method(std::string_view text);

// 1–64 characters of A-Za-z0-9._-, other than "." and ".." (which a URL path cannot carry).
bool is_valid_account_id(std::string_view id);
Status check_account_id(std::string_view id);

struct AccountSettings {
  std::string name;
  AccountType type = AccountType::direct;
  std::string parent;  // agent account ID, empty when none
  Money monthly_min;
  Money monthly_max;  // zero: no maximum
  std::optional<Date> expires_on;
  bool locked = false;
  bool operator==(const AccountSettings&) const = default;
};

// Operators: who may act on the ledger (domain.md "Agents and operators"). Rights are events too,
// so a replay knows who could do what when.
enum class OperatorRole : uint8_t { admin = 0, finance = 1, agent = 2, auditor = 3 };
const char* operator_role_name(OperatorRole role);
std::optional<OperatorRole> parse_operator_role(std::string_view text);

// What an agent operator was allowed (bits of OperatorSettings::permissions); other roles have none.
enum class Permission : uint32_t {
  pay_self = 1,            // pay-self: payments into its agent account
  pay_sub_accounts = 2,    // pay-sub-accounts: payments into the agent's sub-accounts
  set_overdraft = 4,       // set-overdraft: credit (overdraft limit) on the agent's sub-accounts
  adjust = 8,              // adjust: adjustments on its tree
  set_own_overdraft = 16,  // set-own-overdraft: credit on the agent account itself
  reverse = 32,            // reverse: reversals of records made by the agent's own operators
  reverse_any = 64,        // reverse-any: reversals of any record of its tree
};
inline constexpr uint32_t all_permissions = 127;
const char* permission_name(Permission permission);  // "pay-self", ...
std::optional<Permission> parse_permission(std::string_view text);
std::string permissions_text(uint32_t permissions);  // "pay-self,adjust" ("" when none)
Result<uint32_t> parse_permissions(std::string_view comma_separated);

// 1-64 characters of A-Za-z0-9._-, other than "." and ".." (as account IDs).
Status check_operator_name(std::string_view name);

// How a bearer token is recognised without being stored: the token is "pst_<id>_<secret>"; the
// log keeps the id (to find the operator) and SHA-256(salt || token).
struct TokenCredential {
  std::string id;    // 16 hex characters, unique among operators
  std::string salt;  // 16 bytes
  std::string hash;  // 32 bytes
  bool operator==(const TokenCredential&) const = default;
};

struct OperatorSettings {
  std::string name;
  OperatorRole role = OperatorRole::auditor;
  std::string agent_account;  // agent role only: the agent account whose tree it acts on
  uint32_t permissions = 0;   // agent role only: Permission bits
  bool disabled = false;
  TokenCredential token;
  bool operator==(const OperatorSettings&) const = default;
};

// Retention (domain.md "Retention"): the payment records of [from, before) were exported to a file
// and removed from the query tables. The events themselves stay in the log.
struct RecordsCleanup {
  Timestamp from;  // the previous cleanup's `before` (zero: the log's start)
  Timestamp before;
  uint64_t count = 0;         // records exported and removed
  std::string export_sha256;  // SHA-256 of the export file, 32 bytes
  std::string export_file;    // the export's file name (no directory)
  bool operator==(const RecordsCleanup&) const = default;
};

enum class EventType : uint8_t {
  account_opened = 1,       // account_id, settings, overdraft_after
  account_updated = 2,      // account_id, settings (the whole new settings)
  payment_recorded = 3,     // payment record: amount > 0, method, balance_*, expires_*
  credit_set = 4,           // payment record: amount = new limit, overdraft_before/after
  balance_zeroed = 5,       // payment record: amount = -(balance before)
  reversal_recorded = 6,    // payment record: reverses, reversed_type, amount, balance_*, overdraft_*
  adjustment_recorded = 7,  // payment record: signed amount, balance_*
  parameter_set = 8,        // parameter_name, parameter_value (account_id empty)
  operator_added = 9,       // operator_settings
  operator_updated = 10,    // operator_settings (the whole new settings: disabled, a new token)
  charge_recorded = 11,     // a call's charge: amount >= 0, balance_* (after = before - amount), call_*
  minimum_charged =
      12,  // payment record (minimum_consumption): amount = -shortfall, balance_*, minimum_month
  // Phone cards (domain.md "Phone cards"): the card's own events name no account_id.
  card_issued = 13,            // card_number, card_batch, amount = face value, expires_after = expiry
  card_redeemed = 14,          // card_number, card_account = the account paid, amount = value
  card_payment_recorded = 15,  // payment record (phone_card, method card): card_number, balance_*
  card_pin_failed = 16,        // card_number, card_pin_failures (5 locks the card)
  card_disabled = 17,          // card_number, memo
  records_cleaned_up = 18,     // cleanup (account_id empty): payment records left the query tables
  // Kafka mode, a card paying an account of another partition (docs/kafka.md, "Phone cards").
  card_payment_refused = 19,  // card_number, card_account, amount, card_redemption, card_refusal, memo
  card_returned = 20,         // card_number, card_account, amount, card_redemption, card_refusal, memo
};
const char* event_type_name(EventType type);

struct Event {
  EventType type = EventType::payment_recorded;
  LogPosition position;  // assigned when appended
  Timestamp time;        // engine time, UTC; never decreases along the log
  std::string account_id;
  std::string command_id;
  std::string operator_name;
  std::string memo;

  Money amount;  // the payment record's amount (see EventType)
  Money balance_before;
  Money balance_after;
  Money overdraft_before;
  Money overdraft_after;
  std::optional<Date> expires_before;
  std::optional<Date> expires_after;
  PaymentMethod method = PaymentMethod::cash;
  LogPosition reverses;  // reversal: the record it undoes
  PaymentType reversed_type = PaymentType::payment;

  AccountSettings settings;

  std::string parameter_name;
  int64_t parameter_value = 0;

  OperatorSettings operator_settings;  // operator events only

  // charge_recorded only: the call charged.
  Timestamp call_start;
  std::optional<uint32_t> call_duration_seconds;
  std::string caller;
  std::string callee;

  int32_t minimum_month = 0;  // minimum_charged only: the month whose shortfall it charges

  // Card events and card_payment_recorded: the card. Never its PIN, nor what recognises it.
  std::string card_number;
  std::string card_batch;          // card_issued only
  std::string card_account;        // card_redeemed only: the account its value paid
  uint32_t card_pin_failures = 0;  // card_pin_failed only: wrong PINs so far, this one included
  LogPosition card_redemption;     // the CardRedeemed a payment on another partition follows; 0: none
  std::string card_refusal;        // card_payment_refused, card_returned: the payment's errc name

  RecordsCleanup cleanup;  // records_cleaned_up only

  // SHA-256 of the encoded previous event of this log (zeros for the first).
  std::array<uint8_t, 32> prev_hash{};

  bool operator==(const Event&) const = default;
};

// Payment-record events are those listed in the payment records query.
bool is_payment_record(EventType type);
// The payment type a record event shows as (only for is_payment_record types).
PaymentType payment_type_of(EventType type);

}  // namespace paystream
