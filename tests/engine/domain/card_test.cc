// Phone cards (domain.md "Phone cards"): issuing a batch, redeeming a card into an account, the
// wrong-PIN count and lock, disabled, expired and used cards, and who may do each.
#include "events/codec.h"
#include "tests/engine/domain/engine_fixtures.h"

namespace paystream::testing {
namespace {

CardSecret secret_of(const std::string& pin) {
  CardSecret secret{.salt = std::string(16, 's'), .hash = {}};
  const Sha256 digest = sha256(secret.salt + pin);
  secret.hash.assign(reinterpret_cast<const char*>(digest.data()), digest.size());
  return secret;
}

IssueCards batch(const std::string& name, std::vector<std::string> numbers, const char* value = "10",
                 const char* expires = "2027-12-31") {
  IssueCards issue{
      .batch = name, .chunk = 0, .value = money(value), .expires = parse_date(expires).value(), .cards = {}};
  for (const std::string& number : numbers) {
    issue.cards.push_back(IssuedCard{.number = number, .secret = secret_of("PIN-" + number)});
  }
  return issue;
}

RedeemCard redeem(const std::string& number, const std::string& account, std::string pin = "") {
  return RedeemCard{
      .number = number, .pin = pin.empty() ? "PIN-" + number : pin, .account_id = account, .memo = ""};
}

const CardState& card_of(const TestLedger& ledger, const std::string& number) {
  const CardState* card = ledger.state.find_card(number);
  REQUIRE(card != nullptr);
  return *card;
}

}  // namespace

TEST_CASE("cards: a batch issues each card unused, with its value and expiry, and no PIN in any event",
          "[engine][cards]") {
  TestLedger ledger;
  const std::vector<Event> events = ledger.apply(batch("B1", {"1000000000000001", "1000000000000002"}));
  REQUIRE(events.size() == 2);
  for (const Event& event : events) {
    CHECK(event.type == EventType::card_issued);
    CHECK(event.card_batch == "B1");
    CHECK(event.amount == money("10"));
    CHECK(event.account_id.empty());
    const std::string bytes = encode_event(event);
    const CardSecret secret = secret_of("PIN-" + event.card_number);
    CHECK(bytes.find("PIN-") == std::string::npos);
    CHECK(bytes.find(secret.hash) == std::string::npos);
    CHECK(bytes.find(secret.salt) == std::string::npos);
  }
  const CardState& card = card_of(ledger, "1000000000000002");
  CHECK(card.use == CardUse::unused);
  CHECK(card.expires == parse_date("2027-12-31").value());
  CHECK(card_status(card, date_of(ledger.now)) == CardStatus::unused);
  CHECK(ledger.state.card_batches.at("B1") == 2);
  // Chunk 0 opens a batch: the name cannot be used twice; numbers are unique across batches.
  CHECK(ledger.rejection(batch("B1", {"1000000000000003"})) == Errc::card_exists);
  CHECK(ledger.rejection(batch("B2", {"1000000000000001"})) == Errc::card_exists);
  CHECK(ledger.rejection(batch("B3", {"1000000000000004", "1000000000000004"})) == Errc::card_exists);
  IssueCards later = batch("B1", {"1000000000000005"});
  later.chunk = 1;
  ledger.apply(later);
  CHECK(ledger.state.card_batches.at("B1") == 3);
}

TEST_CASE("cards: a batch's form is checked", "[engine][cards]") {
  TestLedger ledger;
  CHECK(ledger.rejection(batch("B1", {"12ab5678"})) == Errc::invalid_argument);
  CHECK(ledger.rejection(batch("B1", {"1234567"})) == Errc::invalid_argument);
  CHECK(ledger.rejection(batch("B1", {"12345678"}, "0")) == Errc::amount_must_be_positive);
  CHECK(ledger.rejection(batch("B1", {"12345678"}, "1", "2026-11-24")) == Errc::invalid_date);
  CHECK(ledger.rejection(batch("bad name", {"12345678"})) == Errc::invalid_argument);
  CHECK(ledger.rejection(batch("B1", {})) == Errc::invalid_argument);
  IssueCards orphan = batch("B9", {"12345678"});
  orphan.chunk = 2;
  CHECK(ledger.rejection(orphan) == Errc::invalid_argument);
  IssueCards short_salt = batch("B1", {"12345678"});
  short_salt.cards.front().secret.salt = "x";
  CHECK(ledger.rejection(short_salt) == Errc::invalid_argument);
  // Expiring today is allowed: the card works until the end of its last day.
  ledger.apply(batch("B1", {"12345678"}, "1", "2026-11-25"));
}

TEST_CASE("cards: a redemption pays the value in as a phone_card record and uses the card, once",
          "[engine][cards]") {
  TestLedger ledger;
  ledger.open("1001");
  ledger.apply(batch("B1", {"2000000000000001"}, "12.50"));
  const std::vector<Event> events = ledger.apply(redeem("2000000000000001", "1001"));
  REQUIRE(events.size() == 2);
  CHECK(events[0].type == EventType::card_redeemed);
  CHECK(events[0].card_account == "1001");
  CHECK(events[0].amount == money("12.50"));
  CHECK(events[1].type == EventType::card_payment_recorded);
  CHECK(is_payment_record(events[1].type));
  CHECK(payment_type_of(events[1].type) == PaymentType::phone_card);
  CHECK(events[1].method == PaymentMethod::card);
  CHECK(events[1].card_number == "2000000000000001");
  CHECK(events[1].balance_before == Money::zero());
  CHECK(events[1].balance_after == money("12.50"));
  CHECK(encode_event(events[1]).find("PIN-") == std::string::npos);
  CHECK(ledger.account("1001").balance == money("12.50"));
  const CardState& card = card_of(ledger, "2000000000000001");
  CHECK(card.use == CardUse::used);
  CHECK(card.redeemed_into == "1001");
  // A second redemption, with the right PIN, says why.
  ledger.open("1002");
  CHECK(ledger.rejection(redeem("2000000000000001", "1002")) == Errc::card_used);
  CHECK(ledger.account("1002").balance == Money::zero());
}

TEST_CASE("cards: a card payment reversed takes the value back out, and the card stays used",
          "[engine][cards]") {
  TestLedger ledger;
  ledger.open("1001");
  ledger.apply(batch("B1", {"2100000000000001"}, "8"));
  const std::vector<Event> paid = ledger.apply(redeem("2100000000000001", "1001"));
  const std::vector<Event> reversed =
      ledger.apply(Reverse{.record = paid[1].position, .memo = "wrong account"});
  REQUIRE(reversed.size() == 1);
  CHECK(reversed[0].reversed_type == PaymentType::phone_card);
  CHECK(reversed[0].amount == money("-8"));
  CHECK(ledger.account("1001").balance == Money::zero());
  CHECK(card_of(ledger, "2100000000000001").use == CardUse::used);
  CHECK(ledger.rejection(redeem("2100000000000001", "1001")) == Errc::card_used);
}

TEST_CASE("cards: an unknown number and a wrong PIN get the same answer, and the 5th wrong PIN locks",
          "[engine][cards]") {
  TestLedger ledger;
  ledger.open("1001");
  ledger.apply(batch("B1", {"3000000000000001"}));
  const Errc unknown = ledger.rejection(redeem("3999999999999999", "1001", "1234"));
  CHECK(unknown == Errc::wrong_card_or_pin);
  for (uint32_t attempt = 1; attempt <= 5; ++attempt) {
    // Recorded (the count survives a restart), and answered as the refusal it is.
    const std::vector<Event> events = ledger.apply(redeem("3000000000000001", "1001", "wrong"));
    REQUIRE(events.size() == 1);
    CHECK(events[0].type == EventType::card_pin_failed);
    CHECK(events[0].card_pin_failures == attempt);
    const Status answer = recorded_refusal(events);
    REQUIRE_FALSE(answer.ok());
    CHECK(answer.error().code == Errc::wrong_card_or_pin);
    CHECK(answer.error().message == "wrong card number or PIN");
  }
  CHECK(card_status(card_of(ledger, "3000000000000001"), date_of(ledger.now)) == CardStatus::locked);
  // Locked: the right PIN no longer works, and wrong ones are no longer counted.
  CHECK(ledger.rejection(redeem("3000000000000001", "1001")) == Errc::card_locked);
  CHECK(ledger.rejection(redeem("3000000000000001", "1001", "wrong")) == Errc::card_locked);
  CHECK(card_of(ledger, "3000000000000001").pin_failures == 5);
  CHECK(ledger.account("1001").balance == Money::zero());
}

TEST_CASE("cards: fewer than 5 wrong PINs leave the card redeemable", "[engine][cards]") {
  TestLedger ledger;
  ledger.open("1001");
  ledger.apply(batch("B1", {"3100000000000001"}));
  for (int i = 0; i < 4; ++i) ledger.apply(redeem("3100000000000001", "1001", "wrong"));
  ledger.apply(redeem("3100000000000001", "1001"));
  CHECK(ledger.account("1001").balance == money("10"));
}

TEST_CASE("cards: disabled and expired cards are refused with the reason, to whoever knows the PIN",
          "[engine][cards]") {
  TestLedger ledger;
  ledger.open("1001");
  ledger.apply(batch("B1", {"4000000000000001", "4000000000000002"}, "5", "2026-11-30"));
  ledger.apply(DisableCard{.number = "4000000000000001", .memo = "lost"});
  CHECK(card_of(ledger, "4000000000000001").use == CardUse::disabled);
  CHECK(ledger.rejection(redeem("4000000000000001", "1001")) == Errc::card_disabled);
  CHECK(ledger.rejection(DisableCard{.number = "4000000000000001", .memo = ""}) == Errc::card_disabled);
  CHECK(ledger.rejection(DisableCard{.number = "4999999999999999", .memo = ""}) == Errc::card_not_found);
  // The last day still works; the day after does not.
  ledger.now = at("2026-11-30T23:59:59Z");
  ledger.apply(redeem("4000000000000002", "1001"));
  ledger.apply(batch("B2", {"4000000000000003"}, "5", "2026-11-30"));
  ledger.now = at("2026-12-01T00:00:00Z");
  CHECK(ledger.rejection(redeem("4000000000000003", "1001")) == Errc::card_expired);
  CHECK(card_status(card_of(ledger, "4000000000000003"), date_of(ledger.now)) == CardStatus::expired);
  // A used card cannot be disabled.
  CHECK(ledger.rejection(DisableCard{.number = "4000000000000002", .memo = ""}) == Errc::card_used);
  // An unknown account is refused before the card is looked at: no PIN failure counted.
  CHECK(ledger.rejection(redeem("4000000000000003", "9999", "wrong")) == Errc::account_not_found);
  CHECK(card_of(ledger, "4000000000000003").pin_failures == 0);
}

TEST_CASE(
    "cards: admin issues, finance redeems and disables, agents redeem into their tree only, "
    "auditors do nothing",
    "[engine][cards][rights]") {
  TestLedger ledger;
  ledger.open("A1", AccountType::agent);
  ledger.open("S1", AccountType::direct, "A1");
  ledger.open("X1");
  OperatorSettings admin{.name = "admin",
                         .role = OperatorRole::admin,
                         .agent_account = {},
                         .permissions = 0,
                         .disabled = false,
                         .token = {}};
  admin.token =
      TokenCredential{.id = std::string(16, '1'), .salt = std::string(16, 's'), .hash = std::string(32, 'h')};
  ledger.apply(AddOperator{admin});
  OperatorSettings finance = admin;
  finance.name = "fin";
  finance.role = OperatorRole::finance;
  finance.token.id = std::string(16, '2');
  ledger.apply(AddOperator{finance});
  OperatorSettings agent = admin;
  agent.name = "agent";
  agent.role = OperatorRole::agent;
  agent.agent_account = "A1";
  agent.permissions = static_cast<uint32_t>(Permission::pay_sub_accounts);
  agent.token.id = std::string(16, '3');
  ledger.apply(AddOperator{agent});
  OperatorSettings auditor = admin;
  auditor.name = "aud";
  auditor.role = OperatorRole::auditor;
  auditor.token.id = std::string(16, '4');
  ledger.apply(AddOperator{auditor});
  ledger.apply(batch("B1", {"5000000000000001", "5000000000000002", "5000000000000003", "5000000000000004"}));

  ledger.operator_name = "fin";
  CHECK(ledger.rejection(batch("B2", {"5100000000000001"})) == Errc::forbidden);
  ledger.apply(redeem("5000000000000001", "X1"));
  ledger.apply(DisableCard{.number = "5000000000000004", .memo = ""});
  ledger.operator_name = "agent";
  CHECK(ledger.rejection(batch("B3", {"5200000000000001"})) == Errc::forbidden);
  CHECK(ledger.rejection(redeem("5000000000000002", "X1")) == Errc::forbidden);
  CHECK(ledger.rejection(redeem("5000000000000002", "A1")) == Errc::forbidden);  // no pay-self
  CHECK(ledger.rejection(DisableCard{.number = "5000000000000002", .memo = ""}) == Errc::forbidden);
  ledger.apply(redeem("5000000000000002", "S1"));
  ledger.operator_name = "aud";
  CHECK(ledger.rejection(redeem("5000000000000003", "S1")) == Errc::forbidden);
  CHECK(ledger.account("S1").balance == money("10"));
  CHECK(ledger.account("X1").balance == money("10"));
}

TEST_CASE("cards: the commands only Kafka mode's engine makes are refused by the embedded ledger",
          "[engine][cards]") {
  TestLedger ledger;
  ledger.open("X1");
  ledger.apply(batch("B1", {"5000000000000001"}));
  const LogPosition redemption{2};
  CHECK(ledger.rejection(RecordCardPayment{.number = "5000000000000001",
                                           .account_id = "X1",
                                           .value = money("10"),
                                           .memo = "",
                                           .redemption = redemption}) == Errc::invalid_argument);
  CHECK(ledger.rejection(ReturnCard{.number = "5000000000000001",
                                    .account_id = "X1",
                                    .value = money("10"),
                                    .redemption = redemption,
                                    .refusal = "account_not_found",
                                    .message = ""}) == Errc::invalid_argument);
  CHECK(ledger.account("X1").balance == money("0"));
}

}  // namespace paystream::testing
