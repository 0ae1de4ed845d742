#pragma once
// Internal to events/: building Cap'n Proto messages cheaply, the hot part of encoding every event
// and command.
#include <capnp/message.h>

#include <optional>
#include <string>

namespace paystream {

// A MallocMessageBuilder whose first segment is a zeroed buffer of the calling thread, reused by
// each message the thread builds, instead of a fresh calloc of 8 KiB per message. The buffer has
// MallocMessageBuilder's default first-segment size, so a message is laid out (and encoded) byte
// for byte as with a default builder. A second builder on the same thread while one is alive gets
// a default builder.
class ScratchMessageBuilder {
 public:
  ScratchMessageBuilder();
  ~ScratchMessageBuilder();
  ScratchMessageBuilder(const ScratchMessageBuilder&) = delete;
  ScratchMessageBuilder& operator=(const ScratchMessageBuilder&) = delete;

  capnp::MallocMessageBuilder& message() { return *message_; }

 private:
  bool claimed_ = false;
  std::optional<capnp::MallocMessageBuilder> message_;
};

// The message in Cap'n Proto's flat (single array) form, written straight into the string.
std::string message_bytes(capnp::MessageBuilder& message);

}  // namespace paystream
