#pragma once
// What recognises a test card's PIN, made as a gateway makes it (a salt, then SHA-256 of salt and
// PIN: engine/domain/state_codec.h), with a fixed salt: tests that issue cards by hand need no
// randomness to agree with the engine.
#include <string>

#include "events/codec.h"
#include "events/command.h"

namespace paystream::testing {

inline CardSecret card_secret_of(const std::string& pin) {
  CardSecret secret{.salt = std::string(16, 's'), .hash = {}};
  const Sha256 digest = sha256(secret.salt + pin);
  secret.hash.assign(reinterpret_cast<const char*>(digest.data()), digest.size());
  return secret;
}

}  // namespace paystream::testing
