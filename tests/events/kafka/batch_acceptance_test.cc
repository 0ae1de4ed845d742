#include "events/kafka/batch_acceptance.h"

#include <catch2/catch.hpp>
#include <vector>

namespace paystream {
namespace {

EventBatch marker(uint64_t epoch, const std::string& owner) {
  EventBatch batch;
  batch.epoch = epoch;
  batch.owner = owner;
  return batch;
}

EventBatch batch(uint64_t epoch, const std::string& owner, uint64_t sequence) {
  EventBatch made = marker(epoch, owner);
  made.sequence = sequence;
  made.outcomes = {{"c-" + owner + std::to_string(sequence), 0, "", "", 0, false, false, ""}};
  return made;
}

std::vector<BatchVerdict> verdicts(const std::vector<EventBatch>& partition, BatchAcceptance& reader) {
  std::vector<BatchVerdict> judged;
  for (const EventBatch& next : partition) judged.push_back(reader.offer(next));
  return judged;
}

using enum BatchVerdict;

TEST_CASE("kafka acceptance: one owner's batches after its marker are the history", "[kafka][acceptance]") {
  BatchAcceptance reader;
  CHECK(verdicts({marker(1, "a"), batch(1, "a", 1), batch(1, "a", 2), batch(1, "a", 3)}, reader) ==
        std::vector<BatchVerdict>{accepted, accepted, accepted, accepted});
  CHECK(reader.position() == BatchPosition{1, "a", 3});
}

TEST_CASE("kafka acceptance: a zombie's writes after a takeover are ignored, its earlier ones kept",
          "[kafka][acceptance]") {
  // Instance a owns the partition; b takes it over; a, not fenced (as on the mock cluster), goes on.
  BatchAcceptance reader;
  CHECK(verdicts({marker(1, "a"), batch(1, "a", 1), marker(2, "b"), batch(1, "a", 2), batch(2, "b", 1),
                  batch(1, "a", 3), batch(2, "b", 2)},
                 reader) == std::vector<BatchVerdict>{accepted, accepted, accepted, superseded_epoch,
                                                      accepted, superseded_epoch, accepted});
  CHECK(reader.position() == BatchPosition{2, "b", 2});
}

TEST_CASE("kafka acceptance: of two takeovers racing to one epoch, the first written wins",
          "[kafka][acceptance]") {
  BatchAcceptance reader;
  CHECK(verdicts({marker(1, "a"), marker(2, "b"), marker(2, "c"), batch(2, "c", 1), batch(2, "b", 1),
                  marker(3, "c"), batch(3, "c", 1)},
                 reader) == std::vector<BatchVerdict>{accepted, accepted, lost_takeover, lost_takeover,
                                                      accepted, accepted, accepted});
}

TEST_CASE(
    "kafka acceptance: a batch seen twice (aborted copy, then its retry) counts once, and a gap is reported",
    "[kafka][acceptance]") {
  BatchAcceptance reader;
  CHECK(verdicts({marker(1, "a"), batch(1, "a", 1), batch(1, "a", 1), batch(1, "a", 2), marker(1, "a"),
                  batch(1, "a", 4)},
                 reader) == std::vector<BatchVerdict>{accepted, accepted, repeated, accepted, repeated, gap});
  CHECK(reader.position() == BatchPosition{1, "a", 2});  // a gap moves nothing
}

TEST_CASE("kafka acceptance: nothing counts before the first marker, nor a newer epoch without its marker",
          "[kafka][acceptance]") {
  BatchAcceptance reader;
  CHECK(verdicts({batch(1, "a", 1), marker(1, "a"), batch(1, "a", 1), batch(2, "a", 2)}, reader) ==
        std::vector<BatchVerdict>{no_takeover, accepted, accepted, no_takeover});
}

TEST_CASE("kafka acceptance: a reader resumes from a checkpointed position", "[kafka][acceptance]") {
  BatchAcceptance reader(BatchPosition{5, "e", 40});
  CHECK(verdicts({batch(5, "e", 40), batch(5, "e", 41), batch(4, "d", 99), marker(6, "f")}, reader) ==
        std::vector<BatchVerdict>{repeated, accepted, superseded_epoch, accepted});
  CHECK(std::string(batch_verdict_name(superseded_epoch)) == "superseded_epoch");
}

}  // namespace
}  // namespace paystream
