#include "engine/domain/ledger_state.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <limits>

namespace paystream {

const std::vector<ParameterInfo>& parameter_catalog() {
  static const std::vector<ParameterInfo> catalog = {
      {"SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY", "days a payment extends the expiration", false, 0, 36'500},
      {"SERVER_MINIMUM_CONSUMPTION_CHARGE_TIME",
       "hour at which the monthly minimum is charged (24: end of day)", false, 0, 24},
      {"SERVER_MINIMUM_CONSUMPTION_ENABLED", "monthly minimum charging on (1) or off (0)", false, 0, 1},
      {"SERVER_CUSTOMER_OVERDRAFT_LIMIT", "overdraft limit of a new account", true, 0,
       std::numeric_limits<int64_t>::max()},
      {"AGENT_OVERDRAFT_LIMIT_MAX", "highest overdraft limit an agent operator may set", true, 0,
       std::numeric_limits<int64_t>::max()},
      {"RECORD_RETENTION_DAYS", "days payment records stay in the query tables (0: forever)", false, 0,
       36'500},
  };
  return catalog;
}

const ParameterInfo* find_parameter(std::string_view name) {
  for (const ParameterInfo& info : parameter_catalog()) {
    if (name == info.name) return &info;
  }
  return nullptr;
}

namespace {

int64_t* parameter_slot(Parameters& parameters, std::string_view name) {
  if (name == "SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY") return &parameters.pay_delay_expire_days;
  if (name == "SERVER_MINIMUM_CONSUMPTION_CHARGE_TIME") return &parameters.minimum_consumption_charge_hour;
  if (name == "SERVER_MINIMUM_CONSUMPTION_ENABLED") return &parameters.minimum_consumption_enabled;
  if (name == "SERVER_CUSTOMER_OVERDRAFT_LIMIT") return &parameters.customer_overdraft_limit_micros;
  if (name == "AGENT_OVERDRAFT_LIMIT_MAX") return &parameters.agent_overdraft_limit_max_micros;
  if (name == "RECORD_RETENTION_DAYS") return &parameters.record_retention_days;
  return nullptr;
}

}  // namespace

int64_t parameter_value(const Parameters& parameters, std::string_view name) {
  int64_t* slot = parameter_slot(const_cast<Parameters&>(parameters), name);
  PAYSTREAM_ASSERT(slot != nullptr);
  return *slot;
}

void set_parameter_value(Parameters& parameters, std::string_view name, int64_t value) {
  int64_t* slot = parameter_slot(parameters, name);
  PAYSTREAM_ASSERT(slot != nullptr);
  *slot = value;
}

Result<int64_t> parse_parameter_value(const ParameterInfo& info, std::string_view text) {
  int64_t value = 0;
  if (info.is_money) {
    Result<Money> money = Money::parse(text);
    if (!money) return money.error();
    value = money->micros();
  } else {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size()) {
      return make_error(Errc::invalid_argument,
                        fmt::format("invalid value '{}' for {}: expected a whole number", text, info.name));
    }
  }
  if (value < info.min || value > info.max) {
    return make_error(
        Errc::parameter_out_of_range,
        fmt::format("{} must be between {} and {}, got {}", info.name, format_parameter_value(info, info.min),
                    format_parameter_value(info, info.max), text));
  }
  return value;
}

std::string format_parameter_value(const ParameterInfo& info, int64_t value) {
  return info.is_money ? Money::from_micros(value).to_string() : std::to_string(value);
}

const AccountState* LedgerState::find(std::string_view id) const {
  const auto it = accounts.find(std::string(id));
  return it == accounts.end() ? nullptr : &it->second;
}

const OperatorSettings* LedgerState::find_operator(std::string_view name) const {
  const auto it = operators.find(std::string(name));
  return it == operators.end() ? nullptr : &it->second;
}

const CardState* LedgerState::find_card(std::string_view number) const {
  const auto it = cards.find(std::string(number));
  return it == cards.end() ? nullptr : &it->second;
}

CardStatus card_status(const CardState& card, Date today) {
  if (card.use == CardUse::used) return CardStatus::used;
  if (card.use == CardUse::disabled) return CardStatus::disabled;
  if (card.pin_failures >= card_pin_failures_max) return CardStatus::locked;
  if (today > card.expires) return CardStatus::expired;
  return CardStatus::unused;
}

namespace {
constexpr std::array<const char*, 5> card_status_names = {"unused", "used", "disabled", "locked", "expired"};
}  // namespace

const char* card_status_name(CardStatus status) { return card_status_names[static_cast<size_t>(status)]; }

std::optional<CardStatus> parse_card_status(std::string_view text) {
  for (size_t i = 0; i < card_status_names.size(); ++i) {
    if (text == card_status_names[i]) return static_cast<CardStatus>(i);
  }
  return std::nullopt;
}

void rebuild_indexes(LedgerState& state) {
  state.operator_by_token_id.clear();
  for (const auto& [name, settings] : state.operators) state.operator_by_token_id[settings.token.id] = name;
  state.sub_accounts_of.clear();
  for (const auto& [id, account] : state.accounts) {
    if (!account.settings.parent.empty()) state.sub_accounts_of[account.settings.parent].insert(id);
  }
  state.card_batches.clear();
  for (const auto& [number, card] : state.cards) ++state.card_batches[card.batch];
}

std::optional<Consumption> add_consumption(const Consumption& consumption, int32_t month, Money amount) {
  Consumption after = consumption;
  if (month > consumption.month) {
    after.month = month;
    after.current = amount;
    after.previous = month == consumption.month + 1 ? consumption.current : Money::zero();
    return after;
  }
  Money* total = month == consumption.month       ? &after.current
                 : month == consumption.month - 1 ? &after.previous
                                                  : nullptr;
  if (total == nullptr) return after;
  const std::optional<Money> sum = total->checked_add(amount);
  if (!sum) return std::nullopt;
  *total = *sum;
  return after;
}

Timestamp minimum_due_time(int32_t month, int64_t charge_hour) {
  constexpr int64_t micros_per_hour = int64_t{3600} * 1'000'000;
  return Timestamp{start_of(first_day_of_month(month + 1)).micros + charge_hour * micros_per_hour};
}

int32_t latest_due_month(Timestamp now, int64_t charge_hour) {
  const int32_t previous = month_of(now) - 1;
  return now >= minimum_due_time(previous, charge_hour) ? previous : previous - 1;
}

MinimumShortfall minimum_shortfall(const AccountState& account, int32_t month) {
  if (account.minimum_charged_month >= month) return {MinimumVerdict::already_charged, {}, {}};
  if (account.opened >= start_of(first_day_of_month(month + 1)))
    return {MinimumVerdict::opened_after, {}, {}};
  if (month < account.consumption.month - 1) return {MinimumVerdict::consumption_gone, {}, {}};
  const Money consumed = consumption_in(account, month);
  const Money minimum = account.settings.monthly_min;
  if (minimum <= consumed) return {MinimumVerdict::reached, consumed, {}};
  // Both are non-negative, the minimum the larger: no overflow.
  return {MinimumVerdict::charge, consumed, Money::from_micros(minimum.micros() - consumed.micros())};
}

Money consumption_in(const AccountState& account, int32_t month) {
  if (month == account.consumption.month) return account.consumption.current;
  if (month == account.consumption.month - 1) return account.consumption.previous;
  return Money::zero();
}

CallAuthorization authorize_call(const AccountState& account, Timestamp now) {
  return authorize_call(account.settings, account.balance, account.overdraft,
                        consumption_in(account, month_of(now)), now);
}

}  // namespace paystream
