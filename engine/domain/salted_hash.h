#pragma once
// How a secret shown once (an operator's token, a card's PIN) is recognised without being kept:
// the ledger keeps a random salt and SHA-256(salt || secret), and compares in constant time.
#include <string_view>

namespace paystream {

// Whether SHA-256(salt || presented) is `hash`; takes the same time wherever the first difference is.
bool salted_hash_matches(std::string_view salt, std::string_view hash, std::string_view presented);

}  // namespace paystream
