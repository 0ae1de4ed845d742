// Kafka mode's engine when the wall clock jumps back (an NTP step, a VM restored from a snapshot):
// the engine dates events at the later of the clock and its partition's last event, in the
// instance that saw the jump and in the next one, which learns the last time from the log.
#include <catch2/catch.hpp>

#include "events/codec.h"
#include "tests/support/kafka/engine_fixture.h"
#include "tests/support/movable_clock.h"

namespace paystream {
namespace {

using testing::ledger_lines;
using testing::line_count;

// Each partition's event times, in log order.
std::map<int32_t, std::vector<Timestamp>> event_times(const testing::MockKafka& kafka) {
  std::map<int32_t, std::vector<Timestamp>> times;
  testing::read_accepted_batches(kafka, [&](int32_t partition, const EventBatch& batch) {
    for (const std::string& bytes : batch.events) {
      Result<Event> event = decode_event(bytes);
      if (!event) return Status(event.error());
      times[partition].push_back(event->time);
    }
    return ok_status();
  });
  return times;
}

TEST_CASE(
    "kafka engine loop: the clock jumping back two days, then an hour more across a crash: event times "
    "never go backwards, every command applied once",
    "[kafka][engine-loop][clock]") {
  const testing::MockKafka kafka = testing::mock_kafka(1, 2);
  e2e::TemporaryDirectory directory;
  const std::string data = directory.file("kafka");
  const Timestamp before_jump = parse_timestamp("2026-12-05T12:00:00Z").value();
  MovableClock clock;
  clock.set(before_jump);
  const std::string first = ledger_lines(6, 60, "t1");
  const std::string second = ledger_lines(6, 60, "t2");
  const std::string third = ledger_lines(6, 60, "t3");
  testing::publish(kafka, first);
  {
    std::unique_ptr<KafkaEngineLoop> loop = testing::open_loop(kafka, data, 20, 200, &clock);
    testing::take_all(*loop);
    testing::step_until(*loop, [&] { return loop->totals().commands == line_count(first); });
    clock.set("2026-12-03T12:00:00Z");
    testing::publish(kafka, second);
    testing::step_until(*loop, [&] { return loop->totals().commands == line_count(second) * 2; });
  }  // dropped without a release: a crash
  clock.set("2026-12-03T11:00:00Z");
  testing::publish(kafka, third);
  std::unique_ptr<KafkaEngineLoop> loop = testing::open_loop(kafka, data, 20, 200, &clock);
  testing::take_all(*loop);
  testing::step_until(*loop, [&] { return loop->totals().commands == line_count(third); });

  const std::map<int32_t, std::vector<Timestamp>> times = event_times(kafka);
  REQUIRE(times.size() == 2);
  for (const auto& [partition, in_order] : times) {
    INFO("partition " << partition);
    REQUIRE(!in_order.empty());
    for (size_t i = 1; i < in_order.size(); ++i) REQUIRE(in_order[i - 1] <= in_order[i]);
    // The clock was never later than before the jump, so nothing is dated after it either.
    CHECK(in_order.back() == before_jump);
  }
  CHECK(testing::kafka_balances(*loop) == testing::embedded_balances(first + second + third));
  testing::check_one_accepted_outcome_per_command(kafka, line_count(first) * 3);
}

}  // namespace
}  // namespace paystream
