#pragma once
// What the HTTP API works on, so that the same routes serve both modes: the embedded runtime (one
// data directory: tools/http/embedded_backend.h) or Kafka mode's gateway (tools/http/kafka_backend.h:
// commands published to Kafka, outcomes read on P.results, reads from the Kafka projections).
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/domain/access.h"
#include "engine/embedded/ledger.h"
#include "projections/projections.h"

namespace paystream::http {

struct Caller {
  std::string operator_name;  // put into every command the request submits
  Access access;              // as of authentication, for reads
};

struct BackendPositions {
  uint64_t log_end = 0;  // events in the log (embedded: the last position)
  // What the projections have not applied yet (embedded: events of the log; Kafka mode: offsets of
  // the events topic); nullopt when it could not be read.
  std::optional<uint64_t> projection_lag;
};

// Whether an outcome is Kafka mode's "published, not answered yet" (Errc::outcome_pending).
inline bool is_pending(const Result<Outcome>& outcome) {
  return !outcome && outcome.error().code == Errc::outcome_pending;
}

class ApiBackend {
 public:
  virtual ~ApiBackend() = default;

  // The command's outcome once it is durable (its events synced, or committed on Kafka and
  // projected here). Kafka mode: Errc::outcome_pending when it was published but not answered
  // within the wait. The command's ID is set (the caller generates one when none was given).
  virtual Result<Outcome> submit(Command command) = 0;
  // In order, one outcome each.
  virtual std::vector<Result<Outcome>> submit_all(std::vector<Command> commands) = 0;
  // The outcome an earlier command got, by its ID (GET /v1/commands/{id}): nullopt when this
  // backend knows no command of that ID.
  virtual std::optional<Result<Outcome>> find_outcome(const std::string& command_id) const = 0;

  // The enabled operator holding this bearer token, and its access; unauthenticated otherwise.
  virtual Result<Caller> authenticate_token(std::string_view token) const = 0;
  // Calls read(state) with a state holding the operators and parameters in force (no copy; quick).
  virtual void read_control(const std::function<void(const LedgerState&)>& read) const = 0;
  // Calls read(state) with a state holding this account and its agent tree, if it exists.
  virtual void read_accounts_of(std::string_view account_id,
                                const std::function<void(const LedgerState&)>& read) const = 0;

  // Calls read(state) for each state that holds accounts: the embedded ledger's one, or each events
  // partition's in Kafka mode. `read` must be quick (writers wait for it).
  virtual void read_account_states(const std::function<void(const LedgerState&)>& read) const = 0;

  virtual const Projections& projections() const = 0;
  virtual BackendPositions positions() const = 0;
  // Where a new card's number may land (Kafka mode: on its batch's partition); nullptr: anywhere.
  virtual std::function<bool(std::string_view batch, std::string_view number)> card_placement() const {
    return nullptr;
  }
  // Why find_outcome may know no command of an ID, for the 404's message.
  virtual std::string unknown_command_reason() const {
    return "a command refused by the embedded ledger leaves no trace";
  }
  // What an operator should know of this server though it serves (Kafka mode: its engine instance
  // holds no partition, and for how long): a detail of /healthz and of a pending (202) answer.
  virtual std::optional<std::string> notice() const { return std::nullopt; }
  // Why the backend cannot serve as it should (GET /healthz answers 503 with it); nullopt when it can.
  virtual std::optional<std::string> failure() const { return std::nullopt; }
};

}  // namespace paystream::http
