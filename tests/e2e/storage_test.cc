// A full disk and a read-only data directory, on a small tmpfs (mounting needs root: without it
// these tests are skipped and say so).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/run_process.h"
#include "tests/support/tmpfs_mount.h"

namespace paystream::e2e {
namespace {

constexpr uint64_t tmpfs_bytes = 16 << 20;
const std::string reserve = "4194304";  // --min-free-bytes of the tests: 4 MiB of the 16

std::string balance_of(const std::string& data, const std::string& account) {
  const ProcessResult shown = paystream(data, {"balances", "--account", account, "--format", "json"});
  INFO(shown.err);
  REQUIRE(shown.exit_code == 0);
  const nlohmann::json rows = nlohmann::json::parse(shown.out).at("rows");
  REQUIRE(rows.size() == 1);
  return rows[0].at("current_balance").get<std::string>();
}

size_t records_of(const std::string& data, const std::string& account) {
  const ProcessResult listed = paystream(data, {"records", "--account", account, "--format", "json"});
  INFO(listed.err);
  REQUIRE(listed.exit_code == 0);
  return nlohmann::json::parse(listed.out).at("rows").size();
}

void check_verified(const std::string& data) {
  const ProcessResult verified = paystream(data, {"replay", "--verify"});
  INFO(verified.out << verified.err);
  CHECK(verified.exit_code == 0);
  CHECK(verified.out.find("hash chain: intact") != std::string::npos);
}

}  // namespace

TEST_CASE(
    "below the free-space reserve writes are refused with exit 1, queries work, writes resume with space",
    "[e2e][storage]") {
  TmpfsMount disk(tmpfs_bytes);
  if (!disk.mounted()) PAYSTREAM_SKIP(disk.failure());
  const std::string data = disk.file("ledger");
  REQUIRE(paystream(data, {"account", "open", "C-1", "--name", "Alice", "--type", "direct",
                           "--min-free-bytes", reserve})
              .exit_code == 0);
  for (int i = 0; i < 5; ++i) {
    const std::string command_id = "pay-" + std::to_string(i);
    REQUIRE(paystream(data, {"pay", "C-1", "1", "--min-free-bytes", reserve, "--command-id", command_id})
                .exit_code == 0);
  }

  REQUIRE(disk.fill("filler", 1 << 20));  // 1 MiB left: room to write, but below the reserve
  const ProcessResult refused = paystream(data, {"pay", "C-1", "1", "--min-free-bytes", reserve});
  INFO(refused.err);
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("[storage_full]") != std::string::npos);
  CHECK(refused.err.find("bytes free, below the reserve of " + reserve) != std::string::npos);
  TemporaryDirectory input;
  {
    std::ofstream lines(input.file("pay.jsonl"));
    lines << R"({"type":"pay","account":"C-1","amount":"1","command_id":"apply-1"})" << '\n'
          << R"({"type":"pay","account":"C-1","amount":"1","command_id":"apply-2"})" << '\n';
  }
  const ProcessResult applied =
      paystream(data, {"apply", "--file", input.file("pay.jsonl"), "--min-free-bytes", reserve});
  INFO(applied.out << applied.err);
  CHECK(applied.exit_code == 1);
  CHECK(applied.out.find("storage_full") != std::string::npos);
  CHECK(applied.err.find("stopped: the file system of the data directory has") != std::string::npos);
  // A retry of an applied command writes nothing: it still gets its first outcome.
  CHECK(
      paystream(data, {"pay", "C-1", "1", "--min-free-bytes", reserve, "--command-id", "pay-4"}).exit_code ==
      0);
  CHECK(balance_of(data, "C-1") == "5.00");
  CHECK(records_of(data, "C-1") == 5);
  check_verified(data);

