#include "engine/domain/clock.h"

#include <chrono>

namespace paystream {
namespace {

class SystemClock final : public Clock {
 public:
  Timestamp now() override {
    const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
    return Timestamp{std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count()};
  }
};

}  // namespace

std::unique_ptr<Clock> make_system_clock() { return std::make_unique<SystemClock>(); }

}  // namespace paystream
