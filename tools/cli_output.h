#pragma once
// Printing what a command produced: payment records, accounts (as balance rows) and parameters,
// in the --format the user chose, to standard output or --output FILE.
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/ledger_state.h"
#include "projections/export.h"
#include "tools/cli_options.h"

namespace paystream {

using ExtraMembers = std::vector<std::pair<std::string, std::string>>;

enum class XlsxUse { allowed, refused };

// The format, once --format and --output agree (usage errors otherwise). Checked before a write
// command runs, so a bad output option never leaves a change behind with nothing printed.
Result<OutputFormat> check_output_options(const GlobalOptions& options, XlsxUse xlsx);

// A RowWriter with its destination. Rows are streamed for CSV, JSON and XLSX.
class Printer {
 public:
  // Usage errors: an unknown format, xlsx where refused or without --output.
  // io_error: --output cannot be created.
  static Result<std::unique_ptr<Printer>> open(const GlobalOptions& options, std::vector<Column> columns,
                                               XlsxUse xlsx);
  void row(const std::vector<std::string>& cells) { writer_->row(cells); }
  [[nodiscard]] Status finish(const ExtraMembers& extra = {});
  OutputFormat format() const { return format_; }

 private:
  OutputFormat format_ = OutputFormat::table;
  std::ofstream file_;  // the destination when --output is given (except xlsx, written by the writer)
  std::unique_ptr<RowWriter> writer_;
};

// A listing of what the ledger state holds (parameters, operators): checks the output options,
// opens the data directory (which must exist), prints the rows `rows` gives. Returns the exit code.
int print_state_listing(const GlobalOptions& options, std::vector<Column> columns,
                        const std::function<void(const LedgerState&, Printer&)>& rows);

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
