// serve: the HTTP/JSON API (tools/http/, docs/api.md) on one data directory. One process, one
// runtime: every request goes through the same Ledger, so commands from all clients are
// group-committed together. SIGINT or SIGTERM stops it cleanly: no new connections, the requests
// in progress are answered, then the ledger is closed (checkpoint written).
// With --kafka: Kafka mode's engine loop; with --kafka and --listen, the HTTP API on Kafka as well
// (tools/http/kafka_backend.h), the engine loop running beside it unless --api-only.
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <filesystem>
#include <iostream>

#include "tools/cli/commands.h"
#include "tools/cli/kafka_config_option.h"
#include "tools/cli/serve_gateway.h"
#include "tools/cli/server.h"
#include "tools/commands/data_dir.h"
#include "tools/commands/exit_codes.h"
#include "tools/commands/kafka_command_json.h"
#include "tools/commands/serve_kafka.h"
#include "tools/commands/stop_signals.h"
#include "tools/http/embedded_backend.h"
#include "tools/http/routes.h"
#include "tools/http/server.h"
#include "tools/kafka/projector.h"
#include "tools/runtime/monthly_minimum.h"
#include "tools/runtime/operator_tokens.h"
#include "tools/runtime/retention.h"

namespace paystream {
namespace {

struct ServeArgs {
  std::string listen = "127.0.0.1:8080";
  http::ServerOptions server;
  http::ApiLimits limits;
  ServeKafkaOptions kafka;  // used when --kafka is given: the engine loop instead of the HTTP API
  std::optional<int> session_timeout_ms;
  CLI::Option* listen_option = nullptr;  // given: with --kafka, serve the API too
  CLI::Option* kafka_option = nullptr;   // given, even empty: Kafka mode
  bool api_only = false;                 // --kafka --listen without an engine loop in this process
  int outcome_timeout_ms = 10'000;
  std::string projections_group = std::string(default_projections_group);
  std::optional<std::string> records_export_dir;  // retention's exports (docs/cli.md "Retention")
  std::optional<std::string> console_dir;         // the operator's console (docs/console.md)
};

// "HOST:PORT" or "[IPv6]:PORT"; port 0 picks a free one.
Status read_listen(const std::string& text, http::ServerOptions& server) {
  const size_t colon = text.rfind(':');
  const Error invalid =
      make_error(Errc::invalid_argument,
                 fmt::format("--listen: invalid value '{}': expected HOST:PORT, e.g. 127.0.0.1:8080", text));
  if (colon == std::string::npos || colon == 0) return invalid;
  std::string host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return invalid;
    host = host.substr(1, host.size() - 2);
  }
  const std::string_view port = std::string_view(text).substr(colon + 1);
  int value = -1;
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || error != std::errc{} || end != port.data() + port.size() || value < 0 ||
      value > 65535) {
    return invalid;
  }
  server.host = host;
  server.port = value;
  return ok_status();
}

std::string url_host(const std::string& host) {
  return host.find(':') == std::string::npos ? host : "[" + host + "]";
}

// --records-export-dir: an existing, writable folder, named absolutely in the log lines.
Result<std::filesystem::path> records_export_dir(const std::string& text) {
  std::error_code error;
  const std::filesystem::path dir = std::filesystem::absolute(text, error);
  if (error || !std::filesystem::is_directory(dir, error) || ::access(dir.c_str(), W_OK) != 0) {
    return make_error(Errc::invalid_argument,
                      fmt::format("--records-export-dir {}: not a folder this process can write", text));
  }
  return dir;
}

// A ledger without operators cannot authenticate anyone: the first serve adds `admin` and prints
// its token, once (only a salted hash of it is stored).
Status add_first_admin(http::ApiBackend& backend, std::ostream& out) {
  bool has_operators = false;
  backend.read_control([&](const LedgerState& state) { has_operators = !state.operators.empty(); });
  if (has_operators) return ok_status();
  Result<IssuedToken> issued = issue_operator_token();
  if (!issued) return issued.error();
  OperatorSettings admin;
  admin.name = "admin";
  admin.role = OperatorRole::admin;
  admin.token = issued->credential;
  const std::string command_id = generate_command_id();
  Result<Outcome> added = backend.submit(Command{command_id, "admin", AddOperator{admin}});
  if (!added && added.error().code == Errc::operator_exists) {
    // Kafka mode: another instance starting at the same time added it first.
    out << "paystream: operator 'admin' was just added by another instance: use the token it printed\n";
    return ok_status();
  }
  const bool pending = http::is_pending(added);
  if (!added && !pending) return added.error();
  out << "paystream: this ledger had no operators; added 'admin' (role admin). Its bearer token is shown "
         "only now, keep it:\n"
      << "paystream: admin token: " << issued->token << '\n';
  if (pending) {
    out << "paystream: (no engine instance has applied it yet: the token works once one does; its outcome: "
           "GET "
           "/v1/commands/"
        << command_id << ")\n";
  }
  out << "paystream: add more operators with POST /v1/operators or `paystream operator add` (docs/api.md)\n";
  return ok_status();
}

