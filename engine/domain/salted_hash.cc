#include "engine/domain/salted_hash.h"

#include <string>

#include "events/codec.h"

namespace paystream {

bool salted_hash_matches(std::string_view salt, std::string_view hash, std::string_view presented) {
  std::string salted(salt);
  salted.append(presented);
  const Sha256 digest = sha256(salted);
  if (hash.size() != digest.size()) return false;
  unsigned char difference = 0;
  for (size_t i = 0; i < digest.size(); ++i) difference |= static_cast<unsigned char>(hash[i]) ^ digest[i];
  return difference == 0;
}

}  // namespace paystream
