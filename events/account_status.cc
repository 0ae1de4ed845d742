#include "events/account_status.h"

#include <algorithm>
#include <limits>

namespace paystream {

const char* account_status_name(AccountStatus status) {
  switch (status) {
    case AccountStatus::active:
      return "active";
    case AccountStatus::expired:
      return "expired";
    case AccountStatus::no_credit:
      return "no_credit";
    case AccountStatus::monthly_max_reached:
      return "monthly_max_reached";
    case AccountStatus::locked:
      return "locked";
  }
  return "unknown";
}

Money available_credit(Money balance, Money overdraft) {
  if (const std::optional<Money> sum = balance.checked_add(overdraft)) return *sum;
  return Money::from_micros(overdraft > Money::zero() ? std::numeric_limits<int64_t>::max()
                                                      : std::numeric_limits<int64_t>::min());
}

AccountStatus account_status(const AccountSettings& settings, Money balance, Money overdraft,
                             Money month_consumption, Timestamp now) {
  if (settings.locked) return AccountStatus::locked;
  // An account is usable through the whole of its expiration date.
  if (settings.expires_on && date_of(now) > *settings.expires_on) return AccountStatus::expired;
  if (available_credit(balance, overdraft) <= Money::zero()) return AccountStatus::no_credit;
  if (settings.monthly_max > Money::zero() && month_consumption >= settings.monthly_max) {
    return AccountStatus::monthly_max_reached;
  }
  return AccountStatus::active;
}

CallAuthorization authorize_call(const AccountSettings& settings, Money balance, Money overdraft,
                                 Money month_consumption, Timestamp now) {
  CallAuthorization authorization;
  authorization.status = account_status(settings, balance, overdraft, month_consumption, now);
  if (!authorization.allowed()) return authorization;
  Money most = available_credit(balance, overdraft);
  if (settings.monthly_max > Money::zero()) {
    // Both are non-negative and consumption is below the maximum here: no overflow.
    most = std::min(most, Money::from_micros(settings.monthly_max.micros() - month_consumption.micros()));
  }
  authorization.max_spend = most;
  return authorization;
}

}  // namespace paystream
