#include "tools/http/socket_writer.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include "tools/http/response_head.h"

namespace paystream::http {

bool SocketWriter::write(std::string_view bytes) {
  while (!failed_ && !bytes.empty()) {
    // MSG_DONTWAIT: the I/O thread's socket is non-blocking or not; waiting is poll's, bounded.
    const ssize_t sent = ::send(socket_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent > 0) {
      bytes.remove_prefix(static_cast<size_t>(sent));
      continue;
    }
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd descriptor{socket_, POLLOUT, 0};
      const int ready = ::poll(&descriptor, 1, static_cast<int>(stall_timeout_.count()));
      if (ready > 0 && (descriptor.revents & POLLOUT) != 0) continue;
      if (ready < 0 && errno == EINTR) continue;
    }
    failed_ = true;
  }
  return !failed_;
}

bool SocketSink::write(std::string_view bytes) {
  if (bytes.empty()) return true;  // an empty chunk would end a chunked body
  return chunked_ ? writer_.write(chunk_of(bytes)) : writer_.write(bytes);
}

bool SocketSink::finish() { return !chunked_ || writer_.write(chunk_of("")); }

}  // namespace paystream::http
