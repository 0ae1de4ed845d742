// Every write command over --server prints what it prints on a data directory: the same rows, the
// same "(already applied)" note for a retried command ID, the same error line and exit code.
#include <nlohmann/json.hpp>

#include "tests/tools/client/client_test_support.h"

namespace paystream::client_test {
namespace {

struct Step {
  std::vector<std::string> arguments;
  int exit_code = 0;
};

// The server's first start added the operator admin at log position 1; so does this locally, so
// that the two logs hold the same events at the same positions (record IDs) from here on.
void add_local_admin(const Ledgers& ledgers) {
  const ProcessResult added = ledgers.local({"operator", "add", "admin", "--role", "admin"});
  INFO(added.err);
  REQUIRE(added.exit_code == 0);
}

}  // namespace

TEST_CASE("every write command prints over --server what it prints locally", "[client][writes]") {
  Ledgers ledgers;
  add_local_admin(ledgers);
  const std::vector<Step> script = {
      {{"account", "open", "AG-1", "--name", "North Agent", "--type", "agent"}},
      {{"account", "open", "C-1", "--name", "Alice, \"Café\"", "--type", "direct", "--parent", "AG-1",
        "--balance", "50", "--monthly-max", "500", "--expires", "2030-01-31", "--command-id", "open-c-1"}},
      {{"account", "open", "C-1", "--name", "Alice, \"Café\"", "--type", "direct", "--parent", "AG-1",
        "--balance", "50", "--monthly-max", "500", "--expires", "2030-01-31", "--command-id", "open-c-1",
        "--format", "csv"}},
      {{"account", "open", "C-1", "--name", "Again", "--type", "direct"}, 3},  // account_exists
      {{"account", "open", "C-2", "--name", "Bob", "--type", "clearing", "--format", "json"}},
      {{"pay", "C-1", "12.50", "--memo", "top-up, with a comma", "--method", "card", "--command-id",
        "till-1"}},
      {{"pay", "C-1", "12.50", "--memo", "top-up, with a comma", "--method", "card", "--command-id", "till-1",
        "--format", "json"}},
      {{"pay", "C-1", "99", "--command-id", "till-1"}, 3},  // command_id_conflict
      {{"pay", "C-404", "5"}, 3},                           // account_not_found
      {{"pay", "C-1", "-5"}, 3},                            // amount_must_be_positive
      {{"pay", "C-1", "5x"}, 2},                            // invalid_amount, before any request
      {{"credit", "C-1", "50", "--memo", "approved", "--format", "csv"}},
      {{"adjust", "C-1", "-3.10", "--memo", "rounding"}},
      {{"adjust", "C-1", "0"}, 3},  // amount_must_not_be_zero
      {{"zero", "AG-1", "--format", "json"}},
      {{"reverse", "4", "--memo", "paid twice"}},
      {{"reverse", "4"}, 3},    // record_already_reversed
      {{"reverse", "999"}, 3},  // record_not_found
      {{"account", "update", "C-1", "--name", "Alice", "--no-expiry", "--lock", "--format", "json"}},
      {{"account", "update", "C-2", "--parent", "C-1"}, 3},  // parent_not_agent
      {{"account", "update", "C-2"}, 2},                     // nothing to change
      {{"param", "set", "SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY", "30"}},
      {{"param", "set", "SERVER_CUSTOMER_OVERDRAFT_LIMIT", "12.5", "--format", "json"}},
      {{"param", "set", "NOPE", "1"}, 3},                                // unknown_parameter
      {{"param", "set", "SERVER_MINIMUM_CONSUMPTION_ENABLED", "7"}, 3},  // parameter_out_of_range
      {{"operator", "add", "fin", "--role", "finance"}},
      {{"operator", "add", "ag", "--role", "agent", "--agent", "AG-1", "--allow", "pay-sub-accounts,adjust",
        "--format", "json"}},
      {{"operator", "add", "admin", "--role", "admin"}, 3},  // operator_exists
      {{"operator", "add", "x", "--role", "agent"}, 2},      // --agent is required
      {{"operator", "rotate", "fin", "--format", "csv"}},
      {{"operator", "disable", "fin", "--command-id", "disable-fin"}},
      {{"operator", "disable", "fin", "--command-id", "disable-fin"}},  // a duplicate
      {{"operator", "disable", "nobody"}, 3},                           // operator_not_found
      {{"account", "show", "C-1", "--format", "csv"}},
      {{"account", "show", "C-404"}, 3},
      {{"account", "show", "C 1"}, 2},
      {{"records", "--format", "json", "--limit", "0"}},
      {{"balances"}},
      {{"operator", "list"}},
  };
  for (const Step& step : script) check_same(ledgers, step.arguments, step.exit_code);
}

TEST_CASE("a retried command ID prints its first outcome and the note, over --server too",
          "[client][writes]") {
  Ledgers ledgers;
  const std::vector<std::string> open = {"account", "open",         "C-1",    "--name",   "One", "--type",
                                         "direct",  "--command-id", "open-1", "--format", "json"};
  const ProcessResult first = ledgers.remote(open);
  REQUIRE(first.exit_code == 0);
  CHECK(first.err.empty());
  const ProcessResult again = ledgers.remote(open);
  CHECK(again.exit_code == 0);
  CHECK(again.out == first.out);
  CHECK(again.err ==
        "paystream: (already applied) command ID 'open-1' was applied before; nothing changed, this is its "
        "first "
        "outcome\n");
  const nlohmann::json printed = nlohmann::json::parse(first.out);
  CHECK(printed.at("command_id") == "open-1");
  CHECK(printed.at("rows").at(0).at("account_id") == "C-1");
}

TEST_CASE("operator add and rotate over --server print the server's token once, and it works",
          "[client][writes][operators]") {
  Ledgers ledgers;
  REQUIRE(ledgers.remote({"account", "open", "AG-1", "--name", "North", "--type", "agent"}).exit_code == 0);
  REQUIRE(ledgers.remote({"account", "open", "S-1", "--name", "Sub", "--type", "direct", "--parent", "AG-1"})
              .exit_code == 0);
  const ProcessResult added = ledgers.remote({"operator", "add", "ag", "--role", "agent", "--agent", "AG-1",
                                              "--allow", "pay-sub-accounts", "--format", "json"});
  INFO(added.err);
  REQUIRE(added.exit_code == 0);
  const nlohmann::json row = nlohmann::json::parse(added.out).at("rows").at(0);
  const std::string token = row.at("token");
  CHECK(token.rfind("pst_" + row.at("token_id").get<std::string>() + "_", 0) == 0);
  const ProcessResult paid = ledgers.remote({"pay", "S-1", "5", "--format", "csv"}, token);
  INFO(paid.err);
  CHECK(paid.exit_code == 0);
  CHECK(paid.out.find(",ag,") != std::string::npos);  // recorded as the token's operator
  const ProcessResult listed = ledgers.remote({"operator", "list"});
  CHECK(listed.out.find(token) == std::string::npos);

  const ProcessResult rotated = ledgers.remote({"operator", "rotate", "ag", "--format", "json"});
  REQUIRE(rotated.exit_code == 0);
  const std::string new_token = nlohmann::json::parse(rotated.out).at("rows").at(0).at("token");
  CHECK(ledgers.remote({"balances"}, token).exit_code == 3);  // the old token stopped working
  CHECK(ledgers.remote({"balances"}, new_token).exit_code == 0);
}

}  // namespace paystream::client_test
