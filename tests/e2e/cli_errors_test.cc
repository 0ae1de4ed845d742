// Exit codes and error lines: each case breaks exactly one rule. A refused command prints one line
// "paystream: ..." naming the bad value, exits 2 (usage) / 3 (rules) / 1 (operating), and changes
// nothing.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/support/run_process.h"

namespace paystream::e2e {
namespace {

struct Refusal {
  std::vector<std::string> arguments;
  int exit_code;
  std::string mentions;  // a substring of the one stderr line
};

// A ledger with one direct account C-1 holding 10.00 (after one payment).
void open_ledger(const std::string& data) {
  REQUIRE(paystream(data, {"account", "open", "C-1", "--name", "One", "--type", "direct"}).exit_code == 0);
  REQUIRE(paystream(data, {"pay", "C-1", "10", "--command-id", "first"}).exit_code == 0);
}

void check_refusal(const std::string& data, const Refusal& refusal) {
  const ProcessResult result = paystream(data, refusal.arguments);
  INFO("arguments: " << Catch::Detail::stringify(refusal.arguments) << "\nstderr: " << result.err);
  CHECK(result.exit_code == refusal.exit_code);
  CHECK(result.err.rfind("paystream: ", 0) == 0);
  CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
  CHECK(result.err.find(refusal.mentions) != std::string::npos);
  CHECK(result.out.empty());
}

}  // namespace

TEST_CASE("Usage errors exit 2 and name the bad value", "[e2e][cli][errors]") {
  TemporaryDirectory dir;
  open_ledger(dir.path());
  const std::vector<Refusal> refusals = {
      {{"frobnicate"}, 2, "unknown command 'frobnicate'"},
      {{"account", "close", "C-1"}, 2, "unknown command 'close' of 'account'"},
      {{"pay", "C-1"}, 2, "AMOUNT"},
      {{"pay", "C-1", "abc"}, 2, "'abc'"},
      {{"pay", "C-1", "1.1234567"}, 2, "more than 6 decimal places"},
      {{"pay", "C-1", "1", "--method", "cheque"}, 2, "'cheque'"},
      {{"pay", "bad id!", "1"}, 2, "'bad id!'"},
      {{"pay", "C-1", "1", "--command-id", "has space"}, 2, "has space"},
      {{"pay", "C-1", "1", "--format", "yaml"}, 2, "'yaml'"},
      {{"pay", "C-1", "1", "--format", "xlsx", "--output", dir.file("x.xlsx")}, 2, "xlsx"},
      {{"account", "open", "C-2", "--name", "Two", "--type", "reseller"}, 2, "'reseller'"},
      {{"account", "open", "C-2", "--name", "Two", "--type", "direct", "--expires", "2026-02-30"},
       2,
       "'2026-02-30'"},
      {{"account", "update", "C-1"}, 2, "nothing to change"},
      {{"account", "update", "C-1", "--lock", "--unlock"}, 2, "--unlock"},
      {{"reverse", "first"}, 2, "'first'"},
      {{"records", "--from", "yesterday"}, 2, "'yesterday'"},
      {{"records", "--limit", "-1"}, 2, "-1"},
      {{"records", "--format", "xlsx"}, 2, "--output"},
      {{"balances", "--min", "1e3"}, 2, "'1e3'"},
      {{"replay"}, 2, "--verify"},
  };
  for (const Refusal& refusal : refusals) check_refusal(dir.path(), refusal);
}

TEST_CASE("Empty ranges and the account IDs . and .. exit 2 and change nothing", "[e2e][cli][errors]") {
  TemporaryDirectory dir;
  open_ledger(dir.path());
  const std::vector<Refusal> refusals = {
      {{"records", "--from", "2026-12-01", "--to", "2026-11-30"}, 2, "empty range: --from"},
      {{"records", "--from", "2026-11-30T10:00:00Z", "--to", "2026-11-30T10:00:00Z"},
       2,
       "is not before --to"},
      {{"records", "--from", "2026-12-01", "--to", "2026-11-30", "--format", "csv"}, 2, "empty range"},
      {{"balances", "--min", "10", "--max", "5"}, 2, "empty range: --min 10.00 is above --max 5.00"},
      {{"account", "open", ".", "--name", "Dot", "--type", "direct"}, 2, "'.'"},
      {{"account", "open", "..", "--name", "Dots", "--type", "direct"}, 2, "'..'"},
      {{"records", "--account", ".."}, 2, "'..'"},
  };
  for (const Refusal& refusal : refusals) check_refusal(dir.path(), refusal);
  const ProcessResult balances = paystream(dir.path(), {"balances", "--format", "csv"});
  REQUIRE(balances.exit_code == 0);
  CHECK(balances.out.find("\n.,") == std::string::npos);
  CHECK(balances.out.find("\n..,") == std::string::npos);
}

TEST_CASE("Rejections by the ledger's rules exit 3 and name the value", "[e2e][cli][errors]") {
  TemporaryDirectory dir;
  open_ledger(dir.path());
  const std::vector<Refusal> refusals = {
      {{"pay", "NOPE", "1"}, 3, "'NOPE'"},
      {{"pay", "C-1", "0"}, 3, "[amount_must_be_positive]"},
      {{"pay", "C-1", "-5"}, 3, "[amount_must_be_positive]"},
      {{"pay", "C-1", "99", "--command-id", "first"}, 3, "[command_id_conflict]"},
      {{"credit", "C-1", "-1"}, 3, "[amount_must_not_be_negative]"},
      {{"adjust", "C-1", "0"}, 3, "[amount_must_not_be_zero]"},
      {{"reverse", "999"}, 3, "999"},
      {{"account", "open", "C-1", "--name", "Again", "--type", "direct"}, 3, "'C-1'"},
      {{"account", "open", "C-2", "--name", "Two", "--type", "direct", "--parent", "C-1"}, 3, "C-1"},
      {{"account", "show", "C-9"}, 3, "'C-9'"},
      {{"param", "set", "NO_SUCH_PARAMETER", "1"}, 3, "NO_SUCH_PARAMETER"},
      {{"param", "set", "SERVER_MINIMUM_CONSUMPTION_ENABLED", "2"}, 3, "SERVER_MINIMUM_CONSUMPTION_ENABLED"},
  };
  for (const Refusal& refusal : refusals) check_refusal(dir.path(), refusal);
}

TEST_CASE("A refused command changes nothing", "[e2e][cli][errors]") {
  TemporaryDirectory dir;
  open_ledger(dir.path());
  const std::string before = paystream(dir.path(), {"records", "--format", "csv"}).out;
  const std::string balances_before = paystream(dir.path(), {"balances", "--format", "csv"}).out;
  CHECK(paystream(dir.path(), {"pay", "C-1", "0"}).exit_code == 3);
  CHECK(paystream(dir.path(), {"pay", "C-1", "99", "--command-id", "first"}).exit_code == 3);
  CHECK(paystream(dir.path(), {"pay", "C-1", "abc"}).exit_code == 2);
  CHECK(paystream(dir.path(), {"zero", "C-1", "--format", "yaml"}).exit_code == 2);
  CHECK(paystream(dir.path(), {"records", "--format", "csv"}).out == before);
  CHECK(paystream(dir.path(), {"balances", "--format", "csv"}).out == balances_before);
}

TEST_CASE("Queries on a missing data directory exit 1 and create nothing", "[e2e][cli][errors]") {
  TemporaryDirectory dir;
  const std::string missing = dir.file("missing");
  for (const char* query : {"records", "balances"}) {
    const ProcessResult result = paystream(missing, {query});
    CHECK(result.exit_code == 1);
    CHECK(result.err.find("no data directory") != std::string::npos);
  }
  CHECK(paystream(missing, {"account", "show", "C-1"}).exit_code == 1);
  CHECK(paystream(missing, {"param", "list"}).exit_code == 1);
  CHECK(paystream(missing, {"replay", "--verify"}).exit_code == 1);
  CHECK(access(missing.c_str(), F_OK) != 0);
}

TEST_CASE("A data directory locked by another process is named as such", "[e2e][cli][errors]") {
  TemporaryDirectory dir;
  open_ledger(dir.path());
  // RocksDB holds an fcntl write lock on LOCK while a database is open; take it as another
  // paystream process would.
  const int fd = ::open(dir.file("LOCK").c_str(), O_RDWR);
  REQUIRE(fd >= 0);
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  REQUIRE(::fcntl(fd, F_SETLK, &lock) == 0);
  const ProcessResult result = paystream(dir.path(), {"pay", "C-1", "1"});
  ::close(fd);
  INFO(result.err);
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("another paystream process") != std::string::npos);
  CHECK(paystream(dir.path(), {"pay", "C-1", "1"}).exit_code == 0);
}

}  // namespace paystream::e2e
