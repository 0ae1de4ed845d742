#include "tools/cli/remote_query.h"

#include <fmt/format.h>

#include <fstream>
#include <iostream>

#include "projections/export/row_writer.h"
#include "tools/commands/exit_codes.h"

namespace paystream {

int print_remote_query(const GlobalOptions& options, const ServerLogin& login, const std::string& path,
                       UrlParams params) {
  std::ofstream file;
  if (!options.output.empty()) {
    file.open(options.output, std::ios::out | std::ios::trunc | std::ios::binary);
    if (!file) {
      return report_error(
          make_error(Errc::io_error, fmt::format("--output: cannot write '{}'", options.output)), std::cerr);
    }
  }
  std::ostream& out = file.is_open() ? static_cast<std::ostream&>(file) : std::cout;
  Result<std::unique_ptr<HttpClient>> client = HttpClient::create(login.url, login.token);
  if (!client) return report_error(client.error(), std::cerr);
  params.emplace_back("format", options.format);
  Result<HttpAnswer> answer = (*client)->get_streamed(path, params, [&out](std::string_view bytes) {
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return static_cast<bool>(out);
  });
  if (!answer) return report_error(answer.error(), std::cerr);
  if (answer->status != 200) return report_error(answer_error(*answer, login.url), std::cerr);
  out.flush();
  if (!out) return report_error(make_error(Errc::io_error, "writing the output failed"), std::cerr);
  // JSON carries the cursor in the document; the other formats keep stdout pure rows.
  const Result<OutputFormat> format = parse_output_format(options.format);
  if (!answer->next_cursor.empty() && format && *format != OutputFormat::json) {
    std::cerr << "next page: --cursor " << answer->next_cursor << '\n';
  }
  return static_cast<int>(ExitCode::ok);
}

}  // namespace paystream
