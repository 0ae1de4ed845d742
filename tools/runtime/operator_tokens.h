#pragma once
// Bearer tokens for operators, made at the edge (random bytes are I/O): the token is shown once,
// the ledger keeps only its credential (engine/domain/access.h checks a presented token against it).
#include <string>

#include "events/event.h"

namespace paystream {

struct IssuedToken {
  std::string token;           // "pst_<id>_<secret>": give it to the operator, then forget it
  TokenCredential credential;  // what AddOperator / RotateOperatorToken record
};

// 8 random bytes of ID and 32 of secret from OpenSSL's RAND_bytes. io_error if it fails.
Result<IssuedToken> issue_operator_token();

}  // namespace paystream
