#pragma once
// `paystream charge --file`: a CDR file (tools/commands/cdr_csv.h) applied in chunks, locally or
// on a server (the same ApplyChunk as `apply`). A bad line is reported with its line number and
// changes nothing; the other lines go on. A resent CDR (its CDR ID seen before) is a duplicate.
#include <cstdint>
#include <istream>
#include <ostream>

#include "tools/commands/apply.h"

namespace paystream {

struct ChargeImportOptions {
  size_t chunk_commands_max = 1024;
  bool json_output = false;  // one object per refused line, then the summary object
  bool progress = false;     // a progress line on `err`, rewritten after each chunk (a terminal)
};

struct ChargeImportSummary {
  uint64_t lines = 0;  // data lines read (blank lines are not counted)
  uint64_t applied = 0;
  uint64_t duplicates = 0;
  uint64_t refused = 0;
};

// Exit code: 0 when every line was applied or a duplicate, 3 when any was refused, 2 for a file
// whose header is not a CDR header, 1 when a chunk could not be applied (the run stops there).
int run_charge_import(const ApplyChunk& apply, const ChargeImportOptions& options, std::istream& in,
                      std::ostream& out, std::ostream& err);

}  // namespace paystream
