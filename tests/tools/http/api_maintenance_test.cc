// POST /v1/maintenance/records-cleanup (docs/api.md "Maintenance") on a server started with
// --records-export-dir, and what GET /v1/payment-records says afterwards. A cleanup takes no record
// of the last 24 hours, so each test fills its data directory first, in this process, with the
// embedded runtime and a clock set back (as tests/tools/runtime/retention_test.cc does), closes it,
// then starts the real server on it. The export is read back and hashed here (OpenSSL); its records
// are compared with what the test made. Embedded mode only: in Kafka mode the log is the broker's
// and its events are stamped by the engine's own clock, so records days old cannot be made there
// (the tags keep these cases out of the http-kafka/ run).
#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/domain/clock.h"
#include "events/money.h"
#include "events/time.h"
#include "tests/support/movable_clock.h"
#include "tests/support/tmpfs_mount.h"  // PAYSTREAM_SKIP
#include "tests/tools/http/api_test_support.h"
#include "tools/runtime/runtime.h"

namespace paystream::http_test {
namespace {

namespace fs = std::filesystem;
using Refusal = std::pair<int, std::string>;

const Refusal forbidden{403, "forbidden"};
const Refusal invalid_argument{400, "invalid_argument"};
const Refusal invalid_date{400, "invalid_date"};
const Refusal nothing_to_change{422, "nothing_to_change"};

// Today (UTC) moved by `days`.
Date day(int32_t days) { return add_days(date_of(now()), days); }

Timestamp at(int32_t days, const std::string& time_of_day) {
  return parse_timestamp(format_date(day(days)) + "T" + time_of_day + "Z").value();
}

int64_t units(int64_t value) { return value * 1'000'000; }

// A payment record as the test made it.
struct Made {
  std::string account;
  std::string type;
  int64_t micros = 0;
  bool operator==(const Made&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Made& made) {
  return out << made.account << ' ' << made.type << ' ' << made.micros;
}

// Records made ten and eight days ago (the two opening balances, a payment, an adjustment, a
// reversal, a make-zero), five days ago, and three days ago.
struct History {
  Date cutoff = day(-7);         // the first cleanup's date
  Date second_cutoff = day(-4);  // a later one's
  std::vector<Made> before;      // before the cutoff
  std::vector<Made> between;     // from the cutoff to the second one
  std::vector<Made> after;       // from the second cutoff on

