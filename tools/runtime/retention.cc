#include "tools/runtime/retention.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

#include "events/codec.h"
#include "projections/export/row_writer.h"

namespace paystream {
namespace {

namespace fs = std::filesystem;

constexpr size_t rows_between_checks = 4096;  // a full disk stops the export soon, not at its end

Error write_error(const std::string& doing, const fs::path& file, int error_number) {
  const Errc code = error_number == ENOSPC || error_number == EDQUOT ? Errc::storage_full : Errc::io_error;
  return make_error(code, fmt::format("{} {}: {}; nothing was removed", doing, file.string(),
                                      error_number != 0 ? std::strerror(error_number) : "write failed"));
}

Result<OutputFormat> export_format(const fs::path& file) {
  const std::string extension = file.extension().string();
  if (extension == ".csv") return OutputFormat::csv;
  if (extension == ".xlsx") return OutputFormat::xlsx;
  return make_error(Errc::invalid_argument,
                    fmt::format("the export file '{}' must end in .csv or .xlsx", file.string()));
}

// Data and metadata on disk before the cleanup's event can name the file.
Status sync_path(const fs::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return write_error("cannot open", path, errno);
  const int synced = ::fsync(fd);
  const int sync_errno = errno;
  ::close(fd);
  if (synced != 0) return write_error("cannot sync", path, sync_errno);
  return ok_status();
}

Result<std::string> file_sha256(const fs::path& file) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  PAYSTREAM_ASSERT(context && EVP_DigestInit_ex2(context.get(), EVP_sha256(), nullptr) == 1);
  std::ifstream in(file, std::ios::binary);
  if (!in) return write_error("cannot read back the export", file, errno);
  std::array<char, 1 << 16> buffer{};
  while (in) {
    in.read(buffer.data(), buffer.size());
    PAYSTREAM_ASSERT(EVP_DigestUpdate(context.get(), buffer.data(), static_cast<size_t>(in.gcount())) == 1);
  }
  if (in.bad()) return write_error("cannot read back the export", file, errno);
  std::string digest(32, '\0');
  unsigned int size = 0;
  PAYSTREAM_ASSERT(
      EVP_DigestFinal_ex(context.get(), reinterpret_cast<unsigned char*>(digest.data()), &size) == 1 &&
      size == digest.size());
  return digest;
}

// The records of [floor, before) into `part`, returning how many.
Result<uint64_t> write_export(const Projections& projections, Timestamp before, OutputFormat format,
                              const fs::path& part, const std::function<void()>& exported_row) {
  std::ofstream out;
  if (format == OutputFormat::csv) {
    out.open(part, std::ios::binary | std::ios::trunc);
    if (!out) return write_error("cannot create the export", part, errno);
  }
  Result<std::unique_ptr<RowWriter>> writer = RowWriter::create(format, out, part.string(), record_columns());
  if (!writer) return writer.error();
  RecordQuery query;
  query.to = before;
  query.limit = 0;
  uint64_t count = 0;
  int failed_errno = 0;
  Status scanned = projections.for_each_record(query, [&](const RecordRow& row) {
    if (failed_errno != 0) return;
    (*writer)->row(record_cells(row));
    if (exported_row) exported_row();
    if (++count % rows_between_checks == 0 && format == OutputFormat::csv && !out.good())
      failed_errno = errno;
  });
  if (!scanned) return scanned.error();
  if (failed_errno == 0 && format == OutputFormat::csv && !out.good()) failed_errno = errno;
  if (failed_errno != 0) return write_error("cannot write the export", part, failed_errno);
  errno = 0;
  if (Status finished = (*writer)->finish(); !finished) {
    const int finish_errno = errno;
    return write_error(fmt::format("cannot finish the export ({})", finished.error().message), part,
                       finish_errno);
  }
  if (format == OutputFormat::csv) {
    out.close();
    if (!out) return write_error("cannot write the export", part, errno);
  }
  return count;
}

std::optional<CleanupRow> last_cleanup(const std::vector<CleanupRow>& cleanups) {
  if (cleanups.empty()) return std::nullopt;
  return cleanups.back();  // in the order of their ends
}

}  // namespace

