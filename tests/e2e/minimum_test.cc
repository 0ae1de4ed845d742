// `paystream minimum run --month`: every account with a monthly minimum gets an outcome, and the
// engine's rules decide (the charge itself, with a clock moved over the month's end, is tested on
// the runtime: tests/tools/runtime/monthly_minimum_test.cc).
#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>

#include "events/time.h"
#include "tests/support/run_process.h"

namespace paystream::e2e {

TEST_CASE("minimum run reports each account with a minimum, and charges nothing not due", "[e2e][minimum]") {
  TemporaryDirectory dir;
  const std::string data = dir.file("data");
  REQUIRE(paystream(data, {"account", "open", "M-1", "--name", "Min", "--type", "direct", "--monthly-min",
                           "5", "--balance", "10"})
              .exit_code == 0);
  REQUIRE(paystream(data, {"account", "open", "N-1", "--name", "None", "--type", "direct"}).exit_code == 0);
  const int64_t now_micros = std::chrono::duration_cast<std::chrono::microseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
  const int32_t this_month = month_of(Timestamp{now_micros});
  for (const int32_t month : {this_month, this_month - 1}) {
    const ProcessResult run =
        paystream(data, {"minimum", "run", "--month", format_month(month), "--format", "json"});
    INFO(run.out << run.err);
    REQUIRE(run.exit_code == 0);
    const nlohmann::json rows = nlohmann::json::parse(run.out).at("rows");
    REQUIRE(rows.size() == 1);  // N-1 has no minimum
    CHECK(rows[0].at("account") == "M-1");
    CHECK(rows[0].at("month") == format_month(month));
    CHECK(rows[0].at("outcome") == "not charged");
    // This month is not due yet; last month ended before M-1 was opened.
    CHECK(rows[0].at("detail").get<std::string>().find(
              month == this_month ? "not due until" : "opened after") != std::string::npos);
  }
  const ProcessResult records =
      paystream(data, {"records", "--type", "minimum_consumption", "--format", "json"});
  CHECK(nlohmann::json::parse(records.out).at("rows").empty());
  CHECK(paystream(data, {"minimum", "run", "--month", "2026-13"}).exit_code == 2);
  CHECK(paystream(data, {"minimum", "run"}).exit_code == 2);
}

}  // namespace paystream::e2e
