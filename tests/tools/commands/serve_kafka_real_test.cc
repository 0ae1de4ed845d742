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

namespace paystream {
namespace {

using nlohmann::json;

constexpr int wait_ms = 60'000;
constexpr int32_t partitions = 3;

// The broker the kafka-real tests run on, and topics no other test uses.
struct RealBroker {
  std::string bootstrap;
  std::string prefix;
};

// Topics of their own on the broker at `bootstrap`.
RealBroker topics_on(const std::string& bootstrap, const std::string& name) {
  RealBroker broker{bootstrap,
                    fmt::format("kr-{}-{}-{}", name, getpid(),
                                std::chrono::steady_clock::now().time_since_epoch().count() % 1'000'000)};
  const e2e::ProcessResult made =
      e2e::run_process({PAYSTREAM_BINARY, "publish", "--kafka", broker.bootstrap, "--topic-prefix",
                        broker.prefix, "--partitions", std::to_string(partitions), "--file", "/dev/null"});
  INFO(made.err);
  REQUIRE(made.exit_code == 0);
  return broker;
}

RealBroker real_broker(const std::string& name) {
  const char* kafka = std::getenv("PAYSTREAM_TEST_KAFKA");
  INFO("the kafka-real tests need PAYSTREAM_TEST_KAFKA=HOST:PORT (ctest -L kafka-real starts the broker)");
  REQUIRE(kafka != nullptr);
  REQUIRE(std::string_view(kafka).find(':') != std::string_view::npos);
  return topics_on(kafka, name);
}

// `accounts` accounts opened ("C-0", ...), then testing::payment_lines(payments, accounts, "pay"): a
// JSON lines file in `directory`.
std::string ledger_file(const e2e::TemporaryDirectory& directory, int accounts, int payments) {
  const std::string path = directory.file("in.jsonl");
  std::ofstream file(path);
  for (int a = 0; a < accounts; ++a) {
    file << R"({"type":"open_account","account":"C-)" << a << R"(","name":"n","command_id":"open-)" << a
         << "\"}\n";
  }
  file << testing::payment_lines(payments, accounts, "pay");
  return path;
}

std::map<std::string, json> results_of(const RealBroker& broker) {
  std::map<std::string, json> results;
  for (const testing::ConsumedMessage& message :
       testing::read_topic(broker.bootstrap, broker.prefix + ".results", partitions)) {
    results.emplace(message.key, json::parse(message.value));  // the first result of each ID
  }
  return results;
}

void wait_until(const std::function<bool()>& done, const std::string& log) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  while (!done()) {
    INFO(e2e::read_file(log));
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // polling a condition, bounded above
  }
}

void publish(const RealBroker& broker, const std::string& file) {
  const e2e::ProcessResult published =
      e2e::run_process({PAYSTREAM_BINARY, "publish", "--kafka", broker.bootstrap, "--topic-prefix",
                        broker.prefix, "--file", file});
  INFO(published.err);
  REQUIRE(published.exit_code == 0);
}

std::vector<std::string> serve_argv(const RealBroker& broker, const std::string& data,
                                    int batch_commands = 50) {
  return {PAYSTREAM_BINARY,
          "serve",
          "--kafka",
          broker.bootstrap,
          "--topic-prefix",
          broker.prefix,
          "--group",
          broker.prefix,
          "--data",
          data,
          "--batch-commands",
          std::to_string(batch_commands),
          "--session-timeout-ms",
          "6000"};
}

// How many accepted outcomes each command offset has in the events topic's history (read_committed,
// through the reader's rule), and how many batches the rule ignored, by verdict.
struct History {
  std::map<std::pair<int32_t, int64_t>, int> outcomes;
  std::map<BatchVerdict, int> ignored;
};

