#include "tools/commands/charge_import.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "tools/commands/cdr_csv.h"

namespace paystream {
namespace {

using json = nlohmann::json;

struct Refusal {
  uint64_t line = 0;
  std::string cdr_id;
  std::string code;
  std::string message;
};

// A line read since the last flush: a command to apply, or refused already.
struct Entry {
  uint64_t number = 0;
  std::string cdr_id;
  std::string command;  // JSON text
  std::optional<Refusal> refused;
};

class Importer {
 public:
  Importer(const ApplyChunk& apply, const ChargeImportOptions& options, std::ostream& out, std::ostream& err)
      : apply_(apply), options_(options), out_(out), err_(err) {}

  // False once the run must stop (see flush).
  bool add(uint64_t number, const CdrColumns& columns, const std::string& text) {
    ++summary_.lines;
    Result<json> charge = columns.charge_of(text);
    Entry& entry = chunk_.emplace_back();
    entry.number = number;
    if (!charge) {
      entry.refused = Refusal{number, "", errc_name(charge.error().code), charge.error().message};
    } else {
      entry.cdr_id = charge->value("cdr_id", "");
      entry.command = charge->dump(-1, ' ', false, json::error_handler_t::replace);
      ++commands_;
    }
    if (commands_ >= options_.chunk_commands_max) return flush();
    return true;
  }

  // Applies the chunk and reports its lines in order. False when the chunk could not be applied,
  // or the ledger stopped taking commands.
  bool flush() {
    std::vector<std::string> lines;
    for (const Entry& entry : chunk_) {
      if (!entry.refused) lines.push_back(entry.command);
    }
    std::vector<json> outcomes;
    if (!lines.empty()) {
      Result<std::vector<json>> applied = apply_(lines);
      if (!applied) {
        err_ << fmt::format("\npaystream: {} [{}]; lines {} and later were not applied\n",
                            applied.error().message, errc_name(applied.error().code), chunk_.front().number);
        stopped_ = true;
        return false;
      }
      outcomes = std::move(*applied);
    }
    size_t next = 0;
    for (const Entry& entry : chunk_) {
      if (entry.refused) {
        refuse(*entry.refused);
      } else {
        count(outcomes.at(next++), entry);
      }
    }
    chunk_.clear();
    commands_ = 0;
    show_progress();
    return !stopped_;
  }

  int finish() {
    if (options_.progress) err_ << "\n";
    if (options_.json_output) {
      out_ << json{{"lines", summary_.lines},
                   {"applied", summary_.applied},
                   {"duplicates", summary_.duplicates},
                   {"refused", summary_.refused}}
                  .dump()
           << "\n";
    } else {
      out_ << fmt::format("{} lines: {} charges applied, {} duplicates, {} refused\n", summary_.lines,
                          summary_.applied, summary_.duplicates, summary_.refused);
    }
    out_.flush();
    if (stopped_) return 1;
    return summary_.refused > 0 ? 3 : 0;
  }

 private:
  void count(const json& outcome, const Entry& entry) {
    if (outcome.value("ok", false)) {
      ++(outcome.value("duplicate", false) ? summary_.duplicates : summary_.applied);
      return;
    }
    const json error = outcome.value("error", json::object());
    const std::string code = error.is_object() ? error.value("code", "") : "";
    refuse(Refusal{entry.number, entry.cdr_id, code,
                   error.is_object() ? error.value("message", "") : std::string()});
    // An operating error (the ledger stopped, the disk is full) refuses every later line alike.
    const std::optional<Errc> known = errc_from_name(code);
    if (!known || (!is_rejection(*known) && !is_usage_error(*known))) stopped_ = true;
  }

  void refuse(const Refusal& refusal) {
    ++summary_.refused;
    if (options_.json_output) {
      out_ << json{{"line", refusal.line},
                   {"cdr_id", refusal.cdr_id},
                   {"error", {{"code", refusal.code}, {"message", refusal.message}}}}
                  .dump(-1, ' ', false, json::error_handler_t::replace)
           << "\n";
      return;
    }
    if (options_.progress) err_ << "\r\033[K";  // clear the progress line first
    err_ << fmt::format("line {}: {}{} [{}]\n", refusal.line,
                        refusal.cdr_id.empty() ? "" : fmt::format("CDR '{}': ", refusal.cdr_id),
                        refusal.message, refusal.code);
  }

  void show_progress() {
    if (!options_.progress) return;
    err_ << fmt::format("\r\033[K{} lines: {} applied, {} duplicates, {} refused", summary_.lines,
                        summary_.applied, summary_.duplicates, summary_.refused)
         << std::flush;
  }

  const ApplyChunk& apply_;
  ChargeImportOptions options_;
  std::ostream& out_;
  std::ostream& err_;
  ChargeImportSummary summary_;
  // The lines read since the last flush, in order.
  std::vector<Entry> chunk_;
  size_t commands_ = 0;  // entries of chunk_ to apply
  bool stopped_ = false;
};

}  // namespace

int run_charge_import(const ApplyChunk& apply, const ChargeImportOptions& options, std::istream& in,
                      std::ostream& out, std::ostream& err) {
  std::string text;
  uint64_t number = 0;
  std::optional<CdrColumns> columns;
  while (!columns && std::getline(in, text)) {
    ++number;
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    Result<CdrColumns> header = CdrColumns::from_header(text);
    if (!header) {
      err << fmt::format("paystream: line {}: {} [{}]\n", number, header.error().message,
                         errc_name(header.error().code));
      return 2;
    }
    columns = std::move(*header);
  }
  if (!columns) {
    err << "paystream: the file has no header line (cdr_id,account,amount,start_time,...)\n";
    return 2;
  }
  Importer importer(apply, options, out, err);
  bool going = true;
  while (going && std::getline(in, text)) {
    ++number;
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    going = importer.add(number, *columns, text);
  }
  if (going) importer.flush();
  if (in.bad()) {
    err << fmt::format("paystream: reading the file failed after line {}\n", number);
    importer.finish();
    return 1;
  }
  return importer.finish();
}

}  // namespace paystream
