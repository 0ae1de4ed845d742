// Commands as JSON lines (tools/runtime/command_json.h): every type with all its members, every way a line
// can be wrong (with its error code), the outcome JSON of events, and run_apply on a real ledger.
#include "tools/runtime/command_json.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/temp_dir.h"
#include "tools/commands/apply.h"
#include "tools/runtime/runtime.h"

namespace paystream::testing {
namespace {

using json = nlohmann::json;

Result<Command> parse(const std::string& text) { return command_from_json_text(text, "desk-1"); }

Command parsed(const std::string& text) {
  Result<Command> command = parse(text);
  INFO(text << " -> " << (command ? "" : command.error().message));
  REQUIRE(command.ok());
  return *command;
}

Error refused(const std::string& text) {
  Result<Command> command = parse(text);
  INFO(text);
  REQUIRE_FALSE(command.ok());
  return command.error();
}

bool mentions(const Error& error, const std::string& part) {
  INFO(error.message);
  return error.message.find(part) != std::string::npos;
}

Money money(const char* text) { return *Money::parse(text); }
Date date(const char* text) { return *parse_date(text); }

template <class Body>
Body body_of(const std::string& text) {
  const Command command = parsed(text);
  REQUIRE(std::holds_alternative<Body>(command.body));
  return std::get<Body>(command.body);
}

}  // namespace

TEST_CASE("open_account parses with every member", "[tools][json]") {
  const Command command = parsed(
      R"({"type":"open_account","account":"C-1","name":"Alice Café","account_type":"direct","parent":"AG-1",)"
      R"("monthly_min":"1.5","monthly_max":100,"expires":"2027-01-31","overdraft":"20","balance":"50.25",)"
      R"("locked":true,"command_id":"o-1","operator":"bob"})");
  OpenAccount expected;
  expected.account_id = "C-1";
  expected.settings.name = "Alice Café";
  expected.settings.type = AccountType::direct;
  expected.settings.parent = "AG-1";
  expected.settings.monthly_min = money("1.5");
  expected.settings.monthly_max = money("100");
  expected.settings.expires_on = date("2027-01-31");
  expected.settings.locked = true;
  expected.overdraft = money("20");
  expected.initial_balance = money("50.25");
  CHECK(command == Command{"o-1", "bob", expected});
}

TEST_CASE("open_account needs only the account and the name", "[tools][json]") {
  const OpenAccount open = body_of<OpenAccount>(R"({"type":"open_account","account":"AG-1","name":"North"})");
  CHECK(open.account_id == "AG-1");
  CHECK(open.settings == AccountSettings{"North", AccountType::direct, "", {}, {}, std::nullopt, false});
  CHECK_FALSE(open.overdraft.has_value());
  CHECK_FALSE(open.initial_balance.has_value());
  CHECK(body_of<OpenAccount>(R"({"type":"open_account","account":"A","name":"N","account_type":"agent"})")
            .settings.type == AccountType::agent);
  CHECK(body_of<OpenAccount>(R"({"type":"open_account","account":"A","name":"N","account_type":"clearing"})")
            .settings.type == AccountType::clearing);
  const Error type = refused(R"({"type":"open_account","account":"A","name":"N","account_type":"shop"})");
  CHECK(type.code == Errc::invalid_argument);
  CHECK(mentions(type, "unknown account type 'shop'"));
  CHECK(mentions(refused(R"({"type":"open_account","account":"A"})"), "missing \"name\""));
}

TEST_CASE("update_account changes only the members given", "[tools][json]") {
  const UpdateAccount all = body_of<UpdateAccount>(
      R"({"type":"update_account","account":"C-1","name":"Bob","account_type":"agent","parent":"AG-2",)"
      R"("monthly_min":"2","monthly_max":"3.5","expires":"2027-12-31","locked":false})");
  UpdateAccount expected;
  expected.account_id = "C-1";
  expected.name = "Bob";
  expected.type = AccountType::agent;
  expected.parent = "AG-2";
  expected.monthly_min = money("2");
  expected.monthly_max = money("3.5");
  expected.expires_on = std::optional<Date>{date("2027-12-31")};
  expected.locked = false;
  CHECK(all == expected);

  const UpdateAccount none = body_of<UpdateAccount>(R"({"type":"update_account","account":"C-1"})");
  CHECK(none == UpdateAccount{"C-1", {}, {}, {}, {}, {}, {}, {}});
}

TEST_CASE("update_account: expires null removes, a date sets, absent leaves it", "[tools][json]") {
  const UpdateAccount removed =
      body_of<UpdateAccount>(R"({"type":"update_account","account":"C-1","expires":null})");
  REQUIRE(removed.expires_on.has_value());
  CHECK_FALSE(removed.expires_on->has_value());

  const UpdateAccount set =
      body_of<UpdateAccount>(R"({"type":"update_account","account":"C-1","expires":"2026-02-28"})");
  REQUIRE(set.expires_on.has_value());
  CHECK(*set.expires_on == std::optional<Date>{date("2026-02-28")});

  const UpdateAccount unchanged =
      body_of<UpdateAccount>(R"({"type":"update_account","account":"C-1","locked":true})");
  CHECK_FALSE(unchanged.expires_on.has_value());
  CHECK(unchanged.locked == std::optional<bool>{true});
}

TEST_CASE("update_account: parent null or \"\" removes the parent", "[tools][json]") {
  CHECK(body_of<UpdateAccount>(R"({"type":"update_account","account":"C-1","parent":null})").parent ==
        std::optional<std::string>{""});
  CHECK(body_of<UpdateAccount>(R"({"type":"update_account","account":"C-1","parent":""})").parent ==
        std::optional<std::string>{""});
  CHECK_FALSE(
      body_of<UpdateAccount>(R"({"type":"update_account","account":"C-1","name":"x"})").parent.has_value());
}

TEST_CASE("pay, credit, make_zero, adjust parse with every member", "[tools][json]") {
  CHECK(body_of<Pay>(R"({"type":"pay","account":"C-1","amount":"12.50","memo":"top-up","method":"card"})") ==
        Pay{"C-1", money("12.50"), "top-up", PaymentMethod::card});
  CHECK(body_of<Pay>(R"({"type":"pay","account":"C-1","amount":"1","method":"other"})").method ==
        PaymentMethod::other);
  CHECK(body_of<Pay>(R"({"type":"pay","account":"C-1","amount":"1"})") ==
        Pay{"C-1", money("1"), "", PaymentMethod::cash});
  const Error method = refused(R"({"type":"pay","account":"C-1","amount":"1","method":"cheque"})");
  CHECK(method.code == Errc::invalid_argument);
  CHECK(mentions(method, "unknown payment method 'cheque'"));

  CHECK(body_of<SetCredit>(R"({"type":"credit","account":"C-1","limit":"300","memo":"raise"})") ==
        SetCredit{"C-1", money("300"), "raise"});
  CHECK(body_of<MakeZero>(R"({"type":"make_zero","account":"C-1","memo":"close"})") ==
        MakeZero{"C-1", "close"});
  CHECK(body_of<MakeZero>(R"({"type":"make_zero","account":"C-1"})") == MakeZero{"C-1", ""});
  CHECK(body_of<Adjust>(R"({"type":"adjust","account":"C-1","amount":"-3.10","memo":"rounding"})") ==
        Adjust{"C-1", money("-3.10"), "rounding"});
  CHECK(body_of<Adjust>(R"({"type":"adjust","account":"C-1","amount":-3})").amount == money("-3"));
}

TEST_CASE("reverse takes the record ID as a positive JSON integer", "[tools][json]") {
  CHECK(body_of<Reverse>(R"({"type":"reverse","record":42,"memo":"typo"})") ==
        Reverse{LogPosition{42}, "typo"});
  CHECK(body_of<Reverse>(R"({"type":"reverse","record":7})") == Reverse{LogPosition{7}, ""});
  for (const char* record : {"1.5", "\"42\"", "-1", "0", "true", "null", "[1]"}) {
    const Error error = refused(std::string(R"({"type":"reverse","record":)") + record + "}");
    CHECK(error.code == Errc::invalid_argument);
    CHECK(mentions(error, "\"record\" must be the record ID, a positive integer"));
  }
  CHECK(mentions(refused(R"({"type":"reverse"})"), "\"record\" must be the record ID"));
}

TEST_CASE("set_parameter checks the name and the range", "[tools][json]") {
  CHECK(body_of<SetParameter>(
            R"({"type":"set_parameter","name":"SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY","value":"30"})") ==
        SetParameter{"SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY", 30});
  CHECK(body_of<SetParameter>(
            R"({"type":"set_parameter","name":"SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY","value":30})") ==
        SetParameter{"SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY", 30});
  CHECK(body_of<SetParameter>(
            R"({"type":"set_parameter","name":"SERVER_CUSTOMER_OVERDRAFT_LIMIT","value":"12.50"})") ==
        SetParameter{"SERVER_CUSTOMER_OVERDRAFT_LIMIT", 12'500'000});

  const Error unknown = refused(R"({"type":"set_parameter","name":"SERVER_NOPE","value":"1"})");
  CHECK(unknown.code == Errc::unknown_parameter);
  CHECK(mentions(unknown, "unknown parameter 'SERVER_NOPE'"));
  const Error range =
      refused(R"({"type":"set_parameter","name":"SERVER_MINIMUM_CONSUMPTION_ENABLED","value":"2"})");
  CHECK(range.code == Errc::parameter_out_of_range);
  CHECK(mentions(range, "between 0 and 1"));
  CHECK(refused(R"({"type":"set_parameter","name":"SERVER_MINIMUM_CONSUMPTION_CHARGE_TIME","value":-1})")
            .code == Errc::parameter_out_of_range);
  const Error word =
      refused(R"({"type":"set_parameter","name":"SERVER_MINIMUM_CONSUMPTION_ENABLED","value":"on"})");
  CHECK(word.code == Errc::invalid_argument);
  CHECK(mentions(word, "expected a whole number"));
  CHECK(refused(R"({"type":"set_parameter","name":"SERVER_MINIMUM_CONSUMPTION_ENABLED","value":0.5})").code ==
        Errc::invalid_argument);
  CHECK(mentions(refused(R"({"type":"set_parameter","name":"SERVER_MINIMUM_CONSUMPTION_ENABLED"})"),
                 "missing \"value\""));
}

TEST_CASE("The operator defaults to the caller's, and a given one must be a valid name", "[tools][json]") {
  const Command defaulted = parsed(R"({"type":"make_zero","account":"C-1"})");
  CHECK(defaulted.operator_name == "desk-1");
  CHECK(defaulted.command_id.empty());  // the ledger generates one
  CHECK(command_from_json_text(R"({"type":"make_zero","account":"C-1"})", "night batch")->operator_name ==
        "night batch");
  CHECK(parsed(R"({"type":"make_zero","account":"C-1","operator":"Zoë K."})").operator_name == "Zoë K.");
  CHECK(parsed(R"({"type":"make_zero","account":"C-1","operator":null})").operator_name == "desk-1");
  for (const std::string& name :
       {std::string(""), std::string("a\\nb"), std::string("tab\\there"), std::string(65, 'o')}) {
    const Error error = refused(R"({"type":"make_zero","account":"C-1","operator":")" + name + "\"}");
    CHECK(error.code == Errc::invalid_argument);
    CHECK(mentions(error, "\"operator\" must be 1-64 bytes without control characters"));
  }
  CHECK(parsed(R"({"type":"make_zero","account":"C-1","operator":")" + std::string(64, 'o') + "\"}")
            .operator_name.size() == 64);
}

