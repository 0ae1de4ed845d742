#include "tools/http/server.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <unordered_set>

#include "tools/http/auth.h"
#include "tools/http/body_decoding.h"
#include "tools/http/connection_limits.h"
#include "tools/http/errors.h"
#include "tools/http/log.h"
#include "tools/http/request_target.h"
#include "tools/http/response_head.h"
#include "tools/http/socket_writer.h"

namespace paystream::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using Parser = bhttp::request_parser<bhttp::string_body>;

constexpr size_t target_bytes_max = 8192;         // a longer URI: 414
constexpr size_t header_line_bytes_max = 8192;    // a longer header line: 400
constexpr uint32_t header_bytes_max = 64 * 1024;  // the request line and every header line together
constexpr size_t descriptors_reserved = 256;      // for the ledger's files, not for connections
constexpr std::chrono::seconds refusal_log_interval{10};

std::string text_of(beast::string_view view) { return std::string(view.data(), view.size()); }

bool is_served_method(std::string_view method) {
  for (std::string_view served : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    if (method == served) return true;
  }
  return false;
}

// A refusal that ends the connection: what is left of the request is still on it.
ApiResponse closing_refusal(int status, std::string_view code, std::string_view message) {
  ApiResponse refusal = error_response(status, code, message);
  refusal.headers.emplace_back("Connection", "close");
  return refusal;
}

// A route's own "Connection" header decides whether the connection is kept; the framing writes it.
bool take_connection_header(ApiResponse& response) {
  bool keep = true;
  std::erase_if(response.headers, [&keep](const auto& header) {
    if (!beast::iequals(header.first, "Connection")) return false;
    keep = keep && !beast::iequals(header.second, "close");
    return true;
  });
  return keep;
}

// Why the server cannot take a request whose headers it has read, or nullopt.
std::optional<ApiResponse> refusal_of_header(const bhttp::request<bhttp::string_body>& request) {
  if (request.target().size() > target_bytes_max) {
    return closing_refusal(414, "malformed_request",
                           fmt::format("the request URI is longer than {} bytes", target_bytes_max));
  }
  for (const auto& field : request) {
    if (field.name_string().size() + field.value().size() + 4 > header_line_bytes_max) {
      return closing_refusal(400, "malformed_request",
                             fmt::format("a header line is longer than {} bytes", header_line_bytes_max));
    }
  }
  const std::string method = text_of(request.method_string());
  if (!is_served_method(method)) {
    return closing_refusal(405, "method_not_allowed", fmt::format("method {} is not served", method));
  }
  if (!is_supported_encoding(text_of(request[bhttp::field::content_encoding]))) {
    return closing_refusal(415, "unsupported_encoding",
                           "the request body's Content-Encoding is not supported (gzip, deflate and br are)");
  }
  return std::nullopt;
}

ApiResponse refusal_of_read_error(const error_code& error, size_t body_bytes_max) {
  if (error == bhttp::error::body_limit) {
    return closing_refusal(413, "body_too_large",
                           fmt::format("the request body is larger than {} bytes", body_bytes_max));
  }
  if (error == bhttp::error::header_limit) {
    return closing_refusal(
        400, "malformed_request",
        fmt::format("the request line and headers are larger than {} bytes", header_bytes_max));
  }
  return closing_refusal(400, "malformed_request", "the HTTP request could not be parsed");
}

// The peer went away or the read was cancelled: nothing to answer.
bool is_disconnect(const error_code& error) {
  return error == bhttp::error::end_of_stream || error == bhttp::error::partial_message ||
         error == asio::error::eof || error == asio::error::connection_reset ||
         error == asio::error::broken_pipe || error == asio::error::operation_aborted ||
         error == asio::error::bad_descriptor;
}

class Connection;

// The server's state: the I/O loop, the workers, the limits, the open connections.
struct ServerCore {
  ServerCore(const ServerOptions& options_in, const Router& router_in, ApiContext& context_in)
      : options(options_in),
        router(router_in),
        context(context_in),
        limits(options.connections_max, options.connections_per_client_max) {}

  void accept();
  void admit(tcp::socket socket);
  void refuse(tcp::socket& socket, const std::string& client, ConnectionLimits::Admission admission);
  void begin_stop();
  // On a worker: the body decoded, the caller authenticated, the route run. Never throws.
  ApiResponse answer(ApiRequest& request, std::string_view content_encoding) const;
  ApiResponse route(ApiRequest& request) const;
  void count(std::string_view method, std::string_view path, int status) const;

