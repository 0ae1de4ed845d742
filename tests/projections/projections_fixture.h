#pragma once
// Test support for projections: a real RocksDB in a temporary directory with the projections'
// column families and a log (written as the engine writes it, events/log_format.h), and an EventMaker that
// writes consistent events by hand (the engine is not used: it is another module, and these tests pin the
// projections' own contract).
#include <rocksdb/db.h>
#include <rocksdb/statistics.h>
#include <rocksdb/write_batch.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "events/codec.h"
#include "events/command.h"
#include "events/log_format.h"
#include "projections/projections.h"

namespace paystream::testing {

inline Money money(const char* text) { return Money::parse(text).value(); }
inline Timestamp at(const char* text) { return parse_timestamp(text).value(); }

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "paystream-projections-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A database holding the projections' column families, the log (and RocksDB's default one).
class ProjectionDb {
 public:
  ProjectionDb() { open(); }
  ~ProjectionDb() { close(); }
  ProjectionDb(const ProjectionDb&) = delete;
  ProjectionDb& operator=(const ProjectionDb&) = delete;

  Projections& projections() { return *projections_; }
  rocksdb::DB& db() { return *db_; }
  const std::filesystem::path& path() const { return dir_.path(); }

  // Applies one group and writes its batch with the group's log entries, as the ledger does for a
  // group commit (entries of at most log_entry_events_max events, keyed by their first position).
  // In Kafka mode, a group holds events of one partition, as the projector writes them.
  void apply(std::span<const Event> events) {
    rocksdb::WriteBatch batch;
    put_log(batch, events);
    const Status applied = projections_->apply(events, batch);
    INFO((applied ? std::string() : applied.error().message));
    REQUIRE(applied.ok());
    REQUIRE(db_->Write(rocksdb::WriteOptions(), &batch).ok());
  }
  void apply(const std::vector<Event>& events) { apply(std::span<const Event>(events)); }

  // Writes the events' log entries only, as a log ahead of the projections.
  void append_log(const std::vector<Event>& events) {
    rocksdb::WriteBatch batch;
    put_log(batch, events);
    REQUIRE(db_->Write(rocksdb::WriteOptions(), &batch).ok());
  }

  // Every key and value of each projection family (not the log), in key order.
  std::vector<std::vector<std::pair<std::string, std::string>>> contents() {
    std::vector<std::vector<std::pair<std::string, std::string>>> families;
    for (size_t i = 1; i < handles_.size(); ++i) {
      auto& rows = families.emplace_back();
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_[i]));
      for (it->SeekToFirst(); it->Valid(); it->Next())
        rows.emplace_back(it->key().ToString(), it->value().ToString());
      REQUIRE(it->status().ok());
    }
    return families;
  }

  // Every key and value of the log, in key order.
  std::vector<std::pair<std::string, std::string>> log_contents() {
    std::vector<std::pair<std::string, std::string>> rows;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), log_));
    for (it->SeekToFirst(); it->Valid(); it->Next())
      rows.emplace_back(it->key().ToString(), it->value().ToString());
    REQUIRE(it->status().ok());
    return rows;
  }

  rocksdb::ColumnFamilyHandle* family(const std::string& name) {
    for (rocksdb::ColumnFamilyHandle* handle : handles_) {
      if (handle->GetName() == name) return handle;
    }
    FAIL("no column family " << name);
    return nullptr;
  }

  // Seeks made by iterators so far: how the tests see that a search is a search and not a scan.
  uint64_t seeks() const { return statistics_->getTickerCount(rocksdb::NUMBER_DB_SEEK); }
  // Steps made by iterators so far: how the tests see that rows are skipped by a seek.
  uint64_t nexts() const { return statistics_->getTickerCount(rocksdb::NUMBER_DB_NEXT); }

  void reopen() {
    close();
    open();
  }

 private:
  void put_log(rocksdb::WriteBatch& batch, std::span<const Event> events) {
    for (size_t begin = 0; begin < events.size(); begin += log_entry_events_max) {
      std::vector<std::string> encoded;
      for (size_t i = begin; i < std::min(events.size(), begin + log_entry_events_max); ++i)
        encoded.push_back(encode_event(events[i]));
      REQUIRE(batch.Put(log_, log_key(events[begin].position.value), encode_log_entry(encoded)).ok());
    }
  }

  void open() {
    rocksdb::DBOptions options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    options.statistics = statistics_;
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors{{rocksdb::kDefaultColumnFamilyName, {}}};
    for (const std::string& name : Projections::column_families())
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    descriptors.emplace_back(log_cf_name, rocksdb::ColumnFamilyOptions());
    rocksdb::DB* db = nullptr;
    REQUIRE(rocksdb::DB::Open(options, dir_.path().string(), descriptors, &handles_, &db).ok());
    db_.reset(db);
    log_ = handles_.back();
    handles_.pop_back();
    projections_ = std::make_unique<Projections>(db_.get(), std::vector(handles_.begin() + 1, handles_.end()),
                                                 LogSource{.db = db_.get(), .family = log_});
  }
  void close() {
    projections_.reset();
    for (rocksdb::ColumnFamilyHandle* handle : handles_) REQUIRE(db_->DestroyColumnFamilyHandle(handle).ok());
    REQUIRE(db_->DestroyColumnFamilyHandle(log_).ok());
    handles_.clear();
    db_.reset();
  }

  TempDir dir_;
  std::shared_ptr<rocksdb::Statistics> statistics_ = rocksdb::CreateDBStatistics();
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // default, then the projections'
  rocksdb::ColumnFamilyHandle* log_ = nullptr;
  std::unique_ptr<Projections> projections_;
};

