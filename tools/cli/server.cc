#include "tools/cli/server.h"

#include <fmt/format.h>

namespace paystream {
namespace {

constexpr size_t token_bytes_max = 1024;

Error usage(std::string message) { return make_error(Errc::invalid_argument, std::move(message)); }

Status check_token(const std::string& token) {
  // It becomes a header line: no spaces, no control characters (and never echoed back).
  bool valid = !token.empty() && token.size() <= token_bytes_max;
  for (char c : token) valid = valid && static_cast<unsigned char>(c) > 0x20 && c != 0x7f;
  if (valid) return ok_status();
  return usage(
      "--token: the token (not shown) is not valid: it must be 1-1024 printable characters without spaces");
}

}  // namespace

Result<std::optional<ServerLogin>> server_login(const GlobalOptions& options) {
  if (!options.server) return std::optional<ServerLogin>();
  const std::string server =
      options.server_from_environment ? "PAYSTREAM_SERVER (from the environment)" : "--server";
  if (options.data_dir) {
    return usage(
        fmt::format("--data and {} exclude each other: a command works on a data directory or talks to a "
                    "server{}",
                    server, options.server_from_environment ? "; unset PAYSTREAM_SERVER for --data" : ""));
  }
  if (options.operator_given) {
    return usage(
        fmt::format("--operator does not go with {}: over HTTP the operator is the token's", server));
  }
  if (!options.token) {
    return usage(
        fmt::format("{} needs a token: give --token TOKEN or set PAYSTREAM_TOKEN (the token `paystream "
                    "serve` printed on its first start, or one from `paystream operator add`)",
                    server));
  }
  if (Status valid = check_token(*options.token); !valid) return valid.error();
  Result<ServerUrl> url = parse_server_url(*options.server);
  if (!url) return url.error();
  return std::optional<ServerLogin>(ServerLogin{std::move(url).value(), *options.token});
}

Status refuse_server(const GlobalOptions& options, std::string_view command, std::string_view why) {
  if (!options.server || options.server_from_environment) return ok_status();
  return usage(fmt::format("{} does not go with --server: {}", command, why));
}

}  // namespace paystream