  ServerOptions options;
  const Router& router;
  ApiContext& context;
  // Used by the I/O thread only; declared before `io` so that they outlive the connections it holds.
  ConnectionLimits limits;
  std::unordered_set<Connection*> connections;
  bool stopping = false;
  std::optional<std::chrono::steady_clock::time_point> accept_failure_logged;
  std::atomic<size_t> requests_in_workers{0};  // queued or running
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  asio::steady_timer accept_retry{io};
  std::optional<asio::thread_pool> workers;
};

// One client connection, driven by the I/O thread: wait for a request, read it whole under one
// deadline, hand it to a worker, write the answer, and again while it is kept alive.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(ServerCore& server, tcp::socket socket, std::string client)
      : server_(server), socket_(std::move(socket)), timer_(server.io), client_(std::move(client)) {}
  ~Connection() {
    server_.limits.release(client_);
    server_.connections.erase(this);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void start() { wait_for_request(); }
  // The server stops: a connection between requests closes now; one with a request under way
  // finishes it first.
  void stop_if_between_requests() {
    if (state_ != State::waiting && state_ != State::closing) return;
    error_code ignored;
    socket_.cancel(ignored);
  }

 private:
  enum class State { waiting, reading, working, writing, closing, closed };

  // A deadline for what the connection does next; when it passes, that is cancelled.
  void arm(std::chrono::seconds limit) {
    const uint64_t deadline = ++deadline_;
    timed_out_ = false;
    timer_.expires_after(limit);
    timer_.async_wait([self = shared_from_this(), deadline](error_code error) {
      if (error || deadline != self->deadline_) return;
      self->timed_out_ = true;
      error_code ignored;
      self->socket_.cancel(ignored);
    });
  }
  void disarm() {
    ++deadline_;
    timer_.cancel();
  }

  void wait_for_request() {
    if (server_.stopping) return close();
    if (buffer_.size() > 0) return read_request();  // pipelined: it has begun already
    state_ = State::waiting;
    arm(std::chrono::seconds(server_.options.idle_timeout_seconds));
    socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](error_code error) {
      if (error || self->server_.stopping) return self->close();
      self->read_request();
    });
  }

  void read_request() {
    state_ = State::reading;
    parser_.emplace();
    parser_->header_limit(header_bytes_max);
    parser_->body_limit(server_.options.body_bytes_max);
    // From the request's first byte to its last: trickling bytes does not extend it.
    arm(std::chrono::seconds(server_.options.request_timeout_seconds));
    bhttp::async_read_header(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](error_code error, size_t) { self->on_header(error); });
  }

  void on_header(const error_code& error) {
    if (error) return on_read_error(error);
    if (std::optional<ApiResponse> refusal = refusal_of_header(parser_->get())) {
      return respond(std::move(*refusal), false);
    }
    if (parser_->is_done()) return dispatch();
    // A client that writes its headers and its body separately, with Nagle's algorithm on (as
    // cpp-httplib's does by default), holds the body back until its headers are acknowledged:
    // acknowledge them now rather than after the kernel's delayed-ACK timer (40 ms).
    const int yes = 1;
    ::setsockopt(socket_.native_handle(), IPPROTO_TCP, TCP_QUICKACK, &yes, sizeof yes);
    const auto& request = parser_->get();
    if (request.version() >= 11 && beast::iequals(request[bhttp::field::expect], "100-continue")) {
      // curl waits a second for this before it sends a body over 1 KiB.
      out_ = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(socket_, asio::buffer(out_),
                        [self = shared_from_this()](error_code write_error, size_t) {
                          if (write_error) return self->on_read_error(write_error);
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    bhttp::async_read(socket_, buffer_, *parser_, [self = shared_from_this()](error_code error, size_t) {
      if (error) return self->on_read_error(error);
      self->dispatch();
    });
  }

  void on_read_error(const error_code& error) {
    if (timed_out_) {
      return respond(closing_refusal(408, "request_timeout",
                                     fmt::format("the request was not complete within {} s",
                                                 server_.options.request_timeout_seconds)),
                     false);
    }
    if (is_disconnect(error)) return close();
    respond(refusal_of_read_error(error, server_.options.body_bytes_max), false);
  }

  void dispatch() {
    disarm();
    state_ = State::working;
    auto& request = parser_->get();
    ApiRequest api;
    api.method = text_of(request.method_string());
    RequestTarget target = parse_request_target(text_of(request.target()));
    api.path = std::move(target.path);
    api.query = std::move(target.query);
    api.authorization = text_of(request[bhttp::field::authorization]);
    api.accept = text_of(request[bhttp::field::accept]);
    api.body = std::move(request.body());
    std::string encoding = text_of(request[bhttp::field::content_encoding]);
    http10_ = request.version() < 11;
    head_ = api.method == "HEAD";
    method_ = api.method;
    path_ = api.path;
    const bool keep_alive = parser_->keep_alive() && served_ + 1 < server_.options.keep_alive_requests_max;
    parser_.reset();
    if (server_.requests_in_workers >= server_.options.threads + server_.options.queued_requests_max) {
      return respond(
          error_response(503, "server_busy", "every worker is busy and the queue is full; try again"),
          keep_alive);
    }
    ++server_.requests_in_workers;
    asio::post(*server_.workers,
               [self = shared_from_this(), api = std::move(api), encoding = std::move(encoding), keep_alive,
                guard = asio::make_work_guard(server_.io)]() mutable {
                 ApiResponse response = self->server_.answer(api, encoding);
                 bool keep = take_connection_header(response) && keep_alive;
                 std::optional<bool> streamed;
                 if (response.stream && !self->head_) streamed = self->stream(response, keep);
                 --self->server_.requests_in_workers;
                 auto& io = self->server_.io;
                 // The connection is the I/O thread's again: the last reference goes with this handler.
                 asio::post(io, [self = std::move(self), response = std::move(response), keep, streamed,
                                 guard = std::move(guard)]() mutable {
                   if (!streamed) return self->respond(std::move(response), keep);
                   self->server_.count(self->method_, self->path_, response.status);
                   self->after_response(*streamed);
                 });
               });
  }

  // On the worker: a streamed body written as it is produced, each write bounded by the write
  // timeout. True when it all went out and the connection may be kept.
  bool stream(ApiResponse& response, bool keep_alive) {
    Framing framing;
    framing.content_length = response.stream_length;
    framing.chunked = !response.stream_length && !http10_;
    framing.keep_alive =
        keep_alive && (response.stream_length || !http10_);  // 1.0 without a length: until close
    SocketWriter writer(socket_.native_handle(), std::chrono::seconds(server_.options.write_timeout_seconds));
    SocketSink sink(writer, framing.chunked);
    try {
      const bool sent =
          writer.write(response_head(response, framing)) && response.stream(sink) && sink.finish();
      return sent && framing.keep_alive;
    } catch (const std::exception& exception) {
      // Midway through the body: the connection is cut, so the client sees a truncated transfer.
      log_line("error", "a streamed response failed with an exception",
               {{"path", path_}, {"detail", exception.what()}});
    } catch (...) {
      log_line("error", "a streamed response failed with an exception",
               {{"path", path_}, {"detail", "unknown"}});
    }
    return false;
  }

  void respond(ApiResponse response, bool keep_alive) {
    keep_alive = take_connection_header(response) && keep_alive && !server_.stopping;
    if (parser_ && parser_->is_header_done()) {  // refused before it was dispatched
      method_ = text_of(parser_->get().method_string());
      path_ = parse_request_target(text_of(parser_->get().target())).path;
      head_ = method_ == "HEAD";
      http10_ = parser_->get().version() < 11;
    }
    server_.count(method_, path_, response.status);
    Framing framing;
    if (response.stream) {
      // HEAD of a streamed response: its framing, no body.
      framing.content_length = response.stream_length;
      framing.chunked = !response.stream_length && !http10_;
    } else {
      framing.content_length = response.body.size();
    }
    framing.keep_alive = keep_alive;
    out_ = response_head(response, framing);
    if (!head_ && !response.stream) out_ += response.body;
    state_ = State::writing;
    arm(std::chrono::seconds(server_.options.write_timeout_seconds));
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this(), keep_alive](error_code error, size_t) {
                        self->disarm();
                        self->out_.clear();
                        if (error) return self->close();
                        self->after_response(keep_alive);
                      });
  }

  void after_response(bool keep_alive) {
    ++served_;
    method_.clear();
    path_.clear();
    head_ = false;
    if (keep_alive && !server_.stopping) return wait_for_request();
    close_gracefully();
  }

  // Half-closes and reads what the client still sends for a while, so that closing with unread
  // bytes does not reset the connection before the client has read the answer.
  void close_gracefully() {
    state_ = State::closing;
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    if (server_.stopping) return close();
    arm(std::chrono::seconds(server_.options.request_timeout_seconds));
    drain();
  }

  void drain() {
    static std::array<char, 16 * 1024> discarded;  // the I/O thread's: contents never read
    socket_.async_read_some(asio::buffer(discarded), [self = shared_from_this()](error_code error, size_t) {
      if (error) return self->close();
      self->drain();
    });
  }

  void close() {
    state_ = State::closed;
    disarm();
    error_code ignored;
    socket_.close(ignored);
  }

  ServerCore& server_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  std::string client_;
  beast::flat_buffer buffer_;
  std::optional<Parser> parser_;
  std::string out_;
  State state_ = State::waiting;
  uint64_t deadline_ = 0;
  bool timed_out_ = false;
  size_t served_ = 0;
  // Of the request being answered.
  bool http10_ = false;
  bool head_ = false;
  std::string method_;
  std::string path_;
};

