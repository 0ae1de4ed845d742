#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "projections/export/row_writer.h"
#include "tests/projections/projections_fixture.h"

namespace paystream::testing {
namespace {

RecordRow record(uint64_t id, const std::string& name, const std::string& memo, const char* amount) {
  return RecordRow{.id = LogPosition{id},
                   .account_id = "1001",
                   .account_name = name,
                   .type = PaymentType::payment,
                   .amount = money(amount),
                   .balance_before = money("0"),
                   .balance_after = money(amount),
                   .time = at("2026-11-25T10:00:00.5Z"),
                   .operator_name = "admin",
                   .memo = memo,
                   .method = PaymentMethod::cash,
                   .reverses = LogPosition{},
                   .new_expiry = std::nullopt};
}

const std::vector<RecordRow>& tricky_rows() {
  static const std::vector<RecordRow> rows = {
      record(1, "Alice", "plain", "10"),
      record(2, "Zoë Ünal", "a, b", "-0.000001"),
      record(3, "東京 Ltd", "say \"hi\"", "1234567.5"),
      record(4, "Bob", "line one\nline two", "1"),
      record(5, "Bob", "carriage\r\nreturn, \"both\"", "2"),
      record(6, "", "", "0"),
  };
  return rows;
}

std::string write_all(OutputFormat format, const std::vector<RecordRow>& rows,
                      const std::vector<std::pair<std::string, std::string>>& extra = {}) {
  std::ostringstream out;
  Result<std::unique_ptr<RowWriter>> writer = RowWriter::create(format, out, "", record_columns());
  REQUIRE(writer.ok());
  for (const RecordRow& row : rows) (*writer)->row(record_cells(row));
  REQUIRE((*writer)->finish(extra).ok());
  return out.str();
}

// A small RFC 4180 reader: fields split on commas, quoted fields may hold anything, "" is a quote.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> lines;
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      REQUIRE(field.empty());  // a quote only opens a field
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::exchange(field, {}));
    } else if (c == '\n') {
      fields.push_back(std::exchange(field, {}));
      lines.push_back(std::exchange(fields, {}));
    } else {
      REQUIRE(c != '\r');  // a bare CR outside quotes would be a broken line ending
      field += c;
    }
  }
  REQUIRE_FALSE(quoted);
  REQUIRE(field.empty());
  REQUIRE(fields.empty());  // the last line ends with LF
  return lines;
}

