// A whole HTTP request of arbitrary bytes, sent on a connection to the real server in this process:
// Boost.Beast's parser, the server's limits and refusals, body decoding, authentication and every
// route, over an embedded ledger in a temporary folder, kept from one input to the next. A fuzzer cannot
// guess a token, so two placeholders stand for them: $ADMIN and $AGENT become the bearer tokens of
// an admin and of an agent over a tree of its own (opened at the start), and the seeds
// (corpus/http_request) use them to reach past authentication; an input that disables either, or
// gives it a new token, is followed by another operator in its place. Whatever the bytes: no crash, no
// sanitizer report, no 5xx but 503 (load) and 507 (disk), and the connection is answered or closed,
// never left hanging. Coverage counts the server's own threads too, so new paths in a route are
// found as in any other target.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>

#include "engine/domain/ledger_state.h"
#include "events/command.h"
#include "events/result.h"
#include "tools/commands/data_dir.h"
#include "tools/http/embedded_backend.h"
#include "tools/http/metrics.h"
#include "tools/http/routes.h"
#include "tools/http/server.h"
#include "tools/runtime/operator_tokens.h"

namespace {

using namespace paystream;

[[noreturn]] void fail(const std::string& why) {
  std::fprintf(stderr, "fuzz_http_request: %s\n", why.c_str());
  std::abort();
}

// Sends `request`, half-closes, and returns all the server sent until it closed. The server may
// close before it has read everything (a refusal): what is left unsent is dropped.
std::string send_request(int port, std::string_view request) {
  const int socket = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (socket < 0) fail(fmt::format("socket: errno {}", errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(socket, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    // libFuzzer's timer signal may interrupt it: the connection then completes on its own.
    if (errno != EINTR) fail(fmt::format("connect: errno {} (is the server gone?)", errno));
    pollfd connected{socket, POLLOUT, 0};
    while (::poll(&connected, 1, 30'000) < 0 && errno == EINTR) {
    }
    int error = 0;
    socklen_t length = sizeof error;
    if (::getsockopt(socket, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0 ||
        (connected.revents & POLLOUT) == 0) {
      fail(fmt::format("connect, after an interruption: errno {}", error));
    }
  }
  for (size_t sent = 0; sent < request.size();) {
    const ssize_t n = ::send(socket, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  ::shutdown(socket, SHUT_WR);
  std::string answer;
  char buffer[16 * 1024];
  for (;;) {
    // Longer than the server's own timeouts (5 s): past them, it has left the connection hanging.
    pollfd ready{socket, POLLIN, 0};
    const int polled = ::poll(&ready, 1, 30'000);
    if (polled < 0 && errno == EINTR) continue;
    if (polled == 0) fail("the server neither answered nor closed the connection in 30 s");
    const ssize_t n = ::recv(socket, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // closed, or reset after a refusal
    answer.append(buffer, static_cast<size_t>(n));
  }
  ::close(socket);
  return answer;
}

// The status and the body of a whole (not chunked) answer, for the set-up's own requests.
std::pair<int, std::string> status_and_body(const std::string& answer) {
  const size_t head_end = answer.find("\r\n\r\n");
  if (answer.size() < 12 || head_end == std::string::npos) return {0, answer};
  return {std::atoi(answer.substr(9, 3).c_str()), answer.substr(head_end + 4)};
}

std::string json_request(std::string_view method, std::string_view path, const std::string& token,
                         const nlohmann::json& body) {
  const std::string text = body.dump();
  return fmt::format(
      "{} {} HTTP/1.1\r\nHost: fuzz\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\n"
      "Content-Length: {}\r\nConnection: close\r\n\r\n{}",
      method, path, token, text.size(), text);
}

// A folder on a file system in memory when there is room (syncs cost nothing there), else the
// system's temporary one.
std::filesystem::path fresh_data_dir() {
  std::filesystem::path base = std::filesystem::temp_directory_path();
  struct statvfs shm {};
  if (::statvfs("/dev/shm", &shm) == 0 && uint64_t{shm.f_bavail} * shm.f_frsize > (uint64_t{1} << 30)) {
    base = "/dev/shm";
  }
  std::random_device random;
  return base / fmt::format("paystream-fuzz-http-{}-{}", random(), random());
}

// The server and its ledger, for the whole run.
struct Harness {
  std::filesystem::path data_dir = fresh_data_dir();
  std::unique_ptr<Runtime> runtime;
  std::unique_ptr<http::EmbeddedBackend> backend;
  http::Metrics metrics;
  std::unique_ptr<http::ApiContext> context;
  http::Router router;
  std::unique_ptr<http::HttpServer> server;
  std::thread serving;
  int port = 0;
  // Adds the others, and their replacements; its token is never sent, and its name is random so
  // that no input is likely to disable it.
  const std::string keeper = fmt::format("keeper-{:08x}", std::random_device{}());
  std::string admin_token;
  std::string agent_token;
  int replacements = 0;
  static constexpr uint32_t agent_permissions =
      static_cast<uint32_t>(Permission::pay_self) | static_cast<uint32_t>(Permission::pay_sub_accounts) |
      static_cast<uint32_t>(Permission::set_overdraft) | static_cast<uint32_t>(Permission::adjust) |
      static_cast<uint32_t>(Permission::reverse);

  Harness() {
    GlobalOptions options;
    options.data_dir = data_dir.string();
    Result<std::unique_ptr<Runtime>> opened = open_data_dir(options, DataDirUse::create_if_missing);
    if (!opened) fail("cannot open the ledger: " + opened.error().message);
    runtime = std::move(*opened);
    backend = std::make_unique<http::EmbeddedBackend>(*runtime);
    context = std::make_unique<http::ApiContext>(http::ApiContext{*backend, metrics, {}, std::nullopt});
    router = http::make_router(*context);
    http::add_console_routes(router, std::nullopt);
    http::ServerOptions server_options;
    server_options.port = 0;
    server_options.threads = 2;
    server = std::make_unique<http::HttpServer>(server_options, router, *context);
    Result<int> bound = server->bind();
    if (!bound) fail("cannot bind: " + bound.error().message);
    port = *bound;
    serving = std::thread([this] { (void)server->run(); });
    add_admin();
    open_agent_tree();
  }

  // An operator added by the keeper (the first one, by itself); its token, or the refusal.
  Result<std::string> add_operator(const std::string& name, OperatorRole role, uint32_t permissions) {
    Result<IssuedToken> issued = issue_operator_token();
    if (!issued) return issued.error();
    OperatorSettings settings;
    settings.name = name;
    settings.role = role;
    if (role == OperatorRole::agent) settings.agent_account = "AG";
    settings.permissions = permissions;
    settings.token = issued->credential;
    Result<Outcome> added = backend->submit(Command{generate_command_id(), keeper, AddOperator{settings}});
    if (!added) return added.error();
    return issued->token;
  }

  void add_admin() {
    Result<std::string> keeper_token = add_operator(keeper, OperatorRole::admin, 0);
    if (!keeper_token) fail("cannot add the keeper: " + keeper_token.error().message);
    Result<std::string> token = add_operator("admin", OperatorRole::admin, 0);
    if (!token) fail("cannot add the admin: " + token.error().message);
    admin_token = *token;
  }

  std::string call(std::string_view method, std::string_view path, const nlohmann::json& body) {
    auto [status, answer] =
        status_and_body(send_request(port, json_request(method, path, admin_token, body)));
    if (status != 200 && status != 201)
      fail(fmt::format("set-up {} {}: {} {}", method, path, status, answer));
    return answer;
  }

  // An agent over AG (S-1 under it), an account outside its tree (D-1), and money on both.
  void open_agent_tree() {
    call("POST", "/v1/accounts", {{"account", "AG"}, {"name", "agent"}, {"account_type", "agent"}});
    call("POST", "/v1/accounts", {{"account", "S-1"}, {"name", "S-1"}, {"parent", "AG"}});
    call("POST", "/v1/accounts", {{"account", "D-1"}, {"name", "D-1"}});
    call("POST", "/v1/accounts/S-1/payments", {{"amount", "100"}});
    call("POST", "/v1/accounts/D-1/payments", {{"amount", "100"}});
    Result<std::string> token = add_operator("agent", OperatorRole::agent, agent_permissions);
    if (!token) fail("cannot add the agent: " + token.error().message);
    agent_token = *token;
  }

  // Every answered request is counted by status before its connection is closed, so once an
  // answer has been read whole, its status is here.
  void check_no_server_error() const {
    const std::string rendered = metrics.render({});
    for (size_t at = rendered.find("status=\"5"); at != std::string::npos;
         at = rendered.find("status=\"5", at + 1)) {
      const std::string status = rendered.substr(at + 8, 3);
      if (status != "503" && status != "507") {
        const size_t line = rendered.rfind('\n', at) + 1;  // npos + 1 is 0: the first line
        fail(fmt::format("the server answered {}: {}", status,
                         rendered.substr(line, rendered.find('\n', at) - line)));
      }
    }
  }

  // An input may disable the admin or the agent, or give either a new token: the keeper then adds
  // another in its place, so that later inputs still reach past authentication. False when it
  // cannot (an input found the keeper's name too).
  bool restore_tokens() {
    for (auto [token, role, permissions] :
         {std::tuple{&admin_token, OperatorRole::admin, uint32_t{0}},
          std::tuple{&agent_token, OperatorRole::agent, agent_permissions}}) {
      if (backend->authenticate_token(*token).ok()) continue;
      Result<std::string> replaced =
          add_operator(fmt::format("replacement-{}", ++replacements), role, permissions);
      if (!replaced) return false;
      *token = *replaced;
    }
    return true;
  }

  void stop() {
    server->stop();
    serving.join();
    server.reset();
    backend.reset();
    runtime.reset();
    std::error_code ignored;
    std::filesystem::remove_all(data_dir, ignored);
  }
};

Harness* harness = nullptr;

std::string with_tokens(std::string_view input) {
  std::string text(input);
  for (const auto& [placeholder, token] :
       {std::pair<std::string_view, const std::string&>{"$ADMIN", harness->admin_token},
        std::pair<std::string_view, const std::string&>{"$AGENT", harness->agent_token}}) {
    for (size_t at = text.find(placeholder); at != std::string::npos;
         at = text.find(placeholder, at + token.size())) {
      text.replace(at, placeholder.size(), token);
    }
  }
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  harness = new Harness;
  // The server's threads must stop, and the ledger close, before the globals they use are destroyed
  // at exit. A function's static made after this registration would be destroyed before it runs:
  // the ledger's close writes the parameters, so their catalog is made now.
  (void)parameter_catalog();
  std::atexit([] { harness->stop(); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)send_request(harness->port, with_tokens(std::string_view(reinterpret_cast<const char*>(data), size)));
  harness->check_no_server_error();
  if (!harness->restore_tokens()) {  // the keeper is gone too: a new ledger
    harness->stop();
    delete harness;
    harness = new Harness;
  }
  return 0;
}
