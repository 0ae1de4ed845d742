#pragma once
// Helpers of the `paystream --server` tests: a server on one data directory and a local data
// directory beside it, the binary run against either, and outputs with what must differ masked.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "tests/support/run_process.h"
#include "tests/support/server_process.h"

namespace paystream::client_test {

using e2e::ProcessResult;
using e2e::run_process;
using http_test::ServerProcess;
using http_test::TempDir;

inline ProcessResult run_paystream(std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), PAYSTREAM_BINARY);
  return run_process(arguments);
}

// A server on its own data directory (its first admin's token in `token`), and a local one.
struct Ledgers {
  TempDir server_data;
  TempDir local_data;
  std::unique_ptr<ServerProcess> server = std::make_unique<ServerProcess>(server_data.path());
  std::string token = server->admin_token();

  Ledgers() = default;
  // Every test ends with a clean stop: exit 0 (a sanitizer's report would make it fail).
  ~Ledgers() {
    const int code = server->stop();
    INFO(server->stderr_text());
    CHECK(code == 0);
  }
  Ledgers(const Ledgers&) = delete;
  Ledgers& operator=(const Ledgers&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server->port()); }
  ProcessResult remote(std::vector<std::string> arguments, const std::string& as) const {
    arguments.insert(arguments.end(), {"--server", url(), "--token", as});
    return run_paystream(arguments);
  }
  ProcessResult remote(const std::vector<std::string>& arguments) const { return remote(arguments, token); }
  ProcessResult local(std::vector<std::string> arguments) const {
    arguments.insert(arguments.begin(), {"--data", local_data.path()});
    return run_paystream(arguments);
  }
  // The local CLI on the server's data directory (stop the server first).
  ProcessResult on_server_data(std::vector<std::string> arguments) const {
    arguments.insert(arguments.begin(), {"--data", server_data.path()});
    return run_paystream(arguments);
  }
};

// Sets an environment variable for the scope (the child processes inherit it).
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::string& value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    ::setenv(name_.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

// What two ledgers given the same commands cannot share: times, generated command IDs, tokens and
// token IDs, each replaced by '#'s of its length (so tables stay aligned alike).
inline std::string masked(std::string text) {
  static const std::regex patterns(
      R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z|gen-[0-9a-f]{32}|pst_[0-9a-f]{16}_[0-9a-f]{64}|\b[0-9a-f]{16}\b)");
  std::string out;
  auto last = text.cbegin();
  for (std::sregex_iterator it(text.begin(), text.end(), patterns), end; it != end; ++it) {
    out.append(last, (*it)[0].first);
    out.append(static_cast<size_t>((*it)[0].length()), '#');
    last = (*it)[0].second;
  }
  out.append(last, text.cend());
  return out;
}

inline std::string joined(const std::vector<std::string>& arguments) {
  std::string text;
  for (const std::string& argument : arguments) text += (text.empty() ? "" : " ") + argument;
  return text;
}

// The same command locally and over the server: the same exit code, and the same stdout and stderr
// once masked. Returns the remote run.
inline ProcessResult check_same(const Ledgers& ledgers, const std::vector<std::string>& arguments,
                                int exit_code) {
  INFO("paystream " << joined(arguments));
  const ProcessResult local = ledgers.local(arguments);
  const ProcessResult remote = ledgers.remote(arguments);
  INFO("local stderr: " << local.err);
  INFO("remote stderr: " << remote.err);
  CHECK(local.exit_code == exit_code);
  CHECK(remote.exit_code == local.exit_code);
  CHECK(masked(remote.out) == masked(local.out));
  CHECK(masked(remote.err) == masked(local.err));
  return remote;
}

}  // namespace paystream::client_test
