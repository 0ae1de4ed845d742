// The operator's console (docs/console.md): the built page of tools/console served from
// `serve --console-dir DIR`, without a token, since the page holds no ledger data; it signs in
// with an operator's token and reads everything from /v1 with it. Files are read when asked
// for, so a rebuilt console needs no restart.
#include <fmt/format.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>

#include "tools/http/errors.h"
#include "tools/http/routes.h"

namespace paystream::http {
namespace {

struct FileType {
  std::string_view extension;
  std::string_view content_type;
};

constexpr FileType file_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
};

std::string_view content_type_of(std::string_view name) {
  for (const FileType& type : file_types) {
    if (name.ends_with(type.extension)) return type.content_type;
  }
  return "application/octet-stream";
}

// One path segment of a file the build wrote: no "..", no hidden file, nothing a path could
// escape the folder with (the router has already split the path at '/', after decoding it).
bool is_file_name(std::string_view name) {
  if (name.empty() || name.front() == '.') return false;
  for (const char c : name) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                         c == '.' || c == '_' || c == '-';
    if (!allowed) return false;
  }
  return true;
}

ApiResponse not_found(std::string_view path) {
  return error_response(404, "route_not_found", fmt::format("no such endpoint or console file: {}", path));
}

// The page may run only its own scripts and talk only to its own server: a script injected into
// it (through a memo shown on a page, say) could otherwise send the operator's token elsewhere.
constexpr const char* content_security_policy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

ApiResponse file_response(const std::filesystem::path& dir, const std::string& relative,
                          std::string_view path, bool immutable) {
  std::ifstream file(dir / relative, std::ios::binary);
  if (!file || std::filesystem::is_directory(dir / relative)) return not_found(path);
  std::ostringstream body;
  body << file.rdbuf();
  ApiResponse response;
  response.content_type = std::string(content_type_of(relative));
  response.body = std::move(body).str();
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  // Vite names every asset after its content, so an asset never changes under its name; the
  // page itself is checked each time, so a rebuilt console is seen at once.
  response.headers.emplace_back("Cache-Control",
                                immutable ? "public, max-age=31536000, immutable" : "no-cache");
  if (relative.ends_with(".html")) {
    response.headers.emplace_back("Content-Security-Policy", content_security_policy);
    response.headers.emplace_back("X-Frame-Options", "DENY");
    response.headers.emplace_back("Referrer-Policy", "no-referrer");
  }
  return response;
}

}  // namespace

Status check_console_dir(const std::filesystem::path& dir) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(dir / "index.html", error)) {
    return make_error(Errc::invalid_argument,
                      fmt::format("--console-dir {}: no index.html there: build the console first "
                                  "(docs/console.md)",
                                  dir.string()));
  }
  return ok_status();
}

void add_console_routes(Router& router, std::optional<std::filesystem::path> console_dir) {
  if (!console_dir) {
    router.add("GET", "/", Auth::none, [](const ApiRequest&, const Caller&) {
      return error_response(404, "console_not_served",
                            "this server serves no console: start it with --console-dir DIR, the folder "
                            "tools/console's build writes (docs/console.md); the API is under /v1");
    });
    return;
  }
  const std::filesystem::path dir = *console_dir;
  router.add("GET", "/", Auth::none, [dir](const ApiRequest& request, const Caller&) {
    return file_response(dir, "index.html", request.path, false);
  });
  router.add("GET", "/{file}", Auth::none, [dir](const ApiRequest& request, const Caller&) {
    const std::string name = request.path_param("file");
    if (!is_file_name(name)) return not_found(request.path);
    return file_response(dir, name, request.path, false);
  });
  router.add("GET", "/assets/{file}", Auth::none, [dir](const ApiRequest& request, const Caller&) {
    const std::string name = request.path_param("file");
    if (!is_file_name(name)) return not_found(request.path);
    return file_response(dir, "assets/" + name, request.path, true);
  });
}

}  // namespace paystream::http
