// paystream report: the four reports of an embedded data directory in table, json and csv, its
// errors, the same rows over --server, and a data directory of an older projection layout (without
// period_totals and account_history) rebuilt from its log when opened.
#include <rocksdb/db.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "events/money.h"
#include "events/time.h"
#include "tests/support/run_process.h"
#include "tests/support/server_process.h"

namespace paystream::e2e {
namespace {

using nlohmann::json;

Timestamp now() {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return Timestamp{std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count()};
}

// Today's date (UTC) moved by `days`. The periods asked run from yesterday to tomorrow, so that a
// run across midnight still sees all it wrote.
std::string day_from_today(int32_t days) { return format_date(add_days(date_of(now()), days)); }

int64_t micros_of(const json& cell) {
  const Result<Money> money = Money::parse(cell.get<std::string>());
  INFO(cell.dump());
  REQUIRE(money);
  return money->micros();
}

ProcessResult succeeded(const ProcessResult& result) {
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  return result;
}

json rows_of(const ProcessResult& result) { return json::parse(succeeded(result).out).at("rows"); }

// Two agents' worth of accounts, each moved: written by `run` (locally, or over --server).
template <class Run>
void fill(const Run& run) {
  succeeded(run({"account", "open", "AG-1", "--name", "North", "--type", "agent", "--balance", "10"}));
  succeeded(run({"account", "open", "S-1", "--name", "Sub, One", "--type", "direct", "--parent", "AG-1",
                 "--balance", "20"}));
  succeeded(run({"account", "open", "V-1", "--name", "Clearing", "--type", "clearing", "--balance", "5"}));
  succeeded(run({"pay", "S-1", "2.50"}));
  succeeded(run({"adjust", "V-1", "-1"}));
  succeeded(run({"credit", "S-1", "5"}));
  succeeded(run({"pay", "AG-1", "0.000001"}));
}

// A column summed over the rows of one account type (a run across midnight or a month's end may
// split a type's movement over two rows).
int64_t sum_of(const json& rows, const std::string& type, const char* column) {
  int64_t sum = 0;
  for (const json& row : rows) {
    if (row.at("account_type") == type) sum += micros_of(row.at(column));
  }
  return sum;
}

int64_t micros(const char* text) {
  const Result<Money> money = Money::parse(text);
  REQUIRE(money);
  return money->micros();
}

// The arguments of each report that covers the whole test.
std::vector<std::vector<std::string>> every_report() {
  const std::string from = day_from_today(-1), to = day_from_today(1);
  return {{"report", "account-balance"},
          {"report", "clearing-balance", "--from", from},
          {"report", "agent-income", "--from", from, "--to", to},
          {"report", "settlement", "--from", from, "--to", to},
          {"report", "settlement", "--from", from, "--to", to, "--by", "day"}};
}

std::vector<std::string> with(std::vector<std::string> arguments, const std::vector<std::string>& more) {
  arguments.insert(arguments.end(), more.begin(), more.end());
  return arguments;
}

// The column families of the RocksDB database in `dir`.
std::vector<std::string> families_of(const std::string& dir) {
  std::vector<std::string> names;
  REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok());
  std::sort(names.begin(), names.end());
  return names;
}

bool holds(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// As a build before reports left the directory: without these column families, and without the
// record of the projections' layout that builds since keep in the default family (an older build
// wrote none).
void make_older_layout(const std::string& dir, const std::vector<std::string>& dropped) {
  const std::vector<std::string> names = families_of(dir);
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const std::string& name : names) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), dir, families, &handles, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  for (size_t i = 0; i < names.size(); ++i) {
    if (holds(dropped, names[i])) CHECK(db->DropColumnFamily(handles[i]).ok());
    if (names[i] == rocksdb::kDefaultColumnFamilyName) {
      CHECK(db->Delete(rocksdb::WriteOptions(), handles[i], "observer_families").ok());
    }
  }
  for (rocksdb::ColumnFamilyHandle* handle : handles) CHECK(db->DestroyColumnFamilyHandle(handle).ok());
  CHECK(db->Close().ok());
}

}  // namespace