  // Not a byte left: a writable open fails until the space reserve file (1 MiB, a quarter of the
  // reserve) is removed; then the ledger is open for writing, below its reserve.
  CHECK(std::filesystem::file_size(data + "/space-reserve") == (1 << 20));
  REQUIRE(disk.fill_before_open("filler", data));
  const ProcessResult full = paystream(data, {"pay", "C-1", "1", "--min-free-bytes", reserve});
  INFO(full.err);
  CHECK(full.exit_code == 1);
  CHECK(full.err.find("removed its space reserve file 'space-reserve'") != std::string::npos);
  CHECK(full.err.find("[storage_full]") != std::string::npos);
  CHECK(full.err.find("bytes free, below the reserve of " + reserve) != std::string::npos);
  CHECK(!std::filesystem::exists(data + "/space-reserve"));
  CHECK(balance_of(data, "C-1") == "5.00");
  CHECK(records_of(data, "C-1") == 5);
  check_verified(data);

  // Space back: writes are taken, and the space reserve file is made again.
  std::filesystem::remove(disk.file("filler"));
  const ProcessResult resumed = paystream(data, {"pay", "C-1", "1", "--min-free-bytes", reserve});
  INFO(resumed.err);
  CHECK(resumed.exit_code == 0);
  CHECK(balance_of(data, "C-1") == "6.00");
  CHECK(records_of(data, "C-1") == 6);
  CHECK(std::filesystem::file_size(data + "/space-reserve") == (1 << 20));
  check_verified(data);
}

TEST_CASE(
    "without its space reserve file a data directory on a full disk is opened read-only, and written "
    "again with space",
    "[e2e][storage]") {
  TmpfsMount disk(tmpfs_bytes);
  if (!disk.mounted()) PAYSTREAM_SKIP(disk.failure());
  const std::string data = disk.file("ledger");
  REQUIRE(paystream(data, {"account", "open", "C-1", "--name", "Alice", "--type", "direct",
                           "--min-free-bytes", reserve})
              .exit_code == 0);
  REQUIRE(paystream(data, {"pay", "C-1", "5", "--min-free-bytes", reserve}).exit_code == 0);
  REQUIRE(std::filesystem::remove(data + "/space-reserve"));  // as if removed by hand

  REQUIRE(disk.fill_before_open("filler", data));
  const ProcessResult full = paystream(data, {"pay", "C-1", "1", "--min-free-bytes", reserve});
  INFO(full.err);
  CHECK(full.exit_code == 1);
  CHECK(full.err.find("[storage_full]") != std::string::npos);
  CHECK(full.err.find("opened it read-only") != std::string::npos);
  CHECK(balance_of(data, "C-1") == "5.00");
  CHECK(records_of(data, "C-1") == 1);
  check_verified(data);
  CHECK(!std::filesystem::exists(data + "/space-reserve"));  // a read-only open makes none

  std::filesystem::remove(disk.file("filler"));
  const ProcessResult resumed = paystream(data, {"pay", "C-1", "1", "--min-free-bytes", reserve});
  INFO(resumed.err);
  CHECK(resumed.exit_code == 0);
  CHECK(balance_of(data, "C-1") == "6.00");
  CHECK(std::filesystem::file_size(data + "/space-reserve") == (1 << 20));
  check_verified(data);
}

TEST_CASE("a read-only data directory is queried and verified, and a write command says it is read-only",
          "[e2e][storage]") {
  TmpfsMount disk(tmpfs_bytes);
  if (!disk.mounted()) PAYSTREAM_SKIP(disk.failure());
  const std::string data = disk.file("ledger");
  REQUIRE(paystream(data, {"account", "open", "C-1", "--name", "Alice", "--type", "direct",
                           "--min-free-bytes", reserve})
              .exit_code == 0);
  REQUIRE(paystream(data, {"pay", "C-1", "12.50", "--min-free-bytes", reserve}).exit_code == 0);
  REQUIRE(disk.remount_read_only());

  CHECK(balance_of(data, "C-1") == "12.50");
  CHECK(records_of(data, "C-1") == 1);
  const ProcessResult shown = paystream(data, {"account", "show", "C-1"});
  INFO(shown.err);
  CHECK(shown.exit_code == 0);
  CHECK(shown.out.find("12.50") != std::string::npos);
  check_verified(data);

  const ProcessResult refused = paystream(data, {"pay", "C-1", "1"});
  INFO(refused.err);
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("is read-only") != std::string::npos);
  CHECK(balance_of(data, "C-1") == "12.50");
}

}  // namespace paystream::e2e
