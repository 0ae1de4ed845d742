#include "tools/http/body_decoding.h"

#include <brotli/decode.h>
#include <zlib.h>

#include <array>
#include <cstdint>

namespace paystream::http {
namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

BodyDecoding inflated(size_t decoded_bytes_max, std::string& body) {
  z_stream stream{};
  // 32 + 15: a gzip or a zlib header, detected; what `deflate` means in practice (RFC 9110 8.4.1.2).
  if (inflateInit2(&stream, 32 + 15) != Z_OK) return BodyDecoding::malformed;
  std::string decoded;
  std::array<char, 64 * 1024> chunk{};
  stream.next_in = reinterpret_cast<Bytef*>(body.data());
  stream.avail_in = static_cast<uInt>(body.size());
  int result = Z_OK;
  while (result == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk.data());
    stream.avail_out = static_cast<uInt>(chunk.size());
    result = inflate(&stream, Z_NO_FLUSH);
    decoded.append(chunk.data(), chunk.size() - stream.avail_out);
    if (decoded.size() > decoded_bytes_max) {
      inflateEnd(&stream);
      return BodyDecoding::too_large;
    }
    if (result == Z_BUF_ERROR && stream.avail_in == 0) break;  // truncated input
  }
  inflateEnd(&stream);
  if (result != Z_STREAM_END) return BodyDecoding::malformed;
  body = std::move(decoded);
  return BodyDecoding::decoded;
}

BodyDecoding unbrotlied(size_t decoded_bytes_max, std::string& body) {
  BrotliDecoderState* state = BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
  if (state == nullptr) return BodyDecoding::malformed;
  std::string decoded;
  std::array<uint8_t, 64 * 1024> chunk{};
  const uint8_t* next_in = reinterpret_cast<const uint8_t*>(body.data());
  size_t available_in = body.size();
  BrotliDecoderResult result = BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT;
  while (result == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
    uint8_t* next_out = chunk.data();
    size_t available_out = chunk.size();
    result =
        BrotliDecoderDecompressStream(state, &available_in, &next_in, &available_out, &next_out, nullptr);
    decoded.append(reinterpret_cast<const char*>(chunk.data()), chunk.size() - available_out);
    if (decoded.size() > decoded_bytes_max) {
      BrotliDecoderDestroyInstance(state);
      return BodyDecoding::too_large;
    }
  }
  BrotliDecoderDestroyInstance(state);
  if (result != BROTLI_DECODER_RESULT_SUCCESS) return BodyDecoding::malformed;
  body = std::move(decoded);
  return BodyDecoding::decoded;
}

}  // namespace

bool is_supported_encoding(std::string_view content_encoding) {
  for (std::string_view supported : {"", "identity", "gzip", "x-gzip", "deflate", "br"}) {
    if (equals_ignoring_case(content_encoding, supported)) return true;
  }
  return false;
}

BodyDecoding decode_body(std::string_view content_encoding, size_t decoded_bytes_max, std::string& body) {
  if (content_encoding.empty() || equals_ignoring_case(content_encoding, "identity"))
    return BodyDecoding::decoded;
  if (equals_ignoring_case(content_encoding, "gzip") || equals_ignoring_case(content_encoding, "x-gzip") ||
      equals_ignoring_case(content_encoding, "deflate")) {
    return inflated(decoded_bytes_max, body);
  }
  if (equals_ignoring_case(content_encoding, "br")) return unbrotlied(decoded_bytes_max, body);
  return BodyDecoding::unsupported_encoding;
}

}  // namespace paystream::http
