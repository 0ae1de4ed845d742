#pragma once
// Commands: what a caller asks the ledger to do. Imperative; carry intents and amounts to add,
// never a balance computed by the caller. Every command has an ID (the idempotency key).
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "events/event.h"

namespace paystream {

struct OpenAccount {
  std::string account_id;
  AccountSettings settings;
  std::optional<Money> overdraft;        // default: SERVER_CUSTOMER_OVERDRAFT_LIMIT
  std::optional<Money> initial_balance;  // recorded as a payment
  bool operator==(const OpenAccount&) const = default;
};

// Only the fields that are set change.
struct UpdateAccount {
  std::string account_id;
  std::optional<std::string> name;
  std::optional<AccountType> type;
  std::optional<std::string> parent;  // "" removes the parent
  std::optional<Money> monthly_min;
  std::optional<Money> monthly_max;
  std::optional<std::optional<Date>> expires_on;  // holds nullopt to remove the expiration
  std::optional<bool> locked;
  bool operator==(const UpdateAccount&) const = default;
};

struct Pay {
  std::string account_id;
  Money amount;
  std::string memo;
  PaymentMethod method = PaymentMethod::cash;
  bool operator==(const Pay&) const = default;
};

struct SetCredit {
  std::string account_id;
  Money limit;
  std::string memo;
  bool operator==(const SetCredit&) const = default;
};

struct MakeZero {
  std::string account_id;
  std::string memo;
  bool operator==(const MakeZero&) const = default;
};

struct Reverse {
  LogPosition record;
  std::string memo;
  bool operator==(const Reverse&) const = default;
};

struct Adjust {
  std::string account_id;
  Money amount;  // signed
  std::string memo;
  bool operator==(const Adjust&) const = default;
};

struct SetParameter {
  std::string name;
  int64_t value = 0;
  bool operator==(const SetParameter&) const = default;
};

// The token is made at the edge (random); the command carries only its credential.
struct AddOperator {
  OperatorSettings settings;  // disabled is false
  bool operator==(const AddOperator&) const = default;
};

struct DisableOperator {
  std::string name;
  bool operator==(const DisableOperator&) const = default;
};

// A new token; the old one stops working. Also re-enables nothing: a disabled operator stays so.
struct RotateOperatorToken {
  std::string name;
  TokenCredential token;
  bool operator==(const RotateOperatorToken&) const = default;
};

// A completed call's charge (domain.md "Consumption"). Never refused for lack of funds. The command
// ID must be charge_command_id(cdr_id): the CDR ID is the idempotency key, whoever submits it.
struct Charge {
  std::string cdr_id;
  std::string account_id;
  Money amount;  // >= 0
  Timestamp call_start;
  std::optional<uint32_t> duration_seconds;
  std::string caller;
  std::string callee;
  bool operator==(const Charge&) const = default;
};
inline constexpr std::string_view charge_command_id_prefix = "cdr:";
std::string charge_command_id(std::string_view cdr_id);

// A month's minimum consumption shortfall (domain.md "Monthly minimum"): charged once per account
// and month, when due. The command ID must be minimum_command_id(account_id, month).
struct MinimumCharge {
  std::string account_id;
  int32_t month = 0;  // month_of() index
  bool operator==(const MinimumCharge&) const = default;
};
std::string minimum_command_id(std::string_view account_id, int32_t month);

// What recognises a card's PIN without storing it: SHA-256(salt || PIN). Kept by the engine apart
// from the log (docs/events.md, "Phone cards").
struct CardSecret {
  std::string salt;  // 16 bytes
  std::string hash;  // 32 bytes
  bool operator==(const CardSecret&) const = default;
};
struct IssuedCard {
  std::string number;
  CardSecret secret;
  bool operator==(const IssuedCard&) const = default;
};

// One chunk of a batch of phone cards (domain.md "Phone cards"); the issuer made the numbers and
// PINs and splits a large batch into chunks. Chunk 0 opens the batch: its name must be new.
inline constexpr size_t card_chunk_cards_max = 1000;  // keeps a chunk's command well under a MiB
struct IssueCards {
  std::string batch;
  uint32_t chunk = 0;
  Money value;
  Date expires;  // the last day the cards can be redeemed
  std::vector<IssuedCard> cards;
  bool operator==(const IssueCards&) const = default;
};

// A phone card payment: the card's value into the account and the card used, in one decision.
struct RedeemCard {
  std::string number;
  std::string pin;
  std::string account_id;
  std::string memo;
  bool operator==(const RedeemCard&) const = default;
};

struct DisableCard {
  std::string number;
  std::string memo;
  bool operator==(const DisableCard&) const = default;
};

// Kafka mode only, made by the engine (never accepted from an operator's input): the payment half
// of a redemption whose account lives on another partition than its card (docs/kafka.md, "Phone
// cards in Kafka mode"). Its ID is card_payment_command_id(number, redemption), so that the same
// redemption pays at most once; every refusal of it is recorded, and gives the card back.
struct RecordCardPayment {
  std::string number;
  std::string account_id;
  Money value;
  std::string memo;
  LogPosition redemption;  // the card's CardRedeemed
  bool operator==(const RecordCardPayment&) const = default;
};
// Kafka mode only, made by the engine: a redemption's payment was refused, the card is redeemable
// again. Its ID is card_return_command_id(number, redemption).
struct ReturnCard {
  std::string number;
  std::string account_id;
  Money value;
  LogPosition redemption;
  std::string refusal;  // the errc name of the payment's refusal
  std::string message;
  bool operator==(const ReturnCard&) const = default;
};
std::string card_payment_command_id(std::string_view number, LogPosition redemption);
std::string card_return_command_id(std::string_view number, LogPosition redemption);

// Retention: removes the payment records before `before` from the query tables, once they were
// exported in full (count records, into the file whose SHA-256 is given). Admin only.
struct CleanUpRecords {
  RecordsCleanup cleanup;
  bool operator==(const CleanUpRecords&) const = default;
};

using CommandBody =
    std::variant<OpenAccount, UpdateAccount, Pay, SetCredit, MakeZero, Reverse, Adjust, SetParameter,
                 AddOperator, DisableOperator, RotateOperatorToken, Charge, MinimumCharge, IssueCards,
                 RedeemCard, DisableCard, CleanUpRecords, RecordCardPayment, ReturnCard>;

struct Command {
  std::string command_id;  // idempotency key; 1-128 printable ASCII characters
  std::string operator_name;
  CommandBody body;
  bool operator==(const Command&) const = default;
};

const char* command_name(const CommandBody& body);
// The commands only an engine makes (RecordCardPayment, ReturnCard): refused from any input.
bool is_engine_command(const CommandBody& body);
inline constexpr size_t command_id_bytes_max = 128;
Status check_command_id(std::string_view id);
// The ID given to a command submitted without one: "gen-" and 32 random hex digits.
std::string generate_command_id();

}  // namespace paystream
