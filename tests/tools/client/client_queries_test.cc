// Queries over --server print the very bytes the local CLI prints on the server's data directory
// (the server renders with the CLI's writers): records, balances, account show, param list and
// operator list, in every format, with filters, pages and --output.
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/tools/client/client_test_support.h"

namespace paystream::client_test {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void run_ok(const ProcessResult& result) {
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
}

void fill(const Ledgers& ledgers) {
  run_ok(ledgers.remote({"account", "open", "AG-1", "--name", "North", "--type", "agent", "--balance", "7"}));
  run_ok(ledgers.remote({"account", "open", "C-1", "--name", "Alice, \"Café\"", "--type", "direct",
                         "--parent", "AG-1", "--balance", "50", "--expires", "2030-01-31"}));
  run_ok(ledgers.remote({"account", "open", "C-2", "--name", "Bob", "--type", "direct"}));
  run_ok(ledgers.remote({"pay", "C-1", "12.50", "--memo", "line\nbreak, \"quoted\""}));
  run_ok(ledgers.remote({"pay", "C-2", "100", "--method", "card"}));
  run_ok(ledgers.remote({"credit", "C-1", "20"}));
  run_ok(ledgers.remote({"adjust", "C-2", "-0.000001"}));
  run_ok(ledgers.remote({"operator", "add", "audit", "--role", "auditor"}));
}

}  // namespace

TEST_CASE("queries over --server print the bytes the local CLI prints on the same data",
          "[client][queries]") {
  Ledgers ledgers;
  fill(ledgers);
  TempDir files;
  const std::vector<std::vector<std::string>> queries = {
      {"records"},
      {"records", "--format", "json"},
      {"records", "--format", "csv"},
      {"records", "--limit", "2"},
      {"records", "--limit", "2", "--format", "json"},
      {"records", "--limit", "2", "--format", "csv", "--cursor", "5"},
      {"records", "--account", "C-1", "--type", "payment"},
      {"records", "--from", "2000-01-01T02:00:00+02:00", "--to", "2999-01-01", "--operator", "admin"},
      {"records", "--operator", "nobody", "--format", "json"},
      {"records", "--cursor", "bogus"},
      {"records", "--from", "yesterday"},
      {"balances"},
      {"balances", "--format", "json"},
      {"balances", "--format", "csv", "--type", "direct", "--min", "0.01", "--max", "100"},
      {"account", "show", "C-1"},
      {"account", "show", "C-1", "--format", "json"},
      {"account", "show", "C-1", "--format", "csv"},
      {"account", "show", "C-3"},
      {"param", "list"},
      {"param", "list", "--format", "json"},
      {"param", "list", "--format", "csv"},
      {"operator", "list"},
      {"operator", "list", "--format", "json"},
      {"operator", "list", "--format", "csv"},
      {"balances", "--format", "xlsx"},
      {"param", "list", "--format", "xlsx", "--output", files.file("p.xlsx")},
  };
  std::vector<ProcessResult> remote;
  for (const auto& query : queries) remote.push_back(ledgers.remote(query));
  const ProcessResult exported =
      ledgers.remote({"records", "--format", "csv", "--output", files.file("remote.csv")});
  run_ok(exported);
  CHECK(exported.out.empty());
  run_ok(ledgers.remote({"records", "--format", "xlsx", "--output", files.file("remote.xlsx")}));
  REQUIRE(ledgers.server->stop() == 0);

  for (size_t i = 0; i < queries.size(); ++i) {
    INFO("paystream " << joined(queries[i]));
    const ProcessResult local = ledgers.on_server_data(queries[i]);
    INFO(local.err);
    CHECK(remote[i].exit_code == local.exit_code);
    CHECK(remote[i].out == local.out);
    CHECK(remote[i].err == local.err);
  }
  CHECK(remote[0].out.find("Alice, \"Café\"") != std::string::npos);
  CHECK(remote[3].err.rfind("next page: --cursor ", 0) == 0);
  CHECK(remote[9].exit_code == 2);   // a bad cursor, refused by the server as locally
  CHECK(remote[17].exit_code == 3);  // account_not_found
  CHECK(remote[24].exit_code == 2);  // xlsx needs --output
  run_ok(ledgers.on_server_data({"records", "--format", "csv", "--output", files.file("local.csv")}));
  CHECK(read_file(files.file("remote.csv")) == read_file(files.file("local.csv")));
  CHECK(read_file(files.file("remote.xlsx")).substr(0, 4) == std::string("PK\x03\x04", 4));
}

TEST_CASE("an agent's queries over --server see only its tree", "[client][queries][rights]") {
  Ledgers ledgers;
  fill(ledgers);
  const ProcessResult added = ledgers.remote({"operator", "add", "north", "--role", "agent", "--agent",
                                              "AG-1", "--allow", "pay-self", "--format", "json"});
  run_ok(added);
  const std::string token = nlohmann::json::parse(added.out).at("rows").at(0).at("token");
  const ProcessResult balances = ledgers.remote({"balances", "--format", "csv"}, token);
  run_ok(balances);
  CHECK(balances.out.find("AG-1,") != std::string::npos);
  CHECK(balances.out.find("C-1,") != std::string::npos);
  CHECK(balances.out.find("C-2,") == std::string::npos);
  const ProcessResult records = ledgers.remote({"records", "--format", "json"}, token);
  run_ok(records);
  CHECK(records.out.find("\"C-2\"") == std::string::npos);
  const ProcessResult operators = ledgers.remote({"operator", "list"}, token);
  CHECK(operators.exit_code == 3);
  CHECK(operators.err.find("[forbidden]") != std::string::npos);
}

}  // namespace paystream::client_test
