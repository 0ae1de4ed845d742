// Kafka mode on a real Apache Kafka broker (scripts/kafka-broker; ctest label kafka-real, which sets
// PAYSTREAM_TEST_KAFKA=HOST:PORT): the built binary as a user runs it, each test on topics of its own.
// On a real broker a transaction is atomic and a zombie is fenced, which the mock cluster does not do.
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "engine/kafka_client/events_reader.h"
#include "engine/kafka_client/producer.h"
#include "engine/kafka_client/routing.h"
#include "events/codec.h"
#include "events/money.h"
#include "tests/support/child_process.h"
#include "tests/support/kafka/own_broker.h"
#include "tests/support/kafka/publish_fixture.h"
#include "tests/support/kafka/topic_reader.h"
#include "tests/support/run_process.h"
#include "tests/tools/commands/real_ledger.h"

namespace paystream {

using nlohmann::json;
using namespace kafka_real;

TEST_CASE(
    "kafka real: an engine killed (SIGKILL) in the middle of transactions and restarted: every command "
    "decided once, the balances are the records, the group's offsets at the end",
    "[kafka-real]") {
  const RealBroker broker = real_broker("kill");
  e2e::TemporaryDirectory directory;
  constexpr int accounts = 12;
  constexpr int payments = 3000;
  publish(broker, ledger_file(directory, accounts, payments));
  const std::string data = directory.file("data");
  {
    testing::ChildProcess first(serve_argv(broker, data), directory.file("first.err"));
    wait_until([&] { return results_of(broker).size() >= 500; }, directory.file("first.err"));
    first.signal(SIGKILL);  // mid-stream: batches of 50, transactions of 3 partitions at once
    CHECK(first.wait() == 128 + SIGKILL);
  }
  CHECK(results_of(broker).size() < accounts + payments);  // it was stopped before the end
  testing::ChildProcess second(serve_argv(broker, data), directory.file("second.err"));
  wait_until([&] { return results_of(broker).size() == accounts + payments; }, directory.file("second.err"));
  second.signal(SIGTERM);
  CHECK(second.wait() == 0);

  const auto outcomes = accepted_outcomes(broker);
  CHECK(outcomes.size() == accounts + payments);
  for (const auto& [where, count] : outcomes) CHECK(count == 1);
  for (const auto& [id, result] : results_of(broker)) {
    INFO(id);
    CHECK(result["ok"] == true);
  }
  // The group's offsets, which only Kafka's lag tools read, stand at the end of the commands.
  int64_t committed = 0;
  for (const int64_t offset :
       testing::committed_offsets(broker.bootstrap, broker.prefix, broker.prefix + ".commands", partitions)) {
    committed += offset;
  }
  CHECK(committed == accounts + payments);

  project_and_verify(broker, data);
  int64_t total = 0;
  for (const json& row : balance_rows(data)) total += micros(row["current_balance"]);
  CHECK(total == int64_t{payments} * (payments + 1) / 2 * 1'000'000);  // paid 1 + 2 + ... + payments
}

TEST_CASE(
    "kafka real: a zombie (SIGSTOP past its session timeout while another instance takes its partitions, "
    "then "
    "SIGCONT) is fenced: nothing it writes afterwards is committed, and it steps down saying so",
    "[kafka-real]") {
  const RealBroker broker = real_broker("zombie");
  e2e::TemporaryDirectory directory;
  constexpr int accounts = 6;
  constexpr int payments = 3000;
  publish(broker, ledger_file(directory, accounts, payments));
  testing::ChildProcess zombie(serve_argv(broker, directory.file("zombie")), directory.file("zombie.err"));
  wait_until([&] { return results_of(broker).size() >= 300; }, directory.file("zombie.err"));
  zombie.signal(SIGSTOP);  // frozen, perhaps in the middle of transactions
  testing::ChildProcess next(serve_argv(broker, directory.file("next")), directory.file("next.err"));
  // The group gives the frozen member's partitions to the next one once its session (6 s) expires.
  wait_until([&] { return results_of(broker).size() == accounts + payments; }, directory.file("next.err"));
  zombie.signal(SIGCONT);
  // Awake, it learns it was fenced: it must step down without a committed write.
  wait_until(
      [&] {
        const std::string log = e2e::read_file(directory.file("zombie.err"));
        return log.find("fenced") != std::string::npos || log.find("another owner") != std::string::npos ||
               log.find("released") != std::string::npos;
      },
      directory.file("zombie.err"));
  std::this_thread::sleep_for(std::chrono::seconds(2));  // what it would write next, if it could
  zombie.signal(SIGTERM);
  next.signal(SIGTERM);
  CHECK(zombie.wait() == 0);
  CHECK(next.wait() == 0);
  INFO(e2e::read_file(directory.file("zombie.err")));

  const History history = read_history(broker);
  CHECK(history.outcomes.size() == accounts + payments);
  for (const auto& [where, count] : history.outcomes) CHECK(count == 1);
  // A zombie's batch that the broker let through would show as superseded (an older epoch) or as a
  // lost takeover: a real broker commits none of them, read_committed.
  CHECK(history.ignored.count(BatchVerdict::superseded_epoch) == 0);
  CHECK(history.ignored.count(BatchVerdict::lost_takeover) == 0);
  for (const auto& [id, result] : results_of(broker)) {
    INFO(id);
    CHECK(result["ok"] == true);
  }
}

TEST_CASE(
    "kafka real: phone cards on a real broker: a card pays an account of another partition once, a refused "
    "payment gives the card back, and no PIN reaches the events",
    "[kafka-real]") {
  const RealBroker broker = real_broker("cards");
  e2e::TemporaryDirectory directory;
  const auto key_on = [](int32_t partition, const std::string& prefix, int skip) {
    for (int i = 0;; ++i) {
      std::string key = prefix + std::to_string(i);
      if (partition_of_key(key, partitions) == partition && skip-- == 0) return key;
    }
  };
  const std::string batch = key_on(1, "batch-", 0);
  const std::vector<std::string> numbers{key_on(1, "40128800", 0), key_on(1, "40128800", 1),
                                         key_on(1, "40128800", 2)};
  const std::string far = key_on(2, "C-", 0);
  const std::string missing = key_on(0, "C-", 0);
  const auto pin_of = [](const std::string& number) { return "58" + number.substr(number.size() - 6); };
  // The batch as a gateway issues it (IssueCards has no JSON line): only what recognises each PIN.
  IssueCards issue{.batch = batch,
                   .chunk = 0,
                   .value = Money::from_micros(20'000'000),
                   .expires = parse_date("2099-12-31").value(),
                   .cards = {}};
  std::vector<std::string> hashes;
  for (const std::string& number : numbers) {
    CardSecret secret{.salt = std::string(16, 'r'), .hash = {}};
    const Sha256 digest = sha256(secret.salt + pin_of(number));
    secret.hash.assign(reinterpret_cast<const char*>(digest.data()), digest.size());
    hashes.push_back(secret.hash);
    issue.cards.push_back(IssuedCard{.number = number, .secret = secret});
  }
  Result<std::unique_ptr<KafkaProducer>> producer = KafkaProducer::open(KafkaEndpoint(broker.bootstrap), {});
  REQUIRE(producer.ok());
  REQUIRE((*producer)
              ->produce(broker.prefix + ".commands", partition_of_key(batch, partitions), batch,
                        encode_command(Command{"cards:" + batch + ":0", "admin", issue}), 1)
              .ok());
  while ((*producer)->in_flight() > 0) (void)(*producer)->poll(100);
  {
    std::ofstream file(directory.file("in.jsonl"));
    file << R"({"type":"open_account","account":")" << far << R"(","name":"n","command_id":"o-far"})" << '\n';
    const auto redeem = [&](const std::string& id, const std::string& number, const std::string& account,
                            const std::string& pin) {
      file << R"({"type":"redeem_card","card":")" << number << R"(","pin":")" << pin << R"(","account":")"
           << account << R"(","command_id":")" << id << "\"}\n";
    };
    redeem("r-far", numbers[0], far, pin_of(numbers[0]));
    redeem("r-missing", numbers[1], missing, pin_of(numbers[1]));
    redeem("r-wrong", numbers[2], far, "00000000");
  }
  publish(broker, directory.file("in.jsonl"));
  const std::string data = directory.file("data");
  testing::ChildProcess serve(serve_argv(broker, data), directory.file("serve.err"));
  // The issue, the open, three redemptions, two payments sent on, one card given back.
  wait_until([&] { return results_of(broker).size() == 8; }, directory.file("serve.err"));

