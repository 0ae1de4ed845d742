#pragma once
// The auditor's tools as the CLI (`paystream audit ...`) and the API (/v1/audit/...) both run them
// (docs/cli.md "Audit"): an account's balance explained by its events, and the log exported with
// what a tool other than paystream needs to check its hash chain.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "projections/export/row_writer.h"
#include "projections/projections.h"
#include "tools/runtime/reports.h"

namespace paystream {

const std::vector<Column>& explain_columns();

// Each event that made the account's balance row, up to as_of (all when unset), with the running
// balance summed from what each moved; then a last row "balance = sum of events" comparing that
// sum with the balance row as of the same moment (`now` when as_of is unset). Every row's Check
// says ok or MISMATCH.
Status explain_account(const Projections& projections, std::string_view account_id,
                       std::optional<Timestamp> as_of, Timestamp now, const ReportCells& cells);

const std::vector<Column>& operations_columns();

struct OperationsQuery {
  std::optional<std::string> operator_name;
  std::optional<std::string> account_id;
  std::optional<Timestamp> from;  // inclusive
  std::optional<Timestamp> to;    // exclusive
};

// Every operation that is not a payment record or a call charge (accounts opened and changed,
// parameters set, operators added and changed, cards issued and disabled, records cleaned up), in log order,
// with who, when, and what it changed: the settings before and after, only those that changed. It reads the
// log from its start up to `to`, since what a change replaced may be older than `from`.
Status list_operations(const Projections& projections, const OperationsQuery& query,
                       const ReportCells& cells);

// One event as a JSON line of the audit export: event_to_json's members, then "hash" (SHA-256 of
// `encoded`, hex), "prev_hash" (hex) and "encoded" (base64 of the bytes the hash is of).
std::string audit_event_line(const Event& event, std::string_view encoded);

}  // namespace paystream