TEST_CASE("report: the four reports of a data directory in table, json and csv", "[e2e][cli][report]") {
  TemporaryDirectory dir;
  fill([&](const std::vector<std::string>& arguments) { return paystream(dir.path(), arguments); });
  const std::string from = day_from_today(-1), to = day_from_today(1);

  // Settlement: what each type's accounts were paid, and its balance; every row checks out.
  const json settlement = rows_of(
      paystream(dir.path(), {"report", "settlement", "--from", from, "--to", to, "--format", "json"}));
  for (const json& row : settlement) {
    INFO(row.dump());
    CHECK(row.at("check") == "ok");
    CHECK(micros_of(row.at("opening_balance")) + micros_of(row.at("net_movement")) +
              micros_of(row.at("transferred")) ==
          micros_of(row.at("closing_balance")));
  }
  CHECK(sum_of(settlement, "direct", "payments") == micros("22.50"));
  CHECK(sum_of(settlement, "direct", "net_movement") == micros("22.50"));
  CHECK(sum_of(settlement, "agent", "payments") == micros("10.000001"));
  CHECK(sum_of(settlement, "clearing", "payments") == micros("5"));
  CHECK(sum_of(settlement, "clearing", "adjustments") == micros("-1"));
  CHECK(sum_of(settlement, "clearing", "net_movement") == micros("4"));

  const ProcessResult table =
      succeeded(paystream(dir.path(), {"report", "settlement", "--from", from, "--to", to}));
  const std::vector<std::string> lines = lines_of(table.out);
  REQUIRE(lines.size() == settlement.size() + 2);  // titles, a rule, the rows
  CHECK(lines[0].rfind("Period From  Period To   Account Type  Opening Balance", 0) == 0);
  CHECK(lines[1].rfind("-----------  ----------", 0) == 0);
  for (size_t i = 2; i < lines.size(); ++i) {
    CHECK(lines[i].rfind(settlement[i - 2].at("period_from").get<std::string>(), 0) == 0);
    CHECK(lines[i].substr(lines[i].size() - 2) == "ok");
  }

  const ProcessResult csv = succeeded(
      paystream(dir.path(), {"report", "settlement", "--from", from, "--to", to, "--format", "csv"}));
  const std::vector<std::string> records = lines_of(csv.out);
  REQUIRE(records.size() == settlement.size() + 1);
  CHECK(records[0] ==
        "Period From,Period To,Account Type,Opening Balance,Payments,Payment Count,Phone Cards,Phone Card "
        "Count,Credit Count,Make Zero,Adjustments,Reversals,Minimum Charges,Consumption,Call Count,Net "
        "Movement,Transferred,Closing Balance,Check");
  for (size_t i = 1; i < records.size(); ++i) CHECK(records[i].substr(records[i].size() - 3) == ",ok");

  // Agent income: the sub-account's payments (its initial balance among them) and the agent's own.
  const ProcessResult income = succeeded(
      paystream(dir.path(), {"report", "agent-income", "--from", from, "--to", to, "--format", "csv"}));
  CHECK(lines_of(income.out) ==
        std::vector<std::string>{
            "Agent ID,Agent Name,Sub-account Payments,Sub-account Payment Count,Sub-account Phone Cards,"
            "Sub-account Phone Card Count,Sub-account Consumption,Sub-account Call Count,Sub-account Minimum "
            "Charges,Sub-account Minimum Count,Sub-account Net Movement,Own Payments,Own Payment Count,Own "
            "Net Movement",
            "AG-1,North,22.50,2,0.00,0,0.00,0,0.00,0,22.50,10.000001,2,10.000001"});
  const json one_agent = rows_of(paystream(dir.path(), {"report", "agent-income", "--from", from, "--to", to,
                                                        "--agent", "AG-1", "--format", "json"}));
  REQUIRE(one_agent.size() == 1);
  CHECK(one_agent[0].at("sub_account_payment_count") == "2");

  // Clearing balance: V-1 from its opening to now.
  const json clearing =
      rows_of(paystream(dir.path(), {"report", "clearing-balance", "--from", from, "--format", "json"}));
  REQUIRE(clearing.size() == 1);
  CHECK(clearing[0].at("account_id") == "V-1");
  CHECK(clearing[0].at("opening_balance") == "0.00");
  CHECK(clearing[0].at("closing_balance") == "4.00");
  CHECK(clearing[0].at("check") == "ok");
  CHECK(lines_of(succeeded(paystream(dir.path(), {"report", "clearing-balance"})).out).size() == 3);

  // Account balance: the rows of balances, now and as of a moment.
  const json balances = rows_of(paystream(dir.path(), {"balances", "--format", "json"}));
  CHECK(rows_of(paystream(dir.path(), {"report", "account-balance", "--format", "json"})) == balances);
  CHECK(rows_of(paystream(dir.path(), {"report", "account-balance", "--as-of", format_timestamp(now()),
                                       "--format", "json"})) == balances);
  CHECK(rows_of(paystream(dir.path(),
                          {"report", "account-balance", "--as-of", day_from_today(-1), "--format", "json"}))
            .empty());
  const json tree = rows_of(paystream(
      dir.path(), {"report", "account-balance", "--agent", "AG-1", "--type", "direct", "--format", "json"}));
  REQUIRE(tree.size() == 1);
  CHECK(tree[0].at("account_name") == "Sub, One");
  CHECK(tree[0].at("current_balance") == "22.50");
  const ProcessResult balances_csv =
      succeeded(paystream(dir.path(), {"report", "account-balance", "--format", "csv"}));
  CHECK(lines_of(balances_csv.out).at(2).rfind("S-1,\"Sub, One\",direct,22.50,", 0) == 0);

  // XLSX to a file, as the other queries.
  const std::string xlsx = dir.file("settlement.xlsx");
  const ProcessResult written =
      succeeded(paystream(dir.path(), {"report", "settlement", "--from", from, "--to", to, "--format", "xlsx",
                                       "--output", xlsx}));
  CHECK(written.out.empty());
  CHECK(read_file(xlsx).rfind("PK", 0) == 0);
}

