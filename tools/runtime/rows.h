#pragma once
// The rows both front ends print for what the ledger state holds (accounts, parameters, operators)
// and for a record read from an event: the columns and cells the CLI's --format and the HTTP API's
// ?format= write with the same writers, so the two give the same bytes.
#include <cstdint>
#include <nlohmann/json.hpp>
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

// A call authorization (`paystream authorize`, GET /v1/accounts/{id}/authorization). In table and
// CSV, Allowed is yes/no; the JSON form (authorization_json) has a boolean.
const std::vector<Column>& authorization_columns();
std::vector<std::string> authorization_cells(const std::string& account_id,
                                             const CallAuthorization& authorization);
// {"account":..,"allowed":true|false,"reason":"" or the status,"max_spend":"12.50"}
nlohmann::json authorization_json(const std::string& account_id, const CallAuthorization& authorization);
// The authorization a balance row gives (its consumption is the query time's month's already).
CallAuthorization authorization_of(const BalanceRow& row, Timestamp now);

// A payment record built from its event, for when the projection cannot be read back.
RecordRow record_row_of(const Event& event, const std::string& account_name);

}  // namespace paystream
