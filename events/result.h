#pragma once
// Result<T>: a value or an Error. Every failure a user or the environment can cause travels as a
// Result; only bugs hit PAYSTREAM_ASSERT. No exceptions cross module boundaries.
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace paystream {

// Ordered roughly by how a caller reacts. The name of each code is part of the CLI/API contract.
enum class Errc {
  // Usage: the input could not be understood (exit 2, HTTP 400).
  invalid_argument,
  invalid_amount,
  invalid_account_id,
  invalid_date,
  // Rejections by the ledger's rules (exit 3, HTTP 404/409/422).
  account_not_found,
  account_exists,
  parent_not_found,
  parent_not_agent,
  parent_not_allowed,
  account_has_sub_accounts,
  amount_must_be_positive,
  amount_must_not_be_negative,
  amount_must_not_be_zero,
  balance_would_overflow,
  monthly_range_invalid,
  record_not_found,
  record_not_reversible,
  record_already_reversed,
  unknown_parameter,
  parameter_out_of_range,
  command_id_conflict,
  nothing_to_change,
  // Phone cards. An unknown number and a wrong PIN are one code, so a caller cannot tell which.
  wrong_card_or_pin,
  card_not_found,  // an operator's lookup (show, disable); a redemption says wrong_card_or_pin
  card_used,
  card_disabled,
  card_expired,
  card_locked,        // too many wrong PINs
  card_exists,        // a number or batch name already issued
  command_not_found,  // a lookup by command ID found none
  // Access (HTTP 401/403/404/409): who is acting and what it may do.
  unauthenticated,  // no token, or one no enabled operator holds
  forbidden,        // the operator's role or agent tree does not allow it
  operator_not_found,
  operator_exists,
  // Operating errors (exit 1, HTTP 500/503).
  io_error,
  corruption,
  unsupported_event,
  kafka_error,  // a Kafka broker or client refused or failed (connection, topic, delivery)
  // The data directory's file system is below its free-space reserve (or full): write commands are
  // refused, queries work; writes resume by themselves once space is freed (HTTP 507).
  storage_full,
  // Kafka mode: the command was published (so it will be decided) but its outcome did not come
  // within the wait; look it up by its command ID later (HTTP 202).
  outcome_pending,
  // (The last code: errc_from_name in result.cc walks up to it.)
};

const char* errc_name(Errc code);
// The code of a name errc_name gives (a client reading a server's error); nullopt for any other.
std::optional<Errc> errc_from_name(std::string_view name);
bool is_usage_error(Errc code);
bool is_rejection(Errc code);

struct Error {
  Errc code;
  std::string message;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design, as std::expected.
  Result(Error error) : state_(std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const& { return std::get<0>(state_); }
  T& value() & { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

// Status: a Result with no value.
struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() { return Ok{}; }

inline Error make_error(Errc code, std::string message) { return Error{code, std::move(message)}; }

[[noreturn]] inline void assertion_failed(const char* expression, const char* file, int line) {
  std::fprintf(stderr, "paystream: assertion failed: %s at %s:%d\n", expression, file, line);
  std::abort();
}

}  // namespace paystream

// Stays on in release builds: a broken invariant in a ledger must stop it, not corrupt it.
#define PAYSTREAM_ASSERT(expression) \
  ((expression) ? (void)0 : ::paystream::assertion_failed(#expression, __FILE__, __LINE__))
