// The embedded ledger on a real RocksDB in a temporary directory.
#include "engine/embedded/ledger.h"

#include <fmt/format.h>
#include <rocksdb/db.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <thread>

#include "tests/engine/domain/engine_fixtures.h"
#include "tests/support/temp_dir.h"

namespace paystream::testing {
namespace {

class FixedClock final : public Clock {
 public:
  Timestamp now() override { return time; }
  Timestamp time = at("2026-11-25T10:00:00Z");
};

struct Fixture {
  TempDir dir;
  FixedClock clock;
  LedgerOptions options() {
    LedgerOptions options;
    options.data_dir = dir.path("data");
    options.clock = &clock;
    return options;
  }
  std::unique_ptr<Ledger> open(LedgerOptions opts) {
    Result<std::unique_ptr<Ledger>> ledger = Ledger::open(opts, nullptr);
    INFO((ledger ? "" : ledger.error().message));
    REQUIRE(ledger.ok());
    return std::move(ledger).value();
  }
  std::unique_ptr<Ledger> open() { return open(options()); }
};

Command open_command(const std::string& id, const std::string& command_id) {
  OpenAccount open{.account_id = id, .settings = {}, .overdraft = {}, .initial_balance = {}};
  open.settings.name = "Name " + id;
  return Command{command_id, "admin", open};
}

Command pay_command(const std::string& id, const char* amount, const std::string& command_id) {
  return Command{command_id, "admin", pay(id, amount)};
}

Money balance_of(const Ledger& ledger, const std::string& id) {
  const LedgerState state = ledger.snapshot();
  const AccountState* account = state.find(id);
  REQUIRE(account != nullptr);
  return account->balance;
}

}  // namespace

TEST_CASE("engine: the ledger appends, survives a restart and keeps the hash chain", "[engine][ledger]") {
  Fixture fixture;
  {
    auto ledger = fixture.open();
    REQUIRE(ledger->submit(open_command("1001", "open-1")).ok());
    Result<Outcome> paid = ledger->submit(pay_command("1001", "12.50", "pay-1"));
    REQUIRE(paid.ok());
    CHECK_FALSE(paid->duplicate);
    REQUIRE(paid->events.size() == 1);
    CHECK(paid->events[0].position == LogPosition{2});
    CHECK(ledger->end() == LogPosition{2});
    REQUIRE(ledger->close().ok());
  }
  auto ledger = fixture.open();
  CHECK(balance_of(*ledger, "1001") == money("12.50"));
  CHECK(ledger->end() == LogPosition{2});
  Result<Event> event = ledger->read_event(LogPosition{2});
  REQUIRE(event.ok());
  CHECK(event->command_id == "pay-1");
  CHECK(ledger->read_event(LogPosition{3}).error().code == Errc::record_not_found);
  int visited = 0;
  REQUIRE(ledger
              ->scan(LogPosition{1},
                     [&](const Event&) {
                       ++visited;
                       return ok_status();
                     })
              .ok());
  CHECK(visited == 2);
}

TEST_CASE("engine: a repeated command ID returns the first outcome and changes nothing", "[engine][ledger]") {
  Fixture fixture;
  auto ledger = fixture.open();
  REQUIRE(ledger->submit(open_command("1001", "open-1")).ok());
  Result<Outcome> first = ledger->submit(pay_command("1001", "5", "pay-1"));
  Result<Outcome> again = ledger->submit(pay_command("1001", "5", "pay-1"));
  REQUIRE(first.ok());
  REQUIRE(again.ok());
  CHECK(again->duplicate);
  CHECK(again->events == first->events);
  CHECK(balance_of(*ledger, "1001") == money("5"));
  CHECK(ledger->submit(pay_command("1001", "6", "pay-1")).error().code == Errc::command_id_conflict);
  CHECK(ledger->end() == LogPosition{2});

  // Also after a restart, when the index is read from disk.
  REQUIRE(ledger->close().ok());
  ledger = fixture.open();
  Result<Outcome> after_restart = ledger->submit(pay_command("1001", "5", "pay-1"));
  REQUIRE(after_restart.ok());
  CHECK(after_restart->duplicate);
  CHECK(after_restart->events == first->events);
  CHECK(ledger->submit(pay_command("1001", "6", "pay-1")).error().code == Errc::command_id_conflict);
  CHECK(balance_of(*ledger, "1001") == money("5"));
}

TEST_CASE(
    "engine: in one group, an ID refused first then accepted gets one index row, read back after a restart",
    "[engine][ledger]") {
  Fixture fixture;
  auto ledger = fixture.open();
  REQUIRE(ledger->submit(open_command("1001", "open-1")).ok());
  std::vector<Command> commands;
  commands.push_back(pay_command("b-zz", "1", "id-b"));  // refused: its ID stays free
  commands.push_back(pay_command("1001", "2", "id-b"));  // accepted
  commands.push_back(pay_command("1001", "2", "id-b"));  // a retry of the accepted one
  commands.push_back(pay_command("1001", "3", "id-a"));  // sorts before id-b in the index
  std::vector<Result<Outcome>> outcomes = ledger->submit_all(commands);
  REQUIRE(outcomes.size() == 4);
  CHECK(outcomes[0].error().code == Errc::account_not_found);
  REQUIRE(outcomes[1].ok());
  REQUIRE(outcomes[2].ok());
  CHECK(outcomes[2]->duplicate);
  CHECK(outcomes[2]->events == outcomes[1]->events);
  REQUIRE(outcomes[3].ok());
  REQUIRE(ledger->close().ok());
  ledger = fixture.open();
  for (size_t i : {1u, 3u}) {
    Result<Outcome> again = ledger->submit(commands[i]);
    REQUIRE(again.ok());
    CHECK(again->duplicate);
    CHECK(again->events == outcomes[i]->events);
  }
  CHECK(balance_of(*ledger, "1001") == money("5"));
}

TEST_CASE("engine: the same command ID from two threads at once applies once", "[engine][ledger]") {
  Fixture fixture;
  auto ledger = fixture.open();
  REQUIRE(ledger->submit(open_command("1001", "open-1")).ok());
  for (int round = 0; round < 50; ++round) {
    const std::string id = "pay-" + std::to_string(round);
    std::vector<Result<Outcome>> outcomes(2, make_error(Errc::io_error, "not run"));
    std::thread a([&] { outcomes[0] = ledger->submit(pay_command("1001", "1", id)); });
    std::thread b([&] { outcomes[1] = ledger->submit(pay_command("1001", "1", id)); });
    a.join();
    b.join();
    REQUIRE(outcomes[0].ok());
    REQUIRE(outcomes[1].ok());
    CHECK(outcomes[0]->duplicate != outcomes[1]->duplicate);
    CHECK(outcomes[0]->events == outcomes[1]->events);
  }
  CHECK(balance_of(*ledger, "1001") == money("50"));
  CHECK(ledger->end() == LogPosition{51});
}

TEST_CASE("engine: the same command IDs from many threads in overlapping batches apply once each",
          "[engine][ledger]") {
  // A command ID is found in the group being decided, in the groups waiting for the writer or in
  // the index on disk, whichever holds it when its command is decided.
  Fixture fixture;
  auto ledger = fixture.open();
  REQUIRE(ledger->submit(open_command("1001", "open-1")).ok());
  constexpr int ids = 300;
  constexpr int threads = 8;
  std::vector<std::vector<Result<Outcome>>> outcomes(threads);
  std::vector<std::vector<int>> orders(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    for (int i = 0; i < ids; ++i) orders[t].push_back(i);
    std::shuffle(orders[t].begin(), orders[t].end(), std::mt19937(static_cast<unsigned>(t)));
    workers.emplace_back([&, t] {
      for (size_t begin = 0; begin < orders[t].size(); begin += 10) {
        std::vector<Command> batch;
        for (size_t i = begin; i < std::min(orders[t].size(), begin + 10); ++i) {
          batch.push_back(pay_command("1001", "1", fmt::format("pay-{}", orders[t][i])));
        }
        for (Result<Outcome>& outcome : ledger->submit_all(std::move(batch)))
          outcomes[t].push_back(std::move(outcome));
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  std::vector<int> applied(ids, 0);
  std::vector<std::vector<Event>> events(ids);
  for (int t = 0; t < threads; ++t) {
    REQUIRE(outcomes[t].size() == size_t{ids});
    for (int i = 0; i < ids; ++i) {
      Result<Outcome>& outcome = outcomes[t][static_cast<size_t>(i)];
      REQUIRE(outcome.ok());
      const int id = orders[t][static_cast<size_t>(i)];
      if (!outcome->duplicate) ++applied[static_cast<size_t>(id)];
      if (events[static_cast<size_t>(id)].empty()) events[static_cast<size_t>(id)] = outcome->events;
      CHECK(outcome->events == events[static_cast<size_t>(id)]);
    }
  }
  CHECK(std::count(applied.begin(), applied.end(), 1) == ids);
  CHECK(balance_of(*ledger, "1001") == money("300"));
  CHECK(ledger->end() == LogPosition{ids + 1});
}

TEST_CASE("engine: concurrent payments into one account lose no update", "[engine][ledger]") {
  Fixture fixture;
  auto ledger = fixture.open();
  REQUIRE(ledger->submit(open_command("1001", "open-1")).ok());
  constexpr int threads = 8, each = 250;
  std::atomic<int> failures{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < each; ++i) {
        const std::string id = fmt::format("t{}-{}", t, i);
        if (!ledger->submit(pay_command("1001", "0.01", id)).ok()) ++failures;
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  CHECK(failures == 0);
  CHECK(balance_of(*ledger, "1001") == money("20"));
  // Balance equals the sum of the records, and each record's before is the previous record's after.
  Money sum;
  Money last_after;
  REQUIRE(ledger
              ->scan(LogPosition{1},
                     [&](const Event& event) {
                       if (event.type == EventType::payment_recorded) {
                         CHECK(event.balance_before == last_after);
                         last_after = event.balance_after;
                         sum = *sum.checked_add(event.amount);
                       }
                       return ok_status();
                     })
              .ok());
  CHECK(sum == money("20"));
}

TEST_CASE("engine: submit_all applies in order and a reversal may name a record of the same group",
          "[engine][ledger]") {
  Fixture fixture;
  auto ledger = fixture.open();
  std::vector<Command> commands;
  commands.push_back(open_command("1001", "open-1"));
  commands.push_back(pay_command("1001", "9", "pay-1"));
  commands.push_back(Command{"rev-1", "admin", Reverse{LogPosition{2}, "wrong account"}});
  commands.push_back(pay_command("nobody", "1", "pay-2"));
  commands.push_back(Command{"rev-2", "admin", Reverse{LogPosition{2}, "twice"}});
  std::vector<Result<Outcome>> outcomes = ledger->submit_all(commands);
  REQUIRE(outcomes.size() == 5);
  CHECK(outcomes[0].ok());
  CHECK(outcomes[1].ok());
  REQUIRE(outcomes[2].ok());
  CHECK(outcomes[2]->events[0].amount == money("-9"));
  CHECK(outcomes[3].error().code == Errc::account_not_found);
  CHECK(outcomes[4].error().code == Errc::record_already_reversed);
  CHECK(balance_of(*ledger, "1001") == Money::zero());
  CHECK(ledger->end() == LogPosition{3});
}

TEST_CASE("engine: reversals and retries find records of recent groups and of older ones alike",
          "[engine][ledger]") {
  // The sequencer keeps the last written groups' events at hand and reads older ones from the log:
  // one submit() per payment makes each its own group, so both places are used.
  Fixture fixture;
  auto ledger = fixture.open();
  REQUIRE(ledger->submit(open_command("1001", "open-1")).ok());
  std::vector<Outcome> payments;
  for (int i = 1; i <= 20; ++i) {
    Result<Outcome> paid = ledger->submit(pay_command("1001", "1", fmt::format("pay-{}", i)));
    REQUIRE(paid.ok());
    payments.push_back(std::move(paid).value());
  }
  for (int i : {1, 20}) {
    Result<Outcome> again = ledger->submit(pay_command("1001", "1", fmt::format("pay-{}", i)));
    REQUIRE(again.ok());
    CHECK(again->duplicate);
    CHECK(again->events == payments[static_cast<size_t>(i - 1)].events);
  }
  const LogPosition oldest = payments.front().events[0].position;
  const LogPosition newest = payments.back().events[0].position;
  for (LogPosition record : {oldest, newest}) {
    Result<Outcome> reversed = ledger->submit(
        Command{fmt::format("rev-{}", record.value), "admin", Reverse{record, "entered twice"}});
    REQUIRE(reversed.ok());
    CHECK(reversed->events[0].reverses == record);
    CHECK(reversed->events[0].amount == money("-1"));
    CHECK(
        ledger->submit(Command{fmt::format("rev-again-{}", record.value), "admin", Reverse{record, "again"}})
            .error()
            .code == Errc::record_already_reversed);
  }
  CHECK(balance_of(*ledger, "1001") == money("18"));
  CHECK(ledger->end() == LogPosition{23});
}

TEST_CASE("engine: state is rebuilt from the checkpoint plus the log tail", "[engine][ledger]") {
  Fixture fixture;
  LedgerOptions options = fixture.options();
  options.checkpoint_events_max = 10;
  LedgerState before;
  {
    auto ledger = fixture.open(options);
    for (int i = 0; i < 5; ++i) {
      REQUIRE(ledger->submit(open_command(fmt::format("a{}", i), fmt::format("open-{}", i))).ok());
    }
    for (int i = 0; i < 40; ++i) {
      REQUIRE(ledger->submit(pay_command(fmt::format("a{}", i % 5), "1.5", fmt::format("pay-{}", i))).ok());
      fixture.clock.time.micros += 1000;
    }
    REQUIRE(ledger->submit(Command{"rev", "admin", Reverse{LogPosition{7}, ""}}).ok());
    before = ledger->snapshot();
    // Leave without close(): the destructor checkpoints; the test of a crash is the e2e kill test.
  }
  auto ledger = fixture.open(options);
  const LedgerState after = ledger->snapshot();
  CHECK(after.accounts == before.accounts);
  CHECK(after.parameters == before.parameters);
  CHECK(after.last_position == before.last_position);
  CHECK(ledger->submit(Command{"rev-again", "admin", Reverse{LogPosition{7}, ""}}).error().code ==
        Errc::record_already_reversed);
}

TEST_CASE("engine: the checkpoint keeps an agent's sub-account count", "[engine][ledger]") {
  Fixture fixture;
  LedgerState before;
  {
    auto ledger = fixture.open();
    Command agent = open_command("AG", "open-ag");
    std::get<OpenAccount>(agent.body).settings.type = AccountType::agent;
    Command sub = open_command("C", "open-c");
    std::get<OpenAccount>(sub.body).settings.parent = "AG";
    REQUIRE(ledger->submit(agent).ok());
    REQUIRE(ledger->submit(sub).ok());
    REQUIRE(ledger->close().ok());
  }
  auto ledger = fixture.open();
  const LedgerState state = ledger->snapshot();
  CHECK(state.find("AG")->sub_accounts == 1);
  UpdateAccount detach;
  detach.account_id = "C";
  detach.parent = "";
  REQUIRE(ledger->submit(Command{"detach", "admin", detach}).ok());
  REQUIRE(ledger->close().ok());
  ledger = fixture.open();
  CHECK(ledger->snapshot().find("AG")->sub_accounts == 0);
}

TEST_CASE("engine: engine time never goes backwards", "[engine][ledger]") {
  Fixture fixture;
  auto ledger = fixture.open();
  REQUIRE(ledger->submit(open_command("1001", "open-1")).ok());
  fixture.clock.time.micros -= 3'600'000'000;  // the wall clock steps back an hour
  Result<Outcome> paid = ledger->submit(pay_command("1001", "1", "pay-1"));
  REQUIRE(paid.ok());
  CHECK(paid->events[0].time == at("2026-11-25T10:00:00Z"));
}

TEST_CASE("engine: a second process cannot open the same data directory", "[engine][ledger]") {
  Fixture fixture;
  auto ledger = fixture.open();
  Result<std::unique_ptr<Ledger>> second = Ledger::open(fixture.options(), nullptr);
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().message.find("in use") != std::string::npos);
}

TEST_CASE("engine: a damaged command-ID index row is reported as corruption and changes nothing",
          "[engine][ledger]") {
  Fixture fixture;
  auto ledger = fixture.open();
  REQUIRE(ledger->submit(open_command("1001", "open-1")).ok());
  REQUIRE(ledger->submit(pay_command("1001", "5", "pay-1")).ok());
  REQUIRE(ledger->close().ok());
  {
    // Damage the row of "pay-1" behind the engine's back: a row of the wrong length.
    std::vector<std::string> names;
    REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), fixture.options().data_dir, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const std::string& name : names) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    REQUIRE(
        rocksdb::DB::Open(rocksdb::DBOptions(), fixture.options().data_dir, families, &handles, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    const auto commands = std::find(names.begin(), names.end(), "commands");
    REQUIRE(commands != names.end());
    CHECK(db->Put(rocksdb::WriteOptions(), handles[commands - names.begin()], "pay-1", "short").ok());
    for (rocksdb::ColumnFamilyHandle* handle : handles) CHECK(db->DestroyColumnFamilyHandle(handle).ok());
  }
  ledger = fixture.open();
  // The retry meets the damaged row; a new command in the same call is decided as usual.
  std::vector<Command> batch;
  batch.push_back(pay_command("1001", "5", "pay-1"));
  batch.push_back(pay_command("1001", "2", "pay-2"));
  std::vector<Result<Outcome>> outcomes = ledger->submit_all(std::move(batch));
  REQUIRE(outcomes.size() == 2);
  REQUIRE_FALSE(outcomes[0].ok());
  CHECK(outcomes[0].error().code == Errc::corruption);
  CHECK(outcomes[0].error().message.find("'pay-1'") != std::string::npos);
  REQUIRE(outcomes[1].ok());
  CHECK_FALSE(outcomes[1]->duplicate);
  CHECK(balance_of(*ledger, "1001") == money("7"));
  CHECK(ledger->end() == LogPosition{3});
}

}  // namespace paystream::testing
