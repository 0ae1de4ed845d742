#pragma once
// Where a command's ledger is: the data directory (--data) or a server (--server URL --token
// TOKEN, or PAYSTREAM_SERVER and PAYSTREAM_TOKEN). Checked before anything is done, as usage errors.
#include <optional>
#include <string>
#include <string_view>

#include "tools/cli/options.h"
#include "tools/client/http_client.h"

namespace paystream {

struct ServerLogin {
  ServerUrl url;
  std::string token;
};

// nullopt: the data directory. invalid_argument for --server with --data, --server without a
// token, a malformed URL or token, and --operator with --server (over HTTP the operator is the
// token's). No message ever holds the token.
Result<std::optional<ServerLogin>> server_login(const GlobalOptions& options);

// For the commands that work only on a data directory (replay, bench, serve): invalid_argument when
// --server was given on the command line. They ignore PAYSTREAM_SERVER, so an exported variable
// does not stop `paystream serve` or `replay --verify` on the server's own machine.
Status refuse_server(const GlobalOptions& options, std::string_view command, std::string_view why);

}  // namespace paystream
