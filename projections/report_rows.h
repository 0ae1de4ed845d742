#pragma once
// The reports' rows (docs/cli.md "Reports") and the per-day totals they are summed from. A total
// over many accounts and days can pass Money's 64-bit range, so sums are kept in 128 bits.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "events/event.h"

namespace paystream {

__extension__ typedef __int128 Micros128;
__extension__ typedef unsigned __int128 UMicros128;

// As Money::to_string: "12.50", "-0.000001".
std::string format_micros(Micros128 micros);

inline constexpr size_t payment_type_count = 7;

struct CountedSum {
  uint64_t count = 0;
  Micros128 micros = 0;
  bool operator==(const CountedSum&) const = default;
};

// What moved balances over some days. Each payment type's records are counted and summed by what
// they did to the balance (credits move none: counted only; a reversal of a credit neither).
// `net` is summed separately, from each event's balance after minus before, so that
// movement_by_types() == net checks that every amount agrees with the balance it moved.
struct MovementTotals {
  std::array<CountedSum, payment_type_count> records;  // index: PaymentType - 1
  CountedSum charges;                                  // call charges: what the calls cost (positive)
  Micros128 net = 0;
  // Settlement rows only: balances that accounts changing type carried into (+) or out of (−)
  // the type that day.
  Micros128 transferred = 0;

  const CountedSum& of(PaymentType type) const { return records[static_cast<size_t>(type) - 1]; }
  CountedSum& of(PaymentType type) { return records[static_cast<size_t>(type) - 1]; }
  // The records' sums minus the charges'.
  Micros128 movement_by_types() const;
  void add(const MovementTotals& other);
  // One event's part: a payment record, or a charge.
  void count_record(PaymentType type, Money amount, Money before, Money after);
  void count_charge(Money amount, Money before, Money after);
  bool operator==(const MovementTotals&) const = default;
};

enum class ReportPeriod : uint8_t { day, month };

// The longest range of a period report: 100 years (a row per day and type stays a few MB).
inline constexpr int32_t settlement_days_max = 36'525;

// Days are UTC calendar days; `to` is the last day included.
struct SettlementQuery {
  Date from;
  Date to;
  ReportPeriod by = ReportPeriod::month;
};

// One period and account type: opening + net + transferred = closing, and `balanced` when the
// payment types' sums explain the net movement.
struct SettlementRow {
  Date first_day;
  Date last_day;
  AccountType type = AccountType::direct;
  Micros128 opening = 0;
  MovementTotals moved;
  Micros128 closing = 0;
  bool balanced = true;
};

struct AgentIncomeQuery {
  Date from;
  Date to;
  std::optional<std::string> agent;
  std::optional<std::vector<std::string>> visible_accounts;  // sorted; nullopt: every account
};

// An agent's period: what moved its sub-accounts (the sub-accounts of the event's time) and its own
// account.
struct AgentIncomeRow {
  std::string agent_id;
  std::string agent_name;
  MovementTotals sub_accounts;
  MovementTotals own;
};

struct ClearingQuery {
  Date from;        // the period starts at 00:00 UTC of this day
  Timestamp as_of;  // and ends at this moment, included
  std::optional<std::vector<std::string>> visible_accounts;
};

// A clearing account's balance at the period's start and end, and what moved it in between.
struct ClearingRow {
  std::string account_id;
  std::string account_name;
  Money opening;
  MovementTotals moved;
  Money closing;
  bool balanced = true;  // opening + net = closing, and the types' sums explain net
};

}  // namespace paystream
