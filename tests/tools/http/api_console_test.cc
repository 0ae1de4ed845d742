// `serve --console-dir`: the console's built files at / without a token, with their content types
// and caching, nothing outside the folder, and a clear answer when there is no console. The page
// itself is tested in a browser (tests/console/).
#include <filesystem>
#include <fstream>

#include "tests/support/run_process.h"
#include "tests/tools/http/api_test_support.h"

namespace paystream::http_test {
namespace {

// A console build as Vite lays it out: index.html, hashed assets, a file beside index.html.
std::string fake_console(const TempDir& dir) {
  const std::string console = dir.file("console");
  std::filesystem::create_directories(console + "/assets");
  std::ofstream(console + "/index.html") << "<!doctype html><title>paystream</title>";
  std::ofstream(console + "/assets/index-3f2a.js") << "console.log('paystream')";
  std::ofstream(console + "/assets/index-9c1d.css") << "body{margin:0}";
  std::ofstream(console + "/favicon.svg") << "<svg/>";
  std::ofstream(console + "/.secret") << "hidden-file-content";
  std::ofstream(dir.file("outside.txt")) << "outside-file-content";
  return console;
}

}  // namespace

TEST_CASE("serve --console-dir serves the console's files at / without a token, and nothing else",
          "[http][console]") {
  TempDir dir;
  const std::string console = fake_console(dir);
  ServerProcess server(dir.file("data"), {"--console-dir", console});
  auto anonymous = server.client("");

  const httplib::Result page = anonymous->Get("/");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->body == "<!doctype html><title>paystream</title>");
  CHECK(page->get_header_value("Content-Type") == "text/html; charset=utf-8");
  CHECK(page->get_header_value("Cache-Control") == "no-cache");
  CHECK_THAT(page->get_header_value("Content-Security-Policy"), Catch::Contains("script-src 'self'"));
  CHECK(page->get_header_value("X-Content-Type-Options") == "nosniff");

  const httplib::Result script = anonymous->Get("/assets/index-3f2a.js");
  REQUIRE(script);
  CHECK(script->status == 200);
  CHECK(script->get_header_value("Content-Type") == "text/javascript; charset=utf-8");
  CHECK_THAT(script->get_header_value("Cache-Control"), Catch::Contains("immutable"));
  CHECK(json_of(anonymous->Get("/healthz")).contains("status"));  // the other routes are still there
  const httplib::Result css = anonymous->Get("/assets/index-9c1d.css");
  REQUIRE(css);
  CHECK(css->get_header_value("Content-Type") == "text/css; charset=utf-8");
  const httplib::Result icon = anonymous->Get("/favicon.svg");
  REQUIRE(icon);
  CHECK(icon->status == 200);
  CHECK(icon->get_header_value("Content-Type") == "image/svg+xml");

  // Nothing hidden, outside the folder, or missing; no listing of a folder.
  for (const char* path :
       {"/.secret", "/%2E%2E", "/assets/%2E%2E%2Foutside.txt", "/assets/..%2F..%2Foutside.txt", "/assets",
        "/assets/", "/nothing.js", "/assets/nothing.js", "/..%2Foutside.txt"}) {
    INFO(path);
    const httplib::Result answer = anonymous->Get(path);
    REQUIRE(answer);
    CHECK(answer->status == 404);
    CHECK(answer->body.find("outside-file-content") == std::string::npos);
    CHECK(answer->body.find("hidden-file-content") == std::string::npos);
  }
  // The API still wants its token, and a write to a console path is not taken.
  CHECK(refusal_of(anonymous->Get("/v1/balances")) == std::pair<int, std::string>(401, "unauthenticated"));
  CHECK(refusal_of(anonymous->Post("/", "{}", "application/json")).first == 405);
}

TEST_CASE(
    "serve without --console-dir says at / how to get the console, and a folder without a build is refused",
    "[http][console]") {
  TempDir dir;
  {
    ServerProcess server(dir.file("data"));
    CHECK(refusal_of(server.client("")->Get("/")) == std::pair<int, std::string>(404, "console_not_served"));
  }
  const e2e::ProcessResult refused =
      e2e::run_process({PAYSTREAM_BINARY, "serve", "--data", dir.file("data"), "--listen", "127.0.0.1:0",
                        "--console-dir", dir.path()});
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains("no index.html there"));
}

}  // namespace paystream::http_test
