// The fault matrix's rows about damaged storage (docs/reliability.md, "Fault matrix"), on the real
// binary: a server acknowledges payments and is killed with SIGKILL, so they live in RocksDB's
// write-ahead log only; then the log or a table file is damaged as a failing disk would, and the
// next command either has every acknowledged payment or refuses with the reason. Never fewer
// payments without a word.
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "events/money.h"
#include "tests/support/run_process.h"
#include "tests/support/server_process.h"

namespace paystream {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr int payments = 120;

// A data directory whose `payments` payments of 1 into F-1 were acknowledged, then the server killed.
void acknowledged_then_killed(const std::string& data) {
  http_test::ServerProcess server(data);
  const std::unique_ptr<httplib::Client> admin = server.client(server.admin_token());
  const httplib::Result opened =
      admin->Post("/v1/accounts", R"({"account":"F-1","name":"f"})", "application/json");
  REQUIRE(opened);
  REQUIRE(opened->status == 201);
  for (int i = 0; i < payments; ++i) {
    const httplib::Result paid =
        admin->Post("/v1/accounts/F-1/payments", R"({"amount":"1"})", "application/json");
    REQUIRE(paid);
    REQUIRE(paid->status == 201);  // acknowledged: synced
  }
}  // SIGKILL: no clean close, nothing flushed to a table

std::string largest_file(const std::string& data, const std::string& extension) {
  std::string largest;
  uintmax_t size = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(data)) {
    if (entry.path().extension() == extension && entry.file_size() > size) {
      size = entry.file_size();
      largest = entry.path().string();
    }
  }
  REQUIRE(!largest.empty());
  return largest;
}

void flip_byte(const std::string& path, uintmax_t at) {
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekg(static_cast<std::streamoff>(at));
  char byte = 0;
  file.read(&byte, 1);
  byte = static_cast<char>(byte ^ 0x5a);
  file.seekp(static_cast<std::streamoff>(at));
  file.write(&byte, 1);
}

e2e::ProcessResult paystream(std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), PAYSTREAM_BINARY);
  return e2e::run_process(arguments);
}

// What F-1 holds, read by `paystream balances` (which must succeed).
int64_t balance_of_f1(const std::string& data) {
  const e2e::ProcessResult balances = paystream({"balances", "--data", data, "--format", "json"});
  INFO(balances.err);
  REQUIRE(balances.exit_code == 0);
  const json parsed = json::parse(balances.out);
  for (const json& row : parsed["rows"]) {
    if (row["account_id"] == "F-1")
      return Money::parse(row["current_balance"].get<std::string>()).value().micros();
  }
  FAIL("no F-1 in " << balances.out);
  return -1;
}

// The names of the directory's table files.
std::set<std::string> tables_of(const std::string& dir) {
  std::set<std::string> tables;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".sst") tables.insert(entry.path().filename().string());
  }
  return tables;
}

}  // namespace

TEST_CASE(
    "faults: a damaged write-ahead log record before its end: every command refuses to open the ledger, "
    "saying "
    "it is corrupt, instead of opening it without the acknowledged payments after the damage",
    "[faults]") {
  e2e::TemporaryDirectory directory;
  const std::string data = directory.file("data");
  acknowledged_then_killed(data);
  const std::string wal = largest_file(data, ".log");
  flip_byte(wal, fs::file_size(wal) / 2);
  for (const std::vector<std::string>& command : {std::vector<std::string>{"balances", "--data", data},
                                                  {"replay", "--verify", "--data", data},
                                                  {"records", "--data", data, "--account", "F-1"}}) {
    const e2e::ProcessResult refused = paystream(command);
    INFO(command[0] << ": " << refused.err);
    CHECK(refused.exit_code == 1);
    CHECK_THAT(refused.err, Catch::Contains("Corruption: checksum mismatch"));
  }
  // A server does not start on it either (and so answers nothing it does not have).
  const e2e::ProcessResult served = paystream({"serve", "--data", data, "--listen", "127.0.0.1:0"});
  CHECK(served.exit_code == 1);
  CHECK_THAT(served.err, Catch::Contains("Corruption"));
}

TEST_CASE(
    "faults: a torn write after the last acknowledged one (garbage at the log's end): the ledger opens with "
    "every "
    "acknowledged payment",
    "[faults]") {
  e2e::TemporaryDirectory directory;
  const std::string data = directory.file("data");
  acknowledged_then_killed(data);
  {
    std::ofstream wal(largest_file(data, ".log"), std::ios::app | std::ios::binary);
    wal << "\x13\x37 half a record, then the power went";
  }
  CHECK(balance_of_f1(data) == int64_t{payments} * 1'000'000);
  const e2e::ProcessResult verified = paystream({"replay", "--verify", "--data", data});
  INFO(verified.out << verified.err);
  CHECK(verified.exit_code == 0);
}

