#pragma once
// The derived status of an account and what it may spend on a call (domain.md "Accounts",
// "Consumption"). Here, below both the engine and the projections, so that the engine's
// authorization and the balance query apply one rule.
#include "events/event.h"

namespace paystream {

enum class AccountStatus { active, expired, no_credit, monthly_max_reached, locked };
const char* account_status_name(AccountStatus status);

// balance + overdraft, saturated at the int64 range (both are bounded, their sum need not be).
Money available_credit(Money balance, Money overdraft);

// The status as of `now`, given the consumption of now's calendar month (UTC); locked first, then
// expired, no credit, monthly maximum.
AccountStatus account_status(const AccountSettings& settings, Money balance, Money overdraft,
                             Money month_consumption, Timestamp now);

// May the account place a call now, and for how much at most: min(available credit, monthly
// maximum - this month's consumption when a maximum is set); zero when it may not.
struct CallAuthorization {
  AccountStatus status = AccountStatus::active;
  Money max_spend;
  bool allowed() const { return status == AccountStatus::active; }
};
CallAuthorization authorize_call(const AccountSettings& settings, Money balance, Money overdraft,
                                 Money month_consumption, Timestamp now);

}  // namespace paystream
