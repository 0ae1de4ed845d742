#include "events/message_bytes.h"

#include <capnp/serialize.h>

#include <array>
#include <cstdint>

#include "events/result.h"

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

void append_u32(std::string& bytes, uint32_t value) {
  const char little_endian[4] = {static_cast<char>(value), static_cast<char>(value >> 8),
                                 static_cast<char>(value >> 16), static_cast<char>(value >> 24)};
  bytes.append(little_endian, sizeof(little_endian));
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
  // capnp::writeMessage's framing, appended by hand to a reserved string: sizing the string first
  // would zero every byte of each event and log entry just before it is overwritten, and the output
  // stream costs a virtual call and a bounds check per piece. The bytes are the same (the test
  // "codec: message_bytes is capnp::writeMessage's framing" holds them to it).
  const kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>> segments = message.getSegmentsForOutput();
  PAYSTREAM_ASSERT(segments.size() > 0);
  std::string bytes;
  bytes.reserve(capnp::computeSerializedSizeInWords(segments) * sizeof(capnp::word));
  // The segment table: the segment count minus one, each segment's size in words, all u32
  // little-endian, padded with a zero u32 to a whole word.
  append_u32(bytes, static_cast<uint32_t>(segments.size() - 1));
  for (const kj::ArrayPtr<const capnp::word>& segment : segments) {
    append_u32(bytes, static_cast<uint32_t>(segment.size()));
  }
  if (segments.size() % 2 == 0) append_u32(bytes, 0);
  for (const kj::ArrayPtr<const capnp::word>& segment : segments) {
    bytes.append(reinterpret_cast<const char*>(segment.begin()), segment.size() * sizeof(capnp::word));
  }
  return bytes;
}

}  // namespace paystream
