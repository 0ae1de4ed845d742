#pragma once
// A long-running child process (`paystream dev-broker`) whose standard output is read line by line
// and which is stopped with a signal. The destructor kills (SIGKILL) and reaps a child still running,
// so a failing test never leaves one behind.
#include <string>
#include <vector>

namespace paystream::testing {

class ChildProcess {
 public:
  // stdin from /dev/null, stdout to a pipe read here, stderr to `stderr_path`.
  ChildProcess(const std::vector<std::string>& argv, const std::string& stderr_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The next whole line of standard output; "" when none came within timeout_ms or output ended.
  std::string read_line(int timeout_ms);
  void signal(int number);
  int wait();  // exit code, or 128 + signal

 private:
  int pid_ = -1;
  int out_fd_ = -1;
  std::string buffered_;
  bool waited_ = false;
  int status_ = 0;
};

}  // namespace paystream::testing