// Serves `backend` until SIGINT or SIGTERM (signals.stop() is then set).
int serve_http(const ServeArgs& args, http::ApiBackend& backend, StopSignals& signals) {
  http::ServerOptions server_options = args.server;
  if (Status valid = read_listen(args.listen, server_options); !valid)
    return report_error(valid.error(), std::cerr);
  http::Metrics metrics;
  std::optional<std::filesystem::path> export_dir;
  if (args.records_export_dir) {
    Result<std::filesystem::path> dir = records_export_dir(*args.records_export_dir);
    if (!dir) return report_error(dir.error(), std::cerr);
    export_dir = *dir;
  }
  std::optional<std::filesystem::path> console_dir;
  if (args.console_dir) console_dir = std::filesystem::absolute(*args.console_dir);  // checked at start
  http::ApiContext context{backend, metrics, args.limits, export_dir};
  http::Router router = http::make_router(context);
  http::add_console_routes(router, console_dir);
  http::HttpServer server(server_options, router, context);
  Result<int> port = server.bind();
  if (!port) return report_error(port.error(), std::cerr);
  if (Status added = add_first_admin(backend, std::cout); !added)
    return report_error(added.error(), std::cerr);
  // Charges each month's minimum once it is due, and at start what came due while it was down. As
  // the first admin: the operator every ledger that serves has.
  const std::unique_ptr<Clock> clock = make_system_clock();
  const MinimumSchedule minimum(
      MinimumTarget{
          .read_states = [&backend](const auto& read) { backend.read_account_states(read); },
          .submit_all =
              [&backend](std::vector<Command> commands) { return backend.submit_all(std::move(commands)); }},
      *clock, "admin", std::chrono::minutes(1),
      [](const std::string& line) { std::cerr << "paystream: " << line << std::endl; });
  // Records past RECORD_RETENTION_DAYS leave the query tables once a day, exported first.
  const RetentionSchedule retention(
      RetentionTarget{.projections = backend.projections(),
                      .parameters =
                          [&backend] {
                            Parameters parameters;
                            backend.read_control(
                                [&](const LedgerState& state) { parameters = state.parameters; });
                            return parameters;
                          },
                      .submit = [&backend](Command command) { return backend.submit(std::move(command)); }},
      *clock, export_dir, "admin", std::chrono::minutes(1),
      [](const std::string& line) { std::cerr << "paystream: " << line << std::endl; });
  std::cout << "paystream: listening on http://" << url_host(server_options.host) << ':' << *port
            << std::endl;
  signals.listen([&server] { server.stop(); });
  const Status ran = server.run();
  signals.stop_listening();
  if (!ran) return report_error(ran.error(), std::cerr);
  return static_cast<int>(ExitCode::ok);
}

ServeKafkaOptions kafka_options(const GlobalOptions& options, const ServeArgs& args) {
  ServeKafkaOptions kafka = args.kafka;
  if (args.session_timeout_ms) {
    // Heartbeats well within the session, as librdkafka's defaults (3 s of 45 s) have them.
    kafka.loop.consumer_settings.emplace_back("session.timeout.ms", std::to_string(*args.session_timeout_ms));
    kafka.loop.consumer_settings.emplace_back("heartbeat.interval.ms",
                                              std::to_string(std::max(*args.session_timeout_ms / 10, 100)));
    // librdkafka refuses a session longer than max.poll.interval.ms (5 min by default).
    constexpr int poll_interval_default_ms = 300'000;
    if (*args.session_timeout_ms > poll_interval_default_ms) {
      kafka.loop.consumer_settings.emplace_back("max.poll.interval.ms",
                                                std::to_string(*args.session_timeout_ms));
    }
  }
  // A subdirectory, so that the default data directory can hold an embedded ledger as well.
  kafka.loop.data_dir = (std::filesystem::path(options.data_dir_or_default()) / "kafka").string();
  kafka.loop.json_commands = &read_kafka_json_command;
  return kafka;
}