TEST_CASE("report: a wrong option or name is a usage error (exit 2) in the CLI's words",
          "[e2e][cli][report]") {
  TemporaryDirectory dir;
  fill([&](const std::vector<std::string>& arguments) { return paystream(dir.path(), arguments); });
  const auto check_error = [&](const std::vector<std::string>& arguments, int exit_code,
                               const std::string& err) {
    const ProcessResult result = paystream(dir.path(), arguments);
    INFO(result.out << result.err);
    CHECK(result.exit_code == exit_code);
    CHECK(result.out.empty());
    CHECK(result.err == err);
  };
  check_error({"report", "agent-income", "--from", "2026-01-01", "--to", "2026-01-31", "--by", "day"}, 2,
              "paystream: report agent-income takes no --by [invalid_argument]\n");
  check_error({"report", "settlement", "--from", "2026-02-01", "--to", "2026-01-31"}, 2,
              "paystream: empty range: --from 2026-02-01 is after --to 2026-01-31 (--to is included) "
              "[invalid_argument]\n");
  check_error({"report", "settlement", "--from", "2026-01-01", "--to", "2026-01-31", "--by", "week"}, 2,
              "paystream: --by: invalid value 'week': expected day or month [invalid_argument]\n");
  check_error({"report", "settlement", "--to", "2026-01-31"}, 2,
              "paystream: report settlement needs --from YYYY-MM-DD [invalid_argument]\n");
  check_error({"report", "balance-sheet"}, 2,
              "paystream: unknown report 'balance-sheet': expected account-balance, clearing-balance, "
              "agent-income, settlement [invalid_argument]\n");
  const ProcessResult bad_date = paystream(dir.path(), {"report", "account-balance", "--as-of", "yesterday"});
  CHECK(bad_date.exit_code == 2);
  CHECK(bad_date.err.rfind("paystream: --as-of: invalid value 'yesterday'", 0) == 0);
  const ProcessResult not_agent = paystream(
      dir.path(), {"report", "agent-income", "--from", "2026-01-01", "--to", "2026-01-31", "--agent", "S-1"});
  CHECK(not_agent.exit_code == 2);
  CHECK(not_agent.err == "paystream: account 'S-1' is a direct account, not an agent [invalid_argument]\n");
  const ProcessResult unknown = paystream(dir.path(), {"report", "agent-income", "--from", "2026-01-01",
                                                       "--to", "2026-01-31", "--agent", "NOPE"});
  CHECK(unknown.exit_code == 3);
  CHECK(unknown.err == "paystream: account 'NOPE' does not exist [account_not_found]\n");
}

