#pragma once
// The HTTP API's own view of a request and a response, so the routes never see the transport: the
// server (server.cc) converts at the edge. A route is a function of an ApiRequest (and the
// authenticated caller) to an ApiResponse; nothing in a route throws.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace paystream::http {

// Where a streamed response body goes. write() returns false once the client is gone; stop then.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual bool write(std::string_view bytes) = 0;
};

struct ApiRequest {
  std::string method;  // GET (HEAD is routed as GET), POST, PUT, PATCH, DELETE, OPTIONS
  std::string path;    // percent-decoded, without the query
  std::vector<std::pair<std::string, std::string>> query;        // decoded, in the order given
  std::vector<std::pair<std::string, std::string>> path_params;  // {name} segments, set by the router
  std::string authorization;                                     // the Authorization header ("" when absent)
  std::string accept;                                            // the Accept header ("" when absent)
  std::string body;  // at most ServerOptions::body_bytes_max bytes

  // The value of a {name} segment of the route ("" when the route has none of that name).
  std::string path_param(std::string_view name) const;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the body is produced by this instead of `body`, after the status and headers have
  // gone out: chunked, or with Content-Length when stream_length is known. It returns false when it
  // failed midway; the connection is then cut, so the client sees a truncated transfer, never a
  // short body that looks complete.
  std::function<bool(ByteSink&)> stream;
  std::optional<uint64_t> stream_length;
};

}  // namespace paystream::http
