// A full disk met by RocksDB itself (the file system refuses a WAL append after the ledger's own
// checks passed, as when another process takes the last bytes): the group is refused and nothing
// of it is written, the ledger stays up, and once space is back it resumes RocksDB and reloads its
// state in the same process. A RocksDB file system that refuses appends with NoSpace on demand
// stands in for the full disk; the real disk has room, so the ledger's own checks pass.
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <thread>

#include "tests/support/temp_dir.h"
#include "tools/runtime/runtime.h"

namespace paystream::testing {
namespace {

// While full, every append to a file of the database fails with NoSpace, as on a full disk: the
// WAL's, and the table files' and MANIFEST's that RocksDB's recovery (a flush) would write. Or
// only the WAL's.
class FullFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  FullFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "FullFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* debug) override {
    rocksdb::IOStatus status = target()->NewWritableFile(name, options, file, debug);
    const bool wal = name.size() > 4 && name.compare(name.size() - 4, 4, ".log") == 0;
    if (status.ok()) *file = std::make_unique<FullableFile>(std::move(*file), wal ? full_ : tables_full_);
    return status;
  }
  void set_full(bool full) { full_ = tables_full_ = full; }
  // Only WAL appends fail: RocksDB's resume then succeeds while the next WAL append fails again.
  void set_wal_full(bool full) { full_ = full; }

 private:
  class FullableFile final : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    FullableFile(std::unique_ptr<rocksdb::FSWritableFile>&& file, const std::atomic<bool>& full)
        : FSWritableFileOwnerWrapper(std::move(file)), full_(full) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* debug) override {
      if (full_) return rocksdb::IOStatus::NoSpace("injected: no space left on device");
      return FSWritableFileOwnerWrapper::Append(data, options, debug);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* debug) override {
      if (full_) return rocksdb::IOStatus::NoSpace("injected: no space left on device");
      return FSWritableFileOwnerWrapper::Append(data, options, info, debug);
    }

   private:
    const std::atomic<bool>& full_;
  };

  std::atomic<bool> full_{false};         // WAL files
  std::atomic<bool> tables_full_{false};  // every other file
};

Command pay(const std::string& command_id, int64_t units) {
  return Command{command_id, "admin",
                 Pay{"1001", Money::from_micros(units * 1'000'000), "", PaymentMethod::cash}};
}

Money balance_of(Runtime& runtime) {
  BalanceQuery query;
  query.account_id = "1001";
  Result<BalancePage> page = runtime.projections().balances(query);
  REQUIRE(page.ok());
  REQUIRE(page->rows.size() == 1);
  return page->rows.front().balance;
}

std::unique_ptr<Runtime> open(const std::string& dir, rocksdb::Env* env) {
  LedgerOptions options;
  options.data_dir = dir;
  options.env = env;
  options.free_bytes_min = 0;
  Result<std::unique_ptr<Runtime>> runtime = open_runtime(options);
  INFO((runtime ? "" : runtime.error().message));
  REQUIRE(runtime.ok());
  return std::move(runtime).value();
}

