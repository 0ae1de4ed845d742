// CDR files: the header names the columns in any order; each line becomes a charge command.
#include "tools/commands/cdr_csv.h"

#include <catch2/catch.hpp>

#include "tools/runtime/command_json.h"

namespace paystream::testing {

TEST_CASE("tools: a CSV line splits into fields with RFC 4180 quoting", "[tools][cdr]") {
  CHECK(split_csv_line("a,b,,c\r").value() == std::vector<std::string>{"a", "b", "", "c"});
  CHECK(split_csv_line(R"("x, y","say ""hi""",z)").value() ==
        std::vector<std::string>{"x, y", R"(say "hi")", "z"});
  CHECK(split_csv_line("").value() == std::vector<std::string>{""});
  CHECK_FALSE(split_csv_line(R"("open,b)").ok());
  CHECK_FALSE(split_csv_line(R"("closed"junk,b)").ok());
}

TEST_CASE("tools: a CDR header names every required column once and nothing unknown", "[tools][cdr]") {
  CHECK(CdrColumns::from_header("start_time,amount,account,cdr_id").ok());
  CHECK(CdrColumns::from_header("\xEF\xBB\xBF"
                                "cdr_id,account,amount,start_time,callee")
            .ok());
  const auto message = [](const char* header) { return CdrColumns::from_header(header).error().message; };
  CHECK(message("cdr_id,account,amount").find("no 'start_time' column") != std::string::npos);
  CHECK(message("cdr_id,account,amount,start_time,cost").find("unknown column 'cost'") != std::string::npos);
  CHECK(message("cdr_id,account,amount,start_time,account").find("'account' twice") != std::string::npos);
}

TEST_CASE("tools: a CDR line becomes the charge command its columns say", "[tools][cdr]") {
  const CdrColumns columns =
      CdrColumns::from_header("callee,start_time,amount,account,cdr_id,duration_seconds,caller").value();
  const nlohmann::json charge = columns.charge_of("200,2026-11-30T23:59:59Z,0.35,C-1,cdr-9,61,100").value();
  const Command command = command_from_json(charge, "softswitch").value();
  CHECK(command.command_id == "cdr:cdr-9");
  CHECK(command.operator_name == "softswitch");
  const Charge& body = std::get<Charge>(command.body);
  CHECK(body.account_id == "C-1");
  CHECK(body.amount == Money::parse("0.35").value());
  CHECK(body.call_start == parse_timestamp("2026-11-30T23:59:59Z").value());
  CHECK(body.duration_seconds == 61u);
  CHECK(body.caller == "100");
  CHECK(body.callee == "200");
  // Optional columns may be empty on a line; required ones may not.
  const Charge bare = std::get<Charge>(
      command_from_json(columns.charge_of(",2026-11-30T23:59:59Z,0,C-1,c,,").value(), "a").value().body);
  CHECK_FALSE(bare.duration_seconds.has_value());
  CHECK(bare.caller.empty());
  CHECK(columns.charge_of("200,2026-11-30T23:59:59Z,0.35,,cdr-9,61,100").error().message.find("account") !=
        std::string::npos);
  CHECK(columns.charge_of("200,2026-11-30T23:59:59Z,0.35,C-1,cdr-9,-5,100")
            .error()
            .message.find("duration_seconds") != std::string::npos);
  CHECK(columns.charge_of("200,2026-11-30T23:59:59Z,0.35,C-1").error().message.find("4 fields") !=
        std::string::npos);
}

}  // namespace paystream::testing
