#include "engine/embedded/ledger.h"

#include "engine/embedded/ledger_impl.h"

namespace paystream {

Result<std::unique_ptr<Ledger>> Ledger::open(const LedgerOptions& options, AppendObserver* observer) {
  auto ledger = std::make_unique<EmbeddedLedger>(options, observer);
  if (Status status = ledger->start(); !status) return status.error();
  return std::unique_ptr<Ledger>(std::move(ledger));
}

}  // namespace paystream