void ServerCore::accept() {
  acceptor.async_accept([this](error_code error, tcp::socket socket) {
    if (stopping || !acceptor.is_open()) return;
    if (error) {
      // Out of file descriptors, most likely: try again shortly rather than spin, and say so at
      // most once per interval.
      const auto now = std::chrono::steady_clock::now();
      if (!accept_failure_logged || now - *accept_failure_logged >= refusal_log_interval) {
        accept_failure_logged = now;
        log_line("warning", "accepting a connection failed", {{"detail", error.message()}});
      }
      accept_retry.expires_after(std::chrono::milliseconds(100));
      accept_retry.async_wait([this](error_code wait_error) {
        if (!wait_error && !stopping) accept();
      });
      return;
    }
    admit(std::move(socket));
    accept();
  });
}

void ServerCore::admit(tcp::socket socket) {
  error_code error;
  const tcp::endpoint peer = socket.remote_endpoint(error);
  if (error) return;  // gone already
  std::string client = peer.address().to_string();
  const ConnectionLimits::Admission admission = limits.admit(client);
  if (admission != ConnectionLimits::Admission::admitted) return refuse(socket, client, admission);
  socket.set_option(tcp::no_delay(true), error);  // small JSON answers must not wait for Nagle
  auto connection = std::make_shared<Connection>(*this, std::move(socket), std::move(client));
  connections.insert(connection.get());
  connection->start();
}

