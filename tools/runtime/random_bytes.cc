#include "tools/runtime/random_bytes.h"

#include <openssl/rand.h>

namespace paystream {

Result<std::string> random_bytes(size_t count) {
  std::string bytes(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(count)) != 1) {
    return make_error(Errc::io_error, "the system's random number generator failed (OpenSSL RAND_bytes)");
  }
  return bytes;
}

}  // namespace paystream
