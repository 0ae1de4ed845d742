// The ledger writes a group before it syncs the WAL (the sync overlaps the next group's write). A
// caller must still see only what is synced: a command is acknowledged, found by its ID, counted in
// a balance, listed in the records or the log only once a crash can no longer take it away. A
// RocksDB file system that holds the WAL's syncs at a gate, or fails them, opens that gap on purpose.
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "tests/support/temp_dir.h"
#include "tools/runtime/runtime.h"

namespace paystream::testing {
namespace {

// Syncs of WAL files (*.log) wait while the gate is closed, and fail while failing is set. Every
// other call goes to the real file system.
class GatedWalFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  GatedWalFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "GatedWalFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* debug) override {
    rocksdb::IOStatus status = target()->NewWritableFile(name, options, file, debug);
    if (status.ok() && name.size() > 4 && name.compare(name.size() - 4, 4, ".log") == 0) {
      *file = std::make_unique<GatedFile>(std::move(*file), *this);
    }
    return status;
  }

  void close_gate() {
    std::lock_guard lock(mutex_);
    open_ = false;
  }
  void open_gate() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    changed_.notify_all();
  }
  void fail_syncs(bool fail) { failing_ = fail; }
  // Waits until a WAL sync is held at the closed gate.
  bool wait_for_held_sync() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(30), [this] { return held_ > 0; });
  }

 private:
  class GatedFile final : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    GatedFile(std::unique_ptr<rocksdb::FSWritableFile>&& file, GatedWalFileSystem& gate)
        : FSWritableFileOwnerWrapper(std::move(file)), gate_(gate) {}
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug) override {
      if (rocksdb::IOStatus passed = gate_.pass(); !passed.ok()) return passed;
      return FSWritableFileOwnerWrapper::Sync(options, debug);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug) override {
      if (rocksdb::IOStatus passed = gate_.pass(); !passed.ok()) return passed;
      return FSWritableFileOwnerWrapper::Fsync(options, debug);
    }

   private:
    GatedWalFileSystem& gate_;
  };

  rocksdb::IOStatus pass() {
    if (failing_) return rocksdb::IOStatus::IOError("injected WAL sync failure");
    std::unique_lock lock(mutex_);
    ++held_;
    changed_.notify_all();
    changed_.wait(lock, [this] { return open_; });
    --held_;
    return rocksdb::IOStatus::OK();
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = true;  // guarded by mutex_
  int held_ = 0;      // guarded by mutex_
  std::atomic<bool> failing_{false};
};

Command open_command(const std::string& account) {
  OpenAccount open{account, {}, {}, {}};
  open.settings.name = "Customer " + account;
  return Command{"open-" + account, "admin", open};
}

Command pay_command(const std::string& account, int64_t units, const std::string& command_id) {
  return Command{command_id, "admin",
                 Pay{account, Money::from_micros(units * 1'000'000), "", PaymentMethod::cash}};
}

Money balance_of(Runtime& runtime, const std::string& account) {
  BalanceQuery query;
  query.account_id = account;
  Result<BalancePage> page = runtime.projections().balances(query);
  REQUIRE(page.ok());
  REQUIRE(page->rows.size() == 1);
  return page->rows.front().balance;
}

size_t records_of(Runtime& runtime, const std::string& account) {
  RecordQuery query;
  query.account_id = account;
  query.limit = 0;
  Result<RecordPage> page = runtime.projections().records(query);
  REQUIRE(page.ok());
  return page->rows.size();
}

size_t events_scanned(Ledger& ledger) {
  size_t count = 0;
  REQUIRE(ledger
              .scan(LogPosition{1},
                    [&](const Event&) {
                      ++count;
                      return ok_status();
                    })
              .ok());
  return count;
}

// A submit that runs on its own thread while the WAL's syncs are held. Ending the scope opens the gate
// and joins the thread, also when a REQUIRE stops the test half-way.
struct HeldSubmit {
  GatedWalFileSystem& files;
  std::thread thread;
  ~HeldSubmit() {
    files.open_gate();
    if (thread.joinable()) thread.join();
  }
};

struct Fixture {
  TempDir dir;
  std::shared_ptr<GatedWalFileSystem> files = std::make_shared<GatedWalFileSystem>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(files);
  std::unique_ptr<Runtime> open(rocksdb::Env* with) {
    LedgerOptions options;
    options.data_dir = dir.path("data");
    options.env = with;
    Result<std::unique_ptr<Runtime>> runtime = open_runtime(options);
    INFO((runtime ? "" : runtime.error().message));
    REQUIRE(runtime.ok());
    return std::move(runtime).value();
  }
  // Account 1001 with one acknowledged payment of 10.
  static void pay_first(Ledger& ledger) {
    REQUIRE(ledger.submit(open_command("1001")).ok());
    REQUIRE(ledger.submit(pay_command("1001", 10, "pay-1")).ok());
  }
};

}  // namespace

