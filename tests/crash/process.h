#pragma once
// Runs the real `paystream` binary as a child process, reading its standard output line by line,
// so tests can kill it with SIGKILL at any moment. Not tests/support's ChildProcess: this one
// reads whatever lines are there in one call and appends stderr across restarts, and its own name
// keeps the two classes apart in an executable that links tests/support.
#include <string>
#include <vector>

namespace paystream::testing {

class KillableChild {
 public:
  // Starts `argv` with stdin from /dev/null, stdout to a pipe read here, stderr to `stderr_path`.
  KillableChild(const std::vector<std::string>& argv, const std::string& stderr_path);
  ~KillableChild();
  KillableChild(const KillableChild&) = delete;
  KillableChild& operator=(const KillableChild&) = delete;

  // Reads complete lines available within `timeout_ms`; returns false at end of output.
  bool read_lines(std::vector<std::string>& lines, int timeout_ms);
  void kill_now();  // SIGKILL
  int wait();       // exit code, or 128 + signal

 private:
  int pid_ = -1;
  int out_fd_ = -1;
  std::string partial_;
  bool waited_ = false;
  int status_ = 0;
};

// Runs to completion and returns the exit code; stdout into `output`.
int run_process(const std::vector<std::string>& argv, std::string& output);

}  // namespace paystream::testing