TEST_CASE("An explicit empty command_id is refused", "[tools][json]") {
  const Error error = refused(R"({"type":"make_zero","account":"C-1","command_id":""})");
  CHECK(error.code == Errc::invalid_argument);
  CHECK(mentions(error, "\"command_id\" must not be empty"));
  CHECK(parsed(R"({"type":"make_zero","account":"C-1","command_id":"z-1"})").command_id == "z-1");
  CHECK(refused(R"({"type":"make_zero","account":"C-1","command_id":7})").code == Errc::invalid_argument);
}

TEST_CASE("Malformed JSON and non-objects are refused with a clear message", "[tools][json]") {
  for (const char* text : {R"({"type":"pay","account":"C-1")", "{type:pay}", R"({"type":"pay",})",
                           "pay C-1 5", R"({"type":"pay"} trailing)"}) {
    const Error error = refused(text);
    CHECK(error.code == Errc::invalid_argument);
    CHECK(mentions(error, "malformed JSON at column "));
    CHECK_FALSE(mentions(error, "json.exception"));
  }
  for (const char* text : {"[1,2]", "\"pay\"", "5", "null", "true"}) {
    const Error error = refused(text);
    CHECK(error.code == Errc::invalid_argument);
    CHECK(mentions(error, "a command must be a JSON object"));
  }
}