int run_serve_embedded(const GlobalOptions& options, const ServeArgs& args) {
  StopSignals signals;         // before the ledger starts its threads
  ::signal(SIGPIPE, SIG_IGN);  // a client that hangs up is a failed write, not the end of the server
  Result<std::unique_ptr<Runtime>> runtime = open_data_dir(options, DataDirUse::create_if_missing);
  if (!runtime) return report_error(runtime.error(), std::cerr);
  http::EmbeddedBackend backend(**runtime);
  const int served = serve_http(args, backend, signals);
  const LogPosition end = (*runtime)->ledger->end();
  if (Status closed = (*runtime)->ledger->close(); !closed) return report_error(closed.error(), std::cerr);
  if (served == static_cast<int>(ExitCode::ok)) {
    std::cerr << "paystream: stopped; the ledger is closed at log position " << end.value << '\n';
  }
  return served;
}

int run_serve(const GlobalOptions& options, const ServeArgs& args) {
  if (Status local = refuse_server(options, "serve", "a server serves its own data directory (--data)");
      !local) {
    return report_error(local.error(), std::cerr);
  }
  const bool kafka = args.kafka_option->count() > 0;
  // `--kafka "$UNSET"` must not quietly serve an embedded ledger that Kafka never hears of.
  if (kafka && args.kafka.loop.connection.bootstrap.empty()) {
    return report_error(make_error(Errc::invalid_argument,
                                   "--kafka was given an empty bootstrap address: give host:port, or leave "
                                   "--kafka out to serve an embedded ledger"),
                        std::cerr);
  }
  if (args.api_only && !(kafka && args.listen_option->count() > 0)) {
    return report_error(make_error(Errc::invalid_argument, "--api-only needs --kafka and --listen"),
                        std::cerr);
  }
  // Checked before any ledger or broker is opened, so that the reason is this, not another.
  if (args.console_dir) {
    if (Status built = http::check_console_dir(std::filesystem::absolute(*args.console_dir)); !built)
      return report_error(built.error(), std::cerr);
  }
  if (!kafka) return run_serve_embedded(options, args);
  if (args.listen_option->count() == 0 && args.console_dir) {
    return report_error(make_error(Errc::invalid_argument,
                                   "--console-dir needs --listen: the console is served with the API"),
                        std::cerr);
  }
  if (args.listen_option->count() == 0 && args.records_export_dir) {
    return report_error(make_error(Errc::invalid_argument,
                                   "--records-export-dir needs --listen: records are cleaned up by the API's "
                                   "gateway, which reads the projections"),
                        std::cerr);
  }
  if (args.listen_option->count() == 0)
    return run_serve_kafka(kafka_options(options, args), std::cout, std::cerr);
  KafkaGatewayOptions gateway;
  gateway.engine = kafka_options(options, args);
  gateway.run_engine = !args.api_only;
  gateway.backend.connection = args.kafka.loop.connection;
  gateway.backend.data_dir = options.data_dir_or_default();
  gateway.backend.outcome_timeout_ms = args.outcome_timeout_ms;
  gateway.backend.topics = args.kafka.topics;
  gateway.backend.projections_group = args.projections_group;
  return run_kafka_gateway(gateway, [&args](http::ApiBackend& backend, StopSignals& signals) {
    return serve_http(args, backend, signals);
  });
}

}  // namespace

