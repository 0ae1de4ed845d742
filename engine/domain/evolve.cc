// evolve: the state after an event. Each event was produced by decide() against the state it now
// applies to, so a mismatch (an unknown account, a balance_before that is not the balance) is a bug
// or an undetected corruption, and stops the engine.
#include <algorithm>

#include "engine/domain/decide.h"

namespace paystream {
namespace {

AccountState& account_of_id(LedgerState& state, const std::string& id) {
  const auto it = state.accounts.find(id);
  PAYSTREAM_ASSERT(it != state.accounts.end());
  return it->second;
}

AccountState& account_of(LedgerState& state, const Event& event) {
  return account_of_id(state, event.account_id);
}

void change_parent(LedgerState& state, const std::string& account, const std::string& from,
                   const std::string& to) {
  if (from == to) return;
  if (!from.empty()) {
    AccountState& old_parent = account_of_id(state, from);
    PAYSTREAM_ASSERT(old_parent.sub_accounts > 0);
    --old_parent.sub_accounts;
    std::set<std::string>& siblings = state.sub_accounts_of[from];
    siblings.erase(account);
    if (siblings.empty()) state.sub_accounts_of.erase(from);
  }
  if (!to.empty()) {
    ++account_of_id(state, to).sub_accounts;
    state.sub_accounts_of[to].insert(account);
  }
}

void set_operator(LedgerState& state, const OperatorSettings& settings) {
  OperatorSettings& current = state.operators[settings.name];
  if (!current.token.id.empty()) state.operator_by_token_id.erase(current.token.id);
  current = settings;
  state.operator_by_token_id[settings.token.id] = settings.name;
}

void apply_record(AccountState& account, const Event& event) {
  PAYSTREAM_ASSERT(account.balance == event.balance_before);  // paired with decide
  PAYSTREAM_ASSERT(account.overdraft == event.overdraft_before);
  account.balance = event.balance_after;
  account.overdraft = event.overdraft_after;
  account.settings.expires_on = event.expires_after;
}

CardState& card_of(LedgerState& state, const Event& event) {
  const auto it = state.cards.find(event.card_number);
  PAYSTREAM_ASSERT(it != state.cards.end());
  it->second.last_position = event.position;
  it->second.changed = event.time;
  return it->second;
}

void evolve_card(LedgerState& state, const Event& event) {
  switch (event.type) {
    case EventType::card_issued: {
      PAYSTREAM_ASSERT(state.find_card(event.card_number) == nullptr && event.expires_after);
      CardState& card = state.cards[event.card_number];
      card.number = event.card_number;
      card.batch = event.card_batch;
      card.value = event.amount;
      card.expires = *event.expires_after;
      card.issued = card.changed = event.time;
      card.last_position = event.position;
      ++state.card_batches[card.batch];
      break;
    }
    case EventType::card_redeemed: {
      CardState& card = card_of(state, event);
      PAYSTREAM_ASSERT(card.use == CardUse::unused && card.value == event.amount);  // exactly once
      card.use = CardUse::used;
      card.redeemed_into = event.card_account;
      break;
    }
    case EventType::card_pin_failed: {
      CardState& card = card_of(state, event);
      PAYSTREAM_ASSERT(event.card_pin_failures == card.pin_failures + 1);
      card.pin_failures = event.card_pin_failures;
      break;
    }
    case EventType::card_disabled: {
      CardState& card = card_of(state, event);
      PAYSTREAM_ASSERT(card.use == CardUse::unused);
      card.use = CardUse::disabled;
      break;
    }
    case EventType::card_returned: {
      CardState& card = card_of(state, event);
      PAYSTREAM_ASSERT(card.use == CardUse::used && card.redeemed_into == event.card_account);
      card.use = CardUse::unused;
      card.redeemed_into.clear();
      break;
    }
    default:
      PAYSTREAM_ASSERT(false && "evolve_card on an event of no card");
  }
}

void mark_reversed(AccountState& account, LogPosition record) {
  auto& reversed = account.reversed_records;
  const auto at = std::lower_bound(reversed.begin(), reversed.end(), record.value);
  PAYSTREAM_ASSERT(at == reversed.end() || *at != record.value);  // exactly once
  reversed.insert(at, record.value);
}

}  // namespace

const AccountState* evolve(LedgerState& state, const Event& event) {
  PAYSTREAM_ASSERT(event.position.value == state.last_position.value + 1);
  PAYSTREAM_ASSERT(event.time >= state.last_time);
  AccountState* account = nullptr;  // the event's own account; looked up once per event
  switch (event.type) {
    case EventType::account_opened: {
      PAYSTREAM_ASSERT(state.find(event.account_id) == nullptr);
      change_parent(state, event.account_id, "", event.settings.parent);
      account = &state.accounts[event.account_id];
      account->id = event.account_id;
      account->settings = event.settings;
      account->overdraft = event.overdraft_after;
      account->opened = event.time;
      break;
    }
    case EventType::account_updated: {
      account = &account_of(state, event);
      change_parent(state, event.account_id, account->settings.parent, event.settings.parent);
      account->settings = event.settings;
      break;
    }
    case EventType::payment_recorded:
    case EventType::card_payment_recorded:
    case EventType::credit_set:
    case EventType::balance_zeroed:
    case EventType::adjustment_recorded:
      account = &account_of(state, event);
      apply_record(*account, event);
      break;
    case EventType::charge_recorded: {
      account = &account_of(state, event);
      apply_record(*account, event);
      const std::optional<Consumption> consumption =
          add_consumption(account->consumption, month_of(event.call_start), event.amount);
      PAYSTREAM_ASSERT(consumption.has_value());  // decide checked it
      account->consumption = *consumption;
      break;
    }
    case EventType::minimum_charged:
      account = &account_of(state, event);
      apply_record(*account, event);
      PAYSTREAM_ASSERT(event.minimum_month > account->minimum_charged_month);  // once per month
      account->minimum_charged_month = event.minimum_month;
      break;
    case EventType::reversal_recorded: {
      account = &account_of(state, event);
      apply_record(*account, event);
      mark_reversed(*account, event.reverses);
      break;
    }
    case EventType::records_cleaned_up:  // the query tables' business: the state keeps no records
      break;
    case EventType::card_payment_refused:  // an answer recorded; the card's partition gives it back
      break;
    case EventType::parameter_set:
      set_parameter_value(state.parameters, event.parameter_name, event.parameter_value);
      break;
    case EventType::operator_added:
      PAYSTREAM_ASSERT(state.find_operator(event.operator_settings.name) == nullptr);
      set_operator(state, event.operator_settings);
      break;
    case EventType::operator_updated:
      PAYSTREAM_ASSERT(state.find_operator(event.operator_settings.name) != nullptr);
      set_operator(state, event.operator_settings);
      break;
    case EventType::card_issued:
    case EventType::card_redeemed:
    case EventType::card_pin_failed:
    case EventType::card_disabled:
    case EventType::card_returned:
      evolve_card(state, event);
      break;
  }
  if (account != nullptr) account->last_position = event.position;
  state.last_position = event.position;
  state.last_time = event.time;
  return account;
}

}  // namespace paystream
