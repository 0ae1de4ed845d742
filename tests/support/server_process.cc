#include "tests/support/server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "tests/support/child_process.h"

extern char** environ;

namespace paystream::http_test {
namespace {

// With PAYSTREAM_RECORD_RESPONSES=DIR, every JSON answer a test's client gets is appended to
// DIR/responses-PID.jsonl as {"method","path","status","body"}, for the check that real answers
// match docs/openapi.yaml (tests/api_fuzz/validate_responses.py). One file per test process.
void record_responses(httplib::Client& client) {
  const char* dir = std::getenv("PAYSTREAM_RECORD_RESPONSES");
  if (dir == nullptr || *dir == '\0') return;
  client.set_logger(
      [dir = std::string(dir)](const httplib::Request& request, const httplib::Response& response) {
        if (response.get_header_value("Content-Type") != "application/json") return;
        const nlohmann::json line = {{"method", request.method},
                                     {"path", request.path.substr(0, request.path.find('?'))},
                                     {"status", response.status},
                                     {"body", response.body}};
        static std::mutex file_mutex;
        const std::lock_guard<std::mutex> lock(file_mutex);
        std::filesystem::create_directories(dir);
        std::ofstream(dir + "/responses-" + std::to_string(::getpid()) + ".jsonl", std::ios::app)
            << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
      });
}

constexpr int start_timeout_ms = 30'000;

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int spawn(const std::vector<std::string>& argv, int stdout_fd, const std::string& stderr_path);
int wait_for(int pid);

// PAYSTREAM_TEST_KAFKA=HOST:PORT (ctest's http-kafka-real/ tests): a real Apache Kafka broker
// (scripts/kafka-broker) that every test process shares. Each process gets topics of its own, under
// a prefix of its own per partition count, made with that many partitions before the first server
// that asks for them starts.
std::vector<std::string> real_broker_arguments(const std::string& bootstrap, int partitions) {
  static std::map<int, std::string> prefixes;
  std::string& prefix = prefixes[partitions];
  if (prefix.empty()) {
    prefix = "http-" + std::to_string(::getpid()) + "-" +
             std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1'000'000'007) +
             (partitions == 1 ? std::string() : "-p" + std::to_string(partitions));
    static TempDir files;
    const int null_out = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    const int made =
        wait_for(spawn({PAYSTREAM_BINARY, "publish", "--kafka", bootstrap, "--topic-prefix", prefix,
                        "--partitions", std::to_string(partitions), "--file", "/dev/null"},
                       null_out, files.file("publish.err")));
    ::close(null_out);
    if (made != 0) {
      const std::string why = read_all(files.file("publish.err"));
      prefix.clear();
      throw std::runtime_error("could not make the topics on the broker at " + bootstrap + ": " + why);
    }
  }
  return {"--kafka", bootstrap, "--topic-prefix",       prefix,
          "--group", prefix,    "--outcome-timeout-ms", "100000"};
}

// With PAYSTREAM_TEST_KAFKA set (ctest's http-kafka/ tests), every server of this test process
// serves the API in Kafka mode, with its engine loop in the same process, on a dev-broker started
// on first use: one partition unless the test asks for more (so that an agent and its sub-accounts
// always share it), one broker per partition count. A value HOST:PORT names a real broker instead.
std::vector<std::string> mode_arguments(int partitions) {
  const char* kafka = std::getenv("PAYSTREAM_TEST_KAFKA");
  if (kafka == nullptr) return {};
  if (std::string_view(kafka).find(':') != std::string_view::npos) {
    return real_broker_arguments(kafka, partitions);
  }
  struct Broker {
    TempDir files;
    std::unique_ptr<testing::ChildProcess> process;
    std::string bootstrap;
  };
  static std::map<int, Broker> brokers;
  Broker& broker = brokers[partitions];
  if (!broker.process) {
    broker.process = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{PAYSTREAM_BINARY, "dev-broker", "--brokers", "1", "--partitions",
                                 std::to_string(partitions)},
        broker.files.file("broker.err"));
    broker.bootstrap = broker.process->read_line(start_timeout_ms);
    if (broker.bootstrap.empty()) {
      throw std::runtime_error("dev-broker did not start: " + read_all(broker.files.file("broker.err")));
    }
  }
  // A long wait for outcomes: under the sanitizers a batch of thousands takes many seconds, and a
  // pending (202) answer would make the tests' next query racy.
  return {"--kafka", broker.bootstrap, "--group", "http-test", "--outcome-timeout-ms", "100000"};
}

int spawn(const std::vector<std::string>& argv, int stdout_fd, const std::string& stderr_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int spawned = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) throw std::runtime_error("cannot start " + argv[0]);
  return pid;
}

