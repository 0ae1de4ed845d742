#include "tools/http/row_output.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tools/http/errors.h"
#include "tools/http/log.h"

namespace paystream::http {
namespace {

constexpr size_t chunk_bytes = 64 * 1024;
constexpr std::string_view xlsx_media_type =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const char* content_type_of(OutputFormat format) {
  switch (format) {
    case OutputFormat::json:
      return "application/json";
    case OutputFormat::csv:
      return "text/csv; charset=utf-8";
    case OutputFormat::table:
      return "text/plain; charset=utf-8";
    case OutputFormat::xlsx:
      return xlsx_media_type.data();
  }
  return "application/octet-stream";
}

// An ostream target that sends to a ByteSink in chunks. Once the sink fails (the client is gone)
// it drops everything, and failed() tells the producer to stop formatting rows.
class SinkBuffer final : public std::streambuf {
 public:
  explicit SinkBuffer(ByteSink& sink) : sink_(sink) { setp(buffer_.data(), buffer_.data() + buffer_.size()); }
  bool failed() const { return failed_; }

 protected:
  int_type overflow(int_type c) override {
    if (!flush()) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) sputc(traits_type::to_char_type(c));
    return traits_type::not_eof(c);
  }
  int sync() override { return flush() ? 0 : -1; }

 private:
  bool flush() {
    const auto size = static_cast<size_t>(pptr() - pbase());
    if (!failed_ && size > 0) failed_ = !sink_.write(std::string_view(pbase(), size));
    setp(buffer_.data(), buffer_.data() + buffer_.size());
    return !failed_;
  }

  ByteSink& sink_;
  std::array<char, chunk_bytes> buffer_{};
  bool failed_ = false;
};

void add_attachment(ApiResponse& response, OutputFormat format, std::string_view file_stem) {
  if (format != OutputFormat::csv && format != OutputFormat::xlsx) return;
  response.headers.emplace_back(
      "Content-Disposition",
      fmt::format("attachment; filename=\"{}.{}\"", file_stem, format == OutputFormat::csv ? "csv" : "xlsx"));
}

// An open, already unlinked file: the disk space goes when the last holder closes it, so neither an
// error nor a crash leaves an export behind.
struct OpenFile {
  int fd = -1;
  uint64_t size = 0;
  ~OpenFile() {
    if (fd >= 0) ::close(fd);
  }
};

Result<std::shared_ptr<OpenFile>> write_xlsx(const std::vector<Column>& columns, const RowSource& source) {
  std::string path = (std::filesystem::temp_directory_path() / "paystream-export-XXXXXX.xlsx").string();
  const int created = ::mkstemps(path.data(), 5);
  if (created < 0) return make_error(Errc::io_error, "XLSX export: cannot create a temporary file");
  ::close(created);
  struct Unlink {
    std::string path;
    ~Unlink() { ::unlink(path.c_str()); }
  } unlink_at_exit{path};
  std::ostringstream unused;  // libxlsxwriter writes the file itself
  Result<std::unique_ptr<RowWriter>> writer = RowWriter::create(OutputFormat::xlsx, unused, path, columns);
  if (!writer) return writer.error();
  if (Status read = source([&](const std::vector<std::string>& cells) { (*writer)->row(cells); }); !read) {
    return read.error();
  }
  if (Status finished = (*writer)->finish(); !finished) return finished.error();
  auto file = std::make_shared<OpenFile>();
  file->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat status {};
  if (file->fd < 0 || ::fstat(file->fd, &status) != 0) {
    return make_error(Errc::io_error, "XLSX export: cannot read back the temporary file");
  }
  file->size = static_cast<uint64_t>(status.st_size);
  return file;
}

ApiResponse xlsx_response(const std::vector<Column>& columns, const RowSource& source,
                          std::string_view file_stem) {
  Result<std::shared_ptr<OpenFile>> file = write_xlsx(columns, source);
  if (!file) return error_response(file.error());
  ApiResponse response;
  response.content_type = content_type_of(OutputFormat::xlsx);
  add_attachment(response, OutputFormat::xlsx, file_stem);
  response.stream_length = (*file)->size;
  response.stream = [file = *file](ByteSink& sink) {
    std::vector<char> chunk(chunk_bytes);
    for (uint64_t offset = 0; offset < file->size;) {
      const ssize_t read = ::pread(file->fd, chunk.data(), chunk.size(), static_cast<off_t>(offset));
      if (read <= 0 || !sink.write(std::string_view(chunk.data(), static_cast<size_t>(read)))) return false;
      offset += static_cast<uint64_t>(read);
    }
    return true;
  };
  return response;
}

// Parses the Accept header's media types in order, ignoring parameters and q-values.
std::optional<OutputFormat> format_from_accept(std::string_view accept) {
  while (!accept.empty()) {
    const size_t comma = accept.find(',');
    std::string_view item = accept.substr(0, comma);
    item = item.substr(0, item.find(';'));
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == "application/json") return OutputFormat::json;
    if (item == "text/csv") return OutputFormat::csv;
    if (item == xlsx_media_type) return OutputFormat::xlsx;
    if (item == "text/plain") return OutputFormat::table;
    if (comma == std::string_view::npos) break;
    accept.remove_prefix(comma + 1);
  }
  return std::nullopt;
}

}  // namespace

