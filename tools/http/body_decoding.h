#pragma once
// Request bodies sent with a Content-Encoding: gzip and deflate (zlib) and br (Brotli) are
// decompressed, with the body limit applied to what they decompress to, so a small compressed body
// cannot expand into a huge one in memory.
#include <cstddef>
#include <string>
#include <string_view>

namespace paystream::http {

enum class BodyDecoding { decoded, unsupported_encoding, too_large, malformed };

// True for the encodings decode_body() takes ("", "identity", "gzip", "deflate", "br").
bool is_supported_encoding(std::string_view content_encoding);

// Replaces `body` by its decompressed bytes (unchanged for "" and "identity").
BodyDecoding decode_body(std::string_view content_encoding, size_t decoded_bytes_max, std::string& body);

}  // namespace paystream::http
