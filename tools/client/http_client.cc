#include "tools/client/http_client.h"

#include <fmt/format.h>
#include <httplib.h>

#include <csignal>
#include <exception>
#include <nlohmann/json.hpp>

namespace paystream {
namespace {

// Connecting should be quick; an export of every row may take the server a while to produce.
constexpr time_t connect_timeout_seconds = 10;
constexpr time_t read_timeout_seconds = 300;
constexpr time_t write_timeout_seconds = 60;

std::string describe(httplib::Error error) {
  switch (error) {
    case httplib::Error::Connection:
      return "cannot connect (is `paystream serve` running there?)";
    case httplib::Error::ConnectionTimeout:
      return "connecting timed out";
    case httplib::Error::Read:
      return "reading the answer failed (the connection was closed, cut or timed out)";
    case httplib::Error::Write:
      return "sending the request failed";
    case httplib::Error::SSLConnection:
      return "the TLS handshake failed (is it an https server?)";
    case httplib::Error::SSLLoadingCerts:
      return "the system's CA certificates could not be loaded";
    case httplib::Error::SSLServerVerification:
      return "the server's certificate could not be verified";
    default:
      return "the request failed (" + httplib::to_string(error) + ")";
  }
}

std::string full_path(const ServerUrl& url, const std::string& path, const UrlParams& params) {
  std::string target = url.prefix + path;
  char separator = '?';
  for (const auto& [name, value] : params) {
    target += separator + httplib::detail::encode_query_param(name) + '=' +
              httplib::detail::encode_query_param(value);
    separator = '&';
  }
  return target;
}

Result<HttpAnswer> answer_of(const httplib::Result& result, const ServerUrl& url) {
  if (!result)
    return make_error(Errc::io_error, fmt::format("server {}: {}", url.text, describe(result.error())));
  HttpAnswer answer;
  answer.status = result->status;
  answer.body = result->body;
  answer.next_cursor = result->get_header_value("Paystream-Next-Cursor");
  return answer;
}

std::string text_member(const nlohmann::json& object, const char* name) {
  return object.contains(name) && object.at(name).is_string() ? object.at(name).get<std::string>()
                                                              : std::string();
}

}  // namespace

HttpClient::HttpClient(ServerUrl url, std::unique_ptr<httplib::ClientImpl> client)
    : url_(std::move(url)), client_(std::move(client)) {}

HttpClient::~HttpClient() = default;

Result<std::unique_ptr<HttpClient>> HttpClient::create(const ServerUrl& url, const std::string& token) {
  // httplib's client writes without MSG_NOSIGNAL: a server that hangs up while a body is being sent
  // (it refused it as too large) must be a failed request with a message, not a silent death.
  ::signal(SIGPIPE, SIG_IGN);
  try {
    std::unique_ptr<httplib::ClientImpl> client;
    if (url.scheme == "https") {
      client = std::make_unique<httplib::SSLClient>(url.host, url.port);
    } else {
      client = std::make_unique<httplib::ClientImpl>(url.host, url.port);
    }
    if (!client->is_valid()) {
      return make_error(Errc::io_error, fmt::format("server {}: cannot set up a TLS client", url.text));
    }
    client->set_connection_timeout(connect_timeout_seconds);
    client->set_read_timeout(read_timeout_seconds);
    client->set_write_timeout(write_timeout_seconds);
    client->set_keep_alive(true);
    client->set_tcp_nodelay(true);  // headers and body are two writes: no Nagle wait between them
    client->set_bearer_token_auth(token);
    return std::unique_ptr<HttpClient>(new HttpClient(url, std::move(client)));
  } catch (const std::exception& error) {
    return make_error(Errc::io_error,
                      fmt::format("server {}: cannot set up a client: {}", url.text, error.what()));
  }
}

Result<HttpAnswer> HttpClient::get(const std::string& path, const UrlParams& params) {
  try {
    return answer_of(client_->Get(full_path(url_, path, params)), url_);
  } catch (const std::exception& error) {
    return make_error(Errc::io_error, fmt::format("server {}: {}", url_.text, error.what()));
  }
}

Result<HttpAnswer> HttpClient::post(const std::string& path, const std::string& json_body) {
  try {
    return answer_of(client_->Post(full_path(url_, path, {}), json_body, "application/json"), url_);
  } catch (const std::exception& error) {
    return make_error(Errc::io_error, fmt::format("server {}: {}", url_.text, error.what()));
  }
}

Result<HttpAnswer> HttpClient::get_streamed(const std::string& path, const UrlParams& params,
                                            const BodySink& sink) {
  try {
    int status = 0;
    std::string other_body;  // an error's body, read in full
    bool sink_failed = false;
    httplib::Result result = client_->Get(
        full_path(url_, path, params), httplib::Headers{},
        [&](const httplib::Response& response) {
          status = response.status;
          return true;
        },
        [&](const char* data, size_t size) {
          if (status != 200) {
            other_body.append(data, size);
            return true;
          }
          sink_failed = !sink(std::string_view(data, size));
          return !sink_failed;
        });
    if (sink_failed) return make_error(Errc::io_error, "writing the output failed");
    Result<HttpAnswer> answer = answer_of(result, url_);
    if (answer && answer->status != 200) answer->body = std::move(other_body);
    return answer;
  } catch (const std::exception& error) {
    return make_error(Errc::io_error, fmt::format("server {}: {}", url_.text, error.what()));
  }
}

Error answer_error(const HttpAnswer& answer, const ServerUrl& url) {
  const nlohmann::json body = nlohmann::json::parse(answer.body, nullptr, false);
  if (body.is_object() && body.contains("error") && body.at("error").is_object()) {
    const nlohmann::json& error = body.at("error");
    const std::string code = text_member(error, "code");
    const std::string message = text_member(error, "message");
    if (const std::optional<Errc> known = errc_from_name(code); known && !message.empty()) {
      return make_error(*known, message);
    }
    return make_error(Errc::io_error,
                      fmt::format("server {} answered {} {}: {}", url.text, answer.status, code, message));
  }
  return make_error(Errc::io_error,
                    fmt::format("server {} answered HTTP {} without a paystream error (is it a "
                                "paystream server, and the URL its root?)",
                                url.text, answer.status));
}

}  // namespace paystream
