#pragma once
// A batch of phone cards made at the edge, where random bytes are: each card's number and PIN,
// and the IssueCards commands that carry only what recognises the PIN (engine/domain/decide.h).
// The PINs leave this process once, to whoever issued the batch, and are then forgotten.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/domain/outcome.h"
#include "events/command.h"
#include "projections/export/row_writer.h"

namespace paystream {

inline constexpr uint64_t card_batch_cards_max = 1'000'000;
inline constexpr size_t card_number_digits = 16;
inline constexpr size_t card_pin_digits = 8;

struct CardBatchSpec {
  std::string batch;  // empty: "batch-YYYYMMDD-HHMMSS-xxxx" of `now` (x: random hex)
  uint64_t count = 0;
  Money value;
  Date expires;
};

struct NewCard {
  std::string number;
  std::string pin;
};

struct CardBatch {
  std::string batch;
  std::vector<Command> commands;  // chunks of card_chunk_cards_max cards; IDs card_batch_command_id
  std::vector<NewCard> cards;     // in the commands' order
};

// Whether a card of this batch may have this number. Kafka mode: a card must live on its batch's
// partition, where the batch is decided (docs/kafka.md, "Phone cards in Kafka mode").
using CardPlacement = std::function<bool(std::string_view batch, std::string_view number)>;

// Unique random numbers (the first digit not 0; drawn again until `placement`, when given, takes
// them) and PINs, salted hashes of the PINs; the commands act as `operator_name`. invalid_argument
// for a count of 0 or above card_batch_cards_max.
Result<CardBatch> make_card_batch(const CardBatchSpec& spec, const std::string& operator_name, Timestamp now,
                                  const CardPlacement& placement = nullptr);
// How a batch was issued: the cards of every chunk applied, in the batch's order, and why the
// rest was not, when a chunk was refused (no chunk is sent after the group that held it).
struct BatchIssue {
  std::vector<NewCard> cards;
  std::optional<Error> refusal;
};
using SubmitAll = std::function<std::vector<Result<Outcome>>(std::vector<Command>)>;
// Submits the batch's chunks a few at a time, so that a large batch's events are never all in
// memory at once (docs/performance.md, "Phone cards").
BatchIssue submit_card_batch(const CardBatch& batch, const SubmitAll& submit_all);

// "cards:<batch>:<chunk>": a batch's chunk is applied once, and a second batch of the same name is
// a conflict however it is sent.
std::string card_batch_command_id(std::string_view batch, uint32_t chunk);

// The issued cards as `card issue` prints them and writes --pins-output: number, PIN, value, expiry.
const std::vector<Column>& new_card_columns();
std::vector<std::string> new_card_cells(const NewCard& card, Money value, Date expires);

}  // namespace paystream
