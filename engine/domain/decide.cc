// decide: one function per command, each rule an early return, ordered by precedence: the input's
// form first, then existence, then the ledger's rules, then arithmetic limits.
#include "engine/domain/decide.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/domain/access.h"
#include "engine/domain/decide_support.h"

namespace paystream {
namespace {

constexpr size_t name_bytes_max = 256;
constexpr size_t memo_bytes_max = 1024;

using namespace decide_support;

Status check_memo(std::string_view memo) {
  if (memo.size() <= memo_bytes_max) return ok_status();
  return reject(Errc::invalid_argument,
                fmt::format("memo is {} bytes; at most {} are allowed", memo.size(), memo_bytes_max));
}

Status check_name(std::string_view name) {
  if (!name.empty() && name.size() <= name_bytes_max) return ok_status();
  return reject(Errc::invalid_argument,
                fmt::format("account name must be 1-{} bytes, got {}", name_bytes_max, name.size()));
}

Status check_monthly(Money min, Money max) {
  if (min < Money::zero() || max < Money::zero()) {
    return reject(Errc::amount_must_not_be_negative,
                  fmt::format("monthly minimum and maximum must not be negative, got {} and {}",
                              min.to_string(), max.to_string()));
  }
  if (max > Money::zero() && min > max) {
    return reject(
        Errc::monthly_range_invalid,
        fmt::format("monthly minimum {} is above the monthly maximum {}", min.to_string(), max.to_string()));
  }
  return ok_status();
}

// A parent must be an existing agent, and an agent has no parent: sub-accounts are one level deep,
// so no chain of parents can loop.
Status check_parent(const LedgerState& state, std::string_view account_id, const AccountSettings& settings) {
  if (settings.parent.empty()) return ok_status();
  if (settings.parent == account_id) {
    return reject(Errc::parent_not_allowed, fmt::format("account '{}' cannot be its own parent", account_id));
  }
  const AccountState* parent = state.find(settings.parent);
  if (parent == nullptr) {
    return reject(Errc::parent_not_found, fmt::format("parent agent '{}' does not exist", settings.parent));
  }
  if (parent->settings.type != AccountType::agent) {
    return reject(Errc::parent_not_agent,
                  fmt::format("parent '{}' is a {} account, not an agent", settings.parent,
                              account_type_name(parent->settings.type)));
  }
  if (settings.type == AccountType::agent) {
    return reject(
        Errc::parent_not_allowed,
        fmt::format("agent account '{}' cannot have a parent: sub-accounts are one level deep", account_id));
  }
  return ok_status();
}

Status check_settings(const LedgerState& state, std::string_view account_id,
                      const AccountSettings& settings) {
  if (Status status = check_name(settings.name); !status) return status;
  if (Status status = check_monthly(settings.monthly_min, settings.monthly_max); !status) return status;
  return check_parent(state, account_id, settings);
}

Status add_payment_event(Events& events, const AccountState& account, Money amount, const Command& command,
                         const Context& context, const Parameters& parameters, std::string memo,
                         PaymentMethod method) {
  if (amount <= Money::zero()) {
    return reject(Errc::amount_must_be_positive,
                  fmt::format("payment amount must be positive, got {}", amount.to_string()));
  }
  const std::optional<Money> after = account.balance.checked_add(amount);
  if (!after) {
    return reject(Errc::balance_would_overflow, fmt::format("paying {} into '{}' would overflow its balance",
                                                            amount.to_string(), account.id));
  }
  Event& event =
      add_record_event(events, EventType::payment_recorded, command, context, account, std::move(memo));
  event.amount = amount;
  event.balance_after = *after;
  event.method = method;
  event.expires_after = extended_expiry(account, context, parameters);
  return ok_status();
}

Status decide_open(const LedgerState& state, const Command& command, const OpenAccount& open,
                   const Context& context, Events& events) {
  if (Status status = check_account_id(open.account_id); !status) return status.error();
  if (state.find(open.account_id) != nullptr) {
    return reject(Errc::account_exists, fmt::format("account '{}' already exists", open.account_id));
  }
  if (Status status = check_settings(state, open.account_id, open.settings); !status) return status.error();
  const Money overdraft =
      open.overdraft.value_or(Money::from_micros(state.parameters.customer_overdraft_limit_micros));
  if (overdraft < Money::zero()) {
    return reject(Errc::amount_must_not_be_negative,
                  fmt::format("overdraft limit must not be negative, got {}", overdraft.to_string()));
  }
  Event& opened = add_base_event(events, EventType::account_opened, command, context, "");
  opened.account_id = open.account_id;
  opened.settings = open.settings;
  opened.overdraft_after = overdraft;
  opened.expires_after = open.settings.expires_on;
  if (!open.initial_balance) return ok_status();
  AccountState account;
  account.id = open.account_id;
  account.settings = open.settings;
  account.overdraft = overdraft;
  return add_payment_event(events, account, *open.initial_balance, command, context, state.parameters,
                           "initial balance", PaymentMethod::cash);
}

AccountSettings updated_settings(const AccountSettings& current, const UpdateAccount& update) {
  AccountSettings settings = current;
  if (update.name) settings.name = *update.name;
  if (update.type) settings.type = *update.type;
  if (update.parent) settings.parent = *update.parent;
  if (update.monthly_min) settings.monthly_min = *update.monthly_min;
  if (update.monthly_max) settings.monthly_max = *update.monthly_max;
  if (update.expires_on) settings.expires_on = *update.expires_on;
  if (update.locked) settings.locked = *update.locked;
  return settings;
}

Status decide_update(const LedgerState& state, const Command& command, const UpdateAccount& update,
                     const Context& context, Events& events) {
  const AccountState* account = state.find(update.account_id);
  if (account == nullptr) return account_not_found(update.account_id);
  const AccountSettings settings = updated_settings(account->settings, update);
  if (settings == account->settings) {
    return reject(Errc::nothing_to_change,
                  fmt::format("account '{}' already has these settings", account->id));
  }
  if (Status status = check_settings(state, account->id, settings); !status) return status.error();
  if (account->sub_accounts > 0 && settings.type != AccountType::agent) {
    return reject(Errc::account_has_sub_accounts,
                  fmt::format("agent '{}' has {} sub-accounts; move them before changing its type",
                              account->id, account->sub_accounts));
  }
  Event& event = add_base_event(events, EventType::account_updated, command, context, "");
  event.account_id = account->id;
  event.settings = settings;
  event.overdraft_before = event.overdraft_after = account->overdraft;
  event.expires_before = account->settings.expires_on;
  event.expires_after = settings.expires_on;
  return ok_status();
}

Status decide_pay(const LedgerState& state, const Command& command, const Pay& pay, const Context& context,
                  Events& events) {
  const AccountState* account = state.find(pay.account_id);
  if (account == nullptr) return account_not_found(pay.account_id);
  return add_payment_event(events, *account, pay.amount, command, context, state.parameters, pay.memo,
                           pay.method);
}

Status decide_credit(const LedgerState& state, const Command& command, const SetCredit& credit,
                     const Context& context, Events& events) {
  const AccountState* account = state.find(credit.account_id);
  if (account == nullptr) return account_not_found(credit.account_id);
  if (credit.limit < Money::zero()) {
    return reject(
        Errc::amount_must_not_be_negative,
        fmt::format("credit (overdraft limit) must not be negative, got {}", credit.limit.to_string()));
  }
  Event& event = add_record_event(events, EventType::credit_set, command, context, *account, credit.memo);
  event.amount = credit.limit;
  event.overdraft_after = credit.limit;
  return ok_status();
}

Status decide_make_zero(const LedgerState& state, const Command& command, const MakeZero& zero,
                        const Context& context, Events& events) {
  const AccountState* account = state.find(zero.account_id);
  if (account == nullptr) return account_not_found(zero.account_id);
  const std::optional<Money> removed = account->balance.checked_negate();
  if (!removed) {
    return reject(Errc::balance_would_overflow,
                  fmt::format("the balance of '{}' cannot be recorded negated", account->id));
  }
  Event& event = add_record_event(events, EventType::balance_zeroed, command, context, *account, zero.memo);
  event.amount = *removed;
  event.balance_after = Money::zero();
  return ok_status();
}

Status decide_adjust(const LedgerState& state, const Command& command, const Adjust& adjust,
                     const Context& context, Events& events) {
  const AccountState* account = state.find(adjust.account_id);
  if (account == nullptr) return account_not_found(adjust.account_id);
  if (adjust.amount == Money::zero()) {
    return reject(Errc::amount_must_not_be_zero, "adjustment amount must not be zero");
  }
  const std::optional<Money> after = account->balance.checked_add(adjust.amount);
  if (!after) {
    return reject(Errc::balance_would_overflow, fmt::format("adjusting '{}' by {} would overflow its balance",
                                                            account->id, adjust.amount.to_string()));
  }
  Event& event =
      add_record_event(events, EventType::adjustment_recorded, command, context, *account, adjust.memo);
  event.amount = adjust.amount;
  event.balance_after = *after;
  return ok_status();
}

Status decide_set_parameter(const Command& command, const SetParameter& set, const Context& context,
                            Events& events) {
  const ParameterInfo* info = find_parameter(set.name);
  if (info == nullptr)
    return reject(Errc::unknown_parameter, fmt::format("unknown parameter '{}'", set.name));
  if (set.value < info->min || set.value > info->max) {
    return reject(
        Errc::parameter_out_of_range,
        fmt::format("{} must be between {} and {}, got {}", info->name,
                    format_parameter_value(*info, info->min), format_parameter_value(*info, info->max),
                    format_parameter_value(*info, set.value)));
  }
  Event& event = add_base_event(events, EventType::parameter_set, command, context, "");
  event.parameter_name = set.name;
  event.parameter_value = set.value;
  return ok_status();
}

}  // namespace

// decide_reverse.cc
Status decide_reverse(const LedgerState& state, const Command& command, const Reverse& reverse,
                      const Context& context, Events& events);
// decide_operators.cc
Status decide_add_operator(const LedgerState& state, const Command& command, const AddOperator& add,
                           const Context& context, Events& events);
Status decide_disable_operator(const LedgerState& state, const Command& command,
                               const DisableOperator& disable, const Context& context, Events& events);
Status decide_rotate_operator_token(const LedgerState& state, const Command& command,
                                    const RotateOperatorToken& rotate, const Context& context,
                                    Events& events);
// decide_card.cc
Status decide_issue_cards(const LedgerState& state, const Command& command, const IssueCards& issue,
                          const Context& context, Events& events);
Status decide_redeem_card(const LedgerState& state, const Command& command, const RedeemCard& redeem,
                          const Context& context, Events& events);
Status decide_disable_card(const LedgerState& state, const Command& command, const DisableCard& disable,
                           const Context& context, Events& events);
Status check_card_follow_on_id(const Command& command);
Status decide_record_card_payment(const LedgerState& state, const Command& command,
                                  const RecordCardPayment& payment, const Context& context, Events& events);
void record_card_payment_refused(const Command& command, const RecordCardPayment& payment,
                                 const Error& refusal, const Context& context, Events& events);
Status decide_return_card(const LedgerState& state, const Command& command, const ReturnCard& give_back,
                          const Context& context, Events& events);
// decide_retention.cc
Status decide_clean_up_records(const Command& command, const CleanUpRecords& clean, const Context& context,
                               Events& events);
// decide_charge.cc
Status decide_charge(const LedgerState& state, const Command& command, const Charge& charge,
                     const Context& context, Events& events);
Status decide_minimum_charge(const LedgerState& state, const Command& command, const MinimumCharge& minimum,
                             const Context& context, Events& events);

namespace {

// Appends the events of a command that passed the checks common to all commands.
Status decide_body(const LedgerState& state, const Command& command, const Context& context, Events& events) {
  struct Visitor {
    const LedgerState& state;
    const Command& command;
    const Context& context;
    Events& events;
    Status operator()(const OpenAccount& body) const {
      return decide_open(state, command, body, context, events);
    }
    Status operator()(const UpdateAccount& body) const {
      return decide_update(state, command, body, context, events);
    }
    Status operator()(const Pay& body) const { return decide_pay(state, command, body, context, events); }
    Status operator()(const SetCredit& body) const {
      return decide_credit(state, command, body, context, events);
    }
    Status operator()(const MakeZero& body) const {
      return decide_make_zero(state, command, body, context, events);
    }
    Status operator()(const Reverse& body) const {
      return decide_reverse(state, command, body, context, events);
    }
    Status operator()(const Adjust& body) const {
      return decide_adjust(state, command, body, context, events);
    }
    Status operator()(const SetParameter& body) const {
      return decide_set_parameter(command, body, context, events);
    }
    Status operator()(const AddOperator& body) const {
      return decide_add_operator(state, command, body, context, events);
    }
    Status operator()(const DisableOperator& body) const {
      return decide_disable_operator(state, command, body, context, events);
    }
    Status operator()(const RotateOperatorToken& body) const {
      return decide_rotate_operator_token(state, command, body, context, events);
    }
    Status operator()(const Charge& body) const {
      return decide_charge(state, command, body, context, events);
    }
    Status operator()(const MinimumCharge& body) const {
      return decide_minimum_charge(state, command, body, context, events);
    }
    Status operator()(const IssueCards& body) const {
      return decide_issue_cards(state, command, body, context, events);
    }
    Status operator()(const RedeemCard& body) const {
      return decide_redeem_card(state, command, body, context, events);
    }
    Status operator()(const DisableCard& body) const {
      return decide_disable_card(state, command, body, context, events);
    }
    Status operator()(const CleanUpRecords& body) const {
      return decide_clean_up_records(command, body, context, events);
    }
    Status operator()(const RecordCardPayment& body) const {
      return decide_record_card_payment(state, command, body, context, events);
    }
    Status operator()(const ReturnCard& body) const {
      return decide_return_card(state, command, body, context, events);
    }
  };
  return std::visit(Visitor{state, command, context, events}, command.body);
}

// Every check, then the command's own decision.
Status decide_checked(const LedgerState& state, const Command& command, const Context& context,
                      Events& events) {
  const std::string_view memo = std::visit(
      [](const auto& body) -> std::string_view {
        if constexpr (requires { body.memo; }) return body.memo;
        return {};
      },
      command.body);
  if (Status status = check_memo(memo); !status) return status;
  // Rights before existence: an agent learns nothing about accounts outside its tree.
  Result<Access> access = access_of(state, command.operator_name);
  if (!access) return access.error();
  if (Status status =
          check_may_run(state, *access, command.body, context.reversal_target, context.account_elsewhere);
      !status) {
    return status;
  }
  if (!is_engine_command(command.body)) {
    if (Status status = check_command_id_scope(state, *access, command.command_id); !status) return status;
  }
  const size_t before = events.size();
  Status decided = decide_body(state, command, context, events);
  // A command refused after its first event (an account opened with an invalid initial balance)
  // leaves nothing behind.
  if (!decided) events.erase(events.begin() + static_cast<std::ptrdiff_t>(before), events.end());
  return decided;
}

}  // namespace

Status decide_into(const LedgerState& state, const Command& command, const Context& context, Events& events) {
  if (Status status = check_command_id(command.command_id); !status) return status;
  if (is_engine_command(command.body)) {
    if (!context.engine_commands) {
      return make_error(Errc::invalid_argument,
                        fmt::format("a {} is made by Kafka mode's engine only", command_name(command.body)));
    }
    if (Status status = check_card_follow_on_id(command); !status) return status;
  }
  // The card was used by a decision already made on its own partition: undoing it needs no rights.
  if (const auto* give_back = std::get_if<ReturnCard>(&command.body)) {
    return decide_return_card(state, command, *give_back, context, events);
  }
  Status decided = decide_checked(state, command, context, events);
  // Every refusal of a card's payment is recorded (a copy of the command gets the same answer) and
  // gives the card back (docs/kafka.md, "Phone cards in Kafka mode").
  if (const auto* payment = std::get_if<RecordCardPayment>(&command.body); payment != nullptr && !decided) {
    record_card_payment_refused(command, *payment, decided.error(), context, events);
    return ok_status();
  }
  return decided;
}

Result<Events> decide(const LedgerState& state, const Command& command, const Context& context) {
  Events events;
  if (Status status = decide_into(state, command, context, events); !status) return status.error();
  return events;
}

}  // namespace paystream
