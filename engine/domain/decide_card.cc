// decide for the phone card commands (domain.md "Phone cards"): issuing a batch, redeeming a card
// into an account, disabling one. A redemption's refusals are ordered so that they reveal nothing
// to someone guessing: an unknown number and a wrong PIN get the same answer, and the card's state
// is told only to whoever knows its PIN (or once it is locked, when guessing has ended anyway).
#include <fmt/format.h>

#include <algorithm>
#include <span>
#include <unordered_set>

#include "engine/domain/decide_support.h"
#include "engine/domain/salted_hash.h"

namespace paystream {
namespace {

using namespace decide_support;

constexpr size_t card_number_digits_min = 8;
constexpr size_t card_number_digits_max = 32;
constexpr size_t card_pin_bytes_max = 64;
constexpr size_t card_salt_bytes = 16;
constexpr size_t card_hash_bytes = 32;

bool is_card_number(std::string_view number) {
  return number.size() >= card_number_digits_min && number.size() <= card_number_digits_max &&
         std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Status check_batch(const LedgerState& state, const IssueCards& issue, const Context& context) {
  if (!is_valid_account_id(issue.batch)) {
    return reject(Errc::invalid_argument,
                  fmt::format("batch name '{}' must be 1-64 characters of A-Za-z0-9._-", issue.batch));
  }
  const bool exists = state.card_batches.contains(issue.batch);
  if (issue.chunk == 0 && exists) {
    return reject(Errc::card_exists, fmt::format("card batch '{}' already exists", issue.batch));
  }
  if (issue.chunk > 0 && !exists) {
    return reject(Errc::invalid_argument, fmt::format("chunk {} of card batch '{}' comes before its chunk 0",
                                                      issue.chunk, issue.batch));
  }
  if (issue.value <= Money::zero()) {
    return reject(Errc::amount_must_be_positive,
                  fmt::format("a card's value must be positive, got {}", issue.value.to_string()));
  }
  if (issue.expires < date_of(context.now)) {
    return reject(Errc::invalid_date,
                  fmt::format("the cards would expire on {}, before today ({})", format_date(issue.expires),
                              format_date(date_of(context.now))));
  }
  if (issue.cards.empty() || issue.cards.size() > card_chunk_cards_max) {
    return reject(Errc::invalid_argument, fmt::format("a chunk of a card batch holds 1-{} cards, not {}",
                                                      card_chunk_cards_max, issue.cards.size()));
  }
  return ok_status();
}

Status check_issued(const LedgerState& state, const IssueCards& issue) {
  std::unordered_set<std::string_view> numbers;
  numbers.reserve(issue.cards.size());
  for (const IssuedCard& card : issue.cards) {
    if (!is_card_number(card.number)) {
      return reject(Errc::invalid_argument, fmt::format("card number '{}' must be {}-{} digits", card.number,
                                                        card_number_digits_min, card_number_digits_max));
    }
    if (card.secret.salt.size() != card_salt_bytes || card.secret.hash.size() != card_hash_bytes) {
      return reject(Errc::invalid_argument, fmt::format("card {}: a PIN's salt is {} bytes and its hash {}",
                                                        card.number, card_salt_bytes, card_hash_bytes));
    }
    if (!numbers.insert(card.number).second || state.find_card(card.number) != nullptr) {
      return reject(Errc::card_exists, fmt::format("card number {} is already issued", card.number));
    }
  }
  return ok_status();
}

Error wrong_card_or_pin() { return reject(Errc::wrong_card_or_pin, "wrong card number or PIN"); }

Status check_redeemable(const CardState& card, const Context& context) {
  switch (card_status(card, date_of(context.now))) {
    case CardStatus::unused:
      return ok_status();
    case CardStatus::used:
      return reject(Errc::card_used, fmt::format("card {} has already been used", card.number));
    case CardStatus::disabled:
      return reject(Errc::card_disabled, fmt::format("card {} is disabled", card.number));
    case CardStatus::locked:
      return reject(Errc::card_locked,
                    fmt::format("card {} is locked after {} wrong PINs", card.number, card_pin_failures_max));
    case CardStatus::expired:
      return reject(Errc::card_expired,
                    fmt::format("card {} expired on {}", card.number, format_date(card.expires)));
  }
  return ok_status();
}

}  // namespace

Status decide_issue_cards(const LedgerState& state, const Command& command, const IssueCards& issue,
                          const Context& context, Events& events) {
  if (Status status = check_batch(state, issue, context); !status) return status;
  if (Status status = check_issued(state, issue); !status) return status;
  events.reserve(events.size() + issue.cards.size());
  for (const IssuedCard& card : issue.cards) {
    Event& event = add_base_event(events, EventType::card_issued, command, context, "");
    event.card_number = card.number;
    event.card_batch = issue.batch;
    event.amount = issue.value;
    event.expires_after = issue.expires;
  }
  return ok_status();
}

Status decide_redeem_card(const LedgerState& state, const Command& command, const RedeemCard& redeem,
                          const Context& context, Events& events) {
  if (redeem.pin.empty() || redeem.pin.size() > card_pin_bytes_max) {
    return reject(Errc::invalid_argument, fmt::format("a PIN is 1-{} characters", card_pin_bytes_max));
  }
  const AccountState* account = state.find(redeem.account_id);
  // Kafka mode: the account lives on another partition, which decides the payment half
  // (RecordCardPayment) and refuses it there, giving the card back, if it cannot be paid.
  const bool paid_elsewhere = account == nullptr && context.account_elsewhere;
  if (account == nullptr && !paid_elsewhere) return account_not_found(redeem.account_id);
  const CardState* card = state.find_card(redeem.number);
  if (card == nullptr || context.card_secret == nullptr) return wrong_card_or_pin();
  // Locked: no more guesses, right or wrong.
  if (card->pin_failures >= card_pin_failures_max) return check_redeemable(*card, context);
  if (!salted_hash_matches(context.card_secret->salt, context.card_secret->hash, redeem.pin)) {
    // Recorded, so the count survives a restart; the ledger answers the command as refused.
    Event& failed = add_base_event(events, EventType::card_pin_failed, command, context, "");
    failed.card_number = card->number;
    failed.card_pin_failures = card->pin_failures + 1;
    return ok_status();
  }
  if (Status status = check_redeemable(*card, context); !status) return status;
  if (paid_elsewhere) {
    Event& redeemed = add_base_event(events, EventType::card_redeemed, command, context, redeem.memo);
    redeemed.card_number = card->number;
    redeemed.card_account = redeem.account_id;
    redeemed.amount = card->value;
    return ok_status();
  }
  const std::optional<Money> after = account->balance.checked_add(card->value);
  if (!after) {
    return reject(Errc::balance_would_overflow, fmt::format("paying {} into '{}' would overflow its balance",
                                                            card->value.to_string(), account->id));
  }
  Event& redeemed = add_base_event(events, EventType::card_redeemed, command, context, "");
  redeemed.card_number = card->number;
  redeemed.card_account = account->id;
  redeemed.amount = card->value;
  Event& paid =
      add_record_event(events, EventType::card_payment_recorded, command, context, *account, redeem.memo);
  paid.card_number = card->number;
  paid.amount = card->value;
  paid.balance_after = *after;
  paid.method = PaymentMethod::card;
  paid.expires_after = extended_expiry(*account, context, state.parameters);
  return ok_status();
}

Status decide_disable_card(const LedgerState& state, const Command& command, const DisableCard& disable,
                           const Context& context, Events& events) {
  const CardState* card = state.find_card(disable.number);
  if (card == nullptr) return reject(Errc::card_not_found, fmt::format("no card {}", disable.number));
  if (card->use == CardUse::used) {
    return reject(Errc::card_used, fmt::format("card {} has already been used", card->number));
  }
  if (card->use == CardUse::disabled) {
    return reject(Errc::card_disabled, fmt::format("card {} is already disabled", card->number));
  }
  Event& event = add_base_event(events, EventType::card_disabled, command, context, disable.memo);
  event.card_number = card->number;
  return ok_status();
}

Status check_card_follow_on_id(const Command& command) {
  std::string expected;
  if (const auto* payment = std::get_if<RecordCardPayment>(&command.body)) {
    expected = card_payment_command_id(payment->number, payment->redemption);
  } else if (const auto* give_back = std::get_if<ReturnCard>(&command.body)) {
    expected = card_return_command_id(give_back->number, give_back->redemption);
  }
  if (command.command_id == expected) return ok_status();
  return reject(Errc::invalid_argument,
                fmt::format("a {}'s command ID must be '{}', not '{}'", command_name(command.body), expected,
                            command.command_id));
}

Status decide_record_card_payment(const LedgerState& state, const Command& command,
                                  const RecordCardPayment& payment, const Context& context, Events& events) {
  const AccountState* account = state.find(payment.account_id);
  if (account == nullptr) return account_not_found(payment.account_id);
  const std::optional<Money> after = account->balance.checked_add(payment.value);
  if (!after) {
    return reject(Errc::balance_would_overflow, fmt::format("paying {} into '{}' would overflow its balance",
                                                            payment.value.to_string(), account->id));
  }
  Event& paid =
      add_record_event(events, EventType::card_payment_recorded, command, context, *account, payment.memo);
  paid.card_number = payment.number;
  paid.card_redemption = payment.redemption;
  paid.amount = payment.value;
  paid.balance_after = *after;
  paid.method = PaymentMethod::card;
  paid.expires_after = extended_expiry(*account, context, state.parameters);
  return ok_status();
}

void record_card_payment_refused(const Command& command, const RecordCardPayment& payment,
                                 const Error& refusal, const Context& context, Events& events) {
  Event& refused = add_base_event(events, EventType::card_payment_refused, command, context,
                                  refusal.message.substr(0, card_refusal_message_bytes_max));
  refused.card_number = payment.number;
  refused.card_account = payment.account_id;
  refused.amount = payment.value;
  refused.card_redemption = payment.redemption;
  refused.card_refusal = errc_name(refusal.code);
}

Status decide_return_card(const LedgerState& state, const Command& command, const ReturnCard& give_back,
                          const Context& context, Events& events) {
  const CardState* card = state.find_card(give_back.number);
  if (card == nullptr) return reject(Errc::card_not_found, fmt::format("no card {}", give_back.number));
  // Only the redemption whose payment was refused is undone, once.
  if (card->use != CardUse::used || card->last_position != give_back.redemption ||
      card->redeemed_into != give_back.account_id) {
    return reject(Errc::invalid_argument, fmt::format("card {} is not held by redemption {}",
                                                      give_back.number, give_back.redemption.value));
  }
  Event& returned = add_base_event(events, EventType::card_returned, command, context,
                                   give_back.message.substr(0, card_refusal_message_bytes_max));
  returned.card_number = card->number;
  returned.card_account = give_back.account_id;
  returned.amount = card->value;
  returned.card_redemption = give_back.redemption;
  returned.card_refusal = give_back.refusal;
  return ok_status();
}

Status recorded_refusal(std::span<const Event> events) {
  for (const Event& event : events) {
    if (event.type == EventType::card_pin_failed) return wrong_card_or_pin();
    if (event.type == EventType::card_payment_refused) {
      return make_error(errc_from_name(event.card_refusal).value_or(Errc::invalid_argument), event.memo);
    }
  }
  return ok_status();
}

}  // namespace paystream
