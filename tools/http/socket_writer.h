#pragma once
// Blocking writes to a connected socket from a worker thread, each bounded: a write that makes no
// progress for `stall_timeout` fails, so a client that stops reading a streamed export costs the
// worker at most that long. For streamed responses only; everything else is written by the I/O
// thread without blocking.
#include <chrono>
#include <string_view>

#include "tools/http/http_api.h"

namespace paystream::http {

class SocketWriter {
 public:
  SocketWriter(int socket, std::chrono::milliseconds stall_timeout)
      : socket_(socket), stall_timeout_(stall_timeout) {}
  // False when the client is gone or stalled; every later write fails too.
  bool write(std::string_view bytes);

 private:
  int socket_;
  std::chrono::milliseconds stall_timeout_;
  bool failed_ = false;
};

// A streamed response body into a SocketWriter: chunked, or as it is.
class SocketSink final : public ByteSink {
 public:
  SocketSink(SocketWriter& writer, bool chunked) : writer_(writer), chunked_(chunked) {}
  bool write(std::string_view bytes) override;
  // The last chunk, when chunked.
  bool finish();

 private:
  SocketWriter& writer_;
  bool chunked_;
};

}  // namespace paystream::http
