#pragma once
// Slow clients for `paystream bench-http --slow-clients N`: N connections to a loopback server,
// from 127.0.0.2 upwards (25 per address, under the server's per-client cap), a third trickling
// their headers, a third trickling a body after whole headers, a third silent; one byte per second
// on each trickler. One dropped by the server is opened again, so that there are N throughout.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "events/result.h"

namespace paystream {

class SlowClientLoad {
 public:
  SlowClientLoad() = default;
  ~SlowClientLoad();
  SlowClientLoad(const SlowClientLoad&) = delete;
  SlowClientLoad& operator=(const SlowClientLoad&) = delete;

  // `ipv4` must be a 127.0.0.0/8 address. Returns once all N are connected.
  Status start(const std::string& ipv4, int port, unsigned count);
  // Closes them all.
  void stop();
  // Connections the server closed (each was then opened again).
  uint64_t dropped() const { return dropped_; }

 private:
  enum class Kind { headers, body, silent };
  struct Slow {
    Kind kind = Kind::silent;
    uint32_t local_address = 0;
    int fd = -1;
    std::chrono::steady_clock::time_point next_byte;
  };
  Status open(Slow& slow);
  void drive();

  uint32_t server_address_ = 0;
  int port_ = 0;
  std::vector<Slow> connections_;
  std::atomic<bool> done_{false};
  std::atomic<uint64_t> dropped_{0};
  std::thread thread_;
};

// "http://127.0.0.1:8080/..." -> {"127.0.0.1", 8080}; invalid_argument for another form.
Result<std::pair<std::string, int>> loopback_host_port(const std::string& url);

}  // namespace paystream
