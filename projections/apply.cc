// The write side of the projections: events in log order become balance rows, the by-account
// record rows, the account name history and the applied position, all in the caller's WriteBatch.
// In Kafka mode each call holds events of one partition, and each partition has its own applied
// position; the rows do not depend on how the partitions' calls interleave, since an account (and
// so each row) belongs to one partition.
// Queries over all accounts read the records from the log itself, so nothing is keyed by position.
#include <rocksdb/write_batch.h>

#include <algorithm>

#include "events/command.h"
#include "events/log_format.h"
#include "projections/key_codec.h"
#include "projections/period_totals.h"
#include "projections/projections_internal.h"

namespace paystream {
namespace {

Error corrupt_event(const Event& event, const std::string& why) {
  return make_error(Errc::corruption, "projections cannot apply event " +
                                          std::to_string(event.position.value) + " (" +
                                          event_type_name(event.type) + "): " + why);
}

void put(rocksdb::WriteBatch& batch, rocksdb::ColumnFamilyHandle* family, std::string_view key,
         std::string_view value) {
  // Put fails only when the batch outgrows its size limit, which we never set.
  PAYSTREAM_ASSERT(batch.Put(family, key, value).ok());
}

// Paired with the engine's decide/evolve: an event that moves money starts from the balance row.
Status check_starts_from(const BalanceState& account, const Event& event) {
  if (account.balance == event.balance_before && account.overdraft == event.overdraft_before)
    return ok_status();
  return corrupt_event(event, "its balance_before/overdraft_before differ from the balance row");
}

}  // namespace

RecordRow record_row_of(const Event& event, std::string account_name) {
  return RecordRow{
      .id = event.position,
      .account_id = event.account_id,
      .account_name = std::move(account_name),
      .type = payment_type_of(event.type),
      .amount = event.amount,
      .balance_before = event.balance_before,
      .balance_after = event.balance_after,
      .time = event.time,
      .operator_name = event.operator_name,
      .memo = event.memo,
      .method = event.method,
      .reverses = event.reverses,
      .new_expiry = event.expires_after != event.expires_before ? event.expires_after : std::nullopt};
}

Applier::Applier(const Handles& handles)
    : handles_(handles), totals_(std::make_unique<PeriodTotalsWriter>(handles)) {}

Applier::~Applier() = default;

void Applier::put_history(const Event& event, const BalanceState& state, rocksdb::WriteBatch& batch) {
  put(batch, handles_.account_history,
      keys::account_record_key(event.account_id, event.time, event.position.value),
      encode_balance_state(state));
}

void Applier::discard_cache() {
  totals_->discard();
  touched_.clear();
  cache_.clear();
  applied_.clear();
  // The failed batch's rows will never be stored, nor those of the groups built on it.
  recent_record_keys_.clear();
}

Result<uint64_t> Applier::applied_in(int32_t partition) {
  if (const auto found = applied_.find(partition); found != applied_.end()) return found->second;
  Result<uint64_t> stored = read_applied_position(handles_, rocksdb::ReadOptions(), partition);
  if (!stored) return stored.error();
  applied_.emplace(partition, *stored);
  return *stored;
}

Status Applier::apply(std::span<const Event> events, rocksdb::WriteBatch& batch) {
  if (events.empty()) return ok_status();
  ++applies_;
  if (cache_.size() > cached_accounts_max) drop_settled_rows();
  const int32_t partition = partition_of_position(events.front().position.value);
  Result<uint64_t> applied = applied_in(partition);
  if (!applied) return applied.error();
  touched_.clear();
  totals_->begin_apply(applies_);
  while (!recent_record_keys_.empty() &&
         recent_record_keys_.front().first + unwritten_applies_max < applies_) {
    recent_record_keys_.pop_front();
  }
  recent_record_keys_.emplace_back(applies_, std::vector<std::string>());
  uint64_t expected = *applied + 1;
  for (const Event& event : events) {
    // The partition's log order: no gap, no repeat, and one partition per call. Anything else is
    // a bug of the caller.
    PAYSTREAM_ASSERT(partition_of_position(event.position.value) == partition);
    PAYSTREAM_ASSERT(event.position.value == expected);
    ++expected;
    if (Status applied_event = apply_event(event, batch); !applied_event) {
      discard_cache();  // the cache may hold half of this group; the caller drops the batch
      return applied_event;
    }
  }
  write_touched(batch);
  totals_->write(batch);
  const uint64_t last = events.back().position.value;
  put(batch, handles_.meta, keys::applied_position_key(partition), keys::position_key(last));
  applied_[partition] = last;
  return ok_status();
}

void Applier::drop_settled_rows() {
  // Not every row: the sequencer builds a group while earlier groups still wait to be written, and
  // a row read back from the database would miss their changes (the balance check of the next
  // record would then stop the ledger).
  std::erase_if(
      cache_, [&](const auto& entry) { return entry.second.last_apply + unwritten_applies_max < applies_; });
}

Result<BalanceState*> Applier::touch(const std::string& id) {
  auto it = cache_.find(id);
  if (it == cache_.end()) {
    std::string value;
    const rocksdb::Status status = handles_.db->Get(rocksdb::ReadOptions(), handles_.balances, id, &value);
    if (status.IsNotFound()) return make_error(Errc::corruption, "no balance row for account '" + id + "'");
    if (!status.ok()) return rocksdb_error("reading a balance row", status);
    Result<BalanceState> decoded = decode_balance_state(value);
    if (!decoded) return decoded.error();
    it = cache_.emplace(id, CachedBalance{std::move(*decoded), 0}).first;
  }
  // The first touch in this apply() remembers the stored type, to move the type index entry.
  if (it->second.last_apply != applies_) mark_touched(*it, it->second.state.settings.type);
  return &it->second.state;
}

void Applier::mark_touched(CacheEntry& entry, std::optional<AccountType> stored_type) {
  entry.second.last_apply = applies_;
  touched_.push_back(Touched{&entry, stored_type});
}

Status Applier::open_account(const Event& event, rocksdb::WriteBatch& batch) {
  bool exists = cache_.contains(event.account_id);
  if (!exists) {
    std::string value;
    const rocksdb::Status status =
        handles_.db->Get(rocksdb::ReadOptions(), handles_.balances, event.account_id, &value);
    if (!status.ok() && !status.IsNotFound()) return rocksdb_error("reading a balance row", status);
    exists = status.ok();
  }
  if (exists) return corrupt_event(event, "the account already exists");
  BalanceState opened;
  opened.settings = event.settings;
  opened.overdraft = event.overdraft_after;  // a new account's balance and consumption are zero
  put_history(event, opened, batch);
  mark_touched(*cache_.emplace(event.account_id, CachedBalance{std::move(opened), 0}).first, std::nullopt);
  put(batch, handles_.account_names, keys::account_name_key(event.account_id, event.position.value),
      event.settings.name);
  return ok_status();
}

Status Applier::update_account(const Event& event, rocksdb::WriteBatch& batch) {
  Result<BalanceState*> account = touch(event.account_id);
  if (!account) return account.error();
  // The name history gets a row only when the name changes (records show the name of their time).
  if ((*account)->settings.name != event.settings.name) {
    put(batch, handles_.account_names, keys::account_name_key(event.account_id, event.position.value),
        event.settings.name);
  }
  if ((*account)->settings.type != event.settings.type) {
    const Status moved = totals_->move_type(date_of(event.time), (*account)->settings.type,
                                            event.settings.type, (*account)->balance);
    if (!moved) return moved;
  }
  (*account)->settings = event.settings;
  put_history(event, **account, batch);
  return ok_status();
}

Status Applier::apply_event(const Event& event, rocksdb::WriteBatch& batch) {
  switch (event.type) {
    case EventType::account_opened:
      return open_account(event, batch);
    case EventType::account_updated:
      return update_account(event, batch);
    case EventType::payment_recorded:
    case EventType::credit_set:
    case EventType::balance_zeroed:
    case EventType::reversal_recorded:
    case EventType::adjustment_recorded:
    case EventType::minimum_charged:
    case EventType::card_payment_recorded:
      return apply_record(event, batch);
    case EventType::charge_recorded:
      return apply_charge(event, batch);
    case EventType::records_cleaned_up:
      return apply_cleanup(event, batch);
    case EventType::parameter_set:
    case EventType::operator_added:
    case EventType::operator_updated:
    // Cards are read from the engine's state (card show, card list); their payments are records.
    case EventType::card_issued:
    case EventType::card_redeemed:
    case EventType::card_pin_failed:
    case EventType::card_disabled:
    case EventType::card_returned:
    case EventType::card_payment_refused:  // an answer, recorded: no record, no balance moved
      return ok_status();
  }
  return make_error(Errc::unsupported_event,
                    "projections do not know event type " + std::to_string(static_cast<int>(event.type)));
}

Status Applier::apply_record(const Event& event, rocksdb::WriteBatch& batch) {
  Result<BalanceState*> found = touch(event.account_id);
  if (!found) return found.error();
  BalanceState& account = **found;
  if (Status starts = check_starts_from(account, event); !starts) return starts;
  const RecordRow row = record_row_of(event, account.settings.name);
  account.balance = event.balance_after;
  account.overdraft = event.overdraft_after;
  account.settings.expires_on = event.expires_after;
  put_history(event, account, batch);
  if (Status counted = totals_->count_record(event, account.settings); !counted) return counted;
  std::string key = keys::account_record_key(row.account_id, row.time, row.id.value);
  put(batch, handles_.records_by_account, key, encode_record_value(row));
  recent_record_keys_.back().second.push_back(std::move(key));
  return ok_status();
}

Status Applier::apply_cleanup(const Event& event, rocksdb::WriteBatch& batch) {
  std::vector<std::string> unwritten;
  for (const auto& [apply, keys] : recent_record_keys_)
    unwritten.insert(unwritten.end(), keys.begin(), keys.end());
  Result<uint64_t> removed = delete_cleaned_records(handles_, event, unwritten, batch);
  if (!removed) return removed.error();
  // Dropped once: a later cleanup among the unwritten groups must not count them again.
  for (auto& [apply, keys] : recent_record_keys_) {
    std::erase_if(keys, [&](const std::string& key) { return is_cleaned_by(event, key); });
  }
  put(batch, handles_.meta, keys::records_cleanup_key(event.position.value),
      encode_cleanup_row(CleanupRow{.id = event.position,
                                    .time = event.time,
                                    .operator_name = event.operator_name,
                                    .command_id = event.command_id,
                                    .cleanup = event.cleanup,
                                    .removed = *removed}));
  return ok_status();
}

ChargeRow charge_row_of(const Event& event) {
  return ChargeRow{
      .id = event.position,
      .account_id = event.account_id,
      .cdr_id = event.command_id.substr(std::min(event.command_id.size(), charge_command_id_prefix.size())),
      .amount = event.amount,
      .balance_before = event.balance_before,
      .balance_after = event.balance_after,
      .time = event.time,
      .call_start = event.call_start,
      .duration_seconds = event.call_duration_seconds,
      .caller = event.caller,
      .callee = event.callee,
      .operator_name = event.operator_name};
}

// A charge moves the balance and counts into the month of its call, as the engine's evolve does; it
// is no payment record: its row goes to charges_by_account.
Status Applier::apply_charge(const Event& event, rocksdb::WriteBatch& batch) {
  Result<BalanceState*> found = touch(event.account_id);
  if (!found) return found.error();
  BalanceState& account = **found;
  if (Status starts = check_starts_from(account, event); !starts) return starts;
  const int32_t month = month_of(event.call_start);
  if (month > account.consumption_month) {
    account.consumption_month = month;
    account.month_consumption = event.amount;
  } else if (month == account.consumption_month) {
    const std::optional<Money> sum = account.month_consumption.checked_add(event.amount);
    if (!sum) return corrupt_event(event, "the month's consumption overflows");
    account.month_consumption = *sum;
  }  // an earlier month's call: the row shows the latest month only
  account.balance = event.balance_after;
  put_history(event, account, batch);
  if (Status counted = totals_->count_charge(event, account.settings); !counted) return counted;
  put(batch, handles_.charges_by_account,
      keys::account_record_key(event.account_id, event.time, event.position.value),
      encode_charge_value(charge_row_of(event)));
  return ok_status();
}

void Applier::write_touched(rocksdb::WriteBatch& batch) {
  // One Put per account per group commit, however many of its events the group holds; in key
  // order, so that the memtable's skip list inserts each row next to where the previous one went.
  std::sort(touched_.begin(), touched_.end(),
            [](const Touched& a, const Touched& b) { return a.entry->first < b.entry->first; });
  for (const Touched& touched : touched_) {
    const std::string& id = touched.entry->first;
    const BalanceState& state = touched.entry->second.state;
    put(batch, handles_.balances, id, encode_balance_state(state));
    if (touched.stored_type == state.settings.type) continue;
    if (touched.stored_type) {
      PAYSTREAM_ASSERT(
          batch.Delete(handles_.balances_by_type, keys::type_index_key(*touched.stored_type, id)).ok());
    }
    put(batch, handles_.balances_by_type, keys::type_index_key(state.settings.type, id), {});
  }
  touched_.clear();
}

}  // namespace paystream
