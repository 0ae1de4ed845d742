#pragma once
// `paystream replay --verify`: rebuild every projection from the log into a scratch database,
// check the hash chain, compare with the live projections. Returns the process exit code.
#include <ostream>
#include <string>

namespace paystream {

int run_replay_verify(const std::string& data_dir, std::ostream& out, std::ostream& err);

}  // namespace paystream