  std::map<std::string, json> results = results_of(broker);
  const auto payment_of = [&](const std::string& number, const json& redeemed) {
    return results.at(card_payment_command_id(number, LogPosition{redeemed["positions"][0].get<uint64_t>()}));
  };
  REQUIRE(results.at("r-far")["ok"] == true);
  CHECK(payment_of(numbers[0], results.at("r-far"))["ok"] == true);
  REQUIRE(results.at("r-missing")["ok"] == true);
  const json refused = payment_of(numbers[1], results.at("r-missing"));
  CHECK(refused["ok"] == false);
  CHECK(refused["error"]["code"] == "account_not_found");
  CHECK(results.at("r-wrong")["error"]["code"] == "wrong_card_or_pin");

  // The card given back is redeemable again, into an account that exists.
  {
    std::ofstream file(directory.file("again.jsonl"));
    file << R"({"type":"redeem_card","card":")" << numbers[1] << R"(","pin":")" << pin_of(numbers[1])
         << R"(","account":")" << far << R"(","command_id":"r-again"})" << '\n';
  }
  publish(broker, directory.file("again.jsonl"));
  wait_until([&] { return results_of(broker).size() == 10; }, directory.file("serve.err"));
  results = results_of(broker);
  CHECK(payment_of(numbers[1], results.at("r-again"))["ok"] == true);
  serve.signal(SIGTERM);
  CHECK(serve.wait() == 0);

  for (const auto& [where, count] : accepted_outcomes(broker)) CHECK(count == 1);
  for (const testing::ConsumedMessage& message :
       testing::read_topic(broker.bootstrap, broker.prefix + ".events", partitions)) {
    for (size_t i = 0; i < numbers.size(); ++i) {
      CHECK(message.value.find(pin_of(numbers[i])) == std::string::npos);
      CHECK(message.value.find(hashes[i]) == std::string::npos);
    }
  }
  CHECK(testing::read_topic(broker.bootstrap, broker.prefix + ".card-secrets", partitions).size() == 3);
  project_and_verify(broker, data);
  const json rows = balance_rows(data);
  REQUIRE(rows.size() == 1);
  CHECK(micros(rows[0]["current_balance"]) == 40'000'000);  // two cards paid into it, once each
}