Result<CleanupDone> clean_up_records(const Projections& projections, const CleanupRequest& request,
                                     Timestamp now, const CommandSubmitter& submit) {
  const Timestamp before = start_of(request.before);
  const Timestamp youngest = Timestamp{now.micros - std::chrono::microseconds(cleanup_age_min).count()};
  if (before > youngest) {
    return make_error(
        Errc::invalid_argument,
        fmt::format("before {}: records of the last {} hours are never cleaned up; give {} "
                    "or earlier",
                    format_date(request.before), cleanup_age_min.count(), format_date(date_of(youngest))));
  }
  Result<OutputFormat> format = export_format(request.export_file);
  if (!format) return format.error();
  Result<std::vector<CleanupRow>> cleanups = projections.record_cleanups();
  if (!cleanups) return cleanups.error();
  // A retry of a cleanup that was applied: its first outcome, as for every command ID.
  if (!request.command_id.empty()) {
    for (const CleanupRow& row : *cleanups) {
      if (row.command_id != request.command_id) continue;
      if (row.cleanup.before != before) {
        return make_error(
            Errc::command_id_conflict,
            fmt::format("command ID '{}' cleaned up the records before {}, not before {}", row.command_id,
                        format_timestamp(row.cleanup.before), format_timestamp(before)));
      }
      CleanupDone done;
      done.exported = CleanupExport{.from = row.cleanup.from,
                                    .before = row.cleanup.before,
                                    .count = row.cleanup.count,
                                    .file = request.export_file.parent_path() / row.cleanup.export_file,
                                    .sha256 = row.cleanup.export_sha256};
      done.command_id = row.command_id;
      done.position = row.id;
      done.duplicate = true;
      return done;
    }
  }
  const std::optional<CleanupRow> last = last_cleanup(*cleanups);
  const Timestamp from = last ? last->cleanup.before : Timestamp{};
  if (last && before <= from) {
    return make_error(Errc::nothing_to_change,
                      fmt::format("the records before {} left the query tables already (exported to {})",
                                  format_timestamp(last->cleanup.before), last->cleanup.export_file));
  }
  const fs::path file = request.export_file;
  std::error_code error;
  if (!request.replace_export && fs::exists(file, error)) {
    return make_error(
        Errc::invalid_argument,
        fmt::format("the export file {} exists: an export is never overwritten", file.string()));
  }
  // A part left by a run that stopped half-way is written over.
  const fs::path part = fs::path(file).concat(".part");
  Result<uint64_t> count = write_export(projections, before, *format, part, request.exported_row);
  if (!count || *count == 0) {
    fs::remove(part, error);
    if (!count) return count.error();
    return make_error(Errc::nothing_to_change,
                      fmt::format("no payment records before {} to clean up", format_date(request.before)));
  }
  Result<std::string> digest = file_sha256(part);
  if (!digest) {
    fs::remove(part, error);
    return digest.error();
  }
  Status synced = sync_path(part, O_RDONLY);
  if (synced) {
    fs::rename(part, file, error);
    if (error) synced = write_error("cannot name the export", file, error.value());
  }
  if (synced) synced = sync_path(fs::absolute(file).parent_path(), O_RDONLY | O_DIRECTORY);
  if (!synced) {
    fs::remove(part, error);
    return synced.error();
  }
  CleanupDone done;
  done.exported =
      CleanupExport{.from = from, .before = before, .count = *count, .file = file, .sha256 = *digest};
  if (request.confirm && !request.confirm(done.exported)) {
    done.cancelled = true;
    return done;
  }
  Command command;
  command.command_id = request.command_id.empty() ? generate_command_id() : request.command_id;
  command.operator_name = request.operator_name;
  command.body = CleanUpRecords{RecordsCleanup{.from = from,
                                               .before = before,
                                               .count = *count,
                                               .export_sha256 = *digest,
                                               .export_file = file.filename().string()}};
  Result<Outcome> outcome = submit(std::move(command));
  if (!outcome) {
    // Refused (rights, a full data directory): no event names the export, so it goes too. A
    // pending outcome (Kafka mode) may still be applied: its export stays.
    if (outcome.error().code != Errc::outcome_pending) fs::remove(file, error);
    return outcome.error();
  }
  PAYSTREAM_ASSERT(!outcome->events.empty());
  done.command_id = outcome->events.front().command_id;
  done.position = outcome->events.front().position;
  done.duplicate = outcome->duplicate;
  return done;
}

Result<std::optional<CleanedUpNotice>> cleaned_up_notice(const Projections& projections,
                                                         std::optional<Timestamp> query_from) {
  Result<std::vector<CleanupRow>> cleanups = projections.record_cleanups();
  if (!cleanups) return cleanups.error();
  const std::optional<CleanupRow> last = last_cleanup(*cleanups);
  if (!last || (query_from && *query_from >= last->cleanup.before)) return std::optional<CleanedUpNotice>();
  const std::string before = format_timestamp(last->cleanup.before);
  return std::optional<CleanedUpNotice>(CleanedUpNotice{
      .before = before,
      .export_file = last->cleanup.export_file,
      .sentence =
          fmt::format("payment records before {} left the query tables: the last cleanup ({}) exported "
                      "them to {}; `paystream audit operations` lists every cleanup, and the log still "
                      "holds their events",
                      before, last->command_id, last->cleanup.export_file)});
}

