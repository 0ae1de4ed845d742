#include "tools/runtime/card_batch.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "events/codec.h"
#include "tools/runtime/random_bytes.h"

namespace paystream {
namespace {

constexpr size_t salt_bytes = 16;

// Digits from random bytes without modulo bias: a byte of 250 or more is drawn again.
class DigitSource {
 public:
  Result<char> next() {
    for (;;) {
      if (at_ == pool_.size()) {
        Result<std::string> drawn = random_bytes(4096);
        if (!drawn) return drawn.error();
        pool_ = std::move(drawn).value();
        at_ = 0;
      }
      const auto byte = static_cast<unsigned char>(pool_[at_++]);
      if (byte < 250) return static_cast<char>('0' + byte % 10);
    }
  }
  Result<std::string> digits(size_t count, bool leading_zero) {
    std::string text;
    while (text.size() < count) {
      Result<char> digit = next();
      if (!digit) return digit.error();
      if (text.empty() && !leading_zero && *digit == '0') continue;
      text += *digit;
    }
    return text;
  }

 private:
  std::string pool_;
  size_t at_ = 0;
};

// batch-YYYYMMDD-HHMMSS-xxxx: the random tail keeps two batches issued in one second apart.
Result<std::string> default_batch_name(Timestamp now) {
  Result<std::string> tail = random_bytes(2);
  if (!tail) return tail.error();
  const std::string text = format_timestamp(now);  // 2026-12-04T08:30:00Z or with fractions
  std::string name = "batch-";
  for (char c : text.substr(0, 19)) {
    if (c >= '0' && c <= '9') name += c;
    if (c == 'T') name += '-';
  }
  return fmt::format("{}-{:02x}{:02x}", name, static_cast<unsigned char>((*tail)[0]),
                     static_cast<unsigned char>((*tail)[1]));
}

}  // namespace

std::string card_batch_command_id(std::string_view batch, uint32_t chunk) {
  return fmt::format("cards:{}:{}", batch, chunk);
}

Result<CardBatch> make_card_batch(const CardBatchSpec& spec, const std::string& operator_name, Timestamp now,
                                  const CardPlacement& placement) {
  if (spec.count == 0 || spec.count > card_batch_cards_max) {
    return make_error(Errc::invalid_argument,
                      fmt::format("a batch holds 1-{} cards, not {}", card_batch_cards_max, spec.count));
  }
  CardBatch batch;
  if (spec.batch.empty()) {
    Result<std::string> name = default_batch_name(now);
    if (!name) return name.error();
    batch.batch = *name;
  } else {
    batch.batch = spec.batch;
  }
  batch.cards.reserve(spec.count);
  DigitSource digits;
  std::unordered_set<std::string> numbers;
  numbers.reserve(spec.count);
  IssueCards chunk{
      .batch = batch.batch, .chunk = 0, .value = spec.value, .expires = spec.expires, .cards = {}};
  auto close_chunk = [&] {
    const uint32_t index = chunk.chunk;
    batch.commands.push_back(Command{card_batch_command_id(batch.batch, index), operator_name, chunk});
    chunk.cards.clear();
    chunk.chunk = index + 1;
  };
  while (batch.cards.size() < spec.count) {
    Result<std::string> number = digits.digits(card_number_digits, false);
    if (!number) return number.error();
    if ((placement && !placement(batch.batch, *number)) || !numbers.insert(*number).second) continue;
    Result<std::string> pin = digits.digits(card_pin_digits, true);
    if (!pin) return pin.error();
    Result<std::string> salt = random_bytes(salt_bytes);
    if (!salt) return salt.error();
    const Sha256 digest = sha256(*salt + *pin);
    chunk.cards.push_back(IssuedCard{
        .number = *number,
        .secret =
            CardSecret{.salt = *salt,
                       .hash = std::string(reinterpret_cast<const char*>(digest.data()), digest.size())}});
    batch.cards.push_back(NewCard{std::move(number).value(), std::move(pin).value()});
    if (chunk.cards.size() == card_chunk_cards_max) close_chunk();
  }
  if (!chunk.cards.empty()) close_chunk();
  return batch;
}

BatchIssue submit_card_batch(const CardBatch& batch, const SubmitAll& submit_all) {
  constexpr size_t chunks_per_submit = 8;
  BatchIssue issue;
  size_t first_card = 0;  // of the chunk at hand, in batch.cards
  for (size_t first = 0; first < batch.commands.size() && !issue.refusal; first += chunks_per_submit) {
    const size_t last = std::min(batch.commands.size(), first + chunks_per_submit);
    std::vector<Command> slice(batch.commands.begin() + static_cast<std::ptrdiff_t>(first),
                               batch.commands.begin() + static_cast<std::ptrdiff_t>(last));
    const std::vector<Result<Outcome>> outcomes = submit_all(std::move(slice));
    // A chunk after a refused one in the same group may still have been applied: its PINs count.
    for (size_t i = 0; i < outcomes.size(); ++i) {
      const size_t cards = std::get<IssueCards>(batch.commands[first + i].body).cards.size();
      if (outcomes[i]) {
        const auto begin = batch.cards.begin() + static_cast<std::ptrdiff_t>(first_card);
        issue.cards.insert(issue.cards.end(), begin, begin + static_cast<std::ptrdiff_t>(cards));
      } else if (!issue.refusal) {
        issue.refusal = outcomes[i].error();
      }
      first_card += cards;
    }
  }
  return issue;
}

const std::vector<Column>& new_card_columns() {
  static const std::vector<Column> columns = {{"Number", "number", CellKind::text},
                                              {"PIN", "pin", CellKind::text},
                                              {"Value", "value", CellKind::amount},
                                              {"Expires", "expires", CellKind::date}};
  return columns;
}

std::vector<std::string> new_card_cells(const NewCard& card, Money value, Date expires) {
  return {card.number, card.pin, value.to_string(), format_date(expires)};
}

}  // namespace paystream
