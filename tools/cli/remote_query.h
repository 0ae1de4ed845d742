#pragma once
// A query over --server: the server renders the rows with the CLI's own writers (the same bytes as
// `paystream records --format F` on its data), so the body is copied to standard output or --output
// as it arrives. A next page's cursor goes to stderr for table, csv and xlsx, as locally.
#include <string>

#include "tools/cli/options.h"
#include "tools/cli/server.h"

namespace paystream {

// GET path?params&format=F. Returns the exit code. (The format and --output are checked first.)
int print_remote_query(const GlobalOptions& options, const ServerLogin& login, const std::string& path,
                       UrlParams params);

}  // namespace paystream
