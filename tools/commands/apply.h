#pragma once
// `paystream apply`: applies commands given as JSON lines (see tools/runtime/command_json.h), in order,
// group-committed in chunks, and prints one JSON outcome line per input line only after that
// command is durable. A killed process leaves no acknowledged command unapplied, and re-running
// the same input applies nothing twice (command IDs).
#include <functional>
#include <istream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "engine/embedded/ledger.h"

namespace paystream {

struct ApplyOptions {
  std::string default_operator = "admin";
  size_t chunk_commands_max = 1024;
};

// Exit code: 0 when every line was applied (or was a duplicate), 3 when any was refused by the
// rules or malformed (those lines change nothing; the others are still applied), 1 on an I/O error.
int run_apply(Ledger& ledger, const ApplyOptions& options, std::istream& in, std::ostream& out,
              std::ostream& err);

// Applies one chunk of non-blank input lines: their outcomes, in order, as outcome_to_json makes
// them (without "line"). An error means the chunk as a whole could not be applied (a server that
// cannot be reached): its lines get no outcome and the run stops with exit 1.
using ApplyChunk = std::function<Result<std::vector<nlohmann::json>>(const std::vector<std::string>& lines)>;

// Chunks applied by the local ledger: one submit_all per chunk, so its commands share one sync.
ApplyChunk local_apply_chunk(Ledger& ledger, const ApplyOptions& options);

// The loop of run_apply, whatever applies the chunks (the local ledger, or a server: remote_apply.h):
// reads lines, cuts chunks (at chunk_commands_max lines, or when the input pauses), prints each
// outcome with its "line" number, and stops after a chunk with an operating error (io_error ...).
int run_apply_chunks(const ApplyChunk& apply, size_t chunk_commands_max, std::istream& in, std::ostream& out,
                     std::ostream& err);

}  // namespace paystream