  std::vector<Made> all() const {
    std::vector<Made> records = before;
    records.insert(records.end(), between.begin(), between.end());
    records.insert(records.end(), after.begin(), after.end());
    return records;
  }
};

History make_history(const std::string& data_dir) {
  History history;
  MovableClock clock;
  clock.set(at(-10, "09:00:00"));
  LedgerOptions options;
  options.data_dir = data_dir;
  options.clock = &clock;
  Result<std::unique_ptr<Runtime>> runtime = open_runtime(options);
  INFO((runtime ? std::string() : runtime.error().message));
  REQUIRE(runtime.ok());
  Ledger& ledger = *(*runtime)->ledger;
  const auto submit = [&ledger](CommandBody body) {
    const Result<Outcome> outcome = ledger.submit(Command{generate_command_id(), "admin", std::move(body)});
    INFO((outcome ? std::string() : outcome.error().message));
    REQUIRE(outcome.ok());
    return *outcome;
  };
  const auto money = [](int64_t value) { return Money::from_micros(units(value)); };
  for (const char* id : {"A", "B"}) {
    OpenAccount open{.account_id = id, .settings = {}, .overdraft = {}, .initial_balance = money(100)};
    open.settings.name = std::string("Account ") + id;
    submit(open);
    history.before.push_back({id, "payment", units(100)});
  }
  const Outcome paid = submit(Pay{.account_id = "A", .amount = money(5), .memo = {}, .method = {}});
  history.before.push_back({"A", "payment", units(5)});
  submit(Adjust{.account_id = "B", .amount = money(-3), .memo = "fee, \"late\""});
  history.before.push_back({"B", "adjustment", units(-3)});
  clock.set(at(-8, "23:59:59"));
  submit(Reverse{.record = paid.events.front().position, .memo = "wrong account"});
  history.before.push_back({"A", "reversal", units(-5)});
  submit(MakeZero{.account_id = "B", .memo = {}});
  history.before.push_back({"B", "make_zero", units(-97)});
  clock.set(at(-5, "10:00:00"));
  submit(Pay{.account_id = "A", .amount = money(2), .memo = {}, .method = {}});
  history.between.push_back({"A", "payment", units(2)});
  clock.set(at(-3, "12:00:00"));
  submit(Pay{.account_id = "B", .amount = money(4), .memo = {}, .method = {}});
  history.after.push_back({"B", "payment", units(4)});
  submit(Adjust{.account_id = "A", .amount = money(1), .memo = "bonus"});
  history.after.push_back({"A", "adjustment", units(1)});
  REQUIRE((*runtime)->ledger->close().ok());
  return history;
}

// A data directory with the history in it, a folder for exports, and the server on them.
struct Served {
  explicit Served(bool with_export_dir = true) {
    history = make_history(data.file("ledger"));
    fs::create_directory(exports());
    std::vector<std::string> extra;
    if (with_export_dir) extra = {"--records-export-dir", exports()};
    server = std::make_unique<ServerProcess>(data.file("ledger"), extra);
    REQUIRE(!server->admin_token().empty());  // the first serve adds the admin
    admin = server->client(server->admin_token());
  }
  ~Served() {
    const int code = server->stop();
    INFO(server->stderr_text());
    CHECK(code == 0);
  }
  Served(const Served&) = delete;
  Served& operator=(const Served&) = delete;
  std::string exports() const { return data.file("exports"); }

  TempDir data;
  History history;
  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<httplib::Client> admin;
};

bool kafka_mode() { return std::getenv("PAYSTREAM_TEST_KAFKA") != nullptr; }

const char* const cleanup_path = "/v1/maintenance/records-cleanup";

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::string sha256_hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  REQUIRE(EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr) == 1);
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    constexpr char digits[] = "0123456789abcdef";
    hex += digits[digest[i] >> 4];
    hex += digits[digest[i] & 15];
  }
  return hex;
}

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// The records of a CSV export, as the test made them; each older than `before`.
std::vector<Made> csv_records(const std::string& text, Timestamp before) {
  const std::vector<std::vector<std::string>> rows = parse_csv(text);
  REQUIRE(!rows.empty());
  const std::vector<std::string>& header = rows[0];
  const auto column = [&header](const std::string& name) {
    const auto found = std::find(header.begin(), header.end(), name);
    REQUIRE(found != header.end());
    return static_cast<size_t>(found - header.begin());
  };
  const size_t account = column("Account ID"), type = column("Payment Type"), amount = column("Amount"),
               time = column("Payment Time");
  std::vector<Made> made;
  for (size_t i = 1; i < rows.size(); ++i) {
    REQUIRE(rows[i].size() == header.size());
    made.push_back({rows[i][account], rows[i][type], micros_of(rows[i][amount])});
    const Result<Timestamp> when = parse_timestamp(rows[i][time]);
    REQUIRE(when);
    CHECK(*when < before);
  }
  return made;
}

// GET /v1/payment-records (JSON, every row): the rows as the test made them, the body and the
// Paystream-Cleaned-Up-Before header ("" when absent).
struct Listed {
  std::vector<Made> rows;
  json body;
  std::string header;
};

Listed list_records(httplib::Client& client, const std::string& query = "limit=0") {
  const std::string path = "/v1/payment-records?" + query;
  const httplib::Result result = client.Get(path.c_str());
  REQUIRE(result);
  INFO(path << ": " << result->body);
  REQUIRE(result->status == 200);
  Listed listed{.rows = {}, .body = json::parse(result->body), .header = {}};
  for (const json& row : listed.body.at("rows")) {
    listed.rows.push_back({row.at("account_id").get<std::string>(), row.at("payment_type").get<std::string>(),
                           micros_of(row.at("amount").get<std::string>())});
  }
  listed.header = result->get_header_value("Paystream-Cleaned-Up-Before");
  return listed;
}