TEST_CASE(
    "kafka real: the single broker killed (SIGKILL), then stopped (SIGTERM), and started again on its data "
    "in the middle of transactions: the engine recovers by itself and decides every command once",
    "[kafka-real]") {
  e2e::TemporaryDirectory directory;
  testing::OwnBroker own(directory.file("broker"));
  const RealBroker broker = topics_on(own.bootstrap(), "broker-restart");
  constexpr int accounts = 12;
  // Several seconds of work in batches of 10, so that both outages fall in the middle of it (checked).
  constexpr int payments = 3000;
  constexpr size_t commands = accounts + payments;
  publish(broker, ledger_file(directory, accounts, payments));
  const std::string log = directory.file("serve.err");
  // One engine for the whole test: it must get over both outages without a restart of its own.
  testing::ChildProcess serve(serve_argv(broker, directory.file("data"), 10), log);
  size_t decided = 500;
  for (const int signal : {SIGKILL, SIGTERM}) {
    INFO("broker signal " << signal);
    wait_until([&] { return results_of(broker).size() >= decided; }, log);
    own.kill(signal);  // transactions of three partitions in flight
    own.restart();     // the same port and data: about 10-20 s without a broker
    // What was committed before it went, and perhaps a little since: the rest must follow.
    decided = results_of(broker).size();
    CHECK(decided < commands);
    decided += 500;
  }
  wait_until([&] { return results_of(broker).size() == commands; }, log);
  serve.signal(SIGTERM);
  CHECK(serve.wait() == 0);  // still the first process: it never gave up
  INFO(e2e::read_file(log));

  check_each_command_decided_once(broker, commands);
  project_and_verify(broker, directory.file("data"));
  check_balances_are_records(directory.file("data"), paid_by_account(accounts, payments), payments);
}

