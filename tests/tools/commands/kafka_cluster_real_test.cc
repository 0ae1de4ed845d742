// Kafka mode on a real cluster of three Apache Kafka brokers (scripts/kafka-broker start --brokers 3:
// each broker in a network namespace of its own, replication factor 3, min.insync.replicas=2): brokers
// fail under load, and one engine gets over it by itself.
#include <fmt/format.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/kafka/own_broker.h"
#include "tests/support/kafka/publish_fixture.h"
#include "tests/tools/commands/real_ledger.h"

namespace paystream {

using namespace kafka_real;

TEST_CASE(
    "kafka real: three brokers, the leader of a commands partition killed under load, then one broker cut "
    "off "
    "for 10 s: every acknowledged command decided once, and the engine recovers by itself",
    "[kafka-real]") {
  e2e::TemporaryDirectory directory;
  testing::OwnBroker cluster(directory.file("cluster"), {.sasl_ssl = "", .brokers = 3, .version = ""});
  const RealBroker broker = topics_on(cluster.bootstrap(), "cluster");
  constexpr int accounts = 12;
  // Published before each failure, and during it (`publish` returns once the brokers acknowledged
  // every command): several seconds of work in batches of 10, a transaction each.
  constexpr int chunk = 3000;
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
  const std::string log = directory.file("serve.err");
  const auto decided = [&] { return results_of(broker).size(); };
  // Waits until `more` commands past `from` are decided, and checks that commands still wait.
  const auto progress = [&](size_t from, size_t more) {
    wait_until([&] { return decided() >= from + more; }, log);
    CHECK(decided() < published);
  };
  publish_chunk();
  publish_chunk();
  // One engine for the whole test: it must get over every failure without a restart of its own.
  testing::ChildProcess serve(serve_argv(broker, directory.file("data"), 10), log);
  progress(0, 500);

  // The leader of commands partition 0 killed: its partitions' leadership moves to the two left,
  // which still make min.insync.replicas, and the engine goes on without it.
  const int32_t killed = testing::partition_leader(broker.bootstrap, broker.prefix + ".commands", 0);
  cluster.kill(SIGKILL, killed);
  publish_chunk();  // acknowledged by the two brokers left
  CHECK(testing::partition_leader(broker.bootstrap, broker.prefix + ".commands", 0) != killed);
  progress(decided(), 500);
  cluster.restart(killed);

  // Another broker cut off for 10 s: connections to it hang rather than fail, until the controller
  // fences it and its partitions move, or the link is back.
  const int32_t cut = killed % 3 + 1;
  cluster.cut(cut);
  const auto cut_at = std::chrono::steady_clock::now();
  publish_chunk();
  std::this_thread::sleep_until(cut_at + std::chrono::seconds(10));
  cluster.heal(cut);

  // Recovery may take the engine a group rejoin and a transaction's timeouts (30 s each) after the
  // link is back; on a busy machine (2 cores shared with three brokers) more than wait_ms in all.
  wait_until([&] { return decided() == published; }, log, 3 * wait_ms);
  serve.signal(SIGTERM);
  CHECK(serve.wait() == 0);  // still the first process: it never gave up
  INFO(e2e::read_file(log));

  check_each_command_decided_once(broker, published);
  project_and_verify(broker, directory.file("data"));
  check_balances_are_records(directory.file("data"), paid_by_account(accounts, chunk, chunks),
                             chunk * chunks);
}

}  // namespace paystream