// Writes events as the engine would: positions from 1 (in Kafka mode, from partition_base(p) + 1
// for events partition p), balances carried from one event to the next.
class EventMaker {
 public:
  explicit EventMaker(int32_t partition = 0) : next_(partition_base(partition) + 1) {}

  Event open(const std::string& id, const std::string& name, Timestamp time,
             AccountType type = AccountType::direct, Money overdraft = Money::zero()) {
    AccountSettings settings;
    settings.name = name;
    settings.type = type;
    Event event = base(EventType::account_opened, id, time);
    event.settings = settings;
    event.overdraft_after = overdraft;
    Account& account = accounts_[id];
    account.settings = settings;
    account.overdraft = overdraft;
    return event;
  }

  Event update(const std::string& id, Timestamp time, const std::function<void(AccountSettings&)>& change) {
    Account& account = accounts_.at(id);
    change(account.settings);
    Event event = base(EventType::account_updated, id, time);
    event.settings = account.settings;
    return event;
  }

  Event pay(const std::string& id, Money amount, Timestamp time, const std::string& operator_name = "admin",
            const std::string& memo = "") {
    return record(
        EventType::payment_recorded, id, amount, time, operator_name, memo,
        [amount](Account& account) { account.balance = account.balance.checked_add(amount).value(); });
  }
  Event adjust(const std::string& id, Money amount, Timestamp time,
               const std::string& operator_name = "admin") {
    return record(
        EventType::adjustment_recorded, id, amount, time, operator_name, "",
        [amount](Account& account) { account.balance = account.balance.checked_add(amount).value(); });
  }
  Event credit(const std::string& id, Money limit, Timestamp time,
               const std::string& operator_name = "admin") {
    return record(EventType::credit_set, id, limit, time, operator_name, "",
                  [limit](Account& account) { account.overdraft = limit; });
  }
  Event zero(const std::string& id, Timestamp time, const std::string& operator_name = "admin") {
    const Money amount = accounts_.at(id).balance.checked_negate().value();
    return record(EventType::balance_zeroed, id, amount, time, operator_name, "",
                  [](Account& account) { account.balance = Money::zero(); });
  }
  // Reverses a payment of `amount` made by record `reversed`.
  Event reverse(const std::string& id, LogPosition reversed, Money amount, Timestamp time,
                const std::string& operator_name = "admin") {
    const Money compensation = amount.checked_negate().value();
    Event event = record(EventType::reversal_recorded, id, compensation, time, operator_name, "",
                         [compensation](Account& account) {
                           account.balance = account.balance.checked_add(compensation).value();
                         });
    event.reverses = reversed;
    return event;
  }
  // A call's charge: the balance goes down by `amount` (never refused, as the engine decides).
  Event charge(const std::string& id, Money amount, Timestamp time,
               std::optional<Timestamp> call_start = {}) {
    Account& account = accounts_.at(id);
    Event event = base(EventType::charge_recorded, id, time);
    event.command_id = std::string(charge_command_id_prefix) + "cdr-" + std::to_string(event.position.value);
    event.amount = amount;
    event.balance_before = account.balance;
    account.balance = account.balance.checked_sub(amount).value();
    event.balance_after = account.balance;
    event.overdraft_before = account.overdraft;
    event.overdraft_after = account.overdraft;
    event.call_start = call_start.value_or(time);
    return event;
  }
  // The monthly minimum's charge of a shortfall.
  Event minimum(const std::string& id, Money shortfall, Timestamp time) {
    const Money amount = shortfall.checked_negate().value();
    Event event =
        record(EventType::minimum_charged, id, amount, time, "system", "",
               [amount](Account& account) { account.balance = account.balance.checked_add(amount).value(); });
    event.minimum_month = month_of(time) - 1;
    return event;
  }
  Event parameter(Timestamp time) {
    Event event = base(EventType::parameter_set, "", time);
    event.parameter_name = "SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY";
    event.parameter_value = 30;
    return event;
  }
  // The expiration date the next payment of this account will set.
  void set_expiry_on_next_record(const std::string& id, std::optional<Date> date) {
    accounts_.at(id).next_expiry = date;
  }

 private:
  struct Account {
    AccountSettings settings;
    Money balance;
    Money overdraft;
    std::optional<std::optional<Date>> next_expiry;
  };

  Event base(EventType type, const std::string& id, Timestamp time) {
    Event event;
    event.type = type;
    event.position = LogPosition{next_++};
    event.time = time;
    event.account_id = id;
    event.command_id = "command-" + std::to_string(event.position.value);
    return event;
  }

  template <class Change>
  Event record(EventType type, const std::string& id, Money amount, Timestamp time,
               const std::string& operator_name, const std::string& memo, Change change) {
    Account& account = accounts_.at(id);
    Event event = base(type, id, time);
    event.operator_name = operator_name;
    event.memo = memo;
    event.amount = amount;
    event.balance_before = account.balance;
    event.overdraft_before = account.overdraft;
    event.expires_before = account.settings.expires_on;
    change(account);
    if (account.next_expiry) account.settings.expires_on = *std::exchange(account.next_expiry, std::nullopt);
    event.balance_after = account.balance;
    event.overdraft_after = account.overdraft;
    event.expires_after = account.settings.expires_on;
    return event;
  }

  std::map<std::string, Account> accounts_;
  uint64_t next_;
};

}  // namespace paystream::testing