TEST_CASE("engine: a group written but not yet synced shows in no read until its sync, then in every one",
          "[engine][durability]") {
  Fixture fixture;
  std::unique_ptr<Runtime> runtime = fixture.open(fixture.env.get());
  Ledger& ledger = *runtime->ledger;
  Fixture::pay_first(ledger);
  const LogPosition synced_end = ledger.end();
  REQUIRE(events_scanned(ledger) == synced_end.value);
  REQUIRE(records_of(*runtime, "1001") == 1);

  fixture.files->close_gate();
  std::optional<Result<Outcome>> held_outcome;
  HeldSubmit held{*fixture.files,
                  std::thread([&] { held_outcome = ledger.submit(pay_command("1001", 5, "pay-2")); })};
  // The syncer only syncs a group the writer has written: from here on, pay-2 is in the database.
  REQUIRE(fixture.files->wait_for_held_sync());

  Result<std::optional<Outcome>> unsynced = ledger.find_outcome("pay-2");
  REQUIRE(unsynced.ok());
  CHECK_FALSE(unsynced->has_value());
  CHECK(ledger.end() == synced_end);
  CHECK(ledger.read_event(LogPosition{synced_end.value + 1}).error().code == Errc::record_not_found);
  CHECK(events_scanned(ledger) == synced_end.value);
  CHECK(balance_of(*runtime, "1001") == Money::from_micros(10'000'000));
  CHECK(records_of(*runtime, "1001") == 1);
  CHECK(runtime->projections().applied_position().value() == synced_end);
  CHECK_FALSE(held_outcome.has_value());

  fixture.files->open_gate();
  held.thread.join();
  REQUIRE(held_outcome.has_value());
  REQUIRE(held_outcome->ok());
  Result<std::optional<Outcome>> synced = ledger.find_outcome("pay-2");
  REQUIRE(synced.ok());
  REQUIRE(synced->has_value());
  CHECK((*synced)->events.front().position.value == synced_end.value + 1);
  CHECK(ledger.end().value == synced_end.value + 1);
  CHECK(events_scanned(ledger) == synced_end.value + 1);
  CHECK(balance_of(*runtime, "1001") == Money::from_micros(15'000'000));
  CHECK(records_of(*runtime, "1001") == 2);
}

TEST_CASE(
    "engine: a failed WAL sync acknowledges nothing and stops the ledger, "
    "and a retry after a restart applies once",
    "[engine][durability]") {
  Fixture fixture;
  {
    std::unique_ptr<Runtime> runtime = fixture.open(fixture.env.get());
    Ledger& ledger = *runtime->ledger;
    Fixture::pay_first(ledger);

    fixture.files->fail_syncs(true);
    Result<Outcome> failed = ledger.submit(pay_command("1001", 5, "pay-2"));
    REQUIRE_FALSE(failed.ok());
    CHECK(failed.error().code == Errc::io_error);
    CHECK_THAT(failed.error().message, Catch::Contains("sync"));
    fixture.files->fail_syncs(false);
    // Stopped: nothing more is decided on top of a group that may be lost.
    Result<Outcome> after = ledger.submit(pay_command("1001", 1, "pay-3"));
    REQUIRE_FALSE(after.ok());
    CHECK(after.error().code == Errc::io_error);
    CHECK(balance_of(*runtime, "1001") == Money::from_micros(10'000'000));
    (void)ledger.close();  // may report the failed sync again; the log decides what survived
  }
  std::unique_ptr<Runtime> runtime = fixture.open(nullptr);
  Ledger& ledger = *runtime->ledger;
  // pay-2 was written but its sync failed: after the restart it is either in the log (then the
  // retry returns that first outcome) or not (then the retry applies it). Either way, once.
  Result<Outcome> retried = ledger.submit(pay_command("1001", 5, "pay-2"));
  REQUIRE(retried.ok());
  Result<Outcome> again = ledger.submit(pay_command("1001", 5, "pay-2"));
  REQUIRE(again.ok());
  CHECK(again->duplicate);
  CHECK(balance_of(*runtime, "1001") == Money::from_micros(15'000'000));
  CHECK(records_of(*runtime, "1001") == 2);
  Result<std::optional<Outcome>> pay_3 = ledger.find_outcome("pay-3");
  REQUIRE(pay_3.ok());
  CHECK_FALSE(pay_3->has_value());
}

}  // namespace paystream::testing
