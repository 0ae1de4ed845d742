#include "tools/runtime/card_rows.h"

#include <fmt/format.h>

#include <algorithm>

namespace paystream {

void select_cards(const LedgerState& state, const CardFilter& filter, Date today,
                  std::vector<CardState>& out) {
  if (filter.number) {
    const CardState* card = state.find_card(*filter.number);
    if (card == nullptr) return;
    if ((!filter.batch || card->batch == *filter.batch) &&
        (!filter.status || card_status(*card, today) == *filter.status)) {
      out.push_back(*card);
    }
    return;
  }
  for (const auto& [number, card] : state.cards) {
    if (filter.batch && card.batch != *filter.batch) continue;
    if (filter.status && card_status(card, today) != *filter.status) continue;
    out.push_back(card);
  }
}

void sort_cards(std::vector<CardState>& cards) {
  std::sort(cards.begin(), cards.end(), [](const CardState& a, const CardState& b) {
    return std::tie(a.batch, a.number) < std::tie(b.batch, b.number);
  });
}

const std::vector<Column>& card_columns() {
  static const std::vector<Column> columns = {{"Number", "number", CellKind::text},
                                              {"Batch", "batch", CellKind::text},
                                              {"Value", "value", CellKind::amount},
                                              {"Expires", "expires", CellKind::date},
                                              {"State", "state", CellKind::text},
                                              {"Wrong PINs", "pin_failures", CellKind::integer},
                                              {"Redeemed Into", "redeemed_into", CellKind::text},
                                              {"Issued", "issued", CellKind::time},
                                              {"Changed", "changed", CellKind::time}};
  return columns;
}

std::vector<std::string> card_cells(const CardState& card, Date today) {
  return {card.number,
          card.batch,
          card.value.to_string(),
          format_date(card.expires),
          card_status_name(card_status(card, today)),
          std::to_string(card.pin_failures),
          card.redeemed_into,
          format_timestamp(card.issued),
          format_timestamp(card.changed)};
}

nlohmann::json card_json(const CardState& card, Date today) {
  nlohmann::json out = nlohmann::json::object();
  const std::vector<std::string> cells = card_cells(card, today);
  for (size_t i = 0; i < cells.size(); ++i) out[card_columns()[i].key] = cells[i];
  return out;
}

Status check_may_read_cards(const Access& access) {
  if (access.role != OperatorRole::agent) return ok_status();
  return make_error(
      Errc::forbidden,
      fmt::format("operator '{}' (agent) may not read phone cards: admin, finance and auditor may",
                  access.operator_name));
}

Result<CardStatus> card_status_argument(std::string_view text) {
  if (const std::optional<CardStatus> status = parse_card_status(text)) return *status;
  return make_error(
      Errc::invalid_argument,
      fmt::format("unknown card state '{}': expected unused, used, disabled, locked or expired", text));
}

}  // namespace paystream
