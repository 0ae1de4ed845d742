// The README's first command runs scripts/demo; this runs the same script (without the build)
// against a temporary directory and checks what it printed and what it left behind.
#include <catch2/catch.hpp>
#include <regex>

#include "events/time.h"
#include "tests/support/run_process.h"

namespace paystream::e2e {
namespace {

// One run shared by the test cases below (ctest runs each case in its own process, so each
// case that asks for it runs the demo once); the directory goes when the process ends.
struct DemoRun {
  TemporaryDirectory dir;
  std::string data = dir.file("ledger");
  ProcessResult result =
      run_process({PAYSTREAM_DEMO_SCRIPT, "--no-build", "--paystream", PAYSTREAM_BINARY, "--data", data});
};

const DemoRun& demo_run() {
  static const DemoRun run;
  return run;
}

std::string expiration_after_payment(const std::string& demo_output) {
  std::smatch match;
  REQUIRE(std::regex_search(demo_output, match, std::regex("C-1002 expires on (\\d{4}-\\d{2}-\\d{2})")));
  Result<Date> opened_with = parse_date(match[1].str());
  REQUIRE(opened_with.ok());
  return format_date(add_days(*opened_with, 30));
}

}  // namespace

TEST_CASE("The demo runs every step and says where its data is", "[e2e][demo]") {
  const DemoRun& run = demo_run();
  INFO(run.result.out << run.result.err);
  REQUIRE(run.result.exit_code == 0);
  CHECK(run.result.err.find("(already applied)") != std::string::npos);
  for (const char* shown :
       {"$ paystream account open AG-100", "$ paystream reverse ", "$ paystream adjust C-1001 -3.10",
        "$ paystream param set SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY 30", "$ paystream records",
        "$ paystream balances", "$ paystream charge --file", "$ paystream authorize C-1001",
        "$ paystream minimum run --month", "1 refused", "opened after", "$ paystream card issue --count 3",
        "$ paystream pay-card C-1001", "$ paystream report settlement --from",
        "$ paystream audit explain C-1001", "balance = sum of events", "Try next:"}) {
    CHECK(run.result.out.find(shown) != std::string::npos);
  }
  CHECK(run.result.out.find(run.data) != std::string::npos);
  CHECK(run.result.out.find("MISMATCH") == std::string::npos);  // the settlement's check line
  CHECK(run.result.err.find("[card_used]") != std::string::npos);
  CHECK(run.result.err.find("wrong card number or PIN [wrong_card_or_pin]") != std::string::npos);
}

TEST_CASE("The demo leaves exactly the expected balances", "[e2e][demo]") {
  const DemoRun& run = demo_run();
  REQUIRE(run.result.exit_code == 0);
  const ProcessResult balances = paystream(run.data, {"balances", "--format", "csv"});
  REQUIRE(balances.exit_code == 0);
  const std::string expires = expiration_after_payment(run.result.out);
  const std::vector<std::string> expected = {
      "Account ID,Account Name,Account Type,Current Balance,Overdraft Limit,Available Credit,"
      "Monthly Consumption,Monthly Min,Monthly Max,Expiration Date,Account Status",
      "AG-100,North Agent,agent,0.00,0.00,0.00,0.00,0.00,0.00,,no_credit",
      // 2.00 of charges this month (unless the month turned during the demo's seconds); 10.00 from a card.
      "C-1001,Alice Café,direct,54.90,20.00,74.90,2.00,0.00,0.00,,active",
      "C-1002,Bob Ltd,direct,10.00,0.00,10.00,0.00,5.00,0.00," + expires + ",active",
      "VEND-1,Carrier Settlement,clearing,500.00,0.00,500.00,0.00,0.00,0.00,,active",
  };
  CHECK(lines_of(balances.out) == expected);
}

TEST_CASE("The demo's records are the ones it made, each once", "[e2e][demo]") {
  const DemoRun& run = demo_run();
  REQUIRE(run.result.exit_code == 0);
  const ProcessResult records = paystream(run.data, {"records", "--format", "csv"});
  REQUIRE(records.exit_code == 0);
  std::vector<std::string> summary;  // type and amount of each record, in log order
  const std::vector<std::string> lines = lines_of(records.out);
  for (size_t i = 1; i < lines.size(); ++i) {
    std::smatch match;
    REQUIRE(std::regex_search(lines[i], match, std::regex("^\\d+,([^,]+),[^,]*,([a-z_]+),(-?[0-9.]+),")));
    summary.push_back(match[1].str() + " " + match[2].str() + " " + match[3].str());
  }
  CHECK(summary == std::vector<std::string>{"C-1001 payment 50.00", "C-1001 payment 25.50",
                                            "C-1002 payment 100.00", "VEND-1 payment 500.00",
                                            "C-1001 credit 20.00", "C-1002 make_zero -100.00",
                                            "C-1001 reversal -25.50", "C-1001 adjustment -3.10",
                                            "C-1002 payment 10.00", "C-1001 phone_card 10.00"});
}

TEST_CASE("replay --verify finds the demo's projections equal to a rebuild", "[e2e][demo]") {
  const DemoRun& run = demo_run();
  REQUIRE(run.result.exit_code == 0);
  const ProcessResult verify = paystream(run.data, {"replay", "--verify"});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
}

TEST_CASE("The demo refuses a data directory that already holds something", "[e2e][demo]") {
  TemporaryDirectory dir;
  const ProcessResult first =
      paystream(dir.path(), {"account", "open", "X-1", "--name", "x", "--type", "direct"});
  REQUIRE(first.exit_code == 0);
  const ProcessResult demo = run_process(
      {PAYSTREAM_DEMO_SCRIPT, "--no-build", "--paystream", PAYSTREAM_BINARY, "--data", dir.path()});
  CHECK(demo.exit_code == 1);
  CHECK(demo.err.find("not empty") != std::string::npos);
}

}  // namespace paystream::e2e
