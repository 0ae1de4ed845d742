#pragma once
// A ledger in Kafka mode on a real Apache Kafka broker, driven as a user drives it (the built binary:
// publish, serve --kafka, project, replay --verify), and what the kafka-real tests check of it
// afterwards: every command decided once, the balances the sum of the records.
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "engine/kafka_client/events_reader.h"
#include "tests/support/run_process.h"

namespace paystream::kafka_real {

constexpr int wait_ms = 60'000;
constexpr int32_t partitions = 3;

// The broker the kafka-real tests run on, and topics no other test uses.
struct RealBroker {
  std::string bootstrap;
  std::string prefix;
};

// Topics of their own (`partitions` of each) on the broker at `bootstrap`.
RealBroker topics_on(const std::string& bootstrap, const std::string& name);
// topics_on the broker of PAYSTREAM_TEST_KAFKA (the kafka-real label's fixture).
RealBroker real_broker(const std::string& name);

// `accounts` accounts opened ("C-0", ...), then testing::payment_lines(payments, accounts, "pay"): a
// JSON lines file in `directory`.
std::string ledger_file(const e2e::TemporaryDirectory& directory, int accounts, int payments);
void publish(const RealBroker& broker, const std::string& file);
std::vector<std::string> serve_argv(const RealBroker& broker, const std::string& data,
                                    int batch_commands = 50);

// The first result of each command ID on P.results.
std::map<std::string, nlohmann::json> results_of(const RealBroker& broker);
// Polls `done` until it holds; fails the test after `within_ms`, showing `log`.
void wait_until(const std::function<bool()>& done, const std::string& log, int within_ms = wait_ms);
size_t count_of(const std::string& text, const std::string& what);

// How many accepted outcomes each command offset has in the events topic's history (read_committed,
// through the reader's rule), and how many batches the rule ignored, by verdict.
struct History {
  std::map<std::pair<int32_t, int64_t>, int> outcomes;
  std::map<BatchVerdict, int> ignored;
};
History read_history(const RealBroker& broker);
std::map<std::pair<int32_t, int64_t>, int> accepted_outcomes(const RealBroker& broker);

// project --until-caught-up into `data`, then replay --verify against it.
void project_and_verify(const RealBroker& broker, const std::string& data);
nlohmann::json balance_rows(const std::string& data);
int64_t micros(const nlohmann::json& text);
// What each account was paid by `times` files of testing::payment_lines(payments, accounts, ...), in
// micros.
std::map<std::string, int64_t> paid_by_account(int accounts, int payments, int times = 1);
// The projections of `data` (project_and_verify first): one payment record per payment, every balance
// the sum of its account's records, and what was paid to it.
void check_balances_are_records(const std::string& data, const std::map<std::string, int64_t>& paid,
                                int payments);
// Every command of P.commands has exactly one accepted outcome in the events (read_committed, through
// the reader's rule) and an ok result; the broker committed no batch of a fenced owner.
void check_each_command_decided_once(const RealBroker& broker, size_t commands);

}  // namespace paystream::kafka_real