Result<OutputFormat> requested_format(const std::optional<std::string>& format_param,
                                      const ApiRequest& request) {
  if (format_param) {
    Result<OutputFormat> format = parse_output_format(*format_param);
    if (!format) {
      return make_error(
          Errc::invalid_argument,
          fmt::format("format: invalid value '{}': expected json, csv, xlsx or table", *format_param));
    }
    return format;
  }
  return format_from_accept(request.accept).value_or(OutputFormat::json);
}

ApiResponse rows_response(OutputFormat format, std::vector<Column> columns, const RowSource& source,
                          const ExtraMembers& extra, std::string_view file_stem) {
  if (format == OutputFormat::xlsx) return xlsx_response(columns, source, file_stem);
  std::ostringstream out;
  Result<std::unique_ptr<RowWriter>> writer = RowWriter::create(format, out, "", std::move(columns));
  if (!writer) return error_response(writer.error());
  if (Status read = source([&](const std::vector<std::string>& cells) { (*writer)->row(cells); }); !read) {
    return error_response(read.error());
  }
  if (Status finished = (*writer)->finish(extra); !finished) return error_response(finished.error());
  ApiResponse response;
  response.content_type = content_type_of(format);
  response.body = std::move(out).str();
  add_attachment(response, format, file_stem);
  return response;
}

ApiResponse every_row_response(OutputFormat format, std::vector<Column> columns, RowSource source,
                               const ExtraMembers& extra, std::string_view file_stem, size_t table_rows_max) {
  if (format == OutputFormat::table) {
    size_t rows = 0;
    const RowSource capped = [&](const CellsVisitor& visit) {
      Status read = source([&](const std::vector<std::string>& cells) {
        if (++rows <= table_rows_max) visit(cells);
      });
      if (read && rows > table_rows_max) {
        return Status(
            make_error(Errc::invalid_argument,
                       fmt::format("{} rows are more than a table holds ({}): page with limit=N, or use "
                                   "format=csv or json for every row",
                                   rows, table_rows_max)));
      }
      return read;
    };
    return rows_response(format, std::move(columns), capped, extra, file_stem);
  }
  if (format == OutputFormat::xlsx) return xlsx_response(columns, source, file_stem);
  ApiResponse response;
  response.content_type = content_type_of(format);
  add_attachment(response, format, file_stem);
  response.stream = [format, columns = std::move(columns), source = std::move(source),
                     extra](ByteSink& sink) {
    SinkBuffer buffer(sink);
    std::ostream out(&buffer);
    Result<std::unique_ptr<RowWriter>> writer = RowWriter::create(format, out, "", columns);
    if (!writer) return false;
    Status read = source([&](const std::vector<std::string>& cells) {
      if (!buffer.failed()) (*writer)->row(cells);  // a client that left costs no more formatting
    });
    if (!read) {
      log_line("error", "a streamed export failed midway; the response was cut",
               {{"code", errc_name(read.error().code)}, {"detail", read.error().message}});
      return false;
    }
    Status finished = (*writer)->finish(extra);
    out.flush();
    return finished.ok() && !buffer.failed();
  };
  return response;
}

}  // namespace paystream::http
