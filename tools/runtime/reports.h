#pragma once
// The four reports as the CLI (`paystream report NAME`) and the API (GET /v1/reports/NAME) both
// take them: one reading of their options, one choice of columns and rows (docs/cli.md "Reports").
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "projections/export/row_writer.h"
#include "projections/projections.h"

namespace paystream {

// The options as given, text; unset ones are nullopt.
struct ReportOptions {
  std::optional<std::string> from, to, as_of, by, type, agent;
};

// The option names of a front end: the CLI's "--from", the API's "from" (prefix "--" or "").
struct ReportOptionNames {
  std::string prefix;
  std::string name(std::string_view option) const;
};

using ReportCells = std::function<void(const std::vector<std::string>&)>;

struct PreparedReport {
  std::vector<Column> columns;
  // Reads the rows (in a snapshot of the projections) and passes each row's cells to `cells`.
  std::function<Status(const Projections&, const ReportCells&)> rows;
};

// The report NAME (account-balance, clearing-balance, agent-income, settlement) with these options
// and a reader who sees `visible` accounts (sorted; nullopt: all). Errors: an unknown report or
// option value (invalid_argument, invalid_date...), an option the report does not take, settlement
// asked by a reader who does not see every account (forbidden: it sums every account).
Result<PreparedReport> prepare_report(std::string_view name, const ReportOptions& options,
                                      const ReportOptionNames& names, Timestamp now,
                                      const std::optional<std::vector<std::string>>& visible);

// The report names, for help texts.
const std::vector<std::string>& report_names();

}  // namespace paystream
