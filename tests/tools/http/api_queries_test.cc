// GET /v1/payment-records and /v1/balances: filters, paging, and every format read back; the
// table, CSV and JSON bodies equal what the CLI prints for the same data directory.
#include <cstdio>
#include <fstream>

#include "tests/tools/http/api_test_support.h"

namespace paystream::http_test {
namespace {

const std::string tricky_memo = "a \"quoted\", memo\nwith a line break";

void fill(httplib::Client& admin) {
  open_account(admin, {{"account", "C-1"}, {"name", "Alice, Inc."}});
  open_account(admin, {{"account", "C-2"}, {"name", "Bob"}, {"account_type", "agent"}});
  json commands = json::array();
  for (int i = 1; i <= 5; ++i)
    commands.push_back({{"type", "pay"}, {"account", "C-1"}, {"amount", std::to_string(i)}});
  commands.push_back({{"type", "pay"}, {"account", "C-2"}, {"amount", "100"}, {"memo", tricky_memo}});
  commands.push_back({{"type", "credit"}, {"account", "C-2"}, {"limit", "30"}});
  const json outcomes = json_of(post(admin, "/v1/commands", {{"commands", commands}})).at("outcomes");
  for (const json& outcome : outcomes) REQUIRE(outcome.at("ok") == true);
}

// The worksheet XML of an XLSX file, read with unzip(1) (libxlsxwriter writes cells inline, so the
// text is in the sheet itself in constant-memory mode).
std::string sheet_xml_of(const std::string& xlsx, const TempDir& dir) {
  const std::string path = dir.file("export.xlsx");
  std::ofstream(path, std::ios::binary) << xlsx;
  std::string xml;
  FILE* pipe = ::popen(("unzip -p '" + path + "' xl/worksheets/sheet1.xml 2>/dev/null").c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  for (size_t size; (size = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) xml.append(buffer, size);
  const int status = ::pclose(pipe);
  INFO("unzip exit status " << status);
  REQUIRE(status == 0);
  return xml;
}

}  // namespace

TEST_CASE("payment records page with a cursor in the JSON and in a header", "[http][queries]") {
  Api api;
  fill(*api.admin);
  std::vector<uint64_t> ids;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    const std::string path = "/v1/payment-records?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor);
    const httplib::Result result = api.admin->Get(path.c_str());
    REQUIRE(result);
    REQUIRE(result->status == 200);
    const json document = json::parse(result->body);
    for (const json& row : document.at("rows"))
      ids.push_back(std::stoull(row.at("record_id").get<std::string>()));
    cursor = document.at("next_cursor").get<std::string>();
    CHECK(result->get_header_value("Paystream-Next-Cursor") == cursor);
    if (cursor.empty()) break;
  }
  CHECK(ids.size() == 7);
  CHECK(std::is_sorted(ids.begin(), ids.end()));
  const json filtered =
      json_of(api.admin->Get("/v1/payment-records?account=C-1&type=payment&from=2000-01-01"));
  CHECK(filtered.at("rows").size() == 5);
  CHECK(json_of(api.admin->Get("/v1/payment-records?operator=nobody")).at("rows").empty());
  CHECK(json_of(api.admin->Get("/v1/payment-records?to=2000-01-01T00:00:00Z")).at("rows").empty());
}

TEST_CASE("CSV and XLSX and table exports parse back and equal the CLI's output", "[http][queries][export]") {
  Api api;
  fill(*api.admin);
  httplib::Client& admin = *api.admin;
  const httplib::Result csv_result = admin.Get("/v1/payment-records?format=csv");
  REQUIRE(csv_result);
  CHECK(csv_result->get_header_value("Content-Type") == "text/csv; charset=utf-8");
  CHECK(csv_result->get_header_value("Transfer-Encoding") == "chunked");  // every row: streamed
  const auto records = parse_csv(csv_result->body);
  REQUIRE(records.size() == 8);  // header + 7
  CHECK(records[0][0] == "Record ID");
  CHECK(records[1][2] == "Alice, Inc.");
  CHECK(records[6][9] == tricky_memo);

  httplib::Headers accept_csv = {{"Accept", "text/csv"}};
  const httplib::Result negotiated = admin.Get("/v1/balances", accept_csv);
  REQUIRE(negotiated);
  const auto balances = parse_csv(negotiated->body);
  REQUIRE(balances.size() == 3);
  CHECK(balances[2][0] == "C-2");
  CHECK(balances[2][3] == "100.00");

  const httplib::Result xlsx = admin.Get("/v1/payment-records?format=xlsx");
  REQUIRE(xlsx);
  CHECK(xlsx->status == 200);
  CHECK(xlsx->body.substr(0, 4) == std::string("PK\x03\x04", 4));  // a zip archive
  CHECK(xlsx->get_header_value("Content-Disposition") == "attachment; filename=\"payment-records.xlsx\"");
  TempDir scratch;
  const std::string sheet = sheet_xml_of(xlsx->body, scratch);
  CHECK(sheet.find("Alice, Inc.") != std::string::npos);
  CHECK(sheet.find("<v>100</v>") != std::string::npos);  // amounts are number cells
  CHECK(sheet.find("<row r=\"8\"") != std::string::npos);
  CHECK(sheet.find("<row r=\"9\"") == std::string::npos);
  const std::string balances_sheet =
      sheet_xml_of(get_body(admin, "/v1/balances?format=xlsx&type=agent"), scratch);
  CHECK(balances_sheet.find("Bob") != std::string::npos);
  CHECK(balances_sheet.find("Alice") == std::string::npos);

  const std::string table = get_body(admin, "/v1/payment-records?format=table&limit=4");
  const std::string csv = get_body(admin, "/v1/payment-records?format=csv");
  const std::string page_json = get_body(admin, "/v1/payment-records?limit=4");
  const std::string balances_json = get_body(admin, "/v1/balances?limit=0&type=direct");
  REQUIRE(api.server->stop() == 0);
  const std::string data = api.data.path();
  CHECK(run_paystream({"records", "--data", data, "--format", "table", "--limit", "4"}).second == table);
  CHECK(run_paystream({"records", "--data", data, "--format", "csv"}).second == csv);
  CHECK(run_paystream({"records", "--data", data, "--format", "json", "--limit", "4"}).second == page_json);
  CHECK(run_paystream({"balances", "--data", data, "--format", "json", "--type", "direct"}).second ==
        balances_json);
}

TEST_CASE("balances filter by account and type and range", "[http][queries]") {
  Api api;
  fill(*api.admin);
  httplib::Client& admin = *api.admin;
  CHECK(json_of(admin.Get("/v1/balances?min=50")).at("rows").size() == 1);
  CHECK(json_of(admin.Get("/v1/balances?max=15")).at("rows").size() == 1);
  CHECK(json_of(admin.Get("/v1/balances?account=C-1")).at("rows")[0].at("current_balance") == "15.00");
  const json first = json_of(admin.Get("/v1/balances?limit=1"));
  CHECK(first.at("rows").size() == 1);
  const std::string next = "/v1/balances?limit=1&cursor=" + first.at("next_cursor").get<std::string>();
  CHECK(json_of(admin.Get(next.c_str())).at("rows")[0].at("account_id") == "C-2");
}

TEST_CASE("balances search account IDs and names in either case", "[http][queries]") {
  Api api;
  fill(*api.admin);
  httplib::Client& admin = *api.admin;
  auto ids = [&](const char* target) {
    std::vector<std::string> result;
    const json page = json_of(admin.Get(target));  // kept: a range-for over a temporary's member dangles
    for (const json& row : page.at("rows")) result.push_back(row.at("account_id"));
    return result;
  };
  CHECK(ids("/v1/balances?search=alice") == std::vector<std::string>{"C-1"});      // the name, any case
  CHECK(ids("/v1/balances?search=c-") == std::vector<std::string>{"C-1", "C-2"});  // the ID
  CHECK(ids("/v1/balances?search=BOB&type=agent") == std::vector<std::string>{"C-2"});
  CHECK(ids("/v1/balances?search=bob&type=direct").empty());
  CHECK(ids("/v1/balances?search=%2C%20inc") == std::vector<std::string>{"C-1"});  // ", inc"
  for (const char* refused : {"/v1/balances?search=", "/v1/balances?search=a%0Ab"}) {
    INFO(refused);
    const httplib::Result answer = admin.Get(refused);
    REQUIRE(answer);
    CHECK(answer->status == 400);
    CHECK(json_of(answer).at("error").at("code") == "invalid_argument");
  }
  const std::string too_long = "/v1/balances?search=" + std::string(101, 'a');
  CHECK(admin.Get(too_long.c_str())->status == 400);
}

TEST_CASE("a large export streams every row", "[http][queries][export]") {
  Api api;
  httplib::Client& admin = *api.admin;
  open_account(admin, {{"account", "BIG"}, {"name", "Big"}});
  constexpr int payments = 5000;
  json commands = json::array();
  for (int i = 0; i < payments; ++i)
    commands.push_back({{"type", "pay"}, {"account", "BIG"}, {"amount", "0.01"}});
  REQUIRE(post(admin, "/v1/commands", {{"commands", commands}})->status == 200);
  const auto rows = parse_csv(get_body(admin, "/v1/payment-records?account=BIG&format=csv"));
  CHECK(rows.size() == payments + 1);
  const json all = json_of(admin.Get("/v1/payment-records?limit=0"));
  CHECK(all.at("rows").size() == payments);
  CHECK(all.at("next_cursor") == "");
  CHECK(refusal_of(admin.Get("/v1/payment-records?limit=10001")).first == 400);  // a page holds 10,000
  CHECK(balance_of(admin, "BIG") == "50.00");
}

}  // namespace paystream::http_test
