#include "events/kafka/event_batch.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <fmt/format.h>
#include <kj/exception.h>

#include <cstring>

#include "events/kafka/schema/kafka.capnp.h"
#include "events/message_bytes.h"

namespace paystream {
namespace {

namespace wire = ::paystream::schema::kafka;

constexpr int nesting_limit = 8;  // EventBatch > outcomes > CommandOutcome: deeper is junk

Error corrupt(std::string why) { return make_error(Errc::corruption, fmt::format("event batch: {}", why)); }

bool is_printable_ascii(std::string_view text) {
  for (char c : text) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

Status check_outcomes(const EventBatch& batch) {
  uint64_t events = 0;
  for (const BatchOutcome& outcome : batch.outcomes) {
    if (outcome.command_id.empty()) return corrupt("an outcome without a command ID");
    if (outcome.command_offset < 0) return corrupt(fmt::format("command offset {}", outcome.command_offset));
    if (outcome.fingerprint.size() > outcome_fingerprint_bytes_max) {
      return corrupt(fmt::format("command '{}' has a fingerprint of {} bytes", outcome.command_id,
                                 outcome.fingerprint.size()));
    }
    if ((outcome.duplicate || !outcome.error_code.empty()) && outcome.event_count != 0) {
      return corrupt(
          fmt::format("command '{}' made events though it was refused or a duplicate", outcome.command_id));
    }
    events += outcome.event_count;
  }
  if (events != batch.events.size()) {
    return corrupt(fmt::format("outcomes count {} events, the batch holds {}", events, batch.events.size()));
  }
  return ok_status();
}

// Reading copies the bytes into words (Cap'n Proto needs alignment), bounds the traversal by the
// input's size and requires exactly one message, as events/codec.cc does for events.
template <class Decode>
Result<EventBatch> read_batch(std::string_view bytes, Decode&& decode) {
  if (bytes.empty() || bytes.size() > event_batch_bytes_max || bytes.size() % sizeof(capnp::word) != 0) {
    return corrupt(fmt::format("{} bytes is not a whole number of 8-byte words up to {}", bytes.size(),
                               event_batch_bytes_max));
  }
  kj::Array<capnp::word> words = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
  std::memcpy(words.begin(), bytes.data(), bytes.size());
  capnp::ReaderOptions options;
  options.traversalLimitInWords = words.size() * 2 + 64;
  options.nestingLimit = nesting_limit;
  try {
    capnp::FlatArrayMessageReader reader(words, options);
    if (reader.getEnd() != words.end()) return corrupt("trailing bytes after the message");
    return decode(reader.getRoot<wire::EventBatch>());
  } catch (const kj::Exception& exception) {
    return corrupt(exception.getDescription().cStr());
  }
}

EventBatch from_reader(wire::EventBatch::Reader in) {
  EventBatch batch;
  batch.epoch = in.getEpoch();
  batch.owner = in.getOwner().cStr();
  batch.sequence = in.getSequence();
  batch.command_partition = in.getCommandPartition();
  batch.next_command_offset = in.getNextCommandOffset();
  batch.next_control_offset = in.getNextControlOffset();
  for (capnp::Data::Reader event : in.getEvents()) {
    batch.events.emplace_back(reinterpret_cast<const char*>(event.begin()), event.size());
  }
  for (wire::CommandOutcome::Reader outcome : in.getOutcomes()) {
    const capnp::Data::Reader fingerprint = outcome.getFingerprint();
    batch.outcomes.push_back(
        {outcome.getCommandId().cStr(), outcome.getCommandOffset(), outcome.getErrorCode().cStr(),
         outcome.getErrorMessage().cStr(), outcome.getEventCount(), outcome.getDuplicate(),
         outcome.getFromControl(),
         std::string(reinterpret_cast<const char*>(fingerprint.begin()), fingerprint.size())});
  }
  return batch;
}

}  // namespace

Status check_event_batch(const EventBatch& batch) {
  if (batch.epoch == 0) return corrupt("epoch 0");
  if (batch.owner.empty() || batch.owner.size() > batch_owner_bytes_max || !is_printable_ascii(batch.owner)) {
    return corrupt("the owner is not 1-64 printable ASCII characters");
  }
  if (batch.command_partition < 0)
    return corrupt(fmt::format("command partition {}", batch.command_partition));
  if (batch.next_command_offset < 0)
    return corrupt(fmt::format("next command offset {}", batch.next_command_offset));
  if (batch.next_control_offset < 0)
    return corrupt(fmt::format("next control offset {}", batch.next_control_offset));
  if (batch.is_takeover()) {
    if (!batch.events.empty() || !batch.outcomes.empty())
      return corrupt("a takeover marker with events or outcomes");
    return ok_status();
  }
  if (batch.outcomes.empty()) return corrupt(fmt::format("batch {} has no outcome", batch.sequence));
  return check_outcomes(batch);
}

std::string encode_event_batch(const EventBatch& batch) {
  PAYSTREAM_ASSERT(check_event_batch(batch).ok());
  ScratchMessageBuilder builder;
  wire::EventBatch::Builder out = builder.message().initRoot<wire::EventBatch>();
  out.setEpoch(batch.epoch);
  out.setOwner(batch.owner);
  out.setSequence(batch.sequence);
  out.setCommandPartition(batch.command_partition);
  out.setNextCommandOffset(batch.next_command_offset);
  out.setNextControlOffset(batch.next_control_offset);
  auto events = out.initEvents(static_cast<unsigned>(batch.events.size()));
  for (size_t i = 0; i < batch.events.size(); ++i) {
    events.set(static_cast<unsigned>(i),
               capnp::Data::Reader(reinterpret_cast<const kj::byte*>(batch.events[i].data()),
                                   batch.events[i].size()));
  }
  auto outcomes = out.initOutcomes(static_cast<unsigned>(batch.outcomes.size()));
  for (size_t i = 0; i < batch.outcomes.size(); ++i) {
    const BatchOutcome& outcome = batch.outcomes[i];
    wire::CommandOutcome::Builder written = outcomes[static_cast<unsigned>(i)];
    written.setCommandId(outcome.command_id);
    written.setCommandOffset(outcome.command_offset);
    // Empty text stays null, so the bytes of a given batch never depend on how it was built.
    if (!outcome.error_code.empty()) written.setErrorCode(outcome.error_code);
    if (!outcome.error_message.empty()) written.setErrorMessage(outcome.error_message);
    written.setEventCount(outcome.event_count);
    written.setDuplicate(outcome.duplicate);
    written.setFromControl(outcome.from_control);
    if (!outcome.fingerprint.empty()) {
      written.setFingerprint(capnp::Data::Reader(
          reinterpret_cast<const kj::byte*>(outcome.fingerprint.data()), outcome.fingerprint.size()));
    }
  }
  std::string bytes = message_bytes(builder.message());
  PAYSTREAM_ASSERT(bytes.size() <= event_batch_bytes_max);
  return bytes;
}

Result<EventBatch> decode_event_batch(std::string_view bytes) {
  return read_batch(bytes, [](wire::EventBatch::Reader in) -> Result<EventBatch> {
    EventBatch batch = from_reader(in);
    if (Status valid = check_event_batch(batch); !valid) return valid.error();
    return batch;
  });
}

}  // namespace paystream
