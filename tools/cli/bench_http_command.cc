// bench-http: the HTTP load generator (tools/bench/http_bench.h) behind CLI11.
#include <CLI/CLI.hpp>
#include <iostream>

#include "tools/bench/http_bench.h"
#include "tools/cli/commands.h"
#include "tools/commands/exit_codes.h"

namespace paystream {
namespace {

int run_bench_http(const GlobalOptions& globals, const HttpBenchOptions& given) {
  // The server and token are the global --server and --token (or PAYSTREAM_SERVER/_TOKEN).
  HttpBenchOptions options = given;
  if (globals.server) options.url = *globals.server;
  if (globals.token) options.token = *globals.token;
  if (options.clients == 0 || options.payments == 0 || options.batch == 0 || options.accounts == 0) {
    return report_usage_error(
        "bench-http: --clients, --payments, --batch and --accounts must be greater than 0", std::cerr);
  }
  if (options.token.empty()) {
    return report_usage_error("bench-http: --token TOKEN (or PAYSTREAM_TOKEN) is required", std::cerr);
  }
  return run_http_bench(options, std::cout, std::cerr);
}

}  // namespace

void add_bench_http_command(CLI::App& app, Cli& cli) {
  auto options = std::make_shared<HttpBenchOptions>();
  CLI::App* command = add_leaf_command(
      app, "bench-http", "Load a running paystream serve (--server URL --token T) with payments over HTTP",
      cli);
  // --server URL (default http://127.0.0.1:8080) and --token are the global options.
  command->add_option("--clients", options->clients, "Concurrent keep-alive clients (default 16)");
  command->add_option("--payments", options->payments, "Payments in all (default 100000)");
  command->add_option("--batch", options->batch,
                      "Payments per POST /v1/commands (default 100); 1: single payment requests");
  command->add_option("--accounts", options->accounts, "Fresh accounts to pay into (default 1000)");
  command->add_option(
      "--slow-clients", options->slow_clients,
      "Meanwhile, hold this many slow connections (trickling headers, trickling a body, silent) "
      "from 127.0.0.2 upwards; the server must be on 127.0.0.0/8 (default 0)");
  set_action(*command, cli, options, &run_bench_http);
}

}  // namespace paystream
