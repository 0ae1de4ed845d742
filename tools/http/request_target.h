#pragma once
// The request target of an HTTP request line ("/v1/records?account=A%201&limit=5") split into the
// percent-decoded path and the decoded query parameters, in the order given. In the query a '+'
// is a space (HTML forms send it so); in the path it stays a '+'.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace paystream::http {

struct RequestTarget {
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;
};

RequestTarget parse_request_target(std::string_view target);

// %XX sequences decoded (a malformed one is kept as it is); `plus_is_space` for query text.
std::string percent_decoded(std::string_view text, bool plus_is_space);

}  // namespace paystream::http