TEST_CASE("The type must be given and known", "[tools][json]") {
  const Error missing = refused(R"({"account":"C-1","amount":"5"})");
  CHECK(missing.code == Errc::invalid_argument);
  CHECK(mentions(missing, "missing \"type\""));
  CHECK(mentions(refused(R"({"type":5,"account":"C-1"})"), "\"type\" must be a string"));
  const Error unknown = refused(R"({"type":"payment","account":"C-1","amount":"5"})");
  CHECK(unknown.code == Errc::invalid_argument);
  CHECK(mentions(unknown, "unknown command type 'payment'"));
  CHECK(mentions(unknown,
                 "open_account, update_account, pay, credit, make_zero, reverse, adjust, set_parameter, "
                 "charge, minimum_charge, redeem_card or disable_card"));
}

TEST_CASE("Missing required members are named", "[tools][json]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"type":"pay","amount":"5"})", "missing \"account\""},
      {R"({"type":"pay","account":"C-1"})", "missing \"amount\""},
      {R"({"type":"pay","account":"C-1","amount":null})", "missing \"amount\""},
      {R"({"type":"credit","account":"C-1"})", "missing \"limit\""},
      {R"({"type":"adjust","account":"C-1"})", "missing \"amount\""},
      {R"({"type":"make_zero"})", "missing \"account\""},
      {R"({"type":"update_account","name":"x"})", "missing \"account\""},
      {R"({"type":"open_account","name":"x"})", "missing \"account\""},
      {R"({"type":"set_parameter","value":"1"})", "missing \"name\""},
  };
  for (const auto& [text, message] : cases) {
    const Error error = refused(text);
    CHECK(error.code == Errc::invalid_argument);
    CHECK(mentions(error, message));
  }
}

