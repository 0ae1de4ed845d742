#pragma once
// The CLI's HTTP client for `--server URL`: cpp-httplib at the edge, Results behind it (nothing
// here throws). One client per command, kept alive across its requests, with a bearer token, a
// connect timeout and a read timeout. http:// always; https:// too (Debian's cpp-httplib is built
// with OpenSSL; the server's certificate is verified against the system's CAs).
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/result.h"
#include "tools/client/server_url.h"

namespace httplib {
class ClientImpl;
}

namespace paystream {

struct HttpAnswer {
  int status = 0;
  std::string body;         // empty when a 200 body went to a sink
  std::string next_cursor;  // the Paystream-Next-Cursor header ("" when absent)
};

using UrlParams = std::vector<std::pair<std::string, std::string>>;
// Gets a 200 body's bytes as they arrive; returns false to stop (the request then fails).
using BodySink = std::function<bool(std::string_view)>;

class HttpClient {
 public:
  // No connection is made yet. The token goes into `Authorization: Bearer` and never into a message.
  static Result<std::unique_ptr<HttpClient>> create(const ServerUrl& url, const std::string& token);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // io_error, naming the URL, when the server cannot be reached or the exchange fails midway.
  Result<HttpAnswer> get(const std::string& path, const UrlParams& params);
  Result<HttpAnswer> post(const std::string& path, const std::string& json_body);
  // As get(), but a 200 body goes to `sink` as it arrives; another status's body is kept in the answer.
  Result<HttpAnswer> get_streamed(const std::string& path, const UrlParams& params, const BodySink& sink);

  const ServerUrl& url() const { return url_; }

 private:
  HttpClient(ServerUrl url, std::unique_ptr<httplib::ClientImpl> client);
  ServerUrl url_;
  std::unique_ptr<httplib::ClientImpl> client_;  // an SSLClient for https
};

// The error of an answer that is not a success: the server's {"error":{"code","message"}} as an
// Error with that code (so the CLI prints "<message> [<code>]" and exits as it would locally).
// Codes of the HTTP layer with no Errc (route_not_found, body_too_large, ...) and answers that are
// not paystream errors at all become io_error, with the status and the URL in the message.
Error answer_error(const HttpAnswer& answer, const ServerUrl& url);

}  // namespace paystream