// The log as the audit serves it: what no refused cleanup may change.
std::string log_of(httplib::Client& admin) { return get_body(admin, "/v1/audit/events"); }

}  // namespace

TEST_CASE(
    "maintenance: an admin's records cleanup exports the records before the date into the export folder, "
    "and the records query says where they went",
    "[http][maintenance]") {
  if (kafka_mode()) PAYSTREAM_SKIP("records days old can be made on the embedded ledger only");
  Served served;
  httplib::Client& admin = *served.admin;
  const History& history = served.history;
  const Listed initially = list_records(admin);
  REQUIRE(initially.rows == history.all());
  CHECK_FALSE(initially.body.contains("cleaned_up_before"));
  CHECK(initially.header.empty());
  const std::string cutoff_time = format_timestamp(start_of(history.cutoff));

  const json request = {
      {"before", format_date(history.cutoff)}, {"export_file", "old.csv"}, {"command_id", "cleanup-1"}};
  const httplib::Result made = post(admin, cleanup_path, request);
  REQUIRE(made);
  INFO(made->body);
  REQUIRE(made->status == 201);
  const json answer = json::parse(made->body);
  CHECK(answer.at("command_id") == "cleanup-1");
  CHECK(answer.at("duplicate") == false);
  REQUIRE(answer.at("position").is_number_unsigned());
  const uint64_t position = answer.at("position").get<uint64_t>();
  CHECK(position > 0);
  const json& cleanup = answer.at("cleanup");
  CHECK_FALSE(cleanup.contains("from"));  // the first cleanup: from the log's start
  CHECK(cleanup.at("before") == cutoff_time);
  CHECK(cleanup.at("count") == history.before.size());
  CHECK(cleanup.at("export_file") == "old.csv");

  // The export, in the folder the server was given: the records the test made before the date.
  CHECK(files_in(served.exports()) == std::vector<std::string>{"old.csv"});
  const std::string exported = read_bytes(served.exports() + "/old.csv");
  CHECK(cleanup.at("export_sha256") == sha256_hex(exported));
  CHECK(csv_records(exported, start_of(history.cutoff)) == history.before);

  // The records query: the later records, and where the others went (body and header).
  std::vector<Made> later = history.between;
  later.insert(later.end(), history.after.begin(), history.after.end());
  const Listed after = list_records(admin);
  CHECK(after.rows == later);
  CHECK(after.body.value("cleaned_up_before", "") == cutoff_time);
  CHECK(after.body.value("cleaned_up_export", "") == "old.csv");
  CHECK(after.header == cutoff_time);
  const Listed paged = list_records(admin, "limit=2");  // a page carries them too
  CHECK(paged.body.value("cleaned_up_before", "") == cutoff_time);
  CHECK(paged.header == cutoff_time);
  // A range that starts at the cutoff misses nothing: neither member nor header.
  const Listed recent = list_records(admin, "limit=0&from=" + cutoff_time);
  CHECK(recent.rows == later);
  CHECK_FALSE(recent.body.contains("cleaned_up_before"));
  CHECK_FALSE(recent.body.contains("cleaned_up_export"));
  CHECK(recent.header.empty());

  // A later date, no file name, no command ID: the default name; it starts where the first ended.
  const std::string second_name = "payment-records-before-" + format_date(history.second_cutoff) + ".csv";
  const json second = json_of(post(admin, cleanup_path, {{"before", format_date(history.second_cutoff)}}));
  INFO(second.dump());
  CHECK(second.at("duplicate") == false);
  CHECK_FALSE(second.at("command_id").get<std::string>().empty());
  CHECK(second.at("command_id") != "cleanup-1");
  CHECK(second.at("position").get<uint64_t>() > position);
  CHECK(second.at("cleanup").at("from") == cutoff_time);
  CHECK(second.at("cleanup").at("before") == format_timestamp(start_of(history.second_cutoff)));
  CHECK(second.at("cleanup").at("count") == history.between.size());
  CHECK(second.at("cleanup").at("export_file") == second_name);
  const std::string second_export = read_bytes(served.exports() + "/" + second_name);
  CHECK(second.at("cleanup").at("export_sha256") == sha256_hex(second_export));
  CHECK(csv_records(second_export, start_of(history.second_cutoff)) == history.between);
  CHECK(files_in(served.exports()) == std::vector<std::string>{"old.csv", second_name});
  const Listed last = list_records(admin);
  CHECK(last.rows == history.after);
  CHECK(last.body.value("cleaned_up_export", "") == second_name);
  CHECK(last.header == format_timestamp(start_of(history.second_cutoff)));

  // Stopped, the data directory's cleanups reconcile with the folder's files.
  REQUIRE(served.server->stop() == 0);
  const auto [verified, out] = run_paystream(
      {"audit", "verify", "--data", served.data.file("ledger"), "--export-dir", served.exports()});
  INFO(out);
  CHECK(verified == 0);
  CHECK(out.find("old.csv: ok") != std::string::npos);
  CHECK(out.find(second_name + ": ok") != std::string::npos);
}

