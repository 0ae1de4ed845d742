// The fault matrix's row "the clock jumping back" (docs/reliability.md), on the real binary: the
// system clock is moved with Debian's faketime (libfaketime, LD_PRELOAD), which the binary cannot
// tell from a real clock. Commands acknowledged while the clock ran two days ahead, then commands
// after it came back: every one applied once, and the log's times never go backwards.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "tests/support/run_process.h"

namespace paystream {
namespace {

using nlohmann::json;

// The binary with its clock moved by `offset` (faketime's "+2d", "-3h"...). ASan insists on being
// first among the loaded libraries, and libfaketime comes before it: the sanitized build is told
// to allow that.
e2e::ProcessResult paystream_at(const std::string& offset, const std::string& data,
                                const std::vector<std::string>& arguments) {
  const char* asan = std::getenv("ASAN_OPTIONS");
  std::vector<std::string> argv = {
      "/usr/bin/env",
      std::string("ASAN_OPTIONS=") + (asan ? std::string(asan) + ":" : "") + "verify_asan_link_order=0",
      "/usr/bin/faketime",
      "-f",
      offset,
      PAYSTREAM_BINARY,
      "--data",
      data};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  return e2e::run_process(argv);
}

void succeeded(const e2e::ProcessResult& result) {
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
}

}  // namespace

TEST_CASE("faults: the clock jumping back two days: nothing lost or doubled, times never go backwards",
          "[faults][clock]") {
  e2e::TemporaryDirectory dir;
  const std::string data = dir.file("data");
  succeeded(paystream_at("+2d", data, {"account", "open", "C-1", "--name", "clock", "--type", "direct"}));
  succeeded(paystream_at("+2d", data, {"pay", "C-1", "5", "--command-id", "ahead-1"}));
  succeeded(paystream_at("+2d", data, {"pay", "C-1", "7", "--command-id", "ahead-2"}));
  // The clock is back, two days earlier than the last event.
  succeeded(e2e::paystream(data, {"pay", "C-1", "3", "--command-id", "back-1"}));
  succeeded(e2e::paystream(data, {"pay", "C-1", "7", "--command-id", "ahead-2"}));  // a retry
  succeeded(paystream_at("-1h", data, {"pay", "C-1", "1", "--command-id", "further-back"}));

  const e2e::ProcessResult listed = e2e::paystream(data, {"records", "--account", "C-1", "--format", "json"});
  succeeded(listed);
  const json records = json::parse(listed.out).at("rows");
  REQUIRE(records.size() == 4);  // 5, 7, 3, 1: the retry of ahead-2 applied nothing
  std::string previous;
  for (const json& record : records) {
    const std::string time = record.at("payment_time");
    INFO(listed.out);
    CHECK(time >= previous);  // ISO-8601 UTC with microseconds: text order is time order
    previous = time;
  }
  CHECK(records.back().at("balance_after") == "16.00");
  const e2e::ProcessResult balance =
      e2e::paystream(data, {"balances", "--account", "C-1", "--format", "json"});
  succeeded(balance);
  CHECK(json::parse(balance.out).at("rows").at(0).at("current_balance") == "16.00");
  succeeded(e2e::paystream(data, {"replay", "--verify"}));
}

}  // namespace paystream
