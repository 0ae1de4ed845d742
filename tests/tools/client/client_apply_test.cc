// apply --server: the JSON lines go to POST /v1/commands in chunks and print the outcome lines (with
// their line numbers) and the exit code of a local apply of the same input; re-running gives the
// same duplicates; a chunk over the server's batch size is split; a dead server is exit 1.
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/tools/client/client_test_support.h"

namespace paystream::client_test {
namespace {

std::string write_file(const TempDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.file(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

// [positions]: in Kafka mode the set_parameter line goes to P.control, and a partition decides
// control commands before its own in a batch (docs/kafka.md), so the positions differ from a local
// apply's; the client-kafka/ runs leave this test out.
TEST_CASE("apply over --server prints the outcome lines and exit code of a local apply",
          "[client][apply][positions]") {
  Ledgers ledgers;
  REQUIRE(ledgers.local({"operator", "add", "admin", "--role", "admin"}).exit_code == 0);  // positions agree
  TempDir files;
  const std::string input = write_file(
      files, "in.jsonl",
      R"({"type":"open_account","account":"C-1","name":"Alice","balance":"50","command_id":"open-1"})"
      "\n"
      R"({"type":"pay","account":"C-1","amount":"25.50","memo":"top-up","command_id":"till-1"})"
      "\n\n"
      R"({"type":"pay","account":"C-9","amount":"5","command_id":"till-2"})"
      "\n"
      R"({"type":"pay","account":"C-1","amount":12.5})"
      "\n"
      "not json at all\n"
      R"({"type":"adjust","account":"C-1","amount":"-1","amout":"2"})"
      "\n"
      R"({"type":"set_parameter","name":"SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY","value":3})"
      "\n"
      R"({"type":"reverse","record":4,"memo":"undo"})"
      "\n"
      R"({"type":"make_zero","account":"C-1","command_id":"zero-1"})"
      "\n");
  for (const char* chunk : {"1024", "2"}) {
    INFO("--chunk " << chunk);
    const ProcessResult remote = check_same(ledgers, {"apply", "--file", input, "--chunk", chunk}, 3);
    CHECK(lines_of(remote.out).size() == 9);  // the blank line has no outcome
    const nlohmann::json first = nlohmann::json::parse(lines_of(remote.out).at(0));
    CHECK(first.at("line") == 1);
    CHECK(first.at("duplicate") == (std::string(chunk) == "2"));  // the second run's are duplicates
  }
  const ProcessResult from_stdin_missing = check_same(ledgers, {"apply", "--file", files.file("missing")}, 1);
  CHECK(from_stdin_missing.out.empty());
}

TEST_CASE("apply over --server splits a large chunk into batches the server takes", "[client][apply]") {
  Ledgers ledgers;
  TempDir files;
  std::string text = R"({"type":"open_account","account":"C-1","name":"Many"})"
                     "\n";
  constexpr int payments = 2500;  // one chunk of 2501 lines: three requests of at most 1000 commands
  for (int i = 0; i < payments; ++i) {
    text += R"({"type":"pay","account":"C-1","amount":"0.01","command_id":"p-)" + std::to_string(i) + "\"}\n";
  }
  const std::string input = write_file(files, "many.jsonl", text);
  const ProcessResult applied = ledgers.remote({"apply", "--file", input, "--chunk", "5000"});
  INFO(applied.err);
  CHECK(applied.exit_code == 0);
  const std::vector<std::string> outcomes = lines_of(applied.out);
  REQUIRE(outcomes.size() == payments + 1);
  CHECK(nlohmann::json::parse(outcomes.back()).at("line") == payments + 1);
  CHECK(nlohmann::json::parse(outcomes.back()).at("command_id") == "p-2499");
  const ProcessResult shown = ledgers.remote({"account", "show", "C-1", "--format", "json"});
  CHECK(nlohmann::json::parse(shown.out).at("rows").at(0).at("current_balance") == "25.00");
}

TEST_CASE("apply over --server acts as the token's operator and stops when the server is gone",
          "[client][apply]") {
  TempDir files;
  const std::string input =
      write_file(files, "in.jsonl",
                 R"({"type":"open_account","account":"C-1","name":"One","operator":"someone"})"
                 "\n");
  std::string url;
  {
    Ledgers ledgers;
    url = ledgers.url();
    const ProcessResult refused = ledgers.remote({"apply", "--file", input});
    CHECK(refused.exit_code == 3);
    CHECK(refused.out.find(R"("code":"forbidden")") != std::string::npos);
  }
  const ProcessResult gone = run_paystream({"apply", "--file", input, "--server", url, "--token", "pst_x"});
  CHECK(gone.exit_code == 1);
  CHECK(gone.out.empty());
  CHECK(gone.err ==
        "paystream: server " + url + ": cannot connect (is `paystream serve` running there?) [io_error]\n");
}

}  // namespace paystream::client_test
