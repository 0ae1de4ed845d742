#include "tools/http/server.h"

#include <sys/socket.h>

#include <exception>
#include <mutex>
#include <string_view>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tools/http/auth.h"
#include "tools/http/errors.h"
#include "tools/http/log.h"
#include "tools/http/worker_pool.h"

namespace paystream::http {
namespace {

bool is_served_method(std::string_view method) {
  for (std::string_view served : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    if (method == served) return true;
  }
  return false;
}

ApiRequest api_request_of(const httplib::Request& request) {
  ApiRequest api;
  api.method = request.method;
  api.path = request.path;
  for (const auto& [name, value] : request.params) api.query.emplace_back(name, value);
  api.authorization = request.get_header_value("Authorization");
  api.accept = request.get_header_value("Accept");
  return api;
}

class HttplibSink final : public ByteSink {
 public:
  explicit HttplibSink(httplib::DataSink& sink) : sink_(sink) {}
  bool write(std::string_view bytes) override { return sink_.write(bytes.data(), bytes.size()); }

 private:
  httplib::DataSink& sink_;
};

void send(ApiResponse api, httplib::Response& response) {
  response.status = api.status;
  for (const auto& [name, value] : api.headers) response.set_header(name, value);
  if (!api.stream) {
    response.set_content(std::move(api.body), api.content_type);
    return;
  }
  if (api.stream_length) {
    response.set_content_provider(
        *api.stream_length, api.content_type,
        [stream = std::move(api.stream)](size_t offset, size_t /*length*/, httplib::DataSink& sink) {
          HttplibSink out(sink);
          return offset == 0 && stream(out);  // writes everything in one call
        });
    return;
  }
  response.set_chunked_content_provider(api.content_type,
                                        [stream = std::move(api.stream)](size_t /*offset*/, httplib::DataSink& sink) {
                                          HttplibSink out(sink);
                                          if (!stream(out)) return false;  // cut: no final chunk
                                          sink.done();
                                          return true;
                                        });
}

// For cpp-httplib's own refusals, which come with a status only.
std::pair<const char*, const char*> error_of_status(int status) {
  switch (status) {
    case 400:
      return {"malformed_request", "the HTTP request could not be parsed (request line, a header over 8192 bytes, "
                                   "or the body)"};
    case 404:
      return {"route_not_found", "no such endpoint"};
    case 413:
      return {"body_too_large", "the request body is too large"};
    case 414:
      return {"malformed_request", "the request URI is longer than 8192 bytes"};
    case 415:
      return {"unsupported_encoding", "the request body's Content-Encoding is not supported"};
    case 416:
      return {"malformed_request", "the Range header is not satisfiable"};
    default:
      return {"internal_error", "the server could not answer the request"};
  }
}

}  // namespace

struct HttpServer::Impl {
  Impl(const ServerOptions& options_in, const Router& router_in, ApiContext& context_in)
      : options(options_in), router(router_in), context(context_in) {}

  void configure();
  void handle(const httplib::Request& request, httplib::Response& response, const httplib::ContentReader* reader);
  // The body, within the limit; false with the refusal in `response` otherwise.
  bool read_body(const httplib::ContentReader& reader, httplib::Response& response, std::string& body) const;
  ApiResponse route(ApiRequest& request) const;
  void started_listening();
  void request_stop();
  void stopped_listening();

  ServerOptions options;
  const Router& router;
  ApiContext& context;
  int listening_socket = -1;  // seen in the socket options callback, before bind
  httplib::Server server;

  // httplib's stop() must run exactly once, while it is listening (it asserts so), and a stop
  // requested before listening began must still take effect.
  std::mutex stop_mutex;
  bool stop_requested = false;
  bool listening = false;
};

void HttpServer::Impl::started_listening() {
  std::lock_guard lock(stop_mutex);
  listening = true;
  if (stop_requested) server.stop();
}

void HttpServer::Impl::request_stop() {
  std::lock_guard lock(stop_mutex);
  if (stop_requested) return;
  stop_requested = true;
  if (listening) server.stop();
}

void HttpServer::Impl::stopped_listening() {
  std::lock_guard lock(stop_mutex);
  listening = false;
}

void HttpServer::Impl::configure() {
  // httplib asks for the task queue once listening has begun: the moment stop() can act.
  server.new_task_queue = [this] {
    started_listening();
    return new WorkerPool(options.threads, options.queued_connections_max);
  };
  server.set_payload_max_length(options.body_bytes_max);
  server.set_read_timeout(options.read_timeout_seconds, 0);
  server.set_write_timeout(options.write_timeout_seconds, 0);
  server.set_keep_alive_timeout(options.idle_timeout_seconds);
  server.set_keep_alive_max_count(options.keep_alive_requests_max);
  server.set_tcp_nodelay(true);  // small JSON answers must not wait for Nagle and delayed ACKs
  // httplib's default sets SO_REUSEPORT, which would let a second server bind the same port.
  server.set_socket_options([this](int socket) {
    const int yes = 1;
    ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listening_socket = socket;
  });
  server.set_pre_routing_handler([](const httplib::Request& request, httplib::Response& response) {
    if (is_served_method(request.method)) return httplib::Server::HandlerResponse::Unhandled;
    send(error_response(405, "method_not_allowed", fmt::format("method {} is not served", request.method)), response);
    return httplib::Server::HandlerResponse::Handled;
  });
  const auto without_body = [this](const httplib::Request& request, httplib::Response& response) {
    handle(request, response, nullptr);
  };
  const auto with_body = [this](const httplib::Request& request, httplib::Response& response,
                                const httplib::ContentReader& reader) { handle(request, response, &reader); };
  server.Get(".*", without_body);
  server.Options(".*", without_body);
  server.Post(".*", with_body);
  server.Put(".*", with_body);
  server.Patch(".*", with_body);
  server.Delete(".*", with_body);
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request& /*request*/, httplib::Response& response) {
    if (response.has_header("Content-Type")) return httplib::Server::HandlerResponse::Unhandled;  // ours
    const auto [code, message] = error_of_status(response.status);
    response.set_content(error_body(code, message), "application/json");
    return httplib::Server::HandlerResponse::Handled;
  }));
  server.set_exception_handler([](const httplib::Request& request, httplib::Response& response, std::exception_ptr error) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& exception) {
      what = exception.what();
    } catch (...) {
    }
    log_line("error", "a request failed with an exception", {{"path", request.path}, {"detail", what}});
    send(error_response(500, "internal_error", "the server failed to answer the request; it is logged"), response);
  });
  server.set_logger([this](const httplib::Request& request, const httplib::Response& response) {
    context.metrics.count_request(router.label(request.method, request.path), request.method, response.status);
  });
}

