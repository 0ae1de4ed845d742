#pragma once
// The real `paystream serve` as a child process on a free loopback port, for end-to-end tests of
// the HTTP API: started on a fresh data directory (or a given one), its port and first admin token
// read from its standard output, stopped with SIGTERM.
#include <httplib.h>

#include <memory>
#include <string>
#include <vector>

namespace paystream::http_test {

// A fresh empty directory, removed with everything in it when the object goes.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

class ServerProcess {
 public:
  // Starts `paystream serve --data data_dir --listen 127.0.0.1:0 extra...` and waits until it
  // listens (a failed start fails the test, with what it said on stderr). With PAYSTREAM_TEST_KAFKA
  // set, in Kafka mode on topics of `kafka_partitions` partitions (the same topics for every server
  // of the test process that asks for that count).
  explicit ServerProcess(const std::string& data_dir, const std::vector<std::string>& extra = {},
                         int kafka_partitions = 1);
  ~ServerProcess();  // SIGKILL if still running
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }
  // The token the first start printed ("" when the data directory had operators already).
  const std::string& admin_token() const { return admin_token_; }
  const std::vector<std::string>& stdout_lines() const { return lines_; }
  std::string stderr_text() const;

  // A client with `Authorization: Bearer token` (none when token is empty).
  std::unique_ptr<httplib::Client> client(const std::string& token) const;

  // SIGTERM, then waits; returns the exit code (128 + signal if killed). Again: the same code.
  int stop();

 private:
  int pid_ = -1;
  int exit_code_ = -1;
  int port_ = 0;
  std::string admin_token_;
  std::vector<std::string> lines_;
  std::string stderr_path_;
  TempDir capture_;
};

// Runs the paystream binary to completion: {exit code, stdout}.
std::pair<int, std::string> run_paystream(const std::vector<std::string>& arguments);

}  // namespace paystream::http_test
