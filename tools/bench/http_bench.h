#pragma once
// `paystream bench-http`: a load generator for a running `paystream serve`, on loopback or
// elsewhere. Payments through POST /v1/commands batches (the fast path) or single requests
// (POST /v1/accounts/{id}/payments) from keep-alive clients; prints throughput and request
// latency (with --slow-clients, while slow connections hold the server), then checks that the
// balances add up to exactly what was paid.
#include <cstdint>
#include <ostream>
#include <string>

namespace paystream {

struct HttpBenchOptions {
  std::string url = "http://127.0.0.1:8080";  // --server
  std::string token;      // an operator allowed to open accounts and pay (admin or finance)
  unsigned clients = 16;  // concurrent keep-alive connections
  uint64_t payments = 100'000;
  uint64_t batch = 100;       // payments per request; 1: single requests to the payments endpoint
  uint64_t accounts = 1'000;  // fresh accounts the payments spread over
  unsigned slow_clients = 0;  // slow connections held meanwhile (tools/bench/slow_client_load.h)
};

// Exit code: 0 when every payment was acknowledged and the balances check out, 1 otherwise.
int run_http_bench(const HttpBenchOptions& options, std::ostream& out, std::ostream& err);

}  // namespace paystream
