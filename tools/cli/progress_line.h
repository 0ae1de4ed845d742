#pragma once
// A long export's progress on a terminal: "paystream: 1200000 rows written to FILE", rewritten in
// place about once a second on stderr, and a last line when done. Nothing when stderr is no
// terminal, so scripts and logs see only the outcome.
#include <chrono>
#include <cstdint>
#include <string>

namespace paystream {

class ProgressLine {
 public:
  explicit ProgressLine(std::string destination);
  // One more row (cheap: the clock is read once per 1024 rows).
  void count() {
    if (!shown_ || ++rows_ % 1024 != 0) return;
    tick();
  }
  // The final count, on its own line (only when a progress line was shown).
  void done();

 private:
  void tick();
  std::string destination_;
  bool shown_ = false;  // stderr is a terminal
  bool printed_ = false;
  uint64_t rows_ = 0;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace paystream
