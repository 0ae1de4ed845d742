#include "events/kafka/event_batch.h"

#include <catch2/catch.hpp>

#include "events/codec.h"

namespace paystream {
namespace {

EventBatch sample_batch() {
  Event event;
  event.type = EventType::account_opened;
  event.position = LogPosition{7};
  event.account_id = "C-1";
  event.command_id = "open-1";
  event.operator_name = "admin";
  event.prev_hash.fill(0);
  const std::string encoded = encode_event(event);
  EventBatch batch;
  batch.epoch = 3;
  batch.owner = "9f86d081884c7d65";
  batch.sequence = 12;
  batch.command_partition = 4;
  batch.next_command_offset = 1002;
  batch.next_control_offset = 7;
  batch.events = {encoded, encoded};
  batch.outcomes = {{"open-1", 999, "", "", 2, false, false, std::string(16, '\x7f')},
                    {"pay-9", 1000, "account_not_found", "account 'C-9' does not exist", 0, false, false, ""},
                    {"open-1", 1001, "", "", 0, true, false, ""},
                    {"param-1", 6, "", "", 0, true, true, ""}};
  return batch;
}

TEST_CASE("kafka batch: an event batch decodes to what was encoded, and encoding is deterministic",
          "[kafka][batch]") {
  const EventBatch batch = sample_batch();
  const std::string bytes = encode_event_batch(batch);
  CHECK(bytes == encode_event_batch(sample_batch()));
  const Result<EventBatch> decoded = decode_event_batch(bytes);
  REQUIRE(decoded.ok());
  CHECK(*decoded == batch);
  CHECK(decode_event(decoded->events[0]).ok());  // the events inside are the exact event bytes

  EventBatch marker;
  marker.epoch = 4;
  marker.owner = "a1";
  marker.command_partition = 4;
  marker.next_command_offset = 1002;
  const Result<EventBatch> decoded_marker = decode_event_batch(encode_event_batch(marker));
  REQUIRE(decoded_marker.ok());
  CHECK(decoded_marker->is_takeover());
  CHECK(*decoded_marker == marker);
}

TEST_CASE("kafka batch: a batch breaking one rule is refused", "[kafka][batch]") {
  const auto broken = [](auto change) {
    EventBatch batch = sample_batch();
    change(batch);
    return check_event_batch(batch);
  };
  CHECK(broken([](EventBatch&) {}).ok());
  CHECK(!broken([](EventBatch& b) { b.epoch = 0; }).ok());
  CHECK(!broken([](EventBatch& b) { b.owner = ""; }).ok());
  CHECK(!broken([](EventBatch& b) { b.owner = "has space"; }).ok());
  CHECK(!broken([](EventBatch& b) { b.owner = std::string(65, 'a'); }).ok());
  CHECK(!broken([](EventBatch& b) { b.command_partition = -1; }).ok());
  CHECK(!broken([](EventBatch& b) { b.next_command_offset = -1; }).ok());
  CHECK(!broken([](EventBatch& b) { b.sequence = 0; }).ok());  // a marker holds nothing
  CHECK(!broken([](EventBatch& b) {
           b.outcomes.clear();
           b.events.clear();
         }).ok());
  CHECK(!broken([](EventBatch& b) { b.events.pop_back(); }).ok());
  CHECK(!broken([](EventBatch& b) {
           b.outcomes[1].event_count = 1;
           b.outcomes[0].event_count = 1;
         }).ok());
  CHECK(!broken([](EventBatch& b) {
           b.outcomes[2].event_count = 1;
           b.outcomes[0].event_count = 1;
         }).ok());
  CHECK(!broken([](EventBatch& b) { b.outcomes[0].command_id = ""; }).ok());
  CHECK(!broken([](EventBatch& b) { b.outcomes[0].command_offset = -5; }).ok());
}

TEST_CASE("kafka batch: malformed bytes are corruption, never a crash", "[kafka][batch]") {
  const std::string bytes = encode_event_batch(sample_batch());
  CHECK(decode_event_batch("").error().code == Errc::corruption);
  CHECK(decode_event_batch(bytes.substr(0, 8)).error().code == Errc::corruption);
  CHECK(decode_event_batch(bytes.substr(0, bytes.size() - 3)).error().code == Errc::corruption);
  CHECK(decode_event_batch(bytes + std::string(8, '\0')).error().code == Errc::corruption);
  CHECK(decode_event_batch(std::string(event_batch_bytes_max + 8, '\0')).error().code == Errc::corruption);
  // Every single flipped byte either still decodes to a well-formed batch or is corruption.
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string flipped = bytes;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x5a);
    const Result<EventBatch> decoded = decode_event_batch(flipped);
    if (!decoded.ok()) CHECK(decoded.error().code == Errc::corruption);
  }
}

}  // namespace
}  // namespace paystream