TEST_CASE(
    "faults: a damaged table file: replay --verify reports the corruption, and no command crashes on it",
    "[faults]") {
  e2e::TemporaryDirectory directory;
  const std::string data = directory.file("data");
  acknowledged_then_killed(data);
  // A clean open and close moves what the log held into table files.
  REQUIRE(balance_of_f1(data) == int64_t{payments} * 1'000'000);
  REQUIRE(paystream({"replay", "--verify", "--data", data}).exit_code == 0);
  const std::string table = largest_file(data, ".sst");
  flip_byte(table, fs::file_size(table) / 3);
  const e2e::ProcessResult verified = paystream({"replay", "--verify", "--data", data});
  INFO(verified.out << verified.err);
  CHECK(verified.exit_code != 0);
  CHECK(verified.exit_code < 128);  // an answer, not a signal
  CHECK_THAT(verified.out + verified.err, Catch::Contains("orrupt"));
  for (const std::vector<std::string>& command : {std::vector<std::string>{"balances", "--data", data},
                                                  {"records", "--data", data, "--account", "F-1"}}) {
    const e2e::ProcessResult answered = paystream(command);
    INFO(command[0] << ": " << answered.out << answered.err);
    CHECK(answered.exit_code < 128);
    if (answered.exit_code != 0) CHECK_THAT(answered.err, Catch::Contains("orrupt"));
  }
}

TEST_CASE(
    "faults: a lost CURRENT file, a damaged MANIFEST, a CURRENT naming a missing manifest: every command "
    "refuses the directory with the reason, and never opens an empty ledger over the old files",
    "[faults]") {
  e2e::TemporaryDirectory directory;
  const std::string data = directory.file("data");
  acknowledged_then_killed(data);
  REQUIRE(balance_of_f1(data) == int64_t{payments} * 1'000'000);  // a clean close: tables and a manifest
  const auto damaged_copy = [&](const std::string& name) {
    const std::string copy = directory.file(name);
    fs::copy(data, copy, fs::copy_options::recursive);
    return copy;
  };
  const std::string no_current = damaged_copy("no-current");
  fs::remove(no_current + "/CURRENT");
  // The write-ahead log gone too (nothing in it after a clean close): RocksDB alone would then make
  // a new, empty database here, and delete the old tables as obsolete.
  const std::string nothing_but_tables = damaged_copy("tables-only");
  fs::remove(nothing_but_tables + "/CURRENT");
  for (const fs::directory_entry& entry : fs::directory_iterator(nothing_but_tables)) {
    if (entry.path().extension() == ".log") fs::remove(entry.path());
  }
  const std::string bad_manifest = damaged_copy("bad-manifest");
  std::string manifest;
  for (const fs::directory_entry& entry : fs::directory_iterator(bad_manifest)) {
    if (entry.path().filename().string().rfind("MANIFEST-", 0) == 0) manifest = entry.path().string();
  }
  REQUIRE(!manifest.empty());
  flip_byte(manifest, fs::file_size(manifest) / 2);
  const std::string missing_manifest = damaged_copy("missing-manifest");
  std::ofstream(missing_manifest + "/CURRENT", std::ios::trunc) << "MANIFEST-999999\n";

  for (const auto& [dir, reason] :
       std::vector<std::pair<std::string, std::string>>{{no_current, "no CURRENT file"},
                                                        {nothing_but_tables, "no CURRENT file"},
                                                        {bad_manifest, "Corruption"},
                                                        {missing_manifest, "MANIFEST-999999"}}) {
    const std::set<std::string> tables_before = tables_of(dir);
    const bool had_current = fs::exists(dir + "/CURRENT");
    for (const std::vector<std::string>& command : {std::vector<std::string>{"balances", "--data", dir},
                                                    {"replay", "--verify", "--data", dir},
                                                    {"pay", "F-1", "1", "--data", dir}}) {
      const e2e::ProcessResult refused = paystream(command);
      INFO(dir << ": " << command[0] << ": " << refused.out << refused.err);
      CHECK(refused.exit_code == 1);
      CHECK_THAT(refused.err, Catch::Contains(reason));
    }
    const e2e::ProcessResult served = paystream({"serve", "--data", dir, "--listen", "127.0.0.1:0"});
    CHECK(served.exit_code == 1);
    CHECK_THAT(served.err, Catch::Contains(reason));
    // No new database was made over the old one, and its tables are all still there.
    CHECK(fs::exists(dir + "/CURRENT") == had_current);
    CHECK(tables_of(dir) == tables_before);
  }
}

}  // namespace paystream
