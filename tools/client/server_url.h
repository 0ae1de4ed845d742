#pragma once
// The URL of --server: parsed and checked before any request, so a typo is a usage error.
#include <string>
#include <string_view>

#include "events/result.h"

namespace paystream {

// http://HOST[:PORT][/PREFIX] or https://... (IPv6 hosts in brackets). invalid_argument otherwise.
struct ServerUrl {
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets
  int port = 0;
  std::string prefix;  // "" or "/some/path" (no trailing slash): put before every request path
  std::string text;    // as given, for messages
};
Result<ServerUrl> parse_server_url(std::string_view text);

// `segment` percent-encoded for a URL path (all but A-Z a-z 0-9 - . _ ~).
std::string path_segment(std::string_view segment);

}  // namespace paystream
