#include "tools/cli/submit.h"

#include <iostream>

#include "tools/cli/output.h"
#include "tools/commands/exit_codes.h"

namespace paystream {

Status print_rows(const GlobalOptions& options, std::vector<Column> columns, const std::vector<Cells>& rows,
                  const std::vector<std::pair<std::string, std::string>>& extra) {
  Result<std::unique_ptr<Printer>> printer = Printer::open(options, std::move(columns), XlsxUse::refused);
  if (!printer) return printer.error();
  for (const Cells& row : rows) (*printer)->row(row);
  return (*printer)->finish(extra);
}

int submit_and_print(const GlobalOptions& options, Command command, Shows shows) {
  if (!options.server) {
    if (Status valid = operator_argument(options.operator_name); !valid)
      return report_error(valid.error(), std::cerr);
  }
  // Checked before the ledger is reached, so a bad format changes nothing.
  if (Result<OutputFormat> format = check_output_options(options, XlsxUse::refused); !format) {
    return report_error(format.error(), std::cerr);
  }
  Result<std::unique_ptr<LedgerAccess>> ledger = open_ledger_access(options, DataDirUse::create_if_missing);
  if (!ledger) return report_error(ledger.error(), std::cerr);
  Result<Written> written = (*ledger)->submit(std::move(command), shows);
  if (!written) return report_error(written.error(), std::cerr);
  if (written->duplicate) {
    std::cerr << "paystream: (already applied) command ID '" << written->command_id
              << "' was applied before; nothing changed, this is its first outcome\n";
  }
  Status printed = print_rows(options, columns_of(shows, !written->token.empty()), written->rows,
                              {{"command_id", written->command_id}});
  Status closed = (*ledger)->close();
  if (!printed) return report_error(printed.error(), std::cerr);
  if (!closed) return report_error(closed.error(), std::cerr);
  return static_cast<int>(ExitCode::ok);
}

}  // namespace paystream
