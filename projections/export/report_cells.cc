#include "projections/export/report_cells.h"

namespace paystream {
namespace {

// What moved the balances, as settlement and clearing show it.
std::vector<Column> movement_columns() {
  return {
      {"Payments", "payments", CellKind::amount},
      {"Payment Count", "payment_count", CellKind::integer},
      {"Phone Cards", "phone_cards", CellKind::amount},
      {"Phone Card Count", "phone_card_count", CellKind::integer},
      {"Credit Count", "credit_count", CellKind::integer},
      {"Make Zero", "make_zero", CellKind::amount},
      {"Adjustments", "adjustments", CellKind::amount},
      {"Reversals", "reversals", CellKind::amount},
      {"Minimum Charges", "minimum_charges", CellKind::amount},
      {"Consumption", "consumption", CellKind::amount},
      {"Call Count", "call_count", CellKind::integer},
      {"Net Movement", "net_movement", CellKind::amount},
  };
}

void append_movement(std::vector<std::string>& cells, const MovementTotals& moved) {
  const auto amount = [&](PaymentType type) { return format_micros(moved.of(type).micros); };
  const auto count = [&](PaymentType type) { return std::to_string(moved.of(type).count); };
  cells.insert(cells.end(),
               {amount(PaymentType::payment), count(PaymentType::payment), amount(PaymentType::phone_card),
                count(PaymentType::phone_card), count(PaymentType::credit), amount(PaymentType::make_zero),
                amount(PaymentType::adjustment), amount(PaymentType::reversal),
                amount(PaymentType::minimum_consumption), format_micros(moved.charges.micros),
                std::to_string(moved.charges.count), format_micros(moved.net)});
}

std::vector<Column> joined(std::vector<Column> first, const std::vector<Column>& second,
                           const std::vector<Column>& third) {
  first.insert(first.end(), second.begin(), second.end());
  first.insert(first.end(), third.begin(), third.end());
  return first;
}

const char* check_text(bool balanced) { return balanced ? "ok" : "MISMATCH"; }

}  // namespace

const std::vector<Column>& settlement_columns() {
  static const std::vector<Column> columns =
      joined({{"Period From", "period_from", CellKind::date},
              {"Period To", "period_to", CellKind::date},
              {"Account Type", "account_type", CellKind::text},
              {"Opening Balance", "opening_balance", CellKind::amount}},
             movement_columns(),
             {{"Transferred", "transferred", CellKind::amount},
              {"Closing Balance", "closing_balance", CellKind::amount},
              {"Check", "check", CellKind::text}});
  return columns;
}

std::vector<std::string> settlement_cells(const SettlementRow& row) {
  std::vector<std::string> cells{format_date(row.first_day), format_date(row.last_day),
                                 account_type_name(row.type), format_micros(row.opening)};
  append_movement(cells, row.moved);
  cells.insert(cells.end(),
               {format_micros(row.moved.transferred), format_micros(row.closing), check_text(row.balanced)});
  return cells;
}

const std::vector<Column>& agent_income_columns() {
  static const std::vector<Column> columns = {
      {"Agent ID", "agent_id", CellKind::text},
      {"Agent Name", "agent_name", CellKind::text},
      {"Sub-account Payments", "sub_account_payments", CellKind::amount},
      {"Sub-account Payment Count", "sub_account_payment_count", CellKind::integer},
      {"Sub-account Phone Cards", "sub_account_phone_cards", CellKind::amount},
      {"Sub-account Phone Card Count", "sub_account_phone_card_count", CellKind::integer},
      {"Sub-account Consumption", "sub_account_consumption", CellKind::amount},
      {"Sub-account Call Count", "sub_account_call_count", CellKind::integer},
      {"Sub-account Minimum Charges", "sub_account_minimum_charges", CellKind::amount},
      {"Sub-account Minimum Count", "sub_account_minimum_count", CellKind::integer},
      {"Sub-account Net Movement", "sub_account_net_movement", CellKind::amount},
      {"Own Payments", "own_payments", CellKind::amount},
      {"Own Payment Count", "own_payment_count", CellKind::integer},
      {"Own Net Movement", "own_net_movement", CellKind::amount},
  };
  return columns;
}

std::vector<std::string> agent_income_cells(const AgentIncomeRow& row) {
  const MovementTotals& subs = row.sub_accounts;
  const CountedSum& payments = subs.of(PaymentType::payment);
  const CountedSum& cards = subs.of(PaymentType::phone_card);
  const CountedSum& minimum = subs.of(PaymentType::minimum_consumption);
  const CountedSum& own = row.own.of(PaymentType::payment);
  return {row.agent_id,
          row.agent_name,
          format_micros(payments.micros),
          std::to_string(payments.count),
          format_micros(cards.micros),
          std::to_string(cards.count),
          format_micros(subs.charges.micros),
          std::to_string(subs.charges.count),
          format_micros(minimum.micros),
          std::to_string(minimum.count),
          format_micros(subs.net),
          format_micros(own.micros),
          std::to_string(own.count),
          format_micros(row.own.net)};
}

const std::vector<Column>& clearing_columns() {
  static const std::vector<Column> columns =
      joined({{"Account ID", "account_id", CellKind::text},
              {"Account Name", "account_name", CellKind::text},
              {"Opening Balance", "opening_balance", CellKind::amount}},
             movement_columns(),
             {{"Closing Balance", "closing_balance", CellKind::amount}, {"Check", "check", CellKind::text}});
  return columns;
}

std::vector<std::string> clearing_cells(const ClearingRow& row) {
  std::vector<std::string> cells{row.account_id, row.account_name, row.opening.to_string()};
  append_movement(cells, row.moved);
  cells.insert(cells.end(), {row.closing.to_string(), check_text(row.balanced)});
  return cells;
}

}  // namespace paystream
