// What a server must survive: malformed and oversized requests, slow clients, many clients paying
// one account at once; and what it reports: /metrics, a clean stop.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "tests/tools/http/api_test_support.h"

namespace paystream::http_test {
namespace {

// A raw TCP connection, for requests httplib's client would not send.
class RawConnection {
 public:
  explicit RawConnection(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  void send_text(const std::string& text) {
    REQUIRE(::send(fd_, text.data(), text.size(), MSG_NOSIGNAL) >= 0);
  }
  // One response (its headers and Content-Length bytes of body), or what arrived before the server
  // closed the connection or `wait_ms` passed without anything arriving.
  std::string receive_response(int wait_ms) {
    std::string received;
    while (!is_complete(received)) {
      pollfd descriptor{fd_, POLLIN, 0};
      if (::poll(&descriptor, 1, wait_ms) <= 0) break;
      char buffer[4096];
      const ssize_t size = ::recv(fd_, buffer, sizeof buffer, 0);
      if (size <= 0) break;
      received.append(buffer, static_cast<size_t>(size));
    }
    return received;
  }

 private:
  static bool is_complete(const std::string& response) {
    const size_t headers_end = response.find("\r\n\r\n");
    if (headers_end == std::string::npos) return false;
    constexpr std::string_view length_header = "Content-Length: ";
    const size_t length_at = response.find(length_header);
    if (length_at == std::string::npos || length_at > headers_end) return true;
    const size_t length = std::stoul(response.substr(length_at + length_header.size()));
    return response.size() >= headers_end + 4 + length;
  }

  int fd_;
};

bool healthy(ServerProcess& server) {
  const httplib::Result result = server.client("")->Get("/healthz");
  return result && result->status == 200;
}

}  // namespace

TEST_CASE("malformed and oversized and hostile requests are refused and the server carries on",
          "[http][robustness]") {
  Api api;
  httplib::Client& admin = *api.admin;
  const std::string huge(2 * 1024 * 1024, ' ');
  CHECK(refusal_of(admin.Post("/v1/commands", huge, "application/json")) ==
        std::pair{413, std::string("body_too_large")});
  // The same without a Content-Length: chunked, refused when the limit is crossed.
  const httplib::Result chunked = admin.Post(
      "/v1/commands",
      [&](size_t offset, httplib::DataSink& sink) {
        if (offset >= huge.size()) {
          sink.done();
          return true;
        }
        return sink.write(huge.data() + offset, 64 * 1024);
      },
      "application/json");
  if (chunked) CHECK(refusal_of(chunked).first == 413);  // (or the server closed before the client finished)
  // Small on the wire, 2 MiB once decompressed: the limit is on what the body decompresses to.
  auto compressing = api.server->client(api.server->admin_token());
  compressing->set_compress(true);
  CHECK(refusal_of(compressing->Post("/v1/commands", huge, "application/json")) ==
        std::pair{413, std::string("body_too_large")});
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  CHECK(refusal_of(admin.Post("/v1/commands", deep, "application/json")).first == 400);
  httplib::Headers big_header = {{"X-Padding", std::string(20'000, 'a')}};
  const httplib::Result oversized = admin.Get("/v1/balances", big_header);
  REQUIRE(oversized);
  CHECK(oversized->status == 400);  // httplib refuses a header line over 8192 bytes
  CHECK(json::parse(oversized->body).at("error").at("code") == "malformed_request");
  {
    RawConnection garbage(api.server->port());
    garbage.send_text("THIS IS NOT HTTP\r\n\r\n");
    const std::string answer = garbage.receive_response(5000);
    CHECK(answer.rfind("HTTP/1.1 400", 0) == 0);
    CHECK(answer.find("\"malformed_request\"") != std::string::npos);
  }
  {
    RawConnection trace(api.server->port());
    trace.send_text("TRACE /v1/balances HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    CHECK(trace.receive_response(5000).rfind("HTTP/1.1 405", 0) == 0);
  }
  CHECK(healthy(*api.server));
  CHECK(api.server->stop() == 0);
}

TEST_CASE("a slow client holding half a request does not block the others", "[http][robustness]") {
  Api api({"--threads", "4", "--request-timeout", "1"});
  RawConnection slow(api.server->port());
  slow.send_text("POST /v1/accounts HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"acc");
  for (int i = 0; i < 5; ++i) {
    open_account(*api.admin, {{"account", "C-" + std::to_string(i)}, {"name", "N"}});
  }
  CHECK(json_of(api.admin->Get("/v1/balances")).at("rows").size() == 5);
  // The request deadline ends the slow request without opening anything: 408, then closed.
  const std::string answer = slow.receive_response(10'000);
  CHECK(answer.rfind("HTTP/1.1 408", 0) == 0);
  CHECK(answer.find("\"request_timeout\"") != std::string::npos);
  CHECK(json_of(api.admin->Get("/v1/balances")).at("rows").size() == 5);
}

TEST_CASE("16 concurrent clients paying one account lose no update", "[http][robustness][concurrency]") {
  // Fewer workers than clients: a worker serves a request, not a connection, so kept-alive
  // connections between requests hold none and the payers take turns.
  Api api({"--threads", "4"});
  open_account(*api.admin, {{"account", "HOT"}, {"name", "Hot"}});
  constexpr int clients = 16, payments_each = 20;
  std::atomic<int> created{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      auto client = api.server->client(api.server->admin_token());
      client->set_keep_alive(true);
      for (int p = 0; p < payments_each; ++p) {
        const std::string command_id = fmt::format("c{}-p{}", c, p);
        const json body = {{"amount", "1.01"}, {"command_id", command_id}};
        const httplib::Result result = post(*client, "/v1/accounts/HOT/payments", body);
        if (result && result->status == 201) ++created;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(created == clients * payments_each);
  CHECK(balance_of(*api.admin, "HOT") == "323.20");
  const json records = json_of(api.admin->Get("/v1/payment-records?account=HOT&limit=0"));
  CHECK(records.at("rows").size() == clients * payments_each);
}

TEST_CASE("metrics count commands and latency and positions and requests but show no account data",
          "[http][robustness][metrics]") {
  Api api;
  httplib::Client& admin = *api.admin;
  open_account(admin, {{"account", "SECRET-ACCOUNT"}, {"name", "Secret Name"}});
  post(admin, "/v1/accounts/SECRET-ACCOUNT/payments", {{"amount", "1"}});
  post(admin, "/v1/accounts/SECRET-ACCOUNT/payments", {{"amount", "-1"}});
  admin.Get("/v1/nothing");
  // Read again until every count shows, for a bounded time, so the test does not depend on when
  // the server counts a request relative to writing its answer.
  const auto counted = [](const std::string& text) {
    return text.find("route=\"unmatched\",method=\"GET\",status=\"404\"") != std::string::npos &&
           text.find("method=\"POST\",status=\"422\"") != std::string::npos &&
           text.find("route=\"/v1/accounts/{id}/payments\",method=\"POST\",status=\"201\"") !=
               std::string::npos &&
           // Kafka mode: the transaction's marker after the payment's batch is read a moment later.
           text.find("paystream_projection_lag_events 0\n") != std::string::npos;
  };
  httplib::Result metrics = api.server->client("")->Get("/metrics");
  for (int attempt = 0; attempt < 100 && metrics && !counted(metrics->body); ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    metrics = api.server->client("")->Get("/metrics");
  }
  REQUIRE(metrics);
  CHECK(metrics->status == 200);
  CHECK(metrics->get_header_value("Content-Type").rfind("text/plain; version=0.0.4", 0) == 0);
  const std::string& text = metrics->body;
  INFO(text);
  CHECK(text.find("paystream_commands_total{type=\"Pay\",outcome=\"applied\"} 1\n") != std::string::npos);
  CHECK(text.find("paystream_commands_total{type=\"Pay\",outcome=\"amount_must_be_positive\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("# TYPE paystream_command_duration_seconds histogram") != std::string::npos);
  CHECK(text.find("paystream_command_duration_seconds_bucket{le=\"+Inf\"} 3\n") != std::string::npos);
  CHECK(text.find("paystream_log_position 3\n") != std::string::npos);  // the first admin, open, pay
  CHECK(text.find("paystream_projection_lag_events 0\n") != std::string::npos);
  CHECK(text.find("paystream_http_requests_total{route=\"/v1/accounts/{id}/"
                  "payments\",method=\"POST\",status=\"422\"} "
                  "1\n") != std::string::npos);
  CHECK(text.find("route=\"unmatched\",method=\"GET\",status=\"404\"") != std::string::npos);
  CHECK(text.find("SECRET") == std::string::npos);
  CHECK(text.find("admin") == std::string::npos);
}

TEST_CASE("SIGTERM stops the server cleanly and every acknowledged change survives a restart",
          "[http][robustness]") {
  TempDir data;
  std::string token;
  {
    ServerProcess server(data.path());
    token = server.admin_token();
    auto admin = server.client(token);
    open_account(*admin, {{"account", "C-1"}, {"name", "A"}, {"balance", "9.99"}});
    CHECK(server.stop() == 0);
    CHECK(server.stderr_text().find("paystream: stopped") != std::string::npos);
  }
  ServerProcess again(data.path());
  CHECK(balance_of(*again.client(token), "C-1") == "9.99");
}

}  // namespace paystream::http_test
