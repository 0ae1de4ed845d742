#pragma once
// The columns and cells of the reports (docs/cli.md "Reports"), written by any RowWriter.
#include <string>
#include <vector>

#include "projections/export/row_writer.h"
#include "projections/report_rows.h"

namespace paystream {

const std::vector<Column>& settlement_columns();
std::vector<std::string> settlement_cells(const SettlementRow& row);
const std::vector<Column>& agent_income_columns();
std::vector<std::string> agent_income_cells(const AgentIncomeRow& row);
const std::vector<Column>& clearing_columns();
std::vector<std::string> clearing_cells(const ClearingRow& row);

}  // namespace paystream
