#include "engine/ledger.h"

#include <chrono>

#include "engine/embedded_ledger.h"

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

Result<std::unique_ptr<Ledger>> Ledger::open(const LedgerOptions& options, AppendObserver* observer) {
  auto ledger = std::make_unique<EmbeddedLedger>(options, observer);
  if (Status status = ledger->start(); !status) return status.error();
  return std::unique_ptr<Ledger>(std::move(ledger));
}

}  // namespace paystream
