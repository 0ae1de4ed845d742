// `paystream card issue | list | show | disable` and `pay-card`, run as a user would.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/support/run_process.h"

namespace paystream::e2e {
namespace {

using json = nlohmann::json;

ProcessResult run_ok(const std::string& data, const std::vector<std::string>& arguments) {
  const ProcessResult result = paystream(data, arguments);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  return result;
}

}  // namespace

TEST_CASE("card issue writes the PINs once to a 0600 file, pay-card pays a card once, and no PIN is kept",
          "[e2e][cards]") {
  TemporaryDirectory dir;
  const std::string data = dir.file("data");
  run_ok(data, {"account", "open", "C-1", "--name", "Alice", "--type", "direct"});
  const std::string pins = dir.file("pins.csv");
  const ProcessResult issued = run_ok(data, {"card", "issue", "--count", "4", "--value", "25", "--expires",
                                             "2099-12-31", "--batch", "B-1", "--pins-output", pins});
  CHECK(issued.out.empty());
  CHECK(issued.err.find("issued 4 cards in batch B-1") != std::string::npos);
  struct stat info {};
  REQUIRE(::stat(pins.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  const std::vector<std::string> lines = lines_of(read_file(pins));
  REQUIRE(lines.size() == 5);
  CHECK(lines[0] == "Number,PIN,Value,Expires");
  const std::string number = lines[1].substr(0, lines[1].find(','));
  const std::string pin = lines[1].substr(number.size() + 1, 8);

  const ProcessResult wrong = paystream(data, {"pay-card", "C-1", number, "99999999"});
  CHECK(wrong.exit_code == 3);
  CHECK(wrong.err.find("wrong card number or PIN [wrong_card_or_pin]") != std::string::npos);
  const ProcessResult paid = run_ok(data, {"pay-card", "C-1", number, pin, "--format", "json"});
  const json record = json::parse(paid.out).at("rows").at(0);
  CHECK(record.at("payment_type") == "phone_card");
  CHECK(record.at("amount") == "25.00");
  CHECK(record.at("method") == "card");
  const ProcessResult again = paystream(data, {"pay-card", "C-1", number, pin});
  CHECK(again.exit_code == 3);
  CHECK(again.err.find("[card_used]") != std::string::npos);

  const json listed = json::parse(run_ok(data, {"card", "list", "--batch", "B-1", "--format", "json"}).out);
  REQUIRE(listed.at("rows").size() == 4);
  const json used = json::parse(run_ok(data, {"card", "list", "--state", "used", "--format", "json"}).out);
  REQUIRE(used.at("rows").size() == 1);
  CHECK(used.at("rows")[0].at("number") == number);
  CHECK(used.at("rows")[0].at("pin_failures") == "1");
  const json shown = json::parse(run_ok(data, {"card", "show", number, "--format", "json"}).out);
  CHECK(shown.at("rows")[0].at("redeemed_into") == "C-1");
  const std::string other = lines[2].substr(0, lines[2].find(','));
  run_ok(data, {"card", "disable", other, "--memo", "lost"});
  const ProcessResult disabled =
      paystream(data, {"pay-card", "C-1", other, lines[2].substr(other.size() + 1, 8)});
  CHECK(disabled.err.find("[card_disabled]") != std::string::npos);
  run_ok(data, {"card", "list", "--format", "xlsx", "--output", dir.file("cards.xlsx")});
  CHECK(paystream(data, {"card", "show", "1234123412341234"}).exit_code == 3);
  // Once operators exist, only a registered one that is not an agent reads cards.
  run_ok(data, {"operator", "add", "admin", "--role", "admin"});
  run_ok(data, {"operator", "add", "fin", "--role", "finance"});
  run_ok(data, {"account", "open", "AG-1", "--name", "North", "--type", "agent"});
  run_ok(data, {"operator", "add", "north", "--role", "agent", "--agent", "AG-1"});
  CHECK(paystream(data, {"--operator", "fin", "card", "list"}).exit_code == 0);
  const ProcessResult ghost = paystream(data, {"--operator", "ghost", "card", "list"});
  CHECK(ghost.exit_code == 3);
  CHECK(ghost.err.find("[forbidden]") != std::string::npos);
  CHECK(paystream(data, {"--operator", "north", "card", "show", number}).exit_code == 3);

  // No PIN anywhere the ledger writes: every file of the data directory, and the exports.
  run_ok(data, {"records", "--format", "csv", "--output", dir.file("records.csv")});
  CHECK(read_file(dir.file("records.csv")).find(pin) == std::string::npos);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(data)) {
    if (!entry.is_regular_file()) continue;
    INFO(entry.path().string());
    CHECK(read_file(entry.path().string()).find(pin) == std::string::npos);
  }
  const ProcessResult verified = run_ok(data, {"replay", "--verify"});
  CHECK(verified.out.find("match") != std::string::npos);
}

TEST_CASE("card issue prints the PINs in the chosen format and refuses a bad batch before issuing",
          "[e2e][cards]") {
  TemporaryDirectory dir;
  const std::string data = dir.file("data");
  run_ok(data, {"account", "open", "C-1", "--name", "Alice", "--type", "direct"});
  const json cards = json::parse(run_ok(data, {"card", "issue", "--count", "2", "--value", "5", "--expires",
                                               "2099-01-31", "--format", "json"})
                                     .out);
  REQUIRE(cards.at("rows").size() == 2);
  CHECK(cards.at("batch").get<std::string>().rfind("batch-", 0) == 0);
  for (const json& card : cards.at("rows")) {
    CHECK(card.at("number").get<std::string>().size() == 16);
    CHECK(card.at("pin").get<std::string>().size() == 8);
    CHECK(card.at("value") == "5.00");
    CHECK(card.at("expires") == "2099-01-31");
  }
  CHECK(paystream(data, {"card", "issue", "--count", "0", "--value", "5", "--expires", "2099-01-31"})
            .exit_code == 2);
  CHECK(paystream(data, {"card", "issue", "--count", "1", "--value", "5", "--expires", "2000-01-31"})
            .exit_code == 2);
  CHECK(paystream(data, {"card", "issue", "--count", "1", "--value", "5", "--expires", "2099-01-31",
                         "--pins-output", dir.file("pins.txt")})
            .exit_code == 2);
  CHECK(json::parse(run_ok(data, {"card", "list", "--format", "json"}).out).at("rows").size() == 2);
}

}  // namespace paystream::e2e
