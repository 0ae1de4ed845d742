#include "tools/commands/exit_codes.h"

namespace paystream {

ExitCode exit_code_of(Errc code) {
  if (is_usage_error(code)) return ExitCode::usage;
  if (is_rejection(code)) return ExitCode::rejected;
  return ExitCode::failure;
}

int report_error(const Error& error, std::ostream& err) {
  // The code name in brackets is stable, so scripts can tell rejections apart without parsing prose.
  err << "paystream: " << error.message << " [" << errc_name(error.code) << "]\n";
  return static_cast<int>(exit_code_of(error.code));
}

int report_usage_error(std::string_view message, std::ostream& err) {
  err << "paystream: " << message << '\n';
  return static_cast<int>(ExitCode::usage);
}

}  // namespace paystream