void ServerCore::refuse(tcp::socket& socket, const std::string& client,
                        ConnectionLimits::Admission admission) {
  const bool per_client = admission == ConnectionLimits::Admission::over_per_client;
  const std::string message = per_client
                                  ? fmt::format("too many connections from {} (at most {})", client,
                                                options.connections_per_client_max)
                                  : fmt::format("too many connections (at most {})", options.connections_max);
  ApiResponse refusal = error_response(503, "too_many_connections", message);
  const std::string text = response_head(refusal, Framing{refusal.body.size(), false, false}) + refusal.body;
  // Best effort and never waiting: the answer fits in an empty socket buffer.
  [[maybe_unused]] const ssize_t sent =
      ::send(socket.native_handle(), text.data(), text.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
  const std::optional<uint64_t> refused =
      limits.refusals_to_log(std::chrono::steady_clock::now(), refusal_log_interval);
  if (refused) {
    log_line("warning", "connections refused over the connection caps",
             {{"refused_since_last_line", *refused}, {"last", message}});
  }
}

void ServerCore::begin_stop() {
  if (stopping) return;
  stopping = true;
  error_code ignored;
  acceptor.close(ignored);
  accept_retry.cancel();
  for (Connection* connection : connections) connection->stop_if_between_requests();
}

ApiResponse ServerCore::route(ApiRequest& request) const {
  ApiResponse refusal;
  const Route* route = router.match(request, refusal);
  if (route == nullptr) return refusal;
  Caller caller;
  if (route->auth == Auth::required) {
    Result<Caller> authenticated = authenticate(context.backend, request.authorization);
    if (!authenticated) return error_response(authenticated.error());
    caller = std::move(authenticated).value();
  }
  // A write takes its arguments from its body only. A query on it would be ignored, so that a
  // client who put the amount there would see the write done without it: refused instead.
  if (request.method != "GET" && request.method != "HEAD" && !request.query.empty()) {
    return error_response(
        400, "invalid_argument",
        fmt::format("{} {} takes its arguments in the JSON body, not in the query ('{}' given)",
                    request.method, route->pattern, request.query.front().first));
  }
  return route->handler(request, caller);
}

ApiResponse ServerCore::answer(ApiRequest& request, std::string_view content_encoding) const {
  try {
    switch (decode_body(content_encoding, options.body_bytes_max, request.body)) {
      case BodyDecoding::decoded:
        break;
      case BodyDecoding::too_large:
        return error_response(
            413, "body_too_large",
            fmt::format("the request body is larger than {} bytes", options.body_bytes_max));
      case BodyDecoding::unsupported_encoding:
        return error_response(415, "unsupported_encoding",
                              "the request body's Content-Encoding is not supported");
      case BodyDecoding::malformed:
        return error_response(400, "malformed_request", "the request body could not be decompressed");
    }
    ApiResponse answer = route(request);
    if (answer.status >= 500) {
      log_line("error", "a request failed",
               {{"method", request.method},
                {"path", request.path},
                {"status", answer.status},
                {"response", answer.body}});
    }
    return answer;
  } catch (const std::exception& exception) {
    log_line("error", "a request failed with an exception",
             {{"path", request.path}, {"detail", exception.what()}});
  } catch (...) {
    log_line("error", "a request failed with an exception",
             {{"path", request.path}, {"detail", "unknown exception"}});
  }
  return error_response(500, "internal_error", "the server failed to answer the request; it is logged");
}

void ServerCore::count(std::string_view method, std::string_view path, int status) const {
  if (method.empty()) return;  // not even a request line: no route to count it under
  context.metrics.count_request(router.label(method, path), method, status);
}

}  // namespace

