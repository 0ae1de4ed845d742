// paystream: the command line of the ledger. Everything lives in tools/cli_*.
#include <iostream>

#include "tools/cli/app.h"

int main(int argc, char** argv) {
  // Unsynced streams buffer standard input, so `apply --file -` can see when the producer pauses
  // (in_avail) and group-commit whatever has arrived, instead of syncing once per line.
  std::ios::sync_with_stdio(false);
  return paystream::run_cli(argc, argv);
}
