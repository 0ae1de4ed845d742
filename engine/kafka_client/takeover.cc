#include "engine/kafka_client/takeover.h"

#include <fmt/format.h>

#include <chrono>
#include <thread>

namespace paystream {
namespace {

constexpr int confirm_poll_ms = 50;  // the marker is committed; waiting for it to become readable

}  // namespace

PartitionTakeover::PartitionTakeover(TakeoverOptions options, BatchPosition checkpoint,
                                     int64_t checkpoint_offset,
                                     std::function<Status(int64_t, const EventBatch&)> on_accepted)
    : options_(std::move(options)),
      acceptance_(std::move(checkpoint)),
      events_offset_(checkpoint_offset),
      on_accepted_(std::move(on_accepted)) {}

PartitionTakeover::PartitionTakeover(TakeoverOptions options, BatchPosition checkpoint,
                                     int64_t checkpoint_offset, int64_t next_command_offset,
                                     int64_t next_control_offset,
                                     std::function<Status(int64_t, const EventBatch&)> on_accepted)
    : PartitionTakeover(std::move(options), std::move(checkpoint), checkpoint_offset,
                        std::move(on_accepted)) {
  next_command_offset_ = next_command_offset;
  next_control_offset_ = next_control_offset;
}

Status PartitionTakeover::read_to_end() {
  Result<EventsReadSummary> read = read_event_batches(
      options_.endpoint, options_.events_topic, options_.partition, events_offset_, acceptance_,
      [this](int64_t offset, const EventBatch& batch) {
        next_command_offset_ = batch.next_command_offset;
        next_control_offset_ = batch.next_control_offset;
        own_marker_read_ = own_marker_read_ || (batch.is_takeover() && batch.owner == options_.owner);
        return on_accepted_(offset, batch);
      },
      options_.timeout_ms,
      [this](int64_t, const EventBatch& batch, BatchVerdict) {
        own_marker_read_ = own_marker_read_ || (batch.is_takeover() && batch.owner == options_.owner);
      });
  if (!read) return read.error();
  events_offset_ = read->next_offset;
  return ok_status();
}

Status PartitionTakeover::catch_up() { return read_to_end(); }

Status PartitionTakeover::claim(TransactionalProducer& producer) {
  EventBatch marker;
  marker.epoch = acceptance_.position().epoch + 1;
  marker.owner = options_.owner;
  marker.sequence = 0;
  marker.command_partition = options_.partition;
  marker.next_command_offset = next_command_offset_;
  marker.next_control_offset = next_control_offset_;
  if (Status valid = check_event_batch(marker); !valid) {
    return make_error(Errc::invalid_argument,
                      fmt::format("takeover owner '{}': {}", options_.owner, valid.error().message));
  }
  const OutgoingMessage message{options_.events_topic, options_.partition, "", encode_event_batch(marker)};
  // An aborted marker is simply written again: the rule ignores a second copy.
  for (int attempt = 0; attempt < 3; ++attempt) {
    Result<CommitOutcome> written = producer.write({message});
    if (!written) return written.error();
    if (*written == CommitOutcome::committed) return ok_status();
  }
  return make_error(Errc::kafka_error,
                    fmt::format("the takeover marker of events partition {} was aborted three "
                                "times",
                                options_.partition));
}

Result<bool> PartitionTakeover::confirm() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.timeout_ms);
  while (true) {
    if (Status read = read_to_end(); !read) return read.error();
    if (own_marker_read_) return acceptance_.position().owner == options_.owner;
    if (std::chrono::steady_clock::now() >= deadline) {
      return make_error(Errc::kafka_error,
                        fmt::format("the takeover marker of '{}' did not show in events partition "
                                    "{} within {} ms",
                                    options_.owner, options_.partition, options_.timeout_ms));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(confirm_poll_ms));
  }
}

Result<bool> PartitionTakeover::take_over(TransactionalProducer& producer) {
  if (Status caught_up = catch_up(); !caught_up) return caught_up.error();
  if (Status claimed = claim(producer); !claimed) return claimed.error();
  return confirm();
}

}  // namespace paystream
