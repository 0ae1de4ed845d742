// A request body with a Content-Encoding (the first byte picks gzip, deflate, br or identity; the
// rest is the body) of any bytes: decoded, refused as malformed or too large, never a crash, and
// never more than the limit in memory, however small the compressed input (a zip bomb).
#include <cstddef>
#include <cstdint>
#include <string>

#include "events/result.h"
#include "tools/http/body_decoding.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const char* encoding = "identity";
  switch (data[0]) {
    case 'g':
      encoding = "gzip";
      break;
    case 'd':
      encoding = "deflate";
      break;
    case 'b':
      encoding = "br";
      break;
    default:
      break;
  }
  constexpr size_t decoded_bytes_max = 64 << 10;
  std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const paystream::http::BodyDecoding result =
      paystream::http::decode_body(encoding, decoded_bytes_max, body);
  if (result == paystream::http::BodyDecoding::decoded) PAYSTREAM_ASSERT(body.size() <= decoded_bytes_max);
  return 0;
}
