#pragma once
// The HTTP server: Boost.Beast's parser on Boost.Asio at the edge, the Router behind it. One I/O
// thread accepts connections and reads and writes them without blocking, so a slow or silent
// client costs a file descriptor and some memory, never a thread; a complete request goes to a
// bounded pool of workers that run its route, and its answer back to the I/O thread to be written.
// It owns the transport limits (a deadline for a whole request, caps on connections in all and per
// client address, body size, keep-alive), turns every request into an ApiRequest, authenticates
// it, runs its route and counts it in the metrics. Its own refusals get the API's JSON error body
// too. Nothing thrown gets past it.
#include <cstddef>
#include <memory>
#include <string>

#include "events/result.h"
#include "tools/http/api_context.h"
#include "tools/http/router.h"

namespace paystream::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                         // 0: any free port (bind() says which)
  size_t body_bytes_max = 1024 * 1024;     // larger bodies: 413
  size_t threads = 16;                     // workers: requests run at once
  size_t queued_requests_max = 1024;       // complete requests waiting for a worker; then 503
  int request_timeout_seconds = 5;         // from a request's first byte to its last body byte
  int write_timeout_seconds = 5;           // for writing a response (a slow reader)
  int idle_timeout_seconds = 5;            // a connection waiting for its (next) request's first byte
  size_t keep_alive_requests_max = 1000;   // requests on one connection before it is closed
  size_t connections_max = 10'000;         // open connections in all (lowered to fit the fd limit)
  size_t connections_per_client_max = 64;  // open connections from one client address
};

class HttpServer {
 public:
  // `router` and `context` must outlive the server.
  HttpServer(const ServerOptions& options, const Router& router, ApiContext& context);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the listening socket; returns the port (the chosen one when options.port is 0).
  // io_error when the address cannot be bound.
  Result<int> bind();
  // Serves until stop(); returns after the requests under way have been answered.
  Status run();
  // From any thread (a signal handler thread): stops accepting, ends run().
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace paystream::http
