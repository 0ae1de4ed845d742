#pragma once
// Printing what a command produced: payment records, accounts (as balance rows) and parameters,
// in the --format the user chose, to standard output or --output FILE.
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/domain/ledger_state.h"
#include "projections/export/row_writer.h"
#include "tools/cli/options.h"
#include "tools/cli/progress_line.h"
#include "tools/runtime/rows.h"

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
  void row(const std::vector<std::string>& cells) {
    writer_->row(cells);
    if (progress_) progress_->count();
  }
  [[nodiscard]] Status finish(const ExtraMembers& extra = {});
  OutputFormat format() const { return format_; }

 private:
  OutputFormat format_ = OutputFormat::table;
  std::ofstream file_;  // the destination when --output is given (except xlsx, written by the writer)
  std::unique_ptr<RowWriter> writer_;
  std::optional<ProgressLine> progress_;  // with --output: a long export shows its progress
};

// A listing of what the ledger state holds (parameters, operators): checks the output options,
// opens the data directory (which must exist), prints the rows `rows` gives. Returns the exit code.
// The input of a --file option: standard input for "-", else the file opened into `file` (io_error
// naming it when it cannot be read).
Result<std::istream*> open_input_file(const std::string& path, std::ifstream& file);

int print_state_listing(const GlobalOptions& options, std::vector<Column> columns,
                        const std::function<void(const LedgerState&, Printer&)>& rows);

}  // namespace paystream