int wait_for(int pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "paystream-http-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

ServerProcess::ServerProcess(const std::string& data_dir, const std::vector<std::string>& extra,
                             int kafka_partitions) {
  stderr_path_ = capture_.file("stderr");
  std::vector<std::string> argv = {PAYSTREAM_BINARY, "serve", "--data", data_dir, "--listen", "127.0.0.1:0"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  const std::vector<std::string> mode = mode_arguments(kafka_partitions);
  argv.insert(argv.end(), mode.begin(), mode.end());
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  pid_ = spawn(argv, pipe_fds[1], stderr_path_);
  close(pipe_fds[1]);
  // Lines until the one that says where it listens.
  std::string partial;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(start_timeout_ms);
  while (port_ == 0 && std::chrono::steady_clock::now() < deadline) {
    pollfd descriptor{pipe_fds[0], POLLIN, 0};
    if (poll(&descriptor, 1, 100) <= 0) continue;
    char buffer[4096];
    const ssize_t size = read(pipe_fds[0], buffer, sizeof buffer);
    if (size <= 0) break;  // exited
    partial.append(buffer, static_cast<size_t>(size));
    for (size_t end = partial.find('\n'); end != std::string::npos; end = partial.find('\n')) {
      const std::string line = partial.substr(0, end);
      partial.erase(0, end + 1);
      lines_.push_back(line);
      constexpr std::string_view token_prefix = "paystream: admin token: ";
      constexpr std::string_view listening = "paystream: listening on http://127.0.0.1:";
      if (line.rfind(token_prefix, 0) == 0) admin_token_ = line.substr(token_prefix.size());
      if (line.rfind(listening, 0) == 0) port_ = std::stoi(line.substr(listening.size()));
    }
  }
  close(pipe_fds[0]);  // the server writes nothing more on stdout
  if (port_ == 0) {
    ::kill(pid_, SIGKILL);
    wait_for(pid_);
    pid_ = -1;
    throw std::runtime_error("paystream serve did not start: " + read_all(stderr_path_));
  }
}

namespace {

// A server that ended by itself, or not cleanly, says why on the test's stderr (ctest keeps it), since
// its own stderr file goes with the test's temporary directory.
void report_unclean_end(int exit_code, const std::string& stderr_path) {
  if (exit_code == 0) return;
  std::cerr << "paystream serve ended with code " << exit_code << "; its stderr:\n"
            << read_all(stderr_path) << std::endl;
}

}  // namespace

ServerProcess::~ServerProcess() {
  if (pid_ <= 0) return;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    report_unclean_end(WIFEXITED(status) ? std::max(WEXITSTATUS(status), 1) : 128 + WTERMSIG(status),
                       stderr_path_);
    return;
  }
  ::kill(pid_, SIGKILL);
  wait_for(pid_);
}

std::string ServerProcess::stderr_text() const { return read_all(stderr_path_); }

std::unique_ptr<httplib::Client> ServerProcess::client(const std::string& token) const {
  auto client = std::make_unique<httplib::Client>("127.0.0.1", port_);
  if (!token.empty()) client->set_bearer_token_auth(token.c_str());
  record_responses(*client);
  // Long enough for a large batch in Kafka mode under the sanitizers; only a failure waits for it.
  client->set_read_timeout(120, 0);
  return client;
}

int ServerProcess::stop() {
  if (pid_ <= 0) return exit_code_;
  ::kill(pid_, SIGTERM);
  exit_code_ = wait_for(pid_);
  pid_ = -1;
  report_unclean_end(exit_code_, stderr_path_);
  return exit_code_;
}

std::pair<int, std::string> run_paystream(const std::vector<std::string>& arguments) {
  TempDir capture;
  const std::string out_path = capture.file("out");
  const int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<std::string> argv = {PAYSTREAM_BINARY};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  const int pid = spawn(argv, out_fd, capture.file("err"));
  ::close(out_fd);
  const int code = wait_for(pid);
  return {code, read_all(out_path)};
}

}  // namespace paystream::http_test
