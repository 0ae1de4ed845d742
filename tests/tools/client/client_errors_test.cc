// What goes wrong with --server: a bad token (exit 3 unauthenticated), an agent outside its tree
// (exit 3 forbidden), a server that is not there (exit 1, naming the URL), and the usage errors
// (exit 2) of --server with --data, without a token, with --operator, and of the commands that
// only work on a data directory. The environment variables, which the options override; a token
// from the environment is never printed.
#include <nlohmann/json.hpp>

#include "tests/tools/client/client_test_support.h"

namespace paystream::client_test {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("a wrong token is exit 3 unauthenticated and an agent outside its tree exit 3 forbidden",
          "[client][errors]") {
  Ledgers ledgers;
  REQUIRE(ledgers.remote({"account", "open", "AG-1", "--name", "North", "--type", "agent"}).exit_code == 0);
  REQUIRE(ledgers.remote({"account", "open", "X-1", "--name", "Outside", "--type", "direct"}).exit_code == 0);
  const std::string wrong = "pst_0123456789abcdef_" + std::string(64, 'e');
  for (const std::vector<std::string>& command : {std::vector<std::string>{"balances"},
                                                  {"pay", "X-1", "5"},
                                                  {"account", "show", "X-1"},
                                                  {"operator", "list"}}) {
    INFO(joined(command));
    const ProcessResult refused = ledgers.remote(command, wrong);
    CHECK(refused.exit_code == 3);
    CHECK(refused.err ==
          "paystream: the bearer token is not valid (unknown, rotated or disabled) [unauthenticated]\n");
    CHECK(refused.out.empty());
  }
  const ProcessResult added = ledgers.remote({"operator", "add", "north", "--role", "agent", "--agent",
                                              "AG-1", "--allow", "pay-self", "--format", "json"});
  REQUIRE(added.exit_code == 0);
  const std::string agent = nlohmann::json::parse(added.out).at("rows").at(0).at("token");
  for (const std::vector<std::string>& command : {std::vector<std::string>{"pay", "X-1", "5"},
                                                  {"account", "show", "X-1"},
                                                  {"records", "--account", "X-1"},
                                                  {"balances", "--account", "X-1", "--format", "csv"},
                                                  {"zero", "AG-1"}}) {
    INFO(joined(command));
    const ProcessResult refused = ledgers.remote(command, agent);
    CHECK(refused.exit_code == 3);
    CHECK(contains(refused.err, "[forbidden]"));
    CHECK(refused.out.empty());
  }
  CHECK(ledgers.remote({"pay", "AG-1", "5"}, agent).exit_code == 0);
}

TEST_CASE("https to a plain server fails the handshake, and text JSON cannot carry is refused",
          "[client][errors]") {
  Ledgers ledgers;
  REQUIRE(ledgers.remote({"account", "open", "C-1", "--name", "One", "--type", "direct"}).exit_code == 0);
  const std::string https = "https://127.0.0.1:" + std::to_string(ledgers.server->port());
  const ProcessResult tls = run_paystream({"balances", "--server", https, "--token", ledgers.token});
  CHECK(tls.exit_code == 1);
  CHECK(tls.err ==
        "paystream: server " + https + ": the TLS handshake failed (is it an https server?) [io_error]\n");
  const ProcessResult not_utf8 = ledgers.remote({"pay", "C-1", "5", "--memo", "caf\xe9"});
  CHECK(not_utf8.exit_code == 2);
  CHECK(contains(not_utf8.err, "not valid UTF-8"));
  const ProcessResult balances = ledgers.remote({"balances", "--format", "csv"});
  CHECK(contains(balances.out, "C-1,One,direct,0.00,"));  // nothing was paid
}

TEST_CASE("a server that cannot be reached is exit 1 naming its URL", "[client][errors]") {
  std::string url;
  {
    Ledgers ledgers;
    url = ledgers.url();
  }  // stopped: nothing listens on its port now
  for (const std::vector<std::string>& command : {std::vector<std::string>{"balances"},
                                                  {"pay", "C-1", "5"},
                                                  {"account", "show", "C-1"},
                                                  {"param", "list"}}) {
    INFO(joined(command));
    std::vector<std::string> arguments = command;
    arguments.insert(arguments.end(), {"--server", url, "--token", "pst_x"});
    const ProcessResult failed = run_paystream(arguments);
    CHECK(failed.exit_code == 1);
    CHECK(failed.err ==
          "paystream: server " + url + ": cannot connect (is `paystream serve` running there?) [io_error]\n");
  }
}

TEST_CASE("a usage error: --server with --data, without a token, with --operator or a bad URL",
          "[client][errors]") {
  TempDir data;
  const auto usage = [](const std::vector<std::string>& arguments, const std::string& message) {
    INFO(joined(arguments));
    const ProcessResult result = run_paystream(arguments);
    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, message));
    CHECK(result.out.empty());
  };
  const std::string url = "http://127.0.0.1:1";
  usage({"balances", "--server", url, "--token", "t", "--data", data.path()},
        "--data and --server exclude each other");
  usage({"pay", "C-1", "5", "--server", url},
        "--server needs a token: give --token TOKEN or set PAYSTREAM_TOKEN");
  usage({"pay", "C-1", "5", "--server", url, "--token", "t", "--operator", "fin"},
        "--operator does not go with --server: over HTTP the operator is the token's");
  usage({"balances", "--server", "ftp://x", "--token", "t"}, "--server: invalid URL 'ftp://x'");
  usage({"balances", "--server", "http://:80", "--token", "t"}, "the host is missing");
  usage({"balances", "--server", "http://x:99999", "--token", "t"}, "not a number from 1 to 65535");
  usage({"balances", "--server", url, "--token", "two words"}, "--token: the token (not shown) is not valid");
  usage({"replay", "--verify", "--server", url, "--token", "t"}, "replay does not go with --server");
  usage({"bench", "--server", url, "--token", "t"}, "bench does not go with --server");
  usage({"serve", "--server", url, "--token", "t"}, "serve does not go with --server");
}

