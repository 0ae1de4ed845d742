#pragma once
// Secrets made at the edge (random bytes are I/O): OpenSSL's RAND_bytes.
#include <string>

#include "events/result.h"

namespace paystream {

// io_error if the system's generator fails.
Result<std::string> random_bytes(size_t count);

}  // namespace paystream