size_t code_points(const std::string& text) {
  size_t count = 0;
  for (char c : text) count += (static_cast<uint8_t>(c) & 0xC0) != 0x80;
  return count;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// One member of an XLSX file, read with unzip(1) (libxlsxwriter writes strings inline in
// constant-memory mode, so the text is in the sheet itself).
std::string unzipped(const std::string& xlsx_path, const std::string& member) {
  std::string text;
  FILE* pipe = ::popen(("unzip -p '" + xlsx_path + "' " + member + " 2>/dev/null").c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  for (size_t size; (size = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) text.append(buffer, size);
  const int status = ::pclose(pipe);
  INFO("unzip exit status " << status);
  REQUIRE(status == 0);
  return text;
}

// The XML of cell `reference` ("J2") in a worksheet: <c r="J2" ...>...</c>, or "" when absent.
std::string cell_xml(const std::string& sheet, const std::string& reference) {
  const size_t start = sheet.find("<c r=\"" + reference + "\"");
  if (start == std::string::npos) return "";
  const size_t end = sheet.find("</c>", start);
  REQUIRE(end != std::string::npos);
  return sheet.substr(start, end + 4 - start);
}

// The number a numeric cell holds (its <v>), which must be there.
double cell_number(const std::string& cell) {
  std::smatch match;
  REQUIRE(std::regex_search(cell, match, std::regex("<v>([^<]*)</v>")));
  return std::stod(match[1].str());
}

}  // namespace

TEST_CASE("projections: CSV quotes what needs quoting and reads back exactly", "[projections][export]") {
  const std::string csv = write_all(OutputFormat::csv, tricky_rows());
  CHECK(csv.rfind("Record ID,Account ID,Account Name,Payment Type,Amount,Balance Before,Balance After,"
                  "Payment Time,Operator,Memo,Method,Reverses,New Expiration\n",
                  0) == 0);
  CHECK(csv.find("\"say \"\"hi\"\"\"") != std::string::npos);
  CHECK(csv.find("1,1001,Alice,payment,10.00,0.00,10.00,2026-11-25T10:00:00.500000Z,admin,plain,cash,,\n") !=
        std::string::npos);
  const auto lines = parse_csv(csv);
  REQUIRE(lines.size() == tricky_rows().size() + 1);
  for (size_t i = 0; i < tricky_rows().size(); ++i) CHECK(lines[i + 1] == record_cells(tricky_rows()[i]));
  CHECK(lines[2][2] == "Zoë Ünal");  // UTF-8 passes through untouched
}

TEST_CASE("projections: the table aligns UTF-8 text by code points", "[projections][export]") {
  const std::vector<Column> columns{{"Name", "name", CellKind::text}, {"Amount", "amount", CellKind::amount}};
  std::ostringstream out;
  auto writer = RowWriter::create(OutputFormat::table, out, "", columns).value();
  writer->row({"Zoë Ünal", "1.50"});
  writer->row({"東京", "-1234.000001"});
  writer->row({"a\nb", "0.00"});
  REQUIRE(writer->finish().ok());
  const std::vector<std::string> lines = lines_of(out.str());
  REQUIRE(lines.size() == 5);  // header, rule, three rows: a line break in a cell stays on its line
  for (const std::string& line : lines) CHECK(code_points(line) == code_points(lines[0]));
  CHECK(lines[0] == "Name            Amount");
  CHECK(lines[1] == "--------  ------------");
  CHECK(lines[2] == "Zoë Ünal          1.50");
  CHECK(lines[3] == "東京        -1234.000001");
  CHECK(lines[4] == "a b               0.00");

  const std::string table = write_all(OutputFormat::table, tricky_rows());
  CHECK(lines_of(table).size() == tricky_rows().size() + 2);
}

TEST_CASE("projections: JSON parses back with snake_case keys and string amounts", "[projections][export]") {
  const std::string text = write_all(OutputFormat::json, tricky_rows(), {{"next_cursor", "7"}});
  const nlohmann::json json = nlohmann::json::parse(text);
  REQUIRE(json["rows"].size() == tricky_rows().size());
  CHECK(json["next_cursor"] == "7");
  const nlohmann::json& row = json["rows"][1];
  CHECK(row["amount"] == "-0.000001");
  CHECK(row["account_name"] == "Zoë Ünal");
  CHECK(row["payment_time"] == "2026-11-25T10:00:00.500000Z");
  CHECK(json["rows"][4]["memo"] == "carriage\r\nreturn, \"both\"");
  std::vector<std::string> keys;
  for (const auto& [key, value] : row.items()) keys.push_back(key);
  CHECK(keys.size() == record_columns().size());
  for (const Column& column : record_columns()) CHECK(row.contains(column.key));

  const nlohmann::json empty = nlohmann::json::parse(write_all(OutputFormat::json, {}));
  CHECK(empty == nlohmann::json::parse(R"({"rows":[]})"));

  BalanceRow balance;
  balance.account_id = "1001";
  balance.status = "active";
  std::ostringstream out;
  auto writer = RowWriter::create(OutputFormat::json, out, "", balance_columns()).value();
  writer->row(balance_cells(balance));
  REQUIRE(writer->finish().ok());
  const nlohmann::json balances = nlohmann::json::parse(out.str());
  CHECK(balances["rows"][0]["available_credit"] == "0.00");
  CHECK(balances["rows"][0]["expiration_date"] == "");
  CHECK(balances["rows"][0]["account_status"] == "active");
}

TEST_CASE("projections: XLSX is written as a zip file", "[projections][export]") {
  TempDir dir;
  const std::string path = (dir.path() / "records.xlsx").string();
  std::ostringstream unused;
  Result<std::unique_ptr<RowWriter>> writer =
      RowWriter::create(OutputFormat::xlsx, unused, path, record_columns());
  REQUIRE(writer.ok());
  for (const RecordRow& row : tricky_rows()) (*writer)->row(record_cells(row));
  (*writer)->row(record_cells(record(7, "Max", "", "9223372036854.775807")));  // beyond a double: text
  REQUIRE((*writer)->finish().ok());
  std::ifstream file(path, std::ios::binary);
  std::string head(2, '\0');
  REQUIRE(file.read(head.data(), 2));
  CHECK(head == "PK");
  CHECK(std::filesystem::file_size(path) > 1000);
  CHECK(unused.str().empty());
}

TEST_CASE("projections: XLSX failures are io errors", "[projections][export]") {
  std::ostringstream unused;
  Result<std::unique_ptr<RowWriter>> no_path =
      RowWriter::create(OutputFormat::xlsx, unused, "", record_columns());
  REQUIRE_FALSE(no_path.ok());
  CHECK(no_path.error().code == Errc::invalid_argument);

  TempDir dir;
  const std::string path = (dir.path() / "missing" / "records.xlsx").string();
  Result<std::unique_ptr<RowWriter>> writer =
      RowWriter::create(OutputFormat::xlsx, unused, path, record_columns());
  REQUIRE(writer.ok());  // the file is created by finish()
  (*writer)->row(record_cells(tricky_rows()[0]));
  const Status finished = (*writer)->finish();
  REQUIRE_FALSE(finished.ok());
  CHECK(finished.error().code == Errc::io_error);

  // A destroyed, unfinished writer writes no file.
  const std::string abandoned = (dir.path() / "abandoned.xlsx").string();
  RowWriter::create(OutputFormat::xlsx, unused, abandoned, record_columns())
      .value()
      ->row(record_cells(tricky_rows()[0]));
  CHECK_FALSE(std::filesystem::exists(abandoned));
}

TEST_CASE("projections: output formats parse by name", "[projections][export]") {
  CHECK(parse_output_format("table").value() == OutputFormat::table);
  CHECK(parse_output_format("json").value() == OutputFormat::json);
  CHECK(parse_output_format("csv").value() == OutputFormat::csv);
  CHECK(parse_output_format("xlsx").value() == OutputFormat::xlsx);
  CHECK(parse_output_format("CSV").error().code == Errc::invalid_argument);
  CHECK(balance_columns().size() == 11);
  CHECK(balance_columns()[3].title == "Current Balance");
  CHECK(record_columns().size() == 13);
  CHECK(record_columns()[11].title == "Reverses");
}

}  // namespace paystream::testing

namespace paystream::testing {

TEST_CASE("projections: CSV neutralises text that would start a formula, and leaves numbers be",
          "[projections][export]") {
  const std::vector<RecordRow> rows = {
      record(1, "=HYPERLINK(\"http://127.0.0.1/x\",\"pay\")", "=cmd|' /C calc'!A0", "-3.10"),
      record(2, "+1 Agent", "-2+3", "1"),
      record(3, "@SUM(A1)", "\t=1+1", "1"),
      record(4, "Bob", "\r=1+1", "1"),
      record(5, "Bob", "a=b, -c", "1"),  // only the first character counts
  };
  const std::string csv = write_all(OutputFormat::csv, rows);
  const auto lines = parse_csv(csv);
  REQUIRE(lines.size() == rows.size() + 1);
  CHECK(lines[1][2] == "'=HYPERLINK(\"http://127.0.0.1/x\",\"pay\")");
  CHECK(lines[1][9] == "'=cmd|' /C calc'!A0");
  CHECK(lines[1][4] == "-3.10");  // a negative amount stays a number
  CHECK(lines[1][6] == "-3.10");
  CHECK(csv.find("\n1,1001,\"'=HYPERLINK(") != std::string::npos);  // the apostrophe inside the quotes
  CHECK(lines[2][2] == "'+1 Agent");
  CHECK(lines[2][9] == "'-2+3");
  CHECK(lines[3][2] == "'@SUM(A1)");
  CHECK(lines[3][9] == "'\t=1+1");
  CHECK(lines[4][9] == "'\r=1+1");
  CHECK(lines[5][9] == "a=b, -c");
  // Text columns of other writers too (an account ID may start with '-').
  BalanceRow balance;
  balance.account_id = "-neg";
  balance.balance = money("-5");
  balance.status = "active";
  std::ostringstream out;
  auto writer = RowWriter::create(OutputFormat::csv, out, "", balance_columns()).value();
  writer->row(balance_cells(balance));
  REQUIRE(writer->finish().ok());
  const auto balances = parse_csv(out.str());
  REQUIRE(balances.size() == 2);
  CHECK(balances[1][0] == "'-neg");
  CHECK(balances[1][3] == "-5.00");
}

TEST_CASE("projections: the table escapes control characters, CSV and JSON keep them exactly",
          "[projections][export]") {
  const std::string memo =
      std::string("\x1b[2J\x1b]0;pwned\x07 nul:") + '\0' + " del:\x7f csi:\xc2\x9b bad:\xff\xc3";
  const std::vector<RecordRow> rows = {record(1, "Zoë \x1b[31m", memo, "1")};
  const std::string table = write_all(OutputFormat::table, rows);
  for (const char c : table) {
    const auto byte = static_cast<uint8_t>(c);
    INFO("byte " << int(byte));
    CHECK((byte >= 0x20 || c == '\n'));
    CHECK(byte != 0x7f);
  }
  CHECK(table.find("\\x1b[2J\\x1b]0;pwned\\x07 nul:\\x00 del:\\x7f csi:\\u009b "
                   "bad:\xEF\xBF\xBD\xEF\xBF\xBD") != std::string::npos);
  CHECK(table.find("Zoë \\x1b[31m") != std::string::npos);  // UTF-8 text is kept
  CHECK(table.find("\xc2\x9b") == std::string::npos);
  CHECK(lines_of(table).size() == 3);

  const auto csv = parse_csv(write_all(OutputFormat::csv, rows));
  CHECK(csv[1][9] == memo);
  const nlohmann::json json =
      nlohmann::json::parse(write_all(OutputFormat::json, {record(1, "Zoë \x1b[31m", "\x1b[2J\x07", "1")}));
  CHECK(json["rows"][0]["memo"] == "\x1b[2J\x07");
  CHECK(json["rows"][0]["account_name"] == "Zoë \x1b[31m");
}

TEST_CASE("projections: XLSX text is never a formula, IDs and times and dates are numbers",
          "[projections][export]") {
  TempDir dir;
  const std::string path = (dir.path() / "records.xlsx").string();
  std::ostringstream unused;
  auto writer = RowWriter::create(OutputFormat::xlsx, unused, path, record_columns()).value();
  writer->row(record_cells(record(12, "=HYPERLINK(\"http://127.0.0.1/\")", "=1+1", "-3.1")));
  REQUIRE(writer->finish().ok());
  const std::string sheet = unzipped(path, "xl/worksheets/sheet1.xml");
  CHECK(sheet.find("<f>") == std::string::npos);  // no formula anywhere
  const std::string memo = cell_xml(sheet, "J2");
  CHECK(memo.find("t=\"inlineStr\"") != std::string::npos);
  CHECK(memo.find("<t>=1+1</t>") != std::string::npos);
  CHECK(cell_xml(sheet, "C2").find("t=\"inlineStr\"") != std::string::npos);
  const std::string id = cell_xml(sheet, "A2");
  CHECK(id.find(" t=") == std::string::npos);  // a number cell has no type attribute
  CHECK(cell_number(id) == 12);
  CHECK(cell_number(cell_xml(sheet, "E2")) == -3.1);
  // 2026-11-25T10:00:00.5Z: 46351 days after Excel's day 0 (1899-12-30), plus 10 h 0.5 s.
  const std::string time = cell_xml(sheet, "H2");
  CHECK(time.find(" t=") == std::string::npos);
  CHECK(cell_number(time) == Approx(46351.4166724537).epsilon(0).margin(1e-9));
  CHECK(time.find(" s=\"") != std::string::npos);  // with a number format, below
  CHECK(unzipped(path, "xl/styles.xml").find("formatCode=\"yyyy-mm-dd hh:mm:ss.000\"") != std::string::npos);

  const std::string balances_path = (dir.path() / "balances.xlsx").string();
  auto balances = RowWriter::create(OutputFormat::xlsx, unused, balances_path, balance_columns()).value();
  BalanceRow with_date;
  with_date.account_id = "1001";
  with_date.expires_on = parse_date("2027-01-31").value();
  BalanceRow without_date;
  without_date.account_id = "1002";
  balances->row(balance_cells(with_date));
  balances->row(balance_cells(without_date));
  REQUIRE(balances->finish().ok());
  const std::string balance_sheet = unzipped(balances_path, "xl/worksheets/sheet1.xml");
  CHECK(cell_number(cell_xml(balance_sheet, "J2")) == 46418);  // 2027-01-31
  CHECK(cell_xml(balance_sheet, "J3").empty());                // no expiration: a blank cell
  CHECK(unzipped(balances_path, "xl/styles.xml").find("formatCode=\"yyyy-mm-dd\"") != std::string::npos);
}

}  // namespace paystream::testing