namespace {

// The records of a CSV export: its lines after the header, a line break inside quotes (a memo's)
// being part of its field.
Result<uint64_t> csv_records(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(Errc::io_error, fmt::format("cannot read {}", file.string()));
  uint64_t lines = 0;
  bool quoted = false, line_has_bytes = false;
  for (char c; in.get(c);) {
    if (c == '"') quoted = !quoted;
    if (c == '\n' && !quoted) {
      ++lines;
      line_has_bytes = false;
    } else {
      line_has_bytes = true;
    }
  }
  if (line_has_bytes) ++lines;
  return lines == 0 ? 0 : lines - 1;
}

}  // namespace

Status verify_cleanup_exports(const Projections& projections, const fs::path& dir, std::ostream& out) {
  Result<std::vector<CleanupRow>> cleanups = projections.record_cleanups();
  if (!cleanups) return cleanups.error();
  std::optional<Error> first_failure;
  for (const CleanupRow& row : *cleanups) {
    const fs::path file = dir / row.cleanup.export_file;
    std::string verdict;
    std::error_code error;
    if (!fs::is_regular_file(file, error)) {
      verdict = "MISSING";
    } else if (Result<std::string> digest = file_sha256(file); !digest) {
      verdict = "UNREADABLE";
    } else if (*digest != row.cleanup.export_sha256) {
      verdict = "SHA-256 MISMATCH";
    } else if (row.removed != row.cleanup.count) {
      verdict = fmt::format(
          "REMOVED {} (the query tables dropped another number of records than the export "
          "holds)",
          row.removed);
    } else if (file.extension() == ".csv") {
      Result<uint64_t> records = csv_records(file);
      if (!records || *records != row.cleanup.count) {
        verdict = records ? fmt::format("COUNT MISMATCH ({} records in the file)", *records) : "UNREADABLE";
      }
    }
    out << fmt::format("cleanup {} (records before {}): {} records, {}: {}\n", row.command_id,
                       format_timestamp(row.cleanup.before), row.cleanup.count, file.string(),
                       verdict.empty() ? "ok" : verdict);
    if (!verdict.empty() && !first_failure) {
      first_failure = make_error(Errc::corruption, fmt::format("the export of cleanup {} ({}): {}",
                                                               row.command_id, file.string(), verdict));
    }
  }
  if (cleanups->empty()) out << "no records cleanup to reconcile\n";
  if (first_failure) return *first_failure;
  return ok_status();
}

std::string retention_command_id(Date before) { return "retention:" + format_date(before); }

std::string retention_export_name(Date before) {
  return fmt::format("payment-records-before-{}.csv", format_date(before));
}

Date retention_cutoff(Timestamp now, int64_t days) {
  return add_days(date_of(now), -static_cast<int32_t>(days));
}

RetentionSchedule::RetentionSchedule(RetentionTarget target, Clock& clock,
                                     std::optional<std::filesystem::path> export_dir,
                                     std::string operator_name, std::chrono::milliseconds interval, Log log)
    : target_(std::move(target)),
      clock_(clock),
      export_dir_(std::move(export_dir)),
      operator_name_(std::move(operator_name)),
      log_(std::move(log)),
      thread_(interval, [this] { check(); }) {}

std::optional<CleanupDone> RetentionSchedule::check() {
  std::lock_guard running(check_mutex_);
  const int64_t days = target_.parameters().record_retention_days;
  if (days <= 0) return std::nullopt;
  if (!export_dir_) {
    if (!warned_no_dir_) {
      log_(
          fmt::format("RECORD_RETENTION_DAYS is {} but no --records-export-dir was given: records are kept "
                      "until one is",
                      days));
      warned_no_dir_ = true;
    }
    return std::nullopt;
  }
  const Date before = retention_cutoff(clock_.now(), days);
  CleanupRequest request{.before = before,
                         .export_file = *export_dir_ / retention_export_name(before),
                         .command_id = retention_command_id(before),
                         .operator_name = operator_name_,
                         .replace_export = true,
                         .exported_row = {},
                         .confirm = {}};
  Result<CleanupDone> done = clean_up_records(target_.projections, request, clock_.now(), target_.submit);
  if (!done) {
    // Nothing (new) to clean up is the usual answer of every check but a day's first.
    if (done.error().code != Errc::nothing_to_change && failed_day_ != before) {
      log_(
          fmt::format("retention: the cleanup of records before {} failed, tried again at the next check: {}",
                      format_date(before), done.error().message));
      failed_day_ = before;
    }
    return std::nullopt;
  }
  failed_day_.reset();
  if (done->duplicate) return std::nullopt;  // this day's cleanup was made before
  log_(fmt::format("retention: {} payment records before {} exported to {} and removed from the query tables",
                   done->exported.count, format_date(before), done->exported.file.string()));
  return std::move(*done);
}

}  // namespace paystream
