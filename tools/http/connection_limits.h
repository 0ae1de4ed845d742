#pragma once
// The server's caps on open connections: in all, and from one client address, so that one client
// (or a few) opening connections and never finishing a request cannot take every file descriptor.
// Used by the I/O thread only: no locking.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

namespace paystream::http {

class ConnectionLimits {
 public:
  ConnectionLimits(size_t total_max, size_t per_client_max)
      : total_max_(total_max), per_client_max_(per_client_max) {}

  enum class Admission { admitted, over_total, over_per_client };
  // Counts the connection in when it fits under both caps.
  Admission admit(const std::string& client);
  // A connection admit() counted in has closed.
  void release(const std::string& client);

  // Refusals are logged at most once per `interval`, with how many there were since: a client
  // retrying in a loop must not flood the log. Returns the count to log now, or nullopt.
  std::optional<uint64_t> refusals_to_log(std::chrono::steady_clock::time_point now,
                                          std::chrono::seconds interval);

  size_t open() const { return open_; }

 private:
  size_t total_max_;
  size_t per_client_max_;
  size_t open_ = 0;
  std::unordered_map<std::string, size_t> per_client_;
  uint64_t refused_unlogged_ = 0;
  std::optional<std::chrono::steady_clock::time_point> last_logged_;
};

}  // namespace paystream::http
