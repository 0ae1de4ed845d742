#include "tools/cli/progress_line.h"

#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

namespace paystream {

ProgressLine::ProgressLine(std::string destination)
    : destination_(std::move(destination)),
      shown_(::isatty(STDERR_FILENO) == 1),
      last_(std::chrono::steady_clock::now()) {}

void ProgressLine::tick() {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::seconds(1)) return;
  last_ = now;
  printed_ = true;
  std::cerr << fmt::format("\rpaystream: {} rows written to {}", rows_, destination_) << std::flush;
}

void ProgressLine::done() {
  if (!printed_) return;
  std::cerr << fmt::format("\rpaystream: {} rows written to {}\n", rows_, destination_) << std::flush;
  printed_ = false;
}

}  // namespace paystream
