#pragma once
// The rows both front ends print for what the ledger state holds (accounts, parameters, operators)
// and for a record read from an event: the columns and cells the CLI's --format and the HTTP API's
// ?format= write with the same writers, so the two give the same bytes.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/domain/ledger_state.h"
#include "events/event.h"
#include "projections/export/row_writer.h"

namespace paystream {

// An account as `account show` prints it: the balance query's columns, then parent and lock.
const std::vector<Column>& account_columns();
std::vector<std::string> account_cells(const BalanceRow& row);

// The parameter table of `param list` and `param set`.
const std::vector<Column>& parameter_columns();
std::vector<std::string> parameter_cells(const ParameterInfo& info, int64_t value);

// The operator table of `operator list` (and of add and rotate, which add the Token column: the
// only time a token is shown).
std::vector<Column> operator_columns(bool with_token);
std::vector<std::string> operator_cells(const OperatorSettings& settings, const std::string& token = "");

// A payment record built from its event, for when the projection cannot be read back.
RecordRow record_row_of(const Event& event, const std::string& account_name);

}  // namespace paystream
