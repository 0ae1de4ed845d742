#pragma once
// The four RowWriter implementations, each in its own file. Internal to projections/.
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "projections/export/row_writer.h"

namespace paystream {

std::unique_ptr<RowWriter> make_table_writer(std::ostream& out, std::vector<Column> columns);
std::unique_ptr<RowWriter> make_csv_writer(std::ostream& out, std::vector<Column> columns);
std::unique_ptr<RowWriter> make_json_writer(std::ostream& out, std::vector<Column> columns);
Result<std::unique_ptr<RowWriter>> make_xlsx_writer(const std::string& path, std::vector<Column> columns);

// Display width of UTF-8 text: its code points (continuation bytes do not count). Wide (CJK)
// and combining characters are counted as one column each, which a terminal may not agree with.
size_t code_point_count(std::string_view text);

Error output_error(std::string_view what);

}  // namespace paystream
