#pragma once
// The period_totals family (docs/storage.md): MovementTotals per UTC day, kept up to date as
// events are applied, so that reports sum a few rows per day instead of every record. Internal to
// projections/. Rows:
//   'T' ‖ day ‖ account type        every account of that type (settlement)
//   'S' ‖ agent ID ‖ 0x00 ‖ day     the agent's sub-accounts (agent income)
//   'D' ‖ account ID ‖ 0x00 ‖ day   an agent or clearing account itself (agent income, clearing)
// A day is 4 bytes, the days since 1970-01-01 with the sign bit flipped, big-endian.
#include <rocksdb/write_batch.h>

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "projections/projections_internal.h"
#include "projections/report_rows.h"

namespace paystream {

namespace period_keys {
constexpr char settlement = 'T';
constexpr char sub_accounts = 'S';
constexpr char own = 'D';
constexpr size_t day_size = 4;
std::string day_bytes(Date day);
std::optional<Date> decode_day(std::string_view bytes);
std::string settlement_key(Date day, AccountType type);
std::string account_key(char kind, std::string_view account_id, Date day);
std::string account_prefix(char kind, std::string_view account_id);
}  // namespace period_keys

std::string encode_movement_totals(const MovementTotals& totals);
Result<MovementTotals> decode_movement_totals(std::string_view bytes);

// The write side, used by the Applier on the sequencer's thread. Rows are read through a cache, as
// the balance rows are (the batches of earlier applies may be unwritten), and each row touched by
// an apply is put once.
class PeriodTotalsWriter {
 public:
  explicit PeriodTotalsWriter(const Handles& handles) : handles_(handles) {}
  // `settings` are the account's as of the event.
  Status count_record(const Event& event, const AccountSettings& settings);
  Status count_charge(const Event& event, const AccountSettings& settings);
  // An account of `balance` changed type from `from` to `to` on `day`.
  Status move_type(Date day, AccountType from, AccountType to, Money balance);
  void begin_apply(uint64_t apply);
  void write(rocksdb::WriteBatch& batch);
  void discard();

 private:
  using Count = std::function<void(MovementTotals&)>;
  Status count_into(const Event& event, const AccountSettings& settings, const Count& count);
  Result<MovementTotals*> touch(const std::string& key);

  struct Cached {
    MovementTotals totals;
    uint64_t last_apply = 0;
  };
  Handles handles_;
  uint64_t apply_ = 0;
  std::unordered_map<std::string, Cached> cache_;
  std::vector<const std::string*> touched_;
};

}  // namespace paystream