TEST_CASE(
    "maintenance: a cleanup sent again with its command ID is answered 200 as a duplicate, the ID "
    "reused for another date 409, and nothing more is removed or written",
    "[http][maintenance]") {
  if (kafka_mode()) PAYSTREAM_SKIP("records days old can be made on the embedded ledger only");
  Served served;
  httplib::Client& admin = *served.admin;
  const History& history = served.history;
  const json request = {
      {"before", format_date(history.cutoff)}, {"export_file", "old.csv"}, {"command_id", "cleanup-1"}};
  const httplib::Result made = post(admin, cleanup_path, request);
  REQUIRE(made);
  INFO(made->body);
  REQUIRE(made->status == 201);
  const json first = json::parse(made->body);
  const uint64_t position = first.at("position").get<uint64_t>();
  const std::string exported = read_bytes(served.exports() + "/old.csv");
  std::vector<Made> later = history.between;
  later.insert(later.end(), history.after.begin(), history.after.end());
  REQUIRE(list_records(admin).rows == later);
  const std::string log = log_of(admin);
  const auto unchanged = [&] {
    CHECK(files_in(served.exports()) == std::vector<std::string>{"old.csv"});
    CHECK(read_bytes(served.exports() + "/old.csv") == exported);
    CHECK(list_records(admin).rows == later);
    CHECK(log_of(admin) == log);
  };

  // A client that lost the 201 sends the same request again.
  const httplib::Result again = post(admin, cleanup_path, request);
  REQUIRE(again);
  INFO(again->body);
  CHECK(again->status == 200);
  const json repeated = json::parse(again->body);
  CHECK(repeated.value("duplicate", false) == true);
  CHECK(repeated.value("command_id", "") == "cleanup-1");
  CHECK(repeated.value("position", uint64_t{0}) == position);
  CHECK(repeated.value("cleanup", json()) == first.at("cleanup"));
  unchanged();

  // The same command ID for another cleanup (a later date, another file): a conflict, as for any
  // command ID used again for a different command; no second export, no record removed.
  const httplib::Result other = post(admin, cleanup_path,
                                     {{"before", format_date(history.second_cutoff)},
                                      {"export_file", "retry.csv"},
                                      {"command_id", "cleanup-1"}});
  CHECK(refusal_of(other) == Refusal{409, "command_id_conflict"});
  CHECK(json::parse(other->body).at("error").at("message").get<std::string>().find("cleanup-1") !=
        std::string::npos);
  unchanged();
}

