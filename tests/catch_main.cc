// The tests' main. Tests talk to servers they start (httplib's client writes without MSG_NOSIGNAL):
// a server hanging up on a request must fail that request, not kill the whole test process.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <csignal>

int main(int argc, char* argv[]) {
  std::signal(SIGPIPE, SIG_IGN);
  return Catch::Session().run(argc, argv);
}
