#pragma once
// Running the `paystream` binary (or a script) as a child process and collecting what it said.
#include <string>
#include <vector>

namespace paystream::e2e {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed by one
  std::string out;
  std::string err;
};

// Runs argv[0] (a path) with the rest as arguments; stdout and stderr are captured in full.
ProcessResult run_process(const std::vector<std::string>& argv);

// Runs the paystream binary under test with `--data data_dir` put before the arguments.
ProcessResult paystream(const std::string& data_dir, const std::vector<std::string>& arguments);

// A fresh empty directory, removed with everything in it when the object goes.
class TemporaryDirectory {
 public:
  TemporaryDirectory();
  ~TemporaryDirectory();
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string read_file(const std::string& path);
// Lines without their line ends ("\r\n" or "\n"), the last empty line dropped.
std::vector<std::string> lines_of(const std::string& text);

}  // namespace paystream::e2e
