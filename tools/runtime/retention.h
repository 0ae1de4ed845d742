#pragma once
// Retention (domain.md "Retention", the seed's "Payment Record Data Maintenance"): the payment records
// before a date are exported to a file, then removed from the query tables by a RecordsCleanedUp
// event that names the range, the count and the export's SHA-256. The events stay in the log. One
// code for `paystream records cleanup`, POST /v1/maintenance/records-cleanup and the daily run.
#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>

#include "engine/domain/clock.h"
#include "engine/domain/ledger_state.h"
#include "engine/domain/outcome.h"
#include "events/command.h"
#include "projections/projections.h"
#include "tools/runtime/periodic_thread.h"

namespace paystream {

// Records younger than this are never cleaned up: in Kafka mode an export reads projections that
// may lag the log a little, and a cleanup must not drop a record its export did not hold.
inline constexpr std::chrono::hours cleanup_age_min{24};

// What the export holds, before the records are removed.
struct CleanupExport {
  Timestamp from;  // the last cleanup's end (zero: the log's start)
  Timestamp before;
  uint64_t count = 0;
  std::filesystem::path file;
  std::string sha256;  // 32 bytes
};

struct CleanupRequest {
  Date before;                        // records made before this day's start (UTC)
  std::filesystem::path export_file;  // .csv or .xlsx, in a folder that exists
  std::string command_id;             // empty: generated
  std::string operator_name;
  // An export file of that name is replaced (the daily run's, after a run that stopped between its
  // export and its event); otherwise one that exists is refused.
  bool replace_export = false;
  // Called after each record written to the export (a terminal's progress line); may be empty.
  std::function<void()> exported_row;
  // Asked once the export is complete and synced: false cancels (nothing removed; the export stays).
  std::function<bool(const CleanupExport&)> confirm;
};

struct CleanupDone {
  CleanupExport exported;
  std::string command_id;
  LogPosition position;    // the RecordsCleanedUp event (in Kafka mode, one partition's)
  bool duplicate = false;  // the command ID had been applied: nothing more was removed
  bool cancelled = false;  // confirm() said no
};

using CommandSubmitter = std::function<Result<Outcome>(Command)>;

// Exports the records of [last cleanup's end, before) into request.export_file through a temporary
// file beside it (complete and synced, or no file and an error: Errc::storage_full on a full disk,
// io_error otherwise), then submits the cleanup. Errc::nothing_to_change when no record is in the
// range, invalid_argument for a date less than a day old, a file of another kind or an existing one.
// A command ID that cleaned up before gets that cleanup back as a duplicate (nothing exported), or
// command_id_conflict for another date. A refused command removes the export it made.
Result<CleanupDone> clean_up_records(const Projections& projections, const CleanupRequest& request,
                                     Timestamp now, const CommandSubmitter& submit);

// What the records query says of the records no longer in it, when its range starts before the
// last cleanup's end (nullopt otherwise): that end, the export that holds them, and a sentence.
struct CleanedUpNotice {
  std::string before;       // format_timestamp of the last cleanup's end
  std::string export_file;  // the last cleanup's export
  std::string sentence;     // for a terminal
};
Result<std::optional<CleanedUpNotice>> cleaned_up_notice(const Projections& projections,
                                                         std::optional<Timestamp> query_from);

// audit verify --export-dir: each cleanup the projections applied reconciled with its export file in
// `dir`: the file is there, its SHA-256 is the event's, and (CSV) it holds the event's count of
// records, which is also what the query tables dropped. One line per cleanup on `out`;
// Errc::corruption naming the first that differs.
Status verify_cleanup_exports(const Projections& projections, const std::filesystem::path& dir,
                              std::ostream& out);

// The command ID of the daily run's cleanup of records before `before`: the same in every process,
// so a day's cleanup is applied once however many servers run it.
std::string retention_command_id(Date before);
// The daily run's export file name: payment-records-before-YYYY-MM-DD.csv.
std::string retention_export_name(Date before);
// The day before which RECORD_RETENTION_DAYS = days removes records at `now`.
Date retention_cutoff(Timestamp now, int64_t days);

// In `paystream serve`: at start and then every `interval`, when RECORD_RETENTION_DAYS is above 0
// and an export folder was given, cleans up the records older than that many days (to the start of
// a day), exporting them into the folder first. At most one cleanup per day: its command ID is the
// day's, and a day already cleaned up is not run again.
struct RetentionTarget {
  const Projections& projections;
  std::function<Parameters()> parameters;
  CommandSubmitter submit;
};

class RetentionSchedule {
 public:
  using Log = std::function<void(const std::string&)>;
  RetentionSchedule(RetentionTarget target, Clock& clock, std::optional<std::filesystem::path> export_dir,
                    std::string operator_name, std::chrono::milliseconds interval, Log log);
  RetentionSchedule(const RetentionSchedule&) = delete;
  RetentionSchedule& operator=(const RetentionSchedule&) = delete;

  // One check now, on the caller's thread: the cleanup made, if any.
  std::optional<CleanupDone> check();

 private:
  RetentionTarget target_;
  Clock& clock_;
  std::optional<std::filesystem::path> export_dir_;
  std::string operator_name_;
  Log log_;
  bool warned_no_dir_ = false;
  std::optional<Date> failed_day_;  // the day whose last try failed (logged once)
  std::mutex check_mutex_;          // one check at a time (the thread's, a caller's)
  PeriodicThread thread_;           // last: started once every other member is
};

}  // namespace paystream
