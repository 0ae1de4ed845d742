#include "events/message_bytes.h"

#include <capnp/serialize.h>
#include <kj/io.h>

#include <array>

namespace paystream {
namespace {

struct ScratchSegment {
  std::array<capnp::word, capnp::SUGGESTED_FIRST_SEGMENT_WORDS> words{};  // zero while not in use
  bool in_use = false;
};

ScratchSegment& scratch_segment() {
  thread_local ScratchSegment segment;
  return segment;
}

}  // namespace

ScratchMessageBuilder::ScratchMessageBuilder() {
  ScratchSegment& scratch = scratch_segment();
  if (scratch.in_use) {
    message_.emplace();
    return;
  }
  scratch.in_use = true;
  claimed_ = true;
  // MallocMessageBuilder's destructor zeroes what the message used, so the buffer is ready again.
  message_.emplace(kj::arrayPtr(scratch.words.data(), scratch.words.size()));
}

ScratchMessageBuilder::~ScratchMessageBuilder() {
  message_.reset();
  if (claimed_) scratch_segment().in_use = false;
}

std::string message_bytes(capnp::MessageBuilder& message) {
  const kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>> segments = message.getSegmentsForOutput();
  std::string bytes(capnp::computeSerializedSizeInWords(segments) * sizeof(capnp::word), '\0');
  kj::ArrayOutputStream out(kj::arrayPtr(reinterpret_cast<kj::byte*>(bytes.data()), bytes.size()));
  capnp::writeMessage(out, segments);
  return bytes;
}

}  // namespace paystream
