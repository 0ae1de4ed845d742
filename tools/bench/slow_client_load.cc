#include "tools/bench/slow_client_load.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace paystream {
namespace {

using Clock = std::chrono::steady_clock;
constexpr unsigned per_address = 25;
constexpr std::chrono::milliseconds trickle_interval{1000};

bool send_text(int fd, std::string_view text) {
  return ::send(fd, text.data(), text.size(), MSG_NOSIGNAL | MSG_DONTWAIT) ==
         static_cast<ssize_t>(text.size());
}

bool closed_by_server(int fd) {
  char buffer[4096];
  while (true) {
    const ssize_t size = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (size == 0) return true;
    if (size < 0) return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
  }
}

}  // namespace

SlowClientLoad::~SlowClientLoad() { stop(); }

Status SlowClientLoad::open(Slow& slow) {
  slow.fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (slow.fd < 0) return make_error(Errc::io_error, fmt::format("socket: {}", std::strerror(errno)));
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_addr.s_addr = htonl(slow.local_address);
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(static_cast<uint16_t>(port_));
  server.sin_addr.s_addr = htonl(server_address_);
  if (::bind(slow.fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
      ::connect(slow.fd, reinterpret_cast<sockaddr*>(&server), sizeof server) != 0) {
    const int error = errno;
    ::close(slow.fd);
    slow.fd = -1;
    return make_error(Errc::io_error,
                      fmt::format("a slow client could not connect: {}", std::strerror(error)));
  }
  slow.next_byte = Clock::now() + trickle_interval;
  if (slow.kind == Kind::headers) send_text(slow.fd, "POST /v1/accounts HTTP/1.1\r\nHost: x\r\nX-Slow: ");
  if (slow.kind == Kind::body) {
    send_text(slow.fd, "POST /v1/accounts HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{");
  }
  return ok_status();
}

Status SlowClientLoad::start(const std::string& ipv4, int port, unsigned count) {
  in_addr parsed{};
  if (::inet_pton(AF_INET, ipv4.c_str(), &parsed) != 1 || (ntohl(parsed.s_addr) >> 24) != 127) {
    return make_error(Errc::invalid_argument, "--slow-clients needs a server on a 127.0.0.0/8 address");
  }
  server_address_ = ntohl(parsed.s_addr);
  port_ = port;
  connections_.resize(count);
  for (unsigned i = 0; i < count; ++i) {
    connections_[i].kind = static_cast<Kind>(i % 3);
    connections_[i].local_address = (127u << 24) | (2 + i / per_address);
    Status opened = open(connections_[i]);
    if (!opened) {
      stop();
      return opened;
    }
  }
  thread_ = std::thread([this] { drive(); });
  return ok_status();
}

void SlowClientLoad::drive() {
  while (!done_) {
    const auto now = Clock::now();
    for (Slow& slow : connections_) {
      if (slow.fd < 0 || closed_by_server(slow.fd)) {
        if (slow.fd >= 0) {
          ::close(slow.fd);
          ++dropped_;
        }
        if (!open(slow)) slow.fd = -1;  // tried again next round
      } else if (slow.kind != Kind::silent && now >= slow.next_byte) {
        send_text(slow.fd, slow.kind == Kind::headers ? "a" : " ");
        slow.next_byte = now + trickle_interval;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void SlowClientLoad::stop() {
  done_ = true;
  if (thread_.joinable()) thread_.join();
  for (Slow& slow : connections_) {
    if (slow.fd >= 0) ::close(slow.fd);
    slow.fd = -1;
  }
}

Result<std::pair<std::string, int>> loopback_host_port(const std::string& url) {
  constexpr std::string_view scheme = "http://";
  if (url.rfind(scheme, 0) != 0)
    return make_error(Errc::invalid_argument, "--slow-clients needs an http:// server");
  std::string rest = url.substr(scheme.size());
  rest = rest.substr(0, rest.find('/'));
  const size_t colon = rest.find(':');
  const std::string host = rest.substr(0, colon);
  int port = 80;
  if (colon != std::string::npos) {
    try {
      port = std::stoi(rest.substr(colon + 1));
    } catch (const std::exception&) {
      return make_error(Errc::invalid_argument, fmt::format("no port in {}", url));
    }
  }
  return std::pair{host, port};
}

}  // namespace paystream