TEST_CASE("maintenance: records cleanup --server has the server export into its folder, given a file name",
          "[http][maintenance]") {
  if (kafka_mode()) PAYSTREAM_SKIP("records days old can be made on the embedded ledger only");
  Served served;
  const History& history = served.history;
  const std::vector<std::string> remote = {"--server",
                                           "http://127.0.0.1:" + std::to_string(served.server->port()),
                                           "--token", served.server->admin_token()};
  const auto cleanup = [&](const std::string& export_file, const std::string& command_id) {
    std::vector<std::string> arguments = {
        "records",  "cleanup",   "--before",     format_date(history.cutoff),
        "--export", export_file, "--command-id", command_id,
        "--yes",    "--format",  "json"};
    arguments.insert(arguments.end(), remote.begin(), remote.end());
    return run_paystream(arguments);
  };
  // A path: the export is the server's to place.
  const auto [path_code, path_out] = cleanup(served.data.file("elsewhere.csv"), "remote-1");
  CHECK(path_code == 2);
  CHECK(path_out.empty());
  CHECK(files_in(served.exports()).empty());
  CHECK(list_records(*served.admin).rows == history.all());

  const auto [code, out] = cleanup("remote.csv", "remote-1");
  INFO(out << served.server->stderr_text());
  REQUIRE(code == 0);
  const json row = json::parse(out).at("rows").at(0);
  CHECK(row.at("command_id") == "remote-1");
  CHECK(row.at("before") == format_timestamp(start_of(history.cutoff)));
  CHECK(row.at("count") == std::to_string(history.before.size()));
  CHECK(row.at("export_file") == "remote.csv");
  REQUIRE(files_in(served.exports()) == std::vector<std::string>{"remote.csv"});
  const std::string exported = read_bytes(served.exports() + "/remote.csv");
  CHECK(row.at("export_sha256") == sha256_hex(exported));
  CHECK(csv_records(exported, start_of(history.cutoff)) == history.before);
  std::vector<Made> later = history.between;
  later.insert(later.end(), history.after.begin(), history.after.end());
  CHECK(list_records(*served.admin).rows == later);

  // Run again (its answer lost, say): the first outcome, nothing more written.
  const auto [again_code, again_out] = cleanup("remote.csv", "remote-1");
  CHECK(again_code == 0);
  CHECK(json::parse(again_out).at("rows").at(0) == row);
  CHECK(files_in(served.exports()) == std::vector<std::string>{"remote.csv"});
  CHECK(list_records(*served.admin).rows == later);
}

TEST_CASE("maintenance: finance and auditor operators may not clean up records, and nothing changes",
          "[http][maintenance]") {
  if (kafka_mode()) PAYSTREAM_SKIP("records days old can be made on the embedded ledger only");
  Served served;
  httplib::Client& admin = *served.admin;
  auto finance = served.server->client(add_operator(admin, {{"name", "money"}, {"role", "finance"}}));
  auto auditor = served.server->client(add_operator(admin, {{"name", "audit"}, {"role", "auditor"}}));
  const std::string log = log_of(admin);
  for (const auto& [client, name] :
       {std::pair{finance.get(), "'money' (finance)"}, std::pair{auditor.get(), "'audit' (auditor)"}}) {
    INFO(name);
    const httplib::Result result = post(
        *client, cleanup_path, {{"before", format_date(served.history.cutoff)}, {"export_file", "old.csv"}});
    CHECK(refusal_of(result) == forbidden);
    CHECK(json::parse(result->body).at("error").at("message").get<std::string>().find(name) !=
          std::string::npos);
    const Listed listed = list_records(admin);
    CHECK(listed.rows == served.history.all());
    CHECK_FALSE(listed.body.contains("cleaned_up_before"));
    CHECK(files_in(served.exports()).empty());
    CHECK(log_of(admin) == log);
  }
}

