// paystream: the command line of the ledger. Everything lives in tools/cli_*.
#include "tools/cli_app.h"

int main(int argc, char** argv) { return paystream::run_cli(argc, argv); }