bool HttpServer::Impl::read_body(const httplib::ContentReader& reader, httplib::Response& response,
                                 std::string& body) const {
  bool too_large = false;
  const bool read = reader([&](const char* data, size_t size) {
    if (body.size() + size > options.body_bytes_max) {
      too_large = true;  // a chunked body, or one that grew when decompressed
      return false;
    }
    body.append(data, size);
    return true;
  });
  if (read) return true;
  ApiResponse refusal;
  if (too_large || response.status == 413) {
    refusal = error_response(413, "body_too_large",
                             fmt::format("the request body is larger than {} bytes", options.body_bytes_max));
  } else if (response.status == 415) {
    refusal = error_response(415, "unsupported_encoding", "the request body's Content-Encoding is not supported");
  } else {
    refusal = error_response(400, "malformed_request", "the request body could not be read");
  }
  // What is left of the body is still on the connection: close it rather than parse it as a request.
  refusal.headers.emplace_back("Connection", "close");
  send(std::move(refusal), response);
  return false;
}

ApiResponse HttpServer::Impl::route(ApiRequest& request) const {
  ApiResponse refusal;
  const Route* route = router.match(request, refusal);
  if (route == nullptr) return refusal;
  Caller caller;
  if (route->auth == Auth::required) {
    Result<Caller> authenticated = authenticate(context.backend, request.authorization);
    if (!authenticated) return error_response(authenticated.error());
    caller = std::move(authenticated).value();
  }
  return route->handler(request, caller);
}

void HttpServer::Impl::handle(const httplib::Request& request, httplib::Response& response,
                              const httplib::ContentReader* reader) {
  ApiRequest api = api_request_of(request);
  // A request with neither Content-Length nor chunked encoding has no body (RFC 9112 6.3); httplib
  // would read one until the connection closes.
  const bool has_body = request.has_header("Content-Length") ||
                        request.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos;
  if (reader != nullptr && has_body && !read_body(*reader, response, api.body)) return;
  ApiResponse answer = route(api);
  if (answer.status >= 500) {
    log_line("error", "a request failed", {{"method", api.method}, {"path", api.path}, {"status", answer.status},
                                           {"response", answer.body}});
  }
  send(std::move(answer), response);
}

HttpServer::HttpServer(const ServerOptions& options, const Router& router, ApiContext& context)
    : impl_(std::make_unique<Impl>(options, router, context)) {
  impl_->configure();
}

HttpServer::~HttpServer() = default;

Result<int> HttpServer::bind() {
  const ServerOptions& options = impl_->options;
  const int port = options.port == 0 ? impl_->server.bind_to_any_port(options.host)
                                     : (impl_->server.bind_to_port(options.host, options.port) ? options.port : -1);
  if (port <= 0) {
    return make_error(Errc::io_error, fmt::format("cannot listen on {}:{} (in use, or not an address of this host)",
                                                  options.host, options.port));
  }
  // Debian's compiled httplib listens with a backlog of 5: a burst of clients connecting at once
  // would see SYNs dropped and retried a second later. Linux lets listen() be called again on a
  // listening socket to raise it.
  if (impl_->listening_socket >= 0) ::listen(impl_->listening_socket, SOMAXCONN);
  return port;
}

Status HttpServer::run() {
  const bool listened = impl_->server.listen_after_bind();
  impl_->stopped_listening();
  if (!listened) return make_error(Errc::io_error, "the server stopped accepting connections");
  return ok_status();
}

void HttpServer::stop() { impl_->request_stop(); }

}  // namespace paystream::http