TEST_CASE("report over --server prints the rows the local CLI prints on the server's data",
          "[e2e][cli][report][server]") {
  http_test::TempDir data;
  auto server = std::make_unique<http_test::ServerProcess>(data.path());
  const std::string url = "http://127.0.0.1:" + std::to_string(server->port());
  const std::string token = server->admin_token();
  const auto remote = [&](const std::vector<std::string>& arguments, const std::string& as) {
    return run_process(with(with({PAYSTREAM_BINARY}, arguments), {"--server", url, "--token", as}));
  };
  fill([&](const std::vector<std::string>& arguments) { return remote(arguments, token); });
  const json added = json::parse(
      succeeded(remote({"operator", "add", "north", "--role", "agent", "--agent", "AG-1", "--format", "json"},
                       token))
          .out);
  const std::string agent_token = added.at("rows").at(0).at("token").get<std::string>();

  std::vector<std::vector<std::string>> runs;
  for (const std::vector<std::string>& report : every_report()) {
    for (const std::string format : {"table", "json", "csv"})
      runs.push_back(with(report, {"--format", format}));
  }
  std::vector<ProcessResult> remote_runs;
  for (const std::vector<std::string>& run : runs) remote_runs.push_back(remote(run, token));
  // An agent operator: its tree only, and no settlement.
  const ProcessResult agent_balances = remote({"report", "account-balance", "--format", "csv"}, agent_token);
  const ProcessResult agent_settlement = remote(every_report()[3], agent_token);
  const int stopped = server->stop();
  INFO(server->stderr_text());
  REQUIRE(stopped == 0);

  for (size_t i = 0; i < runs.size(); ++i) {
    const ProcessResult local = paystream(data.path(), runs[i]);
    INFO("paystream " << runs[i][1] << " " << runs[i].back() << "\nremote stderr: " << remote_runs[i].err
                      << "\nlocal stderr: " << local.err);
    CHECK(remote_runs[i].exit_code == 0);
    CHECK(local.exit_code == 0);
    CHECK(!local.out.empty());
    CHECK(remote_runs[i].out == local.out);
  }
  INFO(agent_balances.err);
  CHECK(agent_balances.exit_code == 0);
  const std::vector<std::string> tree = lines_of(agent_balances.out);
  REQUIRE(tree.size() == 3);
  CHECK(tree[1].rfind("AG-1,", 0) == 0);
  CHECK(tree[2].rfind("S-1,", 0) == 0);
  INFO(agent_settlement.err);
  CHECK(agent_settlement.exit_code == 3);
  CHECK(agent_settlement.out.empty());
  CHECK(agent_settlement.err.find("the settlement report sums every account") != std::string::npos);
  CHECK(agent_settlement.err.find("[forbidden]") != std::string::npos);
  // A wrong option is told before any connection: the same words with the server gone.
  const ProcessResult checked_first =
      remote({"report", "agent-income", "--from", "2026-01-01", "--to", "2026-01-31", "--by", "day"}, token);
  CHECK(checked_first.exit_code == 2);
  CHECK(checked_first.err == "paystream: report agent-income takes no --by [invalid_argument]\n");
}

TEST_CASE("report: a data directory of an older layout is rebuilt from its log when opened",
          "[e2e][report][storage]") {
  TemporaryDirectory dir;
  fill([&](const std::vector<std::string>& arguments) { return paystream(dir.path(), arguments); });
  const std::vector<std::string> settlement_json = with(every_report()[3], {"--format", "json"});
  const json settlement = rows_of(paystream(dir.path(), settlement_json));
  const json balances = rows_of(paystream(dir.path(), {"balances", "--format", "json"}));
  const std::string moment = format_timestamp(now());

  // As a build before reports wrote it: neither the per-day totals nor the balance history.
  REQUIRE(holds(families_of(dir.path()), "period_totals"));
  REQUIRE(holds(families_of(dir.path()), "account_history"));
  make_older_layout(dir.path(), {"period_totals", "account_history"});
  REQUIRE(!holds(families_of(dir.path()), "period_totals"));
  REQUIRE(!holds(families_of(dir.path()), "account_history"));

  // The first open rebuilds every projection from the log: the report shows what was paid.
  const json rebuilt = rows_of(paystream(dir.path(), settlement_json));
  CHECK(rebuilt == settlement);
  CHECK(sum_of(rebuilt, "direct", "payments") == micros("22.50"));
  CHECK(holds(families_of(dir.path()), "period_totals"));
  CHECK(holds(families_of(dir.path()), "account_history"));
  // The balance history is back too: as of a moment before the rebuild, the balances of then.
  CHECK(rows_of(paystream(dir.path(),
                          {"report", "account-balance", "--as-of", moment, "--format", "json"})) == balances);
  CHECK(rows_of(paystream(dir.path(), {"balances", "--format", "json"})) == balances);

  const ProcessResult verified = paystream(dir.path(), {"replay", "--verify"});
  INFO(verified.out << verified.err);
  CHECK(verified.exit_code == 0);
  CHECK(verified.out.find("hash chain: intact") != std::string::npos);
  CHECK(verified.out.find("column families match their rebuild from the log") != std::string::npos);

  // And it goes on from there: a payment after the rebuild is counted once.
  succeeded(paystream(dir.path(), {"pay", "S-1", "1"}));
  CHECK(sum_of(rows_of(paystream(dir.path(), settlement_json)), "direct", "payments") == micros("23.50"));
  CHECK(paystream(dir.path(), {"replay", "--verify"}).exit_code == 0);
}

}  // namespace paystream::e2e