TEST_CASE("An unknown (misspelt) member is refused, never ignored", "[tools][json]") {
  const Error error = refused(R"({"type":"pay","account":"C-1","amount":"5","memmo":"x"})");
  CHECK(error.code == Errc::invalid_argument);
  CHECK(mentions(error, "unknown member \"memmo\" for a pay command"));
  // A misspelt required member is named as unknown, not reported as the missing one.
  const Error misspelt = refused(R"({"type":"pay","acount":"C-1","amount":"5"})");
  CHECK(misspelt.code == Errc::invalid_argument);
  CHECK(mentions(misspelt, "unknown member \"acount\" for a pay command"));
  CHECK(mentions(misspelt, "(it takes account, amount, memo, method, command_id, operator)"));
  CHECK(mentions(refused(R"({"type":"update_account","account":"C-1","expiry":null})"),
                 "unknown member \"expiry\""));
  CHECK(
      mentions(refused(R"({"type":"make_zero","account":"C-1","amount":"1"})"), "unknown member \"amount\""));
  CHECK(mentions(refused(R"({"type":"reverse","record":3,"account":"C-1"})"), "unknown member \"account\""));
  CHECK(mentions(refused(R"({"type":"pay","account":"C-1","amount":"5","commandId":"k"})"),
                 "unknown member \"commandId\""));
}

