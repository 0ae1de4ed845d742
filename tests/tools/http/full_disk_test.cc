// `paystream serve` on a small tmpfs that fills up: writes are refused with 507 storage_full, the
// queries keep working, and writes resume without a restart once space is freed, with nothing
// acknowledged lost. Mounting needs root: without it these tests are skipped and say so.
#include <fmt/format.h>
#include <sys/stat.h>

#include <filesystem>

#include "tests/support/tmpfs_mount.h"
#include "tests/tools/http/api_test_support.h"

namespace paystream::http_test {
namespace {

using e2e::TmpfsMount;

constexpr uint64_t tmpfs_bytes = 16 << 20;

size_t count_of(const std::string& text, const std::string& part) {
  size_t count = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

json pay(const std::string& id, const std::string& amount) {
  return {{"type", "pay"}, {"account", "C-1"}, {"amount", amount}, {"command_id", id}};
}

// The bytes allocated to a file (not its length), 0 when it is not there.
uint64_t allocated_bytes(const std::string& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) return 0;
  return static_cast<uint64_t>(status.st_blocks) * 512;
}

}  // namespace

TEST_CASE("serve below its free-space reserve answers 507, serves queries, and takes writes again with space",
          "[http][storage]") {
  TmpfsMount disk(tmpfs_bytes);
  if (!disk.mounted()) PAYSTREAM_SKIP(disk.failure());
  ServerProcess server(disk.file("ledger"), {"--min-free-bytes", "4194304"});
  const std::unique_ptr<httplib::Client> admin = server.client(server.admin_token());
  open_account(*admin, {{"account", "C-1"}, {"name", "Alice"}});
  REQUIRE(post(*admin, "/v1/accounts/C-1/payments", {{"amount", "10"}, {"command_id", "first"}})->status ==
          201);

  REQUIRE(disk.fill("filler", 1 << 20));  // 1 MiB left: below the 4 MiB reserve
  for (int i = 0; i < 3; ++i) {
    const httplib::Result refused = post(*admin, "/v1/accounts/C-1/payments", {{"amount", "1"}});
    CHECK(refusal_of(refused) == std::pair{507, std::string("storage_full")});
    CHECK(json_of(refused).at("error").at("message").get<std::string>().find(
              "below the reserve of 4194304") != std::string::npos);
  }
  // A retry of an applied command needs no space; queries need none either.
  CHECK(post(*admin, "/v1/accounts/C-1/payments", {{"amount", "10"}, {"command_id", "first"}})->status ==
        200);
  CHECK(balance_of(*admin, "C-1") == "10.00");
  CHECK(json_of(admin->Get("/v1/payment-records?account=C-1")).at("rows").size() == 1);
  // Logged once for the three refusals, not once per request.
  CHECK(count_of(server.stderr_text(), "write commands are refused until space is freed") == 1);

  std::filesystem::remove(disk.file("filler"));
  CHECK(post(*admin, "/v1/accounts/C-1/payments", {{"amount", "1"}})->status == 201);
  CHECK(balance_of(*admin, "C-1") == "11.00");
  CHECK(count_of(server.stderr_text(), "write commands are accepted again") == 1);
  INFO(server.stderr_text());
  CHECK(server.stop() == 0);
}

TEST_CASE("serve on a disk filled to its last bytes refuses writes, survives, and resumes without a restart",
          "[http][storage]") {
  TmpfsMount disk(tmpfs_bytes);
  if (!disk.mounted()) PAYSTREAM_SKIP(disk.failure());
  const std::string data = disk.file("ledger");
  auto server = std::make_unique<ServerProcess>(data, std::vector<std::string>{"--min-free-bytes", "0"});
  const std::string token = server->admin_token();
  std::unique_ptr<httplib::Client> admin = server->client(token);
  open_account(*admin, {{"account", "C-1"}, {"name", "Alice"}});

  // No reserve: payments go on until the file system itself has no room for the next group.
  REQUIRE(disk.fill("filler", 1 << 20));
  std::vector<std::string> refused_ids;
  int acknowledged = 0, sent = 0;
  for (int batch = 0; batch < 200 && refused_ids.empty(); ++batch) {
    json commands = json::array();
    for (int i = 0; i < 100; ++i) commands.push_back(pay(fmt::format("p-{}", sent++), "1"));
    const httplib::Result result = post(*admin, "/v1/commands", {{"commands", commands}});
    REQUIRE(result);
    const json outcomes = json::parse(result->body).at("outcomes");
    for (const json& outcome : outcomes) {
      if (outcome.at("ok") == true) {
        ++acknowledged;
        continue;
      }
      INFO(outcome.dump());
      CHECK(outcome.at("error").at("code") == "storage_full");
      refused_ids.push_back(outcome.at("command_id").get<std::string>());
    }
  }
  REQUIRE(!refused_ids.empty());
  CHECK(disk.free_bytes() < (1 << 20));
  // Still serving: what was acknowledged is there, and no more than what was sent.
  CHECK(balance_of(*admin, "C-1") == fmt::format("{}.00", acknowledged));
  // A single payment's write is smaller than the refused group's and may still fit: single
  // payments go on until one is refused as well (each one acknowledged is kept).
  int single_payments = 0;
  std::pair<int, std::string> refusal;
  for (int i = 0; i < 1000; ++i) {
    const httplib::Result single = post(*admin, "/v1/accounts/C-1/payments", {{"amount", "1"}});
    REQUIRE(single);
    if (single->status == 201) {
      ++single_payments;
      continue;
    }
    refusal = refusal_of(single);
    break;
  }
  CHECK(refusal == std::pair{507, std::string("storage_full")});

  // Space back: writes resume in the same process. Retries of the refused command IDs apply each
  // of them once.
  std::filesystem::remove(disk.file("filler"));
  json retries = json::array();
  for (const std::string& id : refused_ids) retries.push_back(pay(id, "1"));
  const json retried = json_of(post(*admin, "/v1/commands", {{"commands", retries}})).at("outcomes");
  for (const json& outcome : retried) {
    INFO(outcome.dump());
    CHECK(outcome.at("ok") == true);
  }
  CHECK(balance_of(*admin, "C-1") == fmt::format("{}.00", sent + single_payments));
  CHECK(server->stderr_text().find("writing resumed after a full disk") != std::string::npos);
  INFO(server->stderr_text());
  CHECK(server->stop() == 0);

  // Nothing acknowledged was lost, and the log explains every row.
  server = std::make_unique<ServerProcess>(data, std::vector<std::string>{"--min-free-bytes", "0"});
  admin = server->client(token);
  CHECK(balance_of(*admin, "C-1") == fmt::format("{}.00", sent + single_payments));
  CHECK(server->stop() == 0);
  const auto [verified, out] = run_paystream({"replay", "--verify", "--data", data});
  INFO(out);
  CHECK(verified == 0);
}

TEST_CASE(
    "serve started on a disk full to its last byte frees its space reserve file, refuses writes "
    "with 507, and takes them again without a restart",
    "[http][storage]") {
  TmpfsMount disk(tmpfs_bytes);
  if (!disk.mounted()) PAYSTREAM_SKIP(disk.failure());
  const std::string data = disk.file("ledger");
  const std::string ballast = data + "/space-reserve";
  const std::vector<std::string> reserve = {"--min-free-bytes", "4194304"};  // ballast: 1 MiB, a quarter
  auto server = std::make_unique<ServerProcess>(data, reserve);
  const std::string token = server->admin_token();
  std::unique_ptr<httplib::Client> admin = server->client(token);
  open_account(*admin, {{"account", "C-1"}, {"name", "Alice"}});
  for (int i = 0; i < 5; ++i) {
    const json payment = {{"amount", "1"}, {"command_id", fmt::format("p-{}", i)}};
    REQUIRE(post(*admin, "/v1/accounts/C-1/payments", payment)->status == 201);
  }
  CHECK(server->stop() == 0);
  CHECK(allocated_bytes(ballast) >= (1 << 20));

  // Not a byte left: a writable open of RocksDB fails until the space reserve file is removed.
  REQUIRE(disk.fill_before_open("filler", data));
  REQUIRE(disk.free_bytes() < 4096);
  server = std::make_unique<ServerProcess>(data, reserve);
  admin = server->client(token);
  INFO(server->stderr_text());
  CHECK(server->stderr_text().find("removed its space reserve file") != std::string::npos);
  CHECK(!std::filesystem::exists(ballast));
  const json late = {{"amount", "1"}, {"command_id", "late"}};
  const httplib::Result refused = post(*admin, "/v1/accounts/C-1/payments", late);
  CHECK(refusal_of(refused) == std::pair{507, std::string("storage_full")});
  CHECK(json_of(refused).at("error").at("message").get<std::string>().find("below the reserve of 4194304") !=
        std::string::npos);
  CHECK(balance_of(*admin, "C-1") == "5.00");
  CHECK(json_of(admin->Get("/v1/payment-records?account=C-1")).at("rows").size() == 5);

  // Space back: the same process takes writes, and keeps its space reserve file again.
  std::filesystem::remove(disk.file("filler"));
  CHECK(post(*admin, "/v1/accounts/C-1/payments", late)->status == 201);
  CHECK(balance_of(*admin, "C-1") == "6.00");
  CHECK(allocated_bytes(ballast) >= (1 << 20));
  CHECK(server->stop() == 0);

  // Nothing acknowledged was lost.
  server = std::make_unique<ServerProcess>(data, reserve);
  admin = server->client(token);
  CHECK(balance_of(*admin, "C-1") == "6.00");
  CHECK(json_of(admin->Get("/v1/payment-records?account=C-1")).at("rows").size() == 6);
  CHECK(server->stop() == 0);
  const auto [verified, out] = run_paystream({"replay", "--verify", "--data", data});
  INFO(out);
  CHECK(verified == 0);
}

}  // namespace paystream::http_test
