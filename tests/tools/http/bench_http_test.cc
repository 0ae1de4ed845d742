// paystream bench-http against a real server: both modes run, every payment is acknowledged, and
// the balances it reads back add up (the load generator checks itself; this checks it says so).
#include "tests/support/run_process.h"
#include "tests/tools/http/api_test_support.h"

namespace paystream::http_test {

TEST_CASE("bench-http loads a server with batches and single requests and checks the balances",
          "[http][bench]") {
  Api api;
  const std::string url = "http://127.0.0.1:" + std::to_string(api.server->port());
  for (const char* batch : {"25", "1"}) {
    const e2e::ProcessResult result = e2e::run_process(
        {PAYSTREAM_BINARY, "bench-http", "--server", url, "--token", api.server->admin_token(), "--clients",
         "4", "--payments", "200", "--batch", batch, "--accounts", "7"});
    INFO(result.out << result.err);
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("payments/s") != std::string::npos);
    CHECK(result.out.find("make 200.0002: ok") != std::string::npos);
  }
  // With slow connections held meanwhile (here fewer than the 25 per address, the server's
  // default cap being 64): the run still succeeds and says how many it held.
  const e2e::ProcessResult with_slow = e2e::run_process(
      {PAYSTREAM_BINARY, "bench-http", "--server", url, "--token", api.server->admin_token(), "--clients",
       "2", "--payments", "50", "--batch", "1", "--accounts", "3", "--slow-clients", "30"});
  INFO(with_slow.out << with_slow.err);
  CHECK(with_slow.exit_code == 0);
  CHECK(with_slow.out.find("slow clients: 30 connections held") != std::string::npos);
  CHECK(with_slow.out.find("make 50.00005: ok") != std::string::npos);
  const e2e::ProcessResult wrong_token =
      e2e::run_process({PAYSTREAM_BINARY, "bench-http", "--server", url, "--token", "pst_0000000000000000_00",
                        "--payments", "10"});
  CHECK(wrong_token.exit_code == 1);
  CHECK(wrong_token.err.find("401") != std::string::npos);
}

}  // namespace paystream::http_test