TEST_CASE("Members of the wrong JSON type are refused", "[tools][json]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"type":"pay","account":1001,"amount":"5"})", "\"account\" must be a string"},
      {R"({"type":"pay","account":"C-1","amount":"5","memo":5})", "\"memo\" must be a string"},
      {R"({"type":"pay","account":"C-1","amount":"5","method":["card"]})", "\"method\" must be a string"},
      {R"({"type":"update_account","account":"C-1","locked":"yes"})", "\"locked\" must be true or false"},
      {R"({"type":"open_account","account":"C-1","name":"N","locked":1})",
       "\"locked\" must be true or false"},
      {R"({"type":"update_account","account":"C-1","name":{"first":"A"}})", "\"name\" must be a string"},
      {R"({"type":"update_account","account":"C-1","expires":20270101})", "\"expires\" must be a string"},
  };
  for (const auto& [text, message] : cases) {
    const Error error = refused(text);
    CHECK(error.code == Errc::invalid_argument);
    CHECK(mentions(error, message));
  }
}

TEST_CASE("Amounts: decimal strings or whole JSON numbers, never fractions", "[tools][json]") {
  CHECK(body_of<Pay>(R"({"type":"pay","account":"C-1","amount":12})").amount == money("12"));
  CHECK(body_of<Pay>(R"({"type":"pay","account":"C-1","amount":"12.5"})").amount == money("12.50"));
  CHECK(body_of<Pay>(R"({"type":"pay","account":"C-1","amount":"0.000001"})").amount ==
        Money::from_micros(1));

  const Error fraction = refused(R"({"type":"pay","account":"C-1","amount":12.5})");
  CHECK(fraction.code == Errc::invalid_amount);
  CHECK(mentions(fraction, "\"amount\": 12.5 is a JSON number with a fraction"));
  CHECK(mentions(fraction, "decimal string like \"12.50\""));
  CHECK(refused(R"({"type":"pay","account":"C-1","amount":12.0})").code == Errc::invalid_amount);
  CHECK(refused(R"({"type":"pay","account":"C-1","amount":1e3})").code == Errc::invalid_amount);

  const Error decimals = refused(R"({"type":"pay","account":"C-1","amount":"1.1234567"})");
  CHECK(decimals.code == Errc::invalid_amount);
  CHECK(mentions(decimals, "more than 6 decimal places"));
  for (const char* amount :
       {R"("12,50")", R"("1e3")", R"(" 5")", R"("")", R"(".5")", "true", "[5]", "99999999999999999999"}) {
    const Error error = refused(std::string(R"({"type":"credit","account":"C-1","limit":)") + amount + "}");
    INFO(amount);
    CHECK(error.code == Errc::invalid_amount);
  }
  CHECK(refused(R"({"type":"open_account","account":"A","name":"N","overdraft":2.5})").code ==
        Errc::invalid_amount);
  CHECK(refused(R"({"type":"update_account","account":"A","monthly_max":"1.0000001"})").code ==
        Errc::invalid_amount);
}

TEST_CASE("Dates must be real YYYY-MM-DD dates", "[tools][json]") {
  for (const char* expires : {"2026-02-30", "2026-13-01", "26-01-01", "2026/01/01", "2026-1-1", ""}) {
    const Error error =
        refused(std::string(R"({"type":"update_account","account":"C-1","expires":")") + expires + "\"}");
    INFO(expires);
    CHECK(error.code == Errc::invalid_date);
  }
  CHECK(refused(R"({"type":"open_account","account":"A","name":"N","expires":"2026-02-29"})").code ==
        Errc::invalid_date);
  CHECK(body_of<OpenAccount>(R"({"type":"open_account","account":"A","name":"N","expires":"2028-02-29"})")
            .settings.expires_on == std::optional<Date>{date("2028-02-29")});
}

TEST_CASE("A null optional member is the same as leaving it out", "[tools][json]") {
  CHECK(body_of<Pay>(R"({"type":"pay","account":"C-1","amount":"1","memo":null,"method":null})") ==
        Pay{"C-1", money("1"), "", PaymentMethod::cash});
  CHECK_FALSE(body_of<OpenAccount>(
                  R"({"type":"open_account","account":"A","name":"N","expires":null,"balance":null})")
                  .initial_balance.has_value());
}

