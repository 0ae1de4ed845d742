// operator add | list | disable | rotate, and the rights they give, through the real binary.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/run_process.h"

namespace paystream::e2e {
namespace {

nlohmann::json json_of(const ProcessResult& result) {
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  return nlohmann::json::parse(result.out);
}

void run_ok(const std::string& data, const std::vector<std::string>& arguments) {
  const ProcessResult result = paystream(data, arguments);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
}

}  // namespace

TEST_CASE("operator add prints a token once, list shows no token, rights follow the role",
          "[e2e][cli][operators]") {
  TemporaryDirectory dir;
  const std::string data = dir.path();
  run_ok(data, {"account", "open", "A", "--name", "Agent", "--type", "agent"});
  run_ok(data, {"account", "open", "A-1", "--name", "Sub", "--type", "direct", "--parent", "A"});
  run_ok(data, {"account", "open", "D", "--name", "Direct", "--type", "direct"});

  // Before the first operator anyone acts as admin; the first must be an admin.
  CHECK(paystream(data, {"operator", "add", "fin", "--role", "finance"}).exit_code == 2);
  const nlohmann::json admin =
      json_of(paystream(data, {"operator", "add", "admin", "--role", "admin", "--format", "json"}));
  const std::string token = admin["rows"][0]["token"];
  CHECK(token.rfind("pst_" + admin["rows"][0]["token_id"].get<std::string>() + "_", 0) == 0);
  const nlohmann::json agent =
      json_of(paystream(data, {"operator", "add", "ag", "--role", "agent", "--agent", "A", "--allow",
                               "pay-sub-accounts", "--format", "json"}));
  CHECK(agent["rows"][0]["allow"] == "pay-sub-accounts");

  const ProcessResult listed = paystream(data, {"operator", "list", "--format", "json"});
  const nlohmann::json list = json_of(listed);
  REQUIRE(list["rows"].size() == 2);
  CHECK_FALSE(list["rows"][0].contains("token"));
  CHECK(listed.out.find(token) == std::string::npos);

  run_ok(data, {"pay", "A-1", "5", "--operator", "ag"});
  const ProcessResult self = paystream(data, {"pay", "A", "5", "--operator", "ag"});
  CHECK(self.exit_code == 3);
  CHECK(self.err.find("[forbidden]") != std::string::npos);
  CHECK(paystream(data, {"pay", "D", "5", "--operator", "ag"}).exit_code == 3);
  CHECK(paystream(data, {"pay", "D", "5", "--operator", "nobody"}).exit_code == 3);

  const nlohmann::json rotated = json_of(paystream(data, {"operator", "rotate", "ag", "--format", "json"}));
  CHECK(rotated["rows"][0]["token_id"] != agent["rows"][0]["token_id"]);
  run_ok(data, {"operator", "disable", "ag"});
  CHECK(paystream(data, {"pay", "A-1", "5", "--operator", "ag"}).exit_code == 3);
  CHECK(paystream(data, {"operator", "disable", "admin"}).exit_code == 3);  // the last admin
  CHECK(paystream(data, {"operator", "add", "x", "--role", "finance", "--agent", "A"}).exit_code == 2);
  CHECK(paystream(data, {"operator", "add", "x", "--role", "agent", "--agent", "A", "--allow", "fly"})
            .exit_code == 2);

  // The events record who did what, and a replay checks out.
  const nlohmann::json records = json_of(paystream(data, {"records", "--format", "json"}));
  REQUIRE(records["rows"].size() == 1);
  CHECK(records["rows"][0]["operator"] == "ag");
  run_ok(data, {"replay", "--verify"});
}

}  // namespace paystream::e2e
