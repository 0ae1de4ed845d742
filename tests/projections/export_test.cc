#include "projections/export.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "projections_fixture.h"

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
                   .reverses = LogPosition{}};
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

}  // namespace

TEST_CASE("projections: CSV quotes what needs quoting and reads back exactly", "[projections][export]") {
  const std::string csv = write_all(OutputFormat::csv, tricky_rows());
  CHECK(csv.rfind("Record ID,Account ID,Account Name,Payment Type,Amount,Balance Before,Balance After,"
                  "Payment Time,Operator,Memo,Method\n",
                  0) == 0);
  CHECK(csv.find("\"say \"\"hi\"\"\"") != std::string::npos);
  CHECK(csv.find("1,1001,Alice,payment,10.00,0.00,10.00,2026-11-25T10:00:00.500000Z,admin,plain,cash\n") !=
        std::string::npos);
  const auto lines = parse_csv(csv);
  REQUIRE(lines.size() == tricky_rows().size() + 1);
  for (size_t i = 0; i < tricky_rows().size(); ++i) CHECK(lines[i + 1] == record_cells(tricky_rows()[i]));
  CHECK(lines[2][2] == "Zoë Ünal");  // UTF-8 passes through untouched
}

TEST_CASE("projections: the table aligns UTF-8 text by code points", "[projections][export]") {
  const std::vector<Column> columns{{"Name", "name", false}, {"Amount", "amount", true}};
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
  CHECK(record_columns().size() == 11);
}

}  // namespace paystream::testing
