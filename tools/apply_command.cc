#include "tools/apply_command.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tools/command_json.h"

namespace paystream {
namespace {

using json = nlohmann::json;

struct Line {
  uint64_t number = 0;
  Result<Command> command = make_error(Errc::invalid_argument, "");
  std::string refused_command_id;  // when the line was refused before the ledger: its command_id, if any
};

// The command_id a refused line names, so the caller can match the outcome even when the line was
// refused before it reached the ledger ("" when there is none).
std::string command_id_of(const std::string& text) {
  const json object = json::parse(text, nullptr, false);
  if (!object.is_object() || !object.contains("command_id") || !object.at("command_id").is_string()) return "";
  return object.at("command_id").get<std::string>();
}

void print(std::ostream& out, const json& line) {
  // Invalid UTF-8 (from a command made by the CLI) must not end the run: replace it.
  out << line.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
}

json outcome_json(uint64_t line, const std::string& command_id, const Result<Outcome>& outcome) {
  json out = outcome_to_json(command_id, outcome);
  out["line"] = line;
  return out;
}

// Returns false on an I/O error (the ledger stopped).
bool apply_chunk(Ledger& ledger, std::vector<Line>& lines, std::ostream& out, bool& any_refused) {
  std::vector<Command> commands;
  for (Line& line : lines) {
    if (line.command) commands.push_back(*line.command);
  }
  std::vector<Result<Outcome>> outcomes = ledger.submit_all(commands);
  size_t next = 0;
  bool io_failed = false;
  for (Line& line : lines) {
    if (!line.command) {
      any_refused = true;
      print(out, outcome_json(line.number, line.refused_command_id, line.command.error()));
      continue;
    }
    const Result<Outcome>& outcome = outcomes[next];
    const std::string& id = outcome ? outcome->events.front().command_id : commands[next].command_id;
    ++next;
    if (!outcome) {
      any_refused = true;
      io_failed = io_failed || (!is_rejection(outcome.error().code) && !is_usage_error(outcome.error().code));
    }
    print(out, outcome_json(line.number, id, outcome));
  }
  out.flush();
  lines.clear();
  return !io_failed;
}

}  // namespace

int run_apply(Ledger& ledger, const ApplyOptions& options, std::istream& in, std::ostream& out, std::ostream& err) {
  std::vector<Line> lines;
  bool any_refused = false;
  uint64_t number = 0;
  std::string text;
  while (std::getline(in, text)) {
    ++number;
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    Line line{number, command_from_json_text(text, options.default_operator), ""};
    if (!line.command) line.refused_command_id = command_id_of(text);
    lines.push_back(std::move(line));
    // Apply what is there when the input pauses, so a slow producer still gets prompt answers.
    if (lines.size() >= options.chunk_commands_max || in.rdbuf()->in_avail() <= 0) {
      if (!apply_chunk(ledger, lines, out, any_refused)) {
        err << "paystream: the ledger stopped after a failed write\n";
        return 1;
      }
    }
  }
  if (!lines.empty() && !apply_chunk(ledger, lines, out, any_refused)) {
    err << "paystream: the ledger stopped after a failed write\n";
    return 1;
  }
  if (in.bad()) {
    err << fmt::format("paystream: reading the input failed after line {}\n", number);
    return 1;
  }
  return any_refused ? 3 : 0;
}

}  // namespace paystream
