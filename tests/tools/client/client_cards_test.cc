// card issue, pay-card, card show, card list and card disable over --server. Numbers and PINs are
// random, so the two sides are not compared line by line: each answer is checked for what it says.
// Run as client-kafka/ too, against the API in Kafka mode.
#include <nlohmann/json.hpp>

#include "tests/tools/client/client_test_support.h"

namespace paystream::client_test {

TEST_CASE("phone cards over --server: issue, pay, show, list and disable", "[client][cards]") {
  Ledgers ledgers;
  const ProcessResult opened =
      ledgers.remote({"account", "open", "C-1", "--name", "Alice", "--type", "direct"});
  REQUIRE(opened.exit_code == 0);
  const ProcessResult issued =
      ledgers.remote({"card", "issue", "--count", "2", "--value", "7.50", "--expires", "2099-12-31",
                      "--batch", "R-1", "--format", "json"});
  INFO(issued.err);
  REQUIRE(issued.exit_code == 0);
  const nlohmann::json cards = nlohmann::json::parse(issued.out);
  CHECK(cards.at("batch") == "R-1");
  REQUIRE(cards.at("rows").size() == 2);
  const std::string number = cards.at("rows")[0].at("number");
  const std::string pin = cards.at("rows")[0].at("pin");

  const ProcessResult wrong = ledgers.remote({"pay-card", "C-1", number, "00000000"});
  CHECK(wrong.exit_code == 3);
  CHECK(wrong.err.find("[wrong_card_or_pin]") != std::string::npos);
  const ProcessResult paid = ledgers.remote({"pay-card", "C-1", number, pin, "--format", "csv"});
  INFO(paid.err);
  REQUIRE(paid.exit_code == 0);
  CHECK(paid.out.find(",C-1,Alice,phone_card,7.50,0.00,7.50,") != std::string::npos);
  const ProcessResult again = ledgers.remote({"pay-card", "C-1", number, pin});
  CHECK(again.exit_code == 3);
  CHECK(again.err.find("[card_used]") != std::string::npos);

  const ProcessResult shown = ledgers.remote({"card", "show", number, "--format", "csv"});
  REQUIRE(shown.exit_code == 0);
  CHECK(shown.out.find(number + ",R-1,7.50,2099-12-31,used,1,C-1,") != std::string::npos);
  const ProcessResult unknown = ledgers.remote({"card", "show", "1234123412341234"});
  CHECK(unknown.exit_code == 3);
  CHECK(unknown.err.find("[card_not_found]") != std::string::npos);
  const ProcessResult listed = ledgers.remote({"card", "list", "--state", "unused", "--format", "json"});
  REQUIRE(listed.exit_code == 0);
  CHECK(nlohmann::json::parse(listed.out).at("rows").size() == 1);
  const std::string other = cards.at("rows")[1].at("number");
  const ProcessResult disabled = ledgers.remote({"card", "disable", other, "--format", "csv"});
  INFO(disabled.err);
  REQUIRE(disabled.exit_code == 0);
  CHECK(disabled.out.find(other + ",R-1,7.50,2099-12-31,disabled,0,,") != std::string::npos);
}

}  // namespace paystream::client_test