struct HttpServer::Impl : ServerCore {
  using ServerCore::ServerCore;
};

HttpServer::HttpServer(const ServerOptions& options, const Router& router, ApiContext& context)
    : impl_(std::make_unique<Impl>(options, router, context)) {}

HttpServer::~HttpServer() = default;

namespace {

// Every connection is a file descriptor: the soft limit goes up to the hard one, and the
// connection cap stays below it with room for the ledger's own files.
size_t connections_that_fit(size_t wanted) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return wanted;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  if (limit.rlim_cur == RLIM_INFINITY) return wanted;
  const size_t descriptors = limit.rlim_cur;
  const size_t fit =
      descriptors > 2 * descriptors_reserved ? descriptors - descriptors_reserved : descriptors / 2;
  return std::min(wanted, fit);
}

}  // namespace

Result<int> HttpServer::bind() {
  ServerOptions& options = impl_->options;
  const size_t fit = connections_that_fit(options.connections_max);
  if (fit < options.connections_max) {
    log_line("info", "the connection cap is lowered to fit the open-files limit",
             {{"max_connections", options.connections_max}, {"now", fit}});
    options.connections_max = fit;
    impl_->limits = ConnectionLimits(options.connections_max, options.connections_per_client_max);
  }
  const auto refused = [&options] {
    return make_error(Errc::io_error,
                      fmt::format("cannot listen on {}:{} (in use, or not an address of this host)",
                                  options.host, options.port));
  };
  error_code error;
  tcp::resolver resolver(impl_->io);
  const auto endpoints = resolver.resolve(options.host, std::to_string(options.port), error);
  if (error || endpoints.empty()) return refused();
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  tcp::acceptor& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), error);
  if (!error) acceptor.set_option(tcp::acceptor::reuse_address(true), error);
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(SOMAXCONN, error);
  if (error) {
    acceptor.close(error);
    return refused();
  }
  return static_cast<int>(acceptor.local_endpoint(error).port());
}

Status HttpServer::run() {
  impl_->workers.emplace(impl_->options.threads);
  impl_->accept();
  while (true) {
    try {
      impl_->io.run();
      break;
    } catch (const std::exception& exception) {
      log_line("error", "the I/O loop caught an exception", {{"detail", exception.what()}});
    }
  }
  impl_->workers->join();
  return ok_status();
}

void HttpServer::stop() {
  asio::post(impl_->io, [impl = impl_.get()] { impl->begin_stop(); });
}

}  // namespace paystream::http