TEST_CASE(
    "maintenance: a bad date, an unknown member, a path or another kind of file is 400, nothing before "
    "the date 422, and nothing changes",
    "[http][maintenance]") {
  if (kafka_mode()) PAYSTREAM_SKIP("records days old can be made on the embedded ledger only");
  Served served;
  httplib::Client& admin = *served.admin;
  const std::string cutoff = format_date(served.history.cutoff);
  std::ofstream(served.exports() + "/exists.csv") << "precious\n";
  const std::string log = log_of(admin);
  const auto refused = [&](const json& body, const Refusal& expected, const std::string& says) {
    INFO(body.dump());
    const httplib::Result result = post(admin, cleanup_path, body);
    CHECK(refusal_of(result) == expected);
    CHECK(json::parse(result->body).at("error").at("message").get<std::string>().find(says) !=
          std::string::npos);
    CHECK(list_records(admin).rows == served.history.all());
    CHECK(files_in(served.exports()) == std::vector<std::string>{"exists.csv"});
    CHECK(read_bytes(served.exports() + "/exists.csv") == "precious\n");
    CHECK(log_of(admin) == log);
  };
  refused({{"before", "2026-13-01"}}, invalid_date, "2026-13-01");
  refused({{"before", "yesterday"}}, invalid_date, "yesterday");
  refused({{"export_file", "x.csv"}}, invalid_argument, "before");
  refused({{"before", cutoff}, {"file", "x.csv"}}, invalid_argument, "\"file\"");
  refused({{"before", cutoff}, {"export_file", "../x.csv"}}, invalid_argument, "../x.csv");
  CHECK_FALSE(fs::exists(served.data.file("x.csv")));
  refused({{"before", cutoff}, {"export_file", "sub/x.csv"}}, invalid_argument, "sub/x.csv");
  refused({{"before", cutoff}, {"export_file", "/tmp/x.csv"}}, invalid_argument, "/tmp/x.csv");
  refused({{"before", cutoff}, {"export_file", "x.txt"}}, invalid_argument, ".csv or .xlsx");
  refused({{"before", cutoff}, {"export_file", "exists.csv"}}, invalid_argument, "never overwritten");
  refused({{"before", format_date(day(0))}}, invalid_argument, "24 hours");
  refused({{"before", cutoff}, {"command_id", 7}}, invalid_argument, "command_id");
  refused({{"before", cutoff}, {"command_id", "has space"}}, invalid_argument, "\"command_id\": ");
  {
    // The member is named as the API names it, not as the CLI's option.
    const httplib::Result result =
        post(admin, cleanup_path, {{"before", cutoff}, {"command_id", "has space"}});
    CHECK(result->body.find("--command-id") == std::string::npos);
  }
  // Every record is younger than this date: an export would be empty, so none is written.
  refused({{"before", format_date(day(-20))}, {"export_file", "empty.csv"}}, nothing_to_change,
          format_date(day(-20)));
}

TEST_CASE("maintenance: a server started without --records-export-dir refuses a cleanup, naming the option",
          "[http][maintenance]") {
  if (kafka_mode()) PAYSTREAM_SKIP("records days old can be made on the embedded ledger only");
  Served served(false);
  httplib::Client& admin = *served.admin;
  const std::string log = log_of(admin);
  for (const json& body :
       {json{{"before", format_date(served.history.cutoff)}},
        json{{"before", format_date(served.history.cutoff)}, {"export_file", "old.csv"}}}) {
    INFO(body.dump());
    const httplib::Result result = post(admin, cleanup_path, body);
    CHECK(refusal_of(result) == invalid_argument);
    CHECK(
        json::parse(result->body).at("error").at("message").get<std::string>().find("--records-export-dir") !=
        std::string::npos);
  }
  const Listed listed = list_records(admin);
  CHECK(listed.rows == served.history.all());
  CHECK_FALSE(listed.body.contains("cleaned_up_before"));
  CHECK(listed.header.empty());
  CHECK(files_in(served.exports()).empty());
  CHECK(log_of(admin) == log);
}

}  // namespace paystream::http_test
