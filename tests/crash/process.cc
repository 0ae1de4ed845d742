#include "tests/crash/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

extern char** environ;

namespace paystream::testing {

KillableChild::KillableChild(const std::vector<std::string>& argv, const std::string& stderr_path) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const int spawned = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  out_fd_ = pipe_fds[0];
  if (spawned != 0) throw std::runtime_error("cannot start " + argv[0]);
}

KillableChild::~KillableChild() {
  if (!waited_) {
    kill_now();
    wait();
  }
  if (out_fd_ >= 0) close(out_fd_);
}

bool KillableChild::read_lines(std::vector<std::string>& lines, int timeout_ms) {
  pollfd descriptor{out_fd_, POLLIN, 0};
  if (poll(&descriptor, 1, timeout_ms) <= 0) return true;
  char buffer[65536];
  const ssize_t size = read(out_fd_, buffer, sizeof buffer);
  if (size <= 0) return false;
  partial_.append(buffer, static_cast<size_t>(size));
  size_t start = 0;
  for (size_t end = partial_.find('\n'); end != std::string::npos; end = partial_.find('\n', start)) {
    lines.push_back(partial_.substr(start, end - start));
    start = end + 1;
  }
  partial_.erase(0, start);
  return true;
}

void KillableChild::kill_now() {
  if (!waited_) ::kill(pid_, SIGKILL);
}

int KillableChild::wait() {
  if (!waited_) {
    waitpid(pid_, &status_, 0);
    waited_ = true;
  }
  return WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
}

int run_process(const std::vector<std::string>& argv, std::string& output) {
  KillableChild child(argv, "/dev/null");
  std::vector<std::string> lines;
  while (child.read_lines(lines, 1000)) {
  }
  output.clear();
  for (const std::string& line : lines) output += line + "\n";
  return child.wait();
}

}  // namespace paystream::testing
