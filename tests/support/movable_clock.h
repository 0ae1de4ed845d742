#pragma once
// The engine's clock as a test moves it: records made days ago, a month's charge time reached.
#include <atomic>
#include <cstdint>

#include "engine/domain/clock.h"
#include "events/time.h"

namespace paystream {

class MovableClock final : public Clock {
 public:
  MovableClock() = default;
  explicit MovableClock(const char* start) { set(start); }
  Timestamp now() override { return Timestamp{micros_.load()}; }
  void set(Timestamp time) { micros_ = time.micros; }
  void set(const char* text) { set(parse_timestamp(text).value()); }

 private:
  std::atomic<int64_t> micros_{0};
};

}  // namespace paystream
