#pragma once
// Query results as HTTP bodies, in the formats of the CLI (projections/export/row_writer.h writes them all,
// so the API and `paystream records --format F` print the same bytes): json, csv, table (the
// CLI's aligned text) and xlsx. A page (limit=N) is rendered before the response starts, so its
// errors still get an error status; every row (limit=0) is streamed as it is read: json and csv
// chunked, xlsx written to a temporary file in constant memory, then sent and deleted.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "projections/export/row_writer.h"
#include "tools/http/http_api.h"

namespace paystream::http {

using ExtraMembers = std::vector<std::pair<std::string, std::string>>;
using CellsVisitor = std::function<void(const std::vector<std::string>&)>;
// Calls the visitor once per row, in order; returns how the read ended.
using RowSource = std::function<Status(const CellsVisitor&)>;

// format= when given ("json", "csv", "xlsx", "table"), else the first type of the Accept header it
// knows (application/json, text/csv, the XLSX media type, text/plain), else json.
Result<OutputFormat> requested_format(const std::optional<std::string>& format_param,
                                      const ApiRequest& request);

// The rows rendered in full (a page, or one account): `extra` members go into the JSON document.
ApiResponse rows_response(OutputFormat format, std::vector<Column> columns, const RowSource& source,
                          const ExtraMembers& extra, std::string_view file_stem);
// Every row: json and csv streamed as they are read, xlsx through a temporary file; `source` may
// run after the response has started, so it must stay valid (capture the context, never the
// request). table aligns its columns, so it is rendered in full like a page, and refused
// (invalid_argument) beyond table_rows_max rows.
ApiResponse every_row_response(OutputFormat format, std::vector<Column> columns, RowSource source,
                               const ExtraMembers& extra, std::string_view file_stem, size_t table_rows_max);

}  // namespace paystream::http
