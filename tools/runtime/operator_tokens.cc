#include "tools/runtime/operator_tokens.h"

#include "events/codec.h"
#include "tools/runtime/random_bytes.h"

namespace paystream {
namespace {

constexpr size_t id_bytes = 8;
constexpr size_t secret_bytes = 32;
constexpr size_t salt_bytes = 16;

std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string text;
  for (char byte : bytes) {
    text += digits[static_cast<unsigned char>(byte) >> 4];
    text += digits[static_cast<unsigned char>(byte) & 0xf];
  }
  return text;
}

}  // namespace

Result<IssuedToken> issue_operator_token() {
  Result<std::string> id = random_bytes(id_bytes);
  Result<std::string> secret = random_bytes(secret_bytes);
  Result<std::string> salt = random_bytes(salt_bytes);
  if (!id) return id.error();
  if (!secret) return secret.error();
  if (!salt) return salt.error();
  IssuedToken issued;
  issued.credential.id = hex(*id);
  issued.token = "pst_" + issued.credential.id + "_" + hex(*secret);
  issued.credential.salt = *salt;
  const Sha256 digest = sha256(issued.credential.salt + issued.token);
  issued.credential.hash.assign(reinterpret_cast<const char*>(digest.data()), digest.size());
  return issued;
}

}  // namespace paystream
