#include "tools/http/connection_limits.h"

namespace paystream::http {

ConnectionLimits::Admission ConnectionLimits::admit(const std::string& client) {
  if (open_ >= total_max_) {
    ++refused_unlogged_;
    return Admission::over_total;
  }
  size_t& from_client = per_client_[client];
  if (from_client >= per_client_max_) {
    ++refused_unlogged_;
    return Admission::over_per_client;
  }
  ++from_client;
  ++open_;
  return Admission::admitted;
}

void ConnectionLimits::release(const std::string& client) {
  const auto found = per_client_.find(client);
  if (found == per_client_.end()) return;
  --open_;
  if (--found->second == 0) per_client_.erase(found);
}

std::optional<uint64_t> ConnectionLimits::refusals_to_log(std::chrono::steady_clock::time_point now,
                                                          std::chrono::seconds interval) {
  if (refused_unlogged_ == 0) return std::nullopt;
  if (last_logged_ && now - *last_logged_ < interval) return std::nullopt;
  last_logged_ = now;
  const uint64_t count = refused_unlogged_;
  refused_unlogged_ = 0;
  return count;
}

}  // namespace paystream::http