TEST_CASE("event_to_json: a payment record", "[tools][json]") {
  Event event;
  event.type = EventType::payment_recorded;
  event.position = LogPosition{12};
  event.time = *parse_timestamp("2026-11-25T10:00:00.123456Z");
  event.account_id = "C-1";
  event.command_id = "k-1";
  event.operator_name = "desk-1";
  event.memo = "top-up";
  event.amount = money("12.5");
  event.balance_before = money("-3");
  event.balance_after = money("9.5");
  event.overdraft_after = money("20");
  event.method = PaymentMethod::card;
  const json expected = {{"position", 12},
                         {"event", "PaymentRecorded"},
                         {"time", "2026-11-25T10:00:00.123456Z"},
                         {"command_id", "k-1"},
                         {"operator", "desk-1"},
                         {"account", "C-1"},
                         {"payment_type", "payment"},
                         {"amount", "12.50"},
                         {"balance_before", "-3.00"},
                         {"balance_after", "9.50"},
                         {"overdraft_after", "20.00"},
                         {"memo", "top-up"},
                         {"method", "card"}};
  CHECK(event_to_json(event) == expected);
}

TEST_CASE("event_to_json: a reversal names the record it undoes", "[tools][json]") {
  Event event;
  event.type = EventType::reversal_recorded;
  event.position = LogPosition{13};
  event.time = *parse_timestamp("2026-11-25T10:05:00Z");
  event.account_id = "C-1";
  event.command_id = "r-1";
  event.operator_name = "admin";
  event.memo = "typo";
  event.amount = money("-12.5");
  event.balance_before = money("9.5");
  event.balance_after = money("-3");
  event.reverses = LogPosition{12};
  const json out = event_to_json(event);
  CHECK(out.at("event") == "ReversalRecorded");
  CHECK(out.at("payment_type") == "reversal");
  CHECK(out.at("reverses") == 12);
  CHECK(out.at("amount") == "-12.50");
  CHECK(out.at("balance_before") == "9.50");
  CHECK(out.at("balance_after") == "-3.00");
  CHECK(out.at("memo") == "typo");
  CHECK(out.at("time") == "2026-11-25T10:05:00.000000Z");
  CHECK_FALSE(out.contains("method"));
}

namespace {

struct ApplyRun {
  int code = -1;
  std::vector<json> lines;
  std::string err;
};

ApplyRun apply(Ledger& ledger, const std::string& input, size_t chunk) {
  ApplyOptions options;
  options.default_operator = "batch";
  options.chunk_commands_max = chunk;
  std::istringstream in(input);
  std::ostringstream out, err;
  ApplyRun run;
  run.code = run_apply(ledger, options, in, out, err);
  run.err = err.str();
  std::istringstream printed(out.str());
  for (std::string line; std::getline(printed, line);) run.lines.push_back(json::parse(line));
  return run;
}

Money balance(const Ledger& ledger, const std::string& account) {
  const LedgerState state = ledger.snapshot();
  const AccountState* found = state.find(account);
  REQUIRE(found != nullptr);
  return found->balance;
}

}  // namespace

