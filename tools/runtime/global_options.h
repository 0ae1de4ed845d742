#pragma once
// The options every `paystream` command takes (--data, --operator, --format, --output, --server,
// --token, --min-free-bytes), as plain values: the CLI binds them to its arguments, and what
// opens a data directory or prints rows reads them.
#include <cstdint>
#include <optional>
#include <string>

namespace paystream {

inline constexpr const char* default_data_dir = "./paystream-data";

struct GlobalOptions {
  std::optional<std::string> data_dir;  // unset: default_data_dir (bench: a fresh temporary one)
  std::string operator_name = "admin";
  bool operator_given = false;  // --operator was on the command line
  std::string format = "table";
  std::string output;  // empty: standard output
  // --server URL and --token TOKEN, or else PAYSTREAM_SERVER and PAYSTREAM_TOKEN (read by
  // read_server_environment): the command then talks to that server instead of a data directory.
  std::optional<std::string> server;
  std::optional<std::string> token;
  bool server_from_environment = false;
  // --min-free-bytes: write commands are refused while the data directory's file system has less
  // free space than this (LedgerOptions::free_bytes_min); unset: the ledger's default, 64 MiB.
  std::optional<uint64_t> free_bytes_min;

  std::string data_dir_or_default() const { return data_dir.value_or(default_data_dir); }
};

}  // namespace paystream
