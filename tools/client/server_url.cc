#include "tools/client/server_url.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

namespace paystream {
namespace {

Error invalid_url(std::string_view text, std::string_view why) {
  return make_error(
      Errc::invalid_argument,
      fmt::format("--server: invalid URL '{}': {} (expected http://HOST:PORT or https://HOST:PORT)", text,
                  why));
}

bool is_printable(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  return true;
}

Result<int> port_of(std::string_view text, std::string_view url) {
  int port = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size() || port < 1 || port > 65535) {
    return invalid_url(url, fmt::format("the port '{}' is not a number from 1 to 65535", text));
  }
  return port;
}

}  // namespace

Result<ServerUrl> parse_server_url(std::string_view text) {
  ServerUrl url;
  url.text = std::string(text);
  std::string_view rest = text;
  if (rest.substr(0, 7) == "http://") {
    url.scheme = "http";
    url.port = 80;
    rest.remove_prefix(7);
  } else if (rest.substr(0, 8) == "https://") {
    url.scheme = "https";
    url.port = 443;
    rest.remove_prefix(8);
  } else {
    return invalid_url(text, "it must start with http:// or https://");
  }
  if (!is_printable(rest)) return invalid_url(text, "it holds spaces or control characters");
  if (rest.find_first_of("?#@") != std::string_view::npos) {
    return invalid_url(text, "a query, fragment or user name has no place in it");
  }
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return invalid_url(text, "an IPv6 address needs its closing ']'");
    url.host = std::string(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    if (!authority.empty() && authority.front() != ':') return invalid_url(text, "unexpected text after ']'");
    if (!authority.empty()) port = authority.substr(1);
    if (authority == ":") port = ":";  // an empty port: refused below
  } else {
    const size_t colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    if (colon != std::string_view::npos && port.empty()) port = ":";
  }
  if (url.host.empty()) return invalid_url(text, "the host is missing");
  if (!port.empty()) {
    Result<int> number = port_of(port == ":" ? std::string_view() : port, text);
    if (!number) return number.error();
    url.port = *number;
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  url.prefix = std::string(path);
  return url;
}

std::string path_segment(std::string_view segment) {
  std::string encoded;
  for (char c : segment) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      encoded += c;
    } else {
      encoded += fmt::format("%{:02X}", byte);
    }
  }
  return encoded;
}

}  // namespace paystream
