#include "tools/cli/output.h"

#include <fmt/format.h>

#include <iostream>

#include "tools/commands/data_dir.h"
#include "tools/commands/exit_codes.h"

namespace paystream {

Result<OutputFormat> check_output_options(const GlobalOptions& options, XlsxUse xlsx) {
  Result<OutputFormat> format = parse_output_format(options.format);
  if (!format) {
    return make_error(
        Errc::invalid_argument,
        fmt::format("--format: invalid value '{}': expected table, json, csv or xlsx", options.format));
  }
  if (*format != OutputFormat::xlsx) return format;
  if (xlsx == XlsxUse::refused) {
    return make_error(Errc::invalid_argument,
                      "--format xlsx: only the row listings (records, charges, balances, card list, report) "
                      "export to Excel");
  }
  if (options.output.empty()) return make_error(Errc::invalid_argument, "--format xlsx needs --output FILE");
  return format;
}

Result<std::unique_ptr<Printer>> Printer::open(const GlobalOptions& options, std::vector<Column> columns,
                                               XlsxUse xlsx) {
  Result<OutputFormat> format = check_output_options(options, xlsx);
  if (!format) return format.error();
  auto printer = std::make_unique<Printer>();
  printer->format_ = *format;
  if (*format != OutputFormat::xlsx && !options.output.empty()) {
    printer->file_.open(options.output, std::ios::out | std::ios::trunc | std::ios::binary);
    if (!printer->file_)
      return make_error(Errc::io_error, fmt::format("--output: cannot write '{}'", options.output));
  }
  std::ostream& out = printer->file_.is_open() ? static_cast<std::ostream&>(printer->file_) : std::cout;
  Result<std::unique_ptr<RowWriter>> writer =
      RowWriter::create(*format, out, options.output, std::move(columns));
  if (!writer) return writer.error();
  printer->writer_ = std::move(writer).value();
  if (!options.output.empty()) printer->progress_.emplace(options.output);
  return printer;
}

Status Printer::finish(const ExtraMembers& extra) {
  Status status = writer_->finish(extra);
  if (progress_) progress_->done();
  if (!status) return status;
  std::ostream& out = file_.is_open() ? static_cast<std::ostream&>(file_) : std::cout;
  out.flush();
  if (!out) return make_error(Errc::io_error, "writing the output failed");
  return ok_status();
}

int print_state_listing(const GlobalOptions& options, std::vector<Column> columns,
                        const std::function<void(const LedgerState&, Printer&)>& rows) {
  if (Result<OutputFormat> format = check_output_options(options, XlsxUse::refused); !format) {
    return report_error(format.error(), std::cerr);
  }
  Result<std::unique_ptr<QuerySource>> source = QuerySource::open(options);
  if (!source) return report_error(source.error(), std::cerr);
  Result<std::unique_ptr<Printer>> printer = Printer::open(options, std::move(columns), XlsxUse::refused);
  if (!printer) return report_error(printer.error(), std::cerr);
  Status read = (*source)->read_control([&](const LedgerState& state) { rows(state, **printer); });
  if (!read) return report_error(read.error(), std::cerr);
  if (Status printed = (*printer)->finish(); !printed) return report_error(printed.error(), std::cerr);
  return static_cast<int>(ExitCode::ok);
}

Result<std::istream*> open_input_file(const std::string& path, std::ifstream& file) {
  if (path == "-") return &std::cin;
  file.open(path, std::ios::binary);
  if (!file) return make_error(Errc::io_error, fmt::format("--file: cannot read '{}'", path));
  return static_cast<std::istream*>(&file);
}

}  // namespace paystream