TEST_CASE("PAYSTREAM_SERVER and PAYSTREAM_TOKEN stand in for the options, which win over them",
          "[client][env]") {
  Ledgers ledgers;
  const std::string wrong = "pst_0123456789abcdef_" + std::string(64, 'e');
  REQUIRE(ledgers.local({"account", "open", "L-1", "--name", "Local", "--type", "direct"}).exit_code == 0);
  {
    ScopedEnv server("PAYSTREAM_SERVER", ledgers.url());
    ScopedEnv token("PAYSTREAM_TOKEN", ledgers.token);
    const ProcessResult opened =
        run_paystream({"account", "open", "C-1", "--name", "One", "--type", "direct"});
    INFO(opened.err);
    CHECK(opened.exit_code == 0);
    CHECK(run_paystream({"account", "show", "C-1", "--token", wrong}).exit_code == 3);  // --token wins
    const ProcessResult with_data = run_paystream({"balances", "--data", ledgers.local_data.path()});
    CHECK(with_data.exit_code == 2);
    CHECK(contains(with_data.err, "--data and PAYSTREAM_SERVER (from the environment) exclude each other"));
    // The commands that only work on a data directory ignore the variable (but not the option).
    const ProcessResult replay = run_paystream({"replay", "--verify", "--data", ledgers.local_data.path()});
    INFO(replay.err);
    CHECK(replay.exit_code == 0);
  }
  {
    ScopedEnv server("PAYSTREAM_SERVER", "http://127.0.0.1:1");  // nothing there
    ScopedEnv token("PAYSTREAM_TOKEN", wrong);
    const ProcessResult paid = run_paystream(
        {"pay", "C-1", "5", "--server", ledgers.url(), "--token", ledgers.token, "--format", "csv"});
    INFO(paid.err);
    CHECK(paid.exit_code == 0);
    CHECK(contains(paid.out, "C-1,One,payment,5.00"));
    // Before the command's name too, where a subcommand's default must not overwrite it.
    const ProcessResult shown =
        run_paystream({"--server", ledgers.url(), "--token", ledgers.token, "account", "show", "C-1"});
    INFO(shown.err);
    CHECK(shown.exit_code == 0);
  }
}

TEST_CASE("a token from the environment is never printed", "[client][env]") {
  Ledgers ledgers;
  const std::string secret = "pst_fedcba9876543210_" + std::string(64, 'a');
  ScopedEnv server("PAYSTREAM_SERVER", ledgers.url());
  ScopedEnv token("PAYSTREAM_TOKEN", secret);
  for (const std::vector<std::string>& command : {std::vector<std::string>{"balances"},
                                                  {"pay", "C-1", "5"},
                                                  {"operator", "list"},
                                                  {"--help"},
                                                  {"pay", "--help"},
                                                  {"balances", "--data", "x"},
                                                  {"apply"},
                                                  {"records", "--format", "nope"}}) {
    INFO(joined(command));
    const ProcessResult result = run_paystream(command);
    CHECK(!contains(result.out, secret));
    CHECK(!contains(result.err, secret));
    CHECK(!contains(result.err, "fedcba9876543210"));
  }
}

}  // namespace paystream::client_test