void add_serve_command(CLI::App& app, Cli& cli) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* serve =
      add_leaf_command(app, "serve", "Serve the HTTP/JSON API (docs/api.md)", cli, WithOperator::no);
  args->listen_option =
      serve
          ->add_option("--listen", args->listen,
                       "Address to listen on, HOST:PORT (default 127.0.0.1:8080; port 0: any)")
          ->type_name("HOST:PORT");
  serve
      ->add_option(
          "--console-dir", args->console_dir,
          "Serve the operator's console at / from this folder, tools/console's build (docs/console.md)")
      ->type_name("DIR");
  serve
      ->add_option("--records-export-dir", args->records_export_dir,
                   "Folder of the records cleanups' exports: POST /v1/maintenance/records-cleanup and the "
                   "daily run of RECORD_RETENTION_DAYS write there")
      ->type_name("DIR");
  serve->add_option("--max-body-bytes", args->server.body_bytes_max, "Largest request body (default 1048576)")
      ->type_name("N")
      ->check(CLI::Range(size_t{1}, size_t{1} << 30));
  serve->add_option("--threads", args->server.threads, "Workers: requests run at once (default 16)")
      ->type_name("N")
      ->check(CLI::Range(1, 1024));
  serve
      ->add_option(
          "--request-timeout,--read-timeout", args->server.request_timeout_seconds,
          "Seconds from a request's first byte to its last body byte; a request not complete by then "
          "is answered 408 and its connection closed (default 5; --read-timeout is the older name)")
      ->type_name("SECONDS")
      ->check(CLI::Range(1, 3600));
  serve
      ->add_option("--max-connections", args->server.connections_max,
                   "Open connections in all; more are refused (default 10000, lowered to fit the open-files "
                   "limit)")
      ->type_name("N")
      ->check(CLI::Range(size_t{1}, size_t{1'000'000}));
  serve
      ->add_option("--max-connections-per-client", args->server.connections_per_client_max,
                   "Open connections from one client address; more are refused (default 64)")
      ->type_name("N")
      ->check(CLI::Range(size_t{1}, size_t{1'000'000}));
  serve
      ->add_option("--write-timeout", args->server.write_timeout_seconds,
                   "Seconds to write a response (for a streamed export: without progress) (default 5)")
      ->type_name("SECONDS")
      ->check(CLI::Range(1, 3600));
  serve
      ->add_option("--idle-timeout", args->server.idle_timeout_seconds,
                   "Seconds a connection may wait for its (next) request to begin (default 5)")
      ->type_name("SECONDS")
      ->check(CLI::Range(1, 3600));
  serve
      ->add_option("--keep-alive-max-requests", args->server.keep_alive_requests_max,
                   "Requests on one connection before it is closed (default 1000)")
      ->type_name("N")
      ->check(CLI::Range(1, 1'000'000));
  serve
      ->add_option("--max-batch-commands", args->limits.batch_commands_max,
                   "Most commands in one POST /v1/commands (default 10000)")
      ->type_name("N")
      ->check(CLI::Range(1, 1'000'000));
  args->kafka_option =
      serve
          ->add_option(
              "--kafka", args->kafka.loop.connection.bootstrap,
              "Run Kafka mode's engine loop on this cluster (host:port,...) (docs/kafka.md); checkpoints go "
              "to DIR/kafka under --data. With --listen, the HTTP API on Kafka too")
          ->type_name("BOOTSTRAP");
  serve->add_flag("--api-only", args->api_only,
                  "Kafka mode with --listen: serve the HTTP API only, no engine loop in this process (engine "
                  "instances run elsewhere)");
  serve
      ->add_option(
          "--outcome-timeout-ms", args->outcome_timeout_ms,
          "Kafka mode's API: how long a request waits for its command's outcome before answering 202 "
          "(pending; look it up with GET /v1/commands/{id}) (default 10000)")
      ->type_name("MS")
      ->check(CLI::Range(1, 600'000));
  serve
      ->add_option("--projections-group", args->projections_group,
                   "Kafka mode's API: the consumer group told where this server's projections stand, so "
                   "that Kafka's tools show their lag; give each server its own (default "
                   "paystream-projections)")
      ->type_name("G");
  add_kafka_config_option(*serve, args->kafka.loop.connection.properties)->needs(args->kafka_option);
  serve
      ->add_option("--group", args->kafka.loop.group,
                   "Kafka mode: the consumer group (default paystream-engine)")
      ->type_name("G");
  serve
      ->add_option("--topic-prefix", args->kafka.loop.connection.topic_prefix,
                   "Kafka mode: topics are P.commands, P.events, P.results, P.control (default paystream)")
      ->type_name("P");
  serve
      ->add_option(
          "--session-timeout-ms", args->session_timeout_ms,
          "Kafka mode: how long the group waits for an instance that stopped answering (crashed) before "
          "its partitions go to the others (librdkafka's session.timeout.ms, default 45000)")
      ->type_name("MS")
      ->check(CLI::Range(1000, 3'600'000));
  serve
      ->add_option("--batch-commands", args->kafka.loop.batch_commands_max,
                   "Kafka mode: most commands of one partition in one batch (default 1000)")
      ->type_name("N")
      ->check(CLI::Range(size_t{1}, size_t{100'000}));
  set_action(*serve, cli, args, &run_serve);
}

}  // namespace paystream
