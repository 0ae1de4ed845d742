#pragma once
// Phone cards as both front ends show them (`card show`, `card list`, GET /v1/cards...): read from
// the ledger state, which holds every card, never a PIN.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/domain/access.h"
#include "engine/domain/ledger_state.h"
#include "projections/export/row_writer.h"

namespace paystream {

struct CardFilter {
  std::optional<std::string> number;
  std::optional<std::string> batch;
  std::optional<CardStatus> status;
};

// The cards of `state` that pass the filter as of `today`, added to `out` (unsorted).
void select_cards(const LedgerState& state, const CardFilter& filter, Date today,
                  std::vector<CardState>& out);
// By batch, then number: the order every listing prints.
void sort_cards(std::vector<CardState>& cards);

const std::vector<Column>& card_columns();
std::vector<std::string> card_cells(const CardState& card, Date today);

// {"number":..,"batch":..,"value":"10.00","expires":"2027-12-31","state":"unused","pin_failures":"0",
//  "redeemed_into":"","issued":..,"changed":..}: the cells of card_cells, as the list's JSON rows.
nlohmann::json card_json(const CardState& card, Date today);

// Cards are read by admin, finance and auditor operators; an agent's tree holds no cards.
Status check_may_read_cards(const Access& access);

// `--state`/`state=`: unused, used, disabled, locked or expired.
Result<CardStatus> card_status_argument(std::string_view text);

}  // namespace paystream
