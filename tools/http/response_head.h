#pragma once
// The bytes of a response's status line and headers, and the framing of a chunked body: what the
// server writes on the wire.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tools/http/http_api.h"

namespace paystream::http {

const char* reason_phrase(int status);

struct Framing {
  std::optional<uint64_t> content_length;  // nullopt: chunked, or (to an HTTP/1.0 client) until close
  bool chunked = false;
  bool keep_alive = true;  // false: "Connection: close"
};

// "HTTP/1.1 200 OK\r\n" + the response's headers + Content-Type, framing, Connection + "\r\n".
std::string response_head(const ApiResponse& response, const Framing& framing);

// One chunk of a chunked body ("" is the last chunk, "0\r\n\r\n").
std::string chunk_of(std::string_view bytes);

}  // namespace paystream::http