TEST_CASE(
    "kafka real: instances of one group under load, a second and a third joining, one leaving (SIGTERM) and "
    "one killed (SIGKILL): no command lost or decided twice",
    "[kafka-real]") {
  const RealBroker broker = real_broker("group");
  e2e::TemporaryDirectory directory;
  constexpr int accounts = 12;
  // Published before each change of the group: several seconds of work in batches of 10 (a transaction
  // each), so that every change happens while commands wait (checked).
  constexpr int chunk = 3000;
  constexpr int batch_commands = 10;
  publish(broker, ledger_file(directory, accounts, 0));
  size_t published = accounts;
  int chunks = 0;
  const auto publish_chunk = [&] {
    const std::string path = directory.file(fmt::format("chunk-{}.jsonl", chunks));
    std::ofstream(path) << testing::payment_lines(chunk, accounts, fmt::format("pay{}", chunks));
    publish(broker, path);
    ++chunks;
    published += chunk;
  };
  const auto instance = [&](const std::string& name) {
    return std::make_unique<testing::ChildProcess>(serve_argv(broker, directory.file(name), batch_commands),
                                                   directory.file(name + ".err"));
  };
  const auto takeovers = [&](const std::string& name) {
    return count_of(e2e::read_file(directory.file(name + ".err")), "taken over at epoch");
  };
  // Waits until `name` has taken partitions over `count` times in all, checks that commands still
  // wait (the change happened under load), and waits until 300 more are decided.
  const auto settle = [&](const std::string& name, size_t count) {
    wait_until([&] { return takeovers(name) >= count; }, directory.file(name + ".err"));
    const size_t decided = results_of(broker).size();
    CHECK(decided < published);
    wait_until([&] { return results_of(broker).size() >= decided + 300; }, directory.file(name + ".err"));
  };
  publish_chunk();
  std::unique_ptr<testing::ChildProcess> a = instance("a");
  settle("a", partitions);
  publish_chunk();
  std::unique_ptr<testing::ChildProcess> b = instance("b");  // joins: the group shares the partitions out
  settle("b", 1);
  publish_chunk();
  std::unique_ptr<testing::ChildProcess> c = instance("c");  // joins: one partition each
  settle("c", 1);
  publish_chunk();
  const size_t a_before_leave = takeovers("a");
  b->signal(SIGTERM);  // leaves cleanly: releases its partition and leaves the group at once
  CHECK(b->wait() == 0);
  CHECK(count_of(e2e::read_file(directory.file("b.err")), "released at command offset") >= 1);
  settle("a", a_before_leave + 1);  // the group shares the partitions out again between a and c
  publish_chunk();
  const size_t a_before_kill = takeovers("a");
  c->signal(SIGKILL);  // gone without a word: its partition waits for its session (6 s) to expire
  CHECK(c->wait() == 128 + SIGKILL);
  settle("a", a_before_kill + 1);
  wait_until([&] { return results_of(broker).size() == published; }, directory.file("a.err"));
  a->signal(SIGTERM);
  CHECK(a->wait() == 0);
  INFO(e2e::read_file(directory.file("a.err")) << e2e::read_file(directory.file("c.err")));

  check_each_command_decided_once(broker, published);
  project_and_verify(broker, directory.file("a"));
  check_balances_are_records(directory.file("a"), paid_by_account(accounts, chunk, chunks), chunk * chunks);
}

TEST_CASE(
    "kafka real: an engine whose session timeout the broker refuses says why it holds no partition, not only "
    "that it holds none",
    "[kafka-real]") {
  const RealBroker broker = real_broker("refused");
  e2e::TemporaryDirectory directory;
  std::vector<std::string> argv = serve_argv(broker, directory.file("data"));
  argv.back() = "3600000";  // --session-timeout-ms above the broker's group.max.session.timeout.ms (30 min)
  testing::ChildProcess serve(argv, directory.file("serve.err"));
  wait_until(
      [&] {
        return e2e::read_file(directory.file("serve.err")).find("the group refused it: JoinGroup failed") !=
               std::string::npos;
      },
      directory.file("serve.err"));
  const std::string log = e2e::read_file(directory.file("serve.err"));
  INFO(log);
  CHECK_THAT(log, Catch::Contains("INVALID_SESSION_TIMEOUT") &&
                      Catch::Contains("--session-timeout-ms must lie within the broker's group.min.session"));
  serve.signal(SIGTERM);
  CHECK(serve.wait() == 0);
}

}  // namespace paystream