TEST_CASE("run_apply: one outcome per line, in order, whatever the chunk size", "[tools][apply]") {
  const std::string input = R"({"type":"open_account","account":"C-1","name":"One","command_id":"o-1"})"
                            "\n"
                            R"({"type":"pay","account":"C-1","amount":"10","command_id":"p-1"})"
                            "\n"
                            "\n"
                            R"({"type":"pay","account":"C-1","amount":1.5,"command_id":"p-2"})"
                            "\n"
                            R"({"type":"pay","account":"NOPE","amount":"1","command_id":"p-3"})"
                            "\n"
                            R"({"type":"pay","account":"C-1","amount":"2","command_id":"p-1"})"
                            "\n"
                            R"({"type":"pay","account":"C-1","amount":"10","command_id":"p-1"})"
                            "\r\n"
                            R"({"type":"adjust","account":"C-1","amount":"-0.5"})";  // no final line end
  for (const size_t chunk : {size_t{1}, size_t{2}, size_t{1024}}) {
    DYNAMIC_SECTION("chunk " << chunk) {
      TempDir dir;
      LedgerOptions options;
      options.data_dir = dir.path("data");
      Result<std::unique_ptr<Runtime>> runtime = open_runtime(options);
      REQUIRE(runtime.ok());
      Ledger& ledger = *(*runtime)->ledger;
      const ApplyRun run = apply(ledger, input, chunk);
      CHECK(run.code == 3);
      CHECK(run.err.empty());
      REQUIRE(run.lines.size() == 7);  // the blank line 3 has none
      const std::vector<uint64_t> numbers = {1, 2, 4, 5, 6, 7, 8};
      for (size_t i = 0; i < numbers.size(); ++i) CHECK(run.lines[i].at("line") == numbers[i]);
      CHECK(run.lines[0].at("ok") == true);
      CHECK(run.lines[0].at("events").at(0).at("operator") == "batch");
      CHECK(run.lines[1].at("duplicate") == false);
      CHECK(run.lines[1].at("events").at(0).at("balance_after") == "10.00");
      // Refused before the ledger: the command_id is still echoed.
      CHECK(run.lines[2].at("ok") == false);
      CHECK(run.lines[2].at("command_id") == "p-2");
      CHECK(run.lines[2].at("error").at("code") == "invalid_amount");
      CHECK(run.lines[3].at("error").at("code") == "account_not_found");
      CHECK(run.lines[3].at("command_id") == "p-3");
      CHECK(run.lines[4].at("error").at("code") == "command_id_conflict");
      CHECK(run.lines[5].at("ok") == true);
      CHECK(run.lines[5].at("duplicate") == true);
      CHECK(run.lines[5].at("events").at(0).at("position") == run.lines[1].at("events").at(0).at("position"));
      CHECK(run.lines[6].at("ok") == true);
      CHECK_FALSE(run.lines[6].at("command_id").get<std::string>().empty());  // generated
      CHECK(balance(ledger, "C-1") == money("9.5"));
      REQUIRE(ledger.close().ok());
    }
  }
}

TEST_CASE("run_apply: exit 0 when every line applied or was a duplicate, and for an empty input",
          "[tools][apply]") {
  TempDir dir;
  LedgerOptions options;
  options.data_dir = dir.path("data");
  Result<std::unique_ptr<Runtime>> runtime = open_runtime(options);
  REQUIRE(runtime.ok());
  Ledger& ledger = *(*runtime)->ledger;
  const std::string input = R"({"type":"open_account","account":"C-1","name":"One","command_id":"o-1"})"
                            "\n"
                            R"({"type":"pay","account":"C-1","amount":"4","command_id":"p-1"})"
                            "\n";
  CHECK(apply(ledger, input, 8).code == 0);
  const ApplyRun again = apply(ledger, input, 8);
  CHECK(again.code == 0);
  REQUIRE(again.lines.size() == 2);
  CHECK(again.lines[0].at("duplicate") == true);
  CHECK(again.lines[1].at("duplicate") == true);
  CHECK(balance(ledger, "C-1") == money("4"));
  const ApplyRun empty = apply(ledger, "\n  \n", 8);
  CHECK(empty.code == 0);
  CHECK(empty.lines.empty());
  REQUIRE(ledger.close().ok());
}

}  // namespace paystream::testing

namespace paystream::testing {

TEST_CASE("command_to_json reads back as the same command, for every command kind", "[tools][json]") {
  const std::vector<std::string> lines = {
      R"({"type":"open_account","account":"C-1","name":"Ann","account_type":"agent","monthly_min":"1.5",)"
      R"("monthly_max":"20","expires":"2027-01-31","overdraft":"5","balance":"12.25","locked":true,"command_id":"k1"})",
      R"({"type":"open_account","account":"C-2","name":"Bob","parent":"C-1"})",
      R"({"type":"update_account","account":"C-2","name":"B","parent":null,"expires":null,"locked":false})",
      R"({"type":"update_account","account":"C-2","account_type":"clearing","expires":"2027-02-01","monthly_max":"0"})",
      R"({"type":"update_account","account":"C-2","parent":"C-1"})",
      R"({"type":"pay","account":"C-1","amount":"0.000001","memo":"a, \"quoted\" memo","method":"card"})",
      R"({"type":"credit","account":"C-1","limit":"50","memo":"m"})",
      R"({"type":"make_zero","account":"C-1"})",
      R"({"type":"reverse","record":42,"memo":"wrong"})",
      R"({"type":"adjust","account":"C-1","amount":"-3.10","operator":"finance 2"})",
      R"({"type":"set_parameter","name":"SERVER_CUSTOMER_OVERDRAFT_LIMIT","value":"12.50"})",
      R"({"type":"set_parameter","name":"SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY","value":30})",
  };
  for (const std::string& line : lines) {
    const Command command = parsed(line);
    Result<json> written = command_to_json(command);
    REQUIRE(written.ok());
    INFO(line << " -> " << written->dump());
    CHECK(parsed(written->dump()) == command);
  }
  const Command add{.command_id = "k", .operator_name = "admin", .body = AddOperator{}};
  CHECK(command_to_json(add).error().code == Errc::invalid_argument);
}

}  // namespace paystream::testing