History read_history(const RealBroker& broker) {
  History history;
  for (int32_t partition = 0; partition < partitions; ++partition) {
    BatchAcceptance acceptance;
    const Result<EventsReadSummary> read = read_event_batches(
        KafkaEndpoint(broker.bootstrap), broker.prefix + ".events", partition, 0, acceptance,
        [&](int64_t, const EventBatch& batch) {
          for (const BatchOutcome& outcome : batch.outcomes) {
            if (!outcome.from_control) ++history.outcomes[{partition, outcome.command_offset}];
          }
          return ok_status();
        },
        wait_ms, [&](int64_t, const EventBatch&, BatchVerdict verdict) { ++history.ignored[verdict]; });
    INFO((read ? std::string() : read.error().message));
    REQUIRE(read.ok());
  }
  return history;
}

std::map<std::pair<int32_t, int64_t>, int> accepted_outcomes(const RealBroker& broker) {
  return read_history(broker).outcomes;
}

void project_and_verify(const RealBroker& broker, const std::string& data) {
  const e2e::ProcessResult projected =
      e2e::run_process({PAYSTREAM_BINARY, "project", "--kafka", broker.bootstrap, "--topic-prefix",
                        broker.prefix, "--data", data, "--until-caught-up"});
  INFO(projected.err);
  REQUIRE(projected.exit_code == 0);
  const e2e::ProcessResult verified =
      e2e::run_process({PAYSTREAM_BINARY, "replay", "--verify", "--kafka", broker.bootstrap, "--topic-prefix",
                        broker.prefix, "--data", data});
  INFO(verified.out << verified.err);
  CHECK(verified.exit_code == 0);
}

json balance_rows(const std::string& data) {
  const e2e::ProcessResult balances =
      e2e::run_process({PAYSTREAM_BINARY, "balances", "--data", data, "--format", "json"});
  INFO(balances.err);
  REQUIRE(balances.exit_code == 0);
  return json::parse(balances.out)["rows"];
}

int64_t micros(const json& text) { return Money::parse(text.get<std::string>()).value().micros(); }

// What each account was paid by `times` files of testing::payment_lines(payments, accounts, ...), in
// micros.
std::map<std::string, int64_t> paid_by_account(int accounts, int payments, int times = 1) {
  std::map<std::string, int64_t> paid;
  for (int i = 0; i < payments; ++i) {
    paid["C-" + std::to_string(i % accounts)] += int64_t{times} * (i + 1) * 1'000'000;
  }
  return paid;
}

// The projections of `data` (project_and_verify first): one payment record per payment, every balance
// the sum of its account's records, and what was paid to it.
void check_balances_are_records(const std::string& data, const std::map<std::string, int64_t>& paid,
                                int payments) {
  const e2e::ProcessResult records =
      e2e::run_process({PAYSTREAM_BINARY, "records", "--data", data, "--format", "json", "--limit", "0"});
  INFO(records.err);
  REQUIRE(records.exit_code == 0);
  std::map<std::string, int64_t> recorded;
  std::set<std::string> record_ids;
  const json rows = json::parse(records.out)["rows"];
  for (const json& row : rows) {
    recorded[row["account_id"].get<std::string>()] += micros(row["amount"]);
    record_ids.insert(row["record_id"].get<std::string>());
  }
  CHECK(record_ids.size() == static_cast<size_t>(payments));
  std::map<std::string, int64_t> balances;
  for (const json& row : balance_rows(data))
    balances[row["account_id"].get<std::string>()] = micros(row["current_balance"]);
  CHECK(balances == recorded);
  CHECK(balances == paid);
}

// Every command of P.commands has exactly one accepted outcome in the events (read_committed, through
// the reader's rule) and an ok result; the broker committed no batch of a fenced owner.
void check_each_command_decided_once(const RealBroker& broker, size_t commands) {
  const History history = read_history(broker);
  CHECK(history.outcomes.size() == commands);
  for (const auto& [where, count] : history.outcomes) CHECK(count == 1);
  CHECK(history.ignored.count(BatchVerdict::superseded_epoch) == 0);
  CHECK(history.ignored.count(BatchVerdict::lost_takeover) == 0);
  const std::map<std::string, json> results = results_of(broker);
  CHECK(results.size() == commands);
  for (const auto& [id, result] : results) {
    INFO(id);
    CHECK(result["ok"] == true);
  }
}

size_t count_of(const std::string& text, const std::string& what) {
  size_t count = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++count;
  return count;
}

}  // namespace

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