// RocksDB clears its no-space error in a background thread once writes succeed again, so the
// first commands after space is freed may still be refused (nothing written): a client retries.
Result<Outcome> submit_once_resumed(Ledger& ledger, const Command& command) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    Result<Outcome> outcome = ledger.submit(command);
    if (outcome || outcome.error().code != Errc::storage_full ||
        std::chrono::steady_clock::now() > deadline) {
      return outcome;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

TEST_CASE(
    "engine: a WAL append refused for lack of space refuses its group, and writing resumes without a restart",
    "[engine][storage]") {
  TempDir dir;
  auto files = std::make_shared<FullFileSystem>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(files);
  std::unique_ptr<Runtime> runtime = open(dir.path("data"), env.get());
  Ledger& ledger = *runtime->ledger;
  OpenAccount account{"1001", {}, {}, {}};
  account.settings.name = "Customer 1001";
  REQUIRE(ledger.submit(Command{"open-1001", "admin", account}).ok());
  REQUIRE(ledger.submit(pay("pay-1", 10)).ok());

  files->set_full(true);
  for (const char* command_id : {"pay-2", "pay-3"}) {
    Result<Outcome> refused = ledger.submit(pay(command_id, 5));
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == Errc::storage_full);
  }
  // Nothing of the refused commands is anywhere; the acknowledged one is.
  CHECK(balance_of(*runtime) == Money::from_micros(10'000'000));
  CHECK_FALSE(ledger.find_outcome("pay-2").value().has_value());
  CHECK(ledger.find_outcome("pay-1").value().has_value());

  files->set_full(false);
  for (const char* command_id : {"pay-2", "pay-3"}) {
    Result<Outcome> applied = submit_once_resumed(ledger, pay(command_id, 5));
    INFO((applied ? "" : applied.error().message));
    REQUIRE(applied.ok());
    CHECK_FALSE(applied->duplicate);
  }
  CHECK(ledger.submit(pay("pay-2", 5))->duplicate);
  CHECK(balance_of(*runtime) == Money::from_micros(20'000'000));
  const LogPosition end = ledger.end();
  REQUIRE(ledger.close().ok());
  runtime.reset();

  // A fresh open, on the plain file system, finds exactly what was acknowledged, chain intact.
  runtime = open(dir.path("data"), nullptr);
  CHECK(runtime->ledger->end() == end);
  CHECK(balance_of(*runtime) == Money::from_micros(20'000'000));
  size_t events = 0;
  CHECK(runtime->ledger
            ->scan(LogPosition{1},
                   [&](const Event&) {
                     ++events;
                     return ok_status();
                   })
            .ok());
  CHECK(events == end.value);
}

TEST_CASE("engine: a WAL that RocksDB's resume cannot clear stops the ledger cleanly, and a restart recovers",
          "[engine][storage]") {
  TempDir dir;
  auto files = std::make_shared<FullFileSystem>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(files);
  std::unique_ptr<Runtime> runtime = open(dir.path("data"), env.get());
  OpenAccount account{"1001", {}, {}, {}};
  account.settings.name = "Customer 1001";
  REQUIRE(runtime->ledger->submit(Command{"open-1001", "admin", account}).ok());
  REQUIRE(runtime->ledger->submit(pay("pay-1", 10)).ok());

  // The second refusal comes after a resume that flushed every memtable: the WAL it then fails in
  // is one that a later resume, with nothing to flush, does not leave.
  files->set_wal_full(true);
  for (const char* command_id : {"pay-2", "pay-3"}) {
    Result<Outcome> refused = runtime->ledger->submit(pay(command_id, 5));
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == Errc::storage_full);
  }
  files->set_wal_full(false);
  // Either writing resumes, or the ledger stops and asks for a restart: it never aborts. Until
  // RocksDB's resume (in the background) has finished, commands are still refused as storage_full
  // (nothing written): a client retries them, as here (on a loaded machine, under ASan, that took
  // more than the first try).
  Result<Outcome> after = runtime->ledger->submit(pay("pay-2", 5));
  for (int retries = 0; !after.ok() && after.error().code == Errc::storage_full && retries < 300; ++retries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    after = runtime->ledger->submit(pay("pay-2", 5));
  }
  if (!after.ok()) {
    INFO(after.error().message);
    CHECK(after.error().code == Errc::io_error);
    CHECK(runtime->ledger->close().ok());
    runtime.reset();
    runtime = open(dir.path("data"), nullptr);
    REQUIRE(runtime->ledger->submit(pay("pay-2", 5)).ok());
  }
  REQUIRE(runtime->ledger->submit(pay("pay-3", 5)).ok());
  CHECK(runtime->ledger->submit(pay("pay-3", 5))->duplicate);
  CHECK(balance_of(*runtime) == Money::from_micros(20'000'000));
}

}  // namespace paystream::testing
