// The server's parts that need no socket: the request target's decoding, compressed bodies, the
// connection caps, the response head.
#include <brotli/encode.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "tools/http/body_decoding.h"
#include "tools/http/connection_limits.h"
#include "tools/http/request_target.h"
#include "tools/http/response_head.h"

namespace paystream::http {
namespace {

std::string zlib_compressed(const std::string& text, int window_bits) {
  z_stream stream{};
  REQUIRE(deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) ==
          Z_OK);
  std::string out(deflateBound(&stream, text.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&stream, Z_FINISH) == Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

std::string brotli_compressed(const std::string& text) {
  size_t size = BrotliEncoderMaxCompressedSize(text.size());
  std::string out(size, '\0');
  REQUIRE(BrotliEncoderCompress(BROTLI_DEFAULT_QUALITY, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC,
                                text.size(), reinterpret_cast<const uint8_t*>(text.data()), &size,
                                reinterpret_cast<uint8_t*>(out.data())) == BROTLI_TRUE);
  out.resize(size);
  return out;
}

}  // namespace

TEST_CASE("a request target splits into the decoded path and the query in the order given",
          "[http][transport]") {
  const RequestTarget target =
      parse_request_target("/v1/accounts/A%201+B/payments?b=2&a=x+y%26z&flag&&c=%zz");
  CHECK(target.path == "/v1/accounts/A 1+B/payments");  // '+' is a space only in the query
  REQUIRE(target.query.size() == 4);
  CHECK(target.query[0] == std::pair<std::string, std::string>{"b", "2"});
  CHECK(target.query[1] == std::pair<std::string, std::string>{"a", "x y&z"});
  CHECK(target.query[2] == std::pair<std::string, std::string>{"flag", ""});
  CHECK(target.query[3] == std::pair<std::string, std::string>{"c", "%zz"});  // malformed: kept
  CHECK(parse_request_target("/healthz").query.empty());
  CHECK(percent_decoded("%4", false) == "%4");
}

TEST_CASE("gzip, deflate and br bodies are decompressed within the limit", "[http][transport]") {
  const std::string text(5000, 'x');
  for (const auto& [encoding, compressed] :
       {std::pair<std::string, std::string>{"gzip", zlib_compressed(text, 31)},
        {"deflate", zlib_compressed(text, 15)},
        {"br", brotli_compressed(text)}}) {
    INFO(encoding);
    std::string body = compressed;
    CHECK(decode_body(encoding, 5000, body) == BodyDecoding::decoded);
    CHECK(body == text);
    body = compressed;
    CHECK(decode_body(encoding, 4999, body) == BodyDecoding::too_large);
    body = compressed.substr(0, compressed.size() / 2);
    CHECK(decode_body(encoding, 5000, body) == BodyDecoding::malformed);
  }
  std::string plain = "{}";
  CHECK(decode_body("", 10, plain) == BodyDecoding::decoded);
  CHECK(plain == "{}");
  CHECK(decode_body("zstd", 10, plain) == BodyDecoding::unsupported_encoding);
  CHECK(is_supported_encoding("GZIP"));
  CHECK_FALSE(is_supported_encoding("compress"));
}

TEST_CASE("connection caps count per client address and in all, and refusals are logged at a bounded rate",
          "[http][transport]") {
  ConnectionLimits limits(3, 2);
  CHECK(limits.admit("127.0.0.2") == ConnectionLimits::Admission::admitted);
  CHECK(limits.admit("127.0.0.2") == ConnectionLimits::Admission::admitted);
  CHECK(limits.admit("127.0.0.2") == ConnectionLimits::Admission::over_per_client);
  CHECK(limits.admit("127.0.0.3") == ConnectionLimits::Admission::admitted);
  CHECK(limits.admit("127.0.0.4") == ConnectionLimits::Admission::over_total);
  limits.release("127.0.0.2");
  CHECK(limits.open() == 2);
  CHECK(limits.admit("127.0.0.2") == ConnectionLimits::Admission::admitted);
  const auto now = std::chrono::steady_clock::now();
  CHECK(limits.refusals_to_log(now, std::chrono::seconds(10)) == 2u);
  CHECK(limits.admit("127.0.0.4") == ConnectionLimits::Admission::over_total);
  CHECK_FALSE(limits.refusals_to_log(now + std::chrono::seconds(1), std::chrono::seconds(10)));
  CHECK(limits.refusals_to_log(now + std::chrono::seconds(11), std::chrono::seconds(10)) == 1u);
}

TEST_CASE("a response head frames the body and says whether the connection stays", "[http][transport]") {
  ApiResponse response;
  response.status = 201;
  response.headers.emplace_back("Location", "/v1/accounts/A");
  CHECK(response_head(response, Framing{12, false, true}) ==
        "HTTP/1.1 201 Created\r\nLocation: /v1/accounts/A\r\nContent-Type: application/json\r\n"
        "Content-Length: 12\r\nConnection: keep-alive\r\n\r\n");
  CHECK(response_head(response, Framing{std::nullopt, true, false})
            .find("Transfer-Encoding: chunked\r\nConnection: "
                  "close\r\n\r\n") != std::string::npos);
  CHECK(chunk_of("hello") == "5\r\nhello\r\n");
  CHECK(chunk_of(std::string(26, 'a')).rfind("1a\r\n", 0) == 0);
  CHECK(chunk_of("") == "0\r\n\r\n");
}

}  // namespace paystream::http
