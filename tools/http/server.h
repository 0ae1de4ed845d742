#pragma once
// The HTTP server: cpp-httplib at the edge, the Router behind it. It owns the transport limits
// (body size, timeouts, keep-alive, the worker pool that bounds concurrent requests), turns every
// request into an ApiRequest, authenticates it, runs its route and counts it in the metrics.
// cpp-httplib's own refusals (a malformed request line, an oversized header) get the API's JSON
// error body too. Nothing thrown gets past it.
#include <cstddef>
#include <memory>
#include <string>

#include "events/result.h"
#include "tools/http/api_context.h"
#include "tools/http/router.h"

namespace paystream::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                            // 0: any free port (bind() says which)
  size_t body_bytes_max = 1024 * 1024;        // larger bodies: 413
  size_t threads = 16;                        // workers: connections served at once
  size_t queued_connections_max = 1024;       // accepted, waiting for a worker; then accept() waits
  int read_timeout_seconds = 5;               // for each read of a request (a slow client)
  int write_timeout_seconds = 5;              // for each write of a response (a slow reader)
  int idle_timeout_seconds = 5;               // a kept-alive connection with no new request
  size_t keep_alive_requests_max = 1000;      // requests on one connection before it is closed
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
  // Serves until stop(); returns after the workers have finished their requests.
  Status run();
  // From any thread (a signal handler thread): stops accepting, ends run().
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace paystream::http
