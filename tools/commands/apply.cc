#include "tools/commands/apply.h"

#include <fmt/format.h>

#include "tools/runtime/command_json.h"

namespace paystream {
namespace {

using json = nlohmann::json;

// The command_id a refused line names, so the caller can match the outcome even when the line was
// refused before it reached the ledger ("" when there is none).
std::string command_id_of(const std::string& text) {
  const json object = json::parse(text, nullptr, false);
  if (!object.is_object() || !object.contains("command_id") || !object.at("command_id").is_string())
    return "";
  return object.at("command_id").get<std::string>();
}

void print(std::ostream& out, const json& line) {
  // Invalid UTF-8 (from a command made by the CLI) must not end the run: replace it.
  out << line.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
}

// The chunk through the local ledger: one submit_all, so its commands share one sync.
std::vector<json> apply_locally(Ledger& ledger, const ApplyOptions& options,
                                const std::vector<std::string>& lines) {
  std::vector<Result<Command>> parsed;
  std::vector<Command> commands;
  for (const std::string& text : lines) {
    parsed.push_back(command_from_json_text(text, options.default_operator));
    if (parsed.back()) commands.push_back(*parsed.back());
  }
  std::vector<Result<Outcome>> outcomes = ledger.submit_all(commands);
  std::vector<json> results;
  size_t next = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!parsed[i]) {
      results.push_back(outcome_to_json(command_id_of(lines[i]), parsed[i].error()));
      continue;
    }
    const Result<Outcome>& outcome = outcomes[next];
    const std::string& id = outcome ? outcome->events.front().command_id : commands[next].command_id;
    ++next;
    results.push_back(outcome_to_json(id, outcome));
  }
  return results;
}

// An outcome whose error is an operating error (the ledger stopped), not a refusal of the line.
bool is_operating_error(const json& outcome) {
  if (outcome.value("ok", false)) return false;
  const json error = outcome.value("error", json::object());
  const std::optional<Errc> code = errc_from_name(error.is_object() ? error.value("code", "") : "");
  return !code || (!is_rejection(*code) && !is_usage_error(*code));
}

// Prints the chunk's outcomes; false when the chunk could not be applied or the ledger stopped.
bool apply_chunk(const ApplyChunk& apply, std::vector<std::string>& lines, std::vector<uint64_t>& numbers,
                 std::ostream& out, std::ostream& err, bool& any_refused) {
  Result<std::vector<json>> outcomes = apply(lines);
  if (!outcomes) {
    err << "paystream: " << outcomes.error().message << " [" << errc_name(outcomes.error().code) << "]\n";
    return false;
  }
  bool stopped = false;
  std::string stopped_by;  // the first operating error's message
  for (size_t i = 0; i < outcomes->size(); ++i) {
    json& outcome = (*outcomes)[i];
    any_refused = any_refused || !outcome.value("ok", false);
    if (!stopped && is_operating_error(outcome)) {
      stopped = true;
      const json error = outcome.value("error", json::object());
      stopped_by = error.is_object() ? error.value("message", "") : "";
    }
    outcome["line"] = numbers[i];
    print(out, outcome);
  }
  out.flush();
  lines.clear();
  numbers.clear();
  // The ledger refuses every later line alike (a failed write, a full disk, a read-only directory).
  if (stopped) err << "paystream: stopped: " << stopped_by << "; later lines were not applied\n";
  return !stopped;
}

}  // namespace

int run_apply_chunks(const ApplyChunk& apply, size_t chunk_commands_max, std::istream& in, std::ostream& out,
                     std::ostream& err) {
  std::vector<std::string> lines;
  std::vector<uint64_t> numbers;
  bool any_refused = false;
  uint64_t number = 0;
  std::string text;
  while (std::getline(in, text)) {
    ++number;
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    lines.push_back(std::move(text));
    numbers.push_back(number);
    // Apply what is there when the input pauses, so a slow producer still gets prompt answers.
    if (lines.size() >= chunk_commands_max || in.rdbuf()->in_avail() <= 0) {
      if (!apply_chunk(apply, lines, numbers, out, err, any_refused)) return 1;
    }
  }
  if (!lines.empty() && !apply_chunk(apply, lines, numbers, out, err, any_refused)) return 1;
  if (in.bad()) {
    err << fmt::format("paystream: reading the input failed after line {}\n", number);
    return 1;
  }
  return any_refused ? 3 : 0;
}

ApplyChunk local_apply_chunk(Ledger& ledger, const ApplyOptions& options) {
  return [&ledger, options](const std::vector<std::string>& lines) -> Result<std::vector<json>> {
    return apply_locally(ledger, options, lines);
  };
}

int run_apply(Ledger& ledger, const ApplyOptions& options, std::istream& in, std::ostream& out,
              std::ostream& err) {
  return run_apply_chunks(local_apply_chunk(ledger, options), options.chunk_commands_max, in, out, err);
}

}  // namespace paystream