namespace paystream::testing {

TEST_CASE("command_json: a line nested too deep is refused before parsing, without exhausting the stack",
          "[tools][json]") {
  const std::string deep = std::string(1'000'000, '[') + std::string(1'000'000, ']');
  Result<Command> command = command_from_json_text(deep, "desk-1");
  REQUIRE_FALSE(command.ok());
  CHECK(command.error().code == Errc::invalid_argument);
  CHECK(command.error().message.find("deeper than 32") != std::string::npos);
  // Brackets inside strings are text, not nesting.
  const std::string memo =
      R"({"type":"pay","account":"C-1","amount":"1","memo":")" + std::string(100, '[') + R"("})";
  CHECK(command_from_json_text(memo, "desk-1").ok());
}

}  // namespace paystream::testing

namespace paystream::testing {

TEST_CASE("command_json: an object naming a member twice is refused, at any depth", "[tools][json]") {
  // nlohmann::json alone would keep the last: this line would pay 6.
  const Error twice = refused(R"({"type":"pay","account":"C-1","amount":"5","amount":"6"})");
  CHECK(twice.code == Errc::invalid_argument);
  CHECK(mentions(twice, "malformed JSON: the member \"amount\" appears more than once"));
  // The same name twice in a nested object, and a name the parser unescapes to a repeated one.
  const Result<nlohmann::json> nested = parse_json_text(R"({"commands":[{"type":"pay","type":"credit"}]})");
  REQUIRE_FALSE(nested.ok());
  CHECK(nested.error().code == Errc::invalid_argument);
  CHECK(mentions(refused(R"({"type":"pay","account":"C-1","amount":"5","\u0061mount":"6"})"), "\"amount\""));
  // One name in sibling or nested objects is no repetition.
  const Result<nlohmann::json> siblings =
      parse_json_text(R"({"commands":[{"type":"pay","amount":"1"},{"type":"pay","amount":"2",)"
                      R"("x":{"amount":"3"}}],"amount":"4"})");
  REQUIRE(siblings.ok());
  CHECK(siblings->at("commands").at(1).at("amount") == "2");
}

TEST_CASE("run_apply: a line naming a member twice is refused and changes nothing", "[tools][apply]") {
  TempDir dir;
  LedgerOptions options;
  options.data_dir = dir.path("data");
  Result<std::unique_ptr<Runtime>> runtime = open_runtime(options);
  REQUIRE(runtime.ok());
  Ledger& ledger = *(*runtime)->ledger;
  const std::string input = R"({"type":"open_account","account":"C-1","name":"One","command_id":"o-1"})"
                            "\n"
                            R"({"type":"pay","account":"C-1","amount":"5","amount":"6","command_id":"p-1"})"
                            "\n";
  const ApplyRun run = apply(ledger, input, 8);
  CHECK(run.code == 3);
  REQUIRE(run.lines.size() == 2);
  CHECK(run.lines[1].at("ok") == false);
  CHECK(run.lines[1].at("error").at("code") == "invalid_argument");
  CHECK(balance(ledger, "C-1") == money("0"));
  REQUIRE(ledger.close().ok());
}

}  // namespace paystream::testing
