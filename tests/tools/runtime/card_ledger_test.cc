// Phone cards on the embedded ledger with its projections, on disk: a batch made as the CLI and
// the API make it, redemptions racing from 8 threads, the wrong-PIN count and the PINs' secrets
// across a restart, and no PIN (nor what recognises one) anywhere but the card secrets family.
#include <fmt/format.h>
#include <rocksdb/db.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "events/codec.h"
#include "tests/support/temp_dir.h"
#include "tools/runtime/card_batch.h"
#include "tools/runtime/runtime.h"

namespace paystream::testing {
namespace {

std::unique_ptr<Runtime> open(const TempDir& dir, uint64_t checkpoint_events_max = 200'000) {
  LedgerOptions options;
  options.data_dir = dir.path("data");
  options.checkpoint_events_max = checkpoint_events_max;
  Result<std::unique_ptr<Runtime>> runtime = open_runtime(options);
  INFO((runtime ? std::string() : runtime.error().message));
  REQUIRE(runtime.ok());
  return std::move(*runtime);
}

void open_accounts(Ledger& ledger, int count) {
  for (int i = 0; i < count; ++i) {
    OpenAccount open{
        .account_id = fmt::format("C{}", i), .settings = {}, .overdraft = {}, .initial_balance = {}};
    open.settings.name = "Customer " + std::to_string(i);
    REQUIRE(ledger.submit(Command{fmt::format("open-{}", i), "admin", open}).ok());
  }
}

CardBatch issue(Ledger& ledger, uint64_t count, const std::string& name) {
  CardBatchSpec spec{.batch = name,
                     .count = count,
                     .value = Money::parse("10").value(),
                     .expires = parse_date("2099-12-31").value()};
  Result<CardBatch> batch = make_card_batch(spec, "admin", parse_timestamp("2026-12-04T10:00:00Z").value());
  REQUIRE(batch.ok());
  for (const Result<Outcome>& outcome : ledger.submit_all(batch->commands)) {
    INFO((outcome ? std::string() : outcome.error().message));
    REQUIRE(outcome.ok());
  }
  return std::move(batch).value();
}

Result<Outcome> redeem(Ledger& ledger, const NewCard& card, const std::string& account, std::string pin,
                       const std::string& command_id) {
  return ledger.submit(Command{command_id, "admin", RedeemCard{card.number, std::move(pin), account, ""}});
}

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("cards: a batch of cards is issued with unique numbers and the PINs shown once",
          "[cards][runtime]") {
  TempDir dir;
  auto runtime = open(dir);
  const CardBatch batch = issue(*runtime->ledger, 2'500, "B1");
  REQUIRE(batch.cards.size() == 2'500);
  CHECK(batch.commands.size() == 3);  // chunks of card_chunk_cards_max
  CHECK(batch.commands[2].command_id == "cards:B1:2");
  const LedgerState state = runtime->ledger->snapshot();
  CHECK(state.cards.size() == 2'500);
  CHECK(state.card_batches.at("B1") == 2'500);
  for (const NewCard& card : batch.cards) {
    CHECK(card.number.size() == card_number_digits);
    CHECK(card.pin.size() == card_pin_digits);
  }
  // The same batch name again is a conflict, not a second batch.
  CardBatchSpec again{.batch = "B1",
                      .count = 1,
                      .value = Money::parse("1").value(),
                      .expires = parse_date("2099-12-31").value()};
  const CardBatch second = make_card_batch(again, "admin", Timestamp{}).value();
  const Result<Outcome> refused = runtime->ledger->submit(second.commands.front());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == Errc::command_id_conflict);
}

TEST_CASE("cards: a chunk refused in the middle of a group: the chunks applied around it keep their PINs",
          "[cards][runtime]") {
  TempDir dir;
  auto runtime = open(dir);
  const CardBatch first = issue(*runtime->ledger, 1, "B0");
  CardBatchSpec spec{.batch = "B1",
                     .count = 2'500,
                     .value = Money::parse("1").value(),
                     .expires = parse_date("2099-12-31").value()};
  CardBatch batch = make_card_batch(spec, "admin", Timestamp{}).value();
  REQUIRE(batch.commands.size() == 3);
  // Chunk 1 names a card that exists: refused as a whole; chunks 0 and 2, in the same group, apply.
  std::get<IssueCards>(batch.commands[1].body).cards.back().number = first.cards.front().number;
  const BatchIssue issued = submit_card_batch(
      batch, [&](std::vector<Command> commands) { return runtime->ledger->submit_all(std::move(commands)); });
  REQUIRE(issued.refusal.has_value());
  CHECK(issued.refusal->code == Errc::card_exists);
  REQUIRE(issued.cards.size() == 1'500);
  CHECK(issued.cards.front().number == batch.cards.front().number);
  CHECK(issued.cards.back().number == batch.cards.back().number);
  const LedgerState state = runtime->ledger->snapshot();
  CHECK(state.card_batches.at("B1") == 1'500);
  for (const NewCard& card : issued.cards) CHECK(state.find_card(card.number) != nullptr);
}

TEST_CASE("cards: 8 threads redeeming one card at once: exactly one wins", "[cards][runtime]") {
  TempDir dir;
  auto runtime = open(dir);
  Ledger& ledger = *runtime->ledger;
  open_accounts(ledger, 8);
  const CardBatch batch = issue(ledger, 1, "B1");
  const NewCard& card = batch.cards.front();
  std::atomic<int> ready{0}, won{0}, used{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      ++ready;
      while (ready.load() < 8) std::this_thread::yield();
      const Result<Outcome> outcome =
          redeem(ledger, card, fmt::format("C{}", i), card.pin, fmt::format("redeem-{}", i));
      if (outcome.ok()) ++won;
      if (!outcome.ok() && outcome.error().code == Errc::card_used) ++used;
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(won == 1);
  CHECK(used == 7);
  const LedgerState state = ledger.snapshot();
  Money total;
  for (int i = 0; i < 8; ++i) total = *total.checked_add(state.find(fmt::format("C{}", i))->balance);
  CHECK(total == Money::parse("10").value());
  CHECK(state.find_card(card.number)->use == CardUse::used);
}

TEST_CASE("cards: wrong PINs, the lock and the PINs' secrets survive a restart, from the checkpoint too",
          "[cards][runtime]") {
  TempDir dir;
  const uint64_t checkpoint_every = GENERATE(uint64_t{200'000}, uint64_t{1});
  CardBatch batch;
  {
    auto runtime = open(dir, checkpoint_every);
    open_accounts(*runtime->ledger, 1);
    batch = issue(*runtime->ledger, 2, "B1");
    for (int i = 0; i < 4; ++i) {
      const Result<Outcome> wrong =
          redeem(*runtime->ledger, batch.cards[0], "C0", "not-the-pin", fmt::format("wrong-{}", i));
      REQUIRE_FALSE(wrong.ok());
      CHECK(wrong.error().code == Errc::wrong_card_or_pin);
    }
    // A retry of a refused attempt is that attempt again: answered the same, not counted twice.
    const Result<Outcome> retried = redeem(*runtime->ledger, batch.cards[0], "C0", "not-the-pin", "wrong-3");
    REQUIRE_FALSE(retried.ok());
    CHECK(retried.error().code == Errc::wrong_card_or_pin);
    REQUIRE(runtime->ledger->close().ok());
  }
  auto runtime = open(dir, checkpoint_every);
  const LedgerState state = runtime->ledger->snapshot();
  CHECK(state.find_card(batch.cards[0].number)->pin_failures == 4);
  const Result<Outcome> fifth = redeem(*runtime->ledger, batch.cards[0], "C0", "still-wrong", "wrong-5");
  CHECK(fifth.error().code == Errc::wrong_card_or_pin);
  const Result<Outcome> locked = redeem(*runtime->ledger, batch.cards[0], "C0", batch.cards[0].pin, "right");
  REQUIRE_FALSE(locked.ok());
  CHECK(locked.error().code == Errc::card_locked);
  // The other card's PIN is still recognised after the restart.
  REQUIRE(redeem(*runtime->ledger, batch.cards[1], "C0", batch.cards[1].pin, "right-2").ok());
  CHECK(runtime->ledger->snapshot().find("C0")->balance == Money::parse("10").value());
}

TEST_CASE("cards: no PIN, nor its salt or hash, anywhere outside the card secrets family",
          "[cards][runtime]") {
  TempDir dir;
  CardBatch batch;
  {
    auto runtime = open(dir, 1);  // checkpoint rows too
    open_accounts(*runtime->ledger, 1);
    batch = issue(*runtime->ledger, 20, "B1");
    REQUIRE(redeem(*runtime->ledger, batch.cards[0], "C0", batch.cards[0].pin, "pay").ok());
    REQUIRE_FALSE(redeem(*runtime->ledger, batch.cards[1], "C0", "00000000", "wrong").ok());
    REQUIRE(runtime->ledger->close().ok());
  }
  const NewCard& card = batch.cards[0];
  const IssuedCard& issued = std::get<IssueCards>(batch.commands[0].body).cards[0];
  REQUIRE(issued.number == card.number);
  // Every file of the data directory (WAL, tables, manifest, logs): never the PIN itself.
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path("data"))) {
    if (!entry.is_regular_file()) continue;
    INFO(entry.path().filename().string());
    CHECK(file_bytes(entry.path()).find(card.pin) == std::string::npos);
  }
  // Every row of every column family: the salt and hash only in the card secrets family.
  rocksdb::Options options;
  std::vector<std::string> families;
  REQUIRE(rocksdb::DB::ListColumnFamilies(options, dir.path("data"), &families).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : families) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  REQUIRE(rocksdb::DB::OpenForReadOnly(options, dir.path("data"), descriptors, &handles, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  size_t secret_rows = 0;
  for (size_t i = 0; i < handles.size(); ++i) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[i]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string row = it->key().ToString() + it->value().ToString();
      if (families[i] == "card-secrets") {
        secret_rows += row.find(issued.secret.hash) != std::string::npos ? 1 : 0;
        continue;
      }
      INFO(families[i]);
      CHECK(row.find(issued.secret.hash) == std::string::npos);
      CHECK(row.find(issued.secret.salt) == std::string::npos);
      CHECK(row.find(card.pin) == std::string::npos);
    }
  }
  CHECK(secret_rows == 1);
  for (rocksdb::ColumnFamilyHandle* handle : handles) REQUIRE(db->DestroyColumnFamilyHandle(handle).ok());
}

}  // namespace paystream::testing
