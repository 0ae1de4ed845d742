#pragma once
// Where the engines take the time of the events they append. An interface, so that tests and the
// simulator can fix it: decide() itself never reads a clock, it is given the time.
#include <memory>

#include "events/time.h"

namespace paystream {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() = 0;
};

// The wall clock (UTC microseconds since the epoch).
std::unique_ptr<Clock> make_system_clock();

}  // namespace paystream
