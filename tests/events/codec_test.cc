#include "events/codec.h"

#include <capnp/any.h>
#include <capnp/message.h>
#include <capnp/serialize.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <set>

#include "events/message_bytes.h"
#include "events/schema/events.capnp.h"

namespace paystream {
namespace {

// ---- Sample values --------------------------------------------------------------------------

Money units(int64_t whole) { return Money::from_micros(whole * Money::micros_per_unit); }

Sha256 hash_of(uint8_t seed) {
  Sha256 hash{};
  for (size_t i = 0; i < hash.size(); ++i) hash[i] = static_cast<uint8_t>(seed + i * 7);
  return hash;
}

AccountSettings full_settings() {
  return AccountSettings{.name = "Acme Telecom – main",
                         .type = AccountType::agent,
                         .parent = "agent.7",
                         .monthly_min = Money::from_micros(1'500'000),
                         .monthly_max = units(900),
                         .expires_on = Date{20'782},
                         .locked = true};
}

Event base_event(EventType type) {
  Event event;
  event.type = type;
  event.position = LogPosition{42};
  event.time = Timestamp{1'764'064'800'123'456};
  event.account_id = "acme.main-1";
  event.command_id = "cmd-7f3a";
  event.operator_name = "alice";
  event.memo = "top-up at the desk";
  event.prev_hash = hash_of(3);
  return event;
}

Event record_event(EventType type) {
  Event event = base_event(type);
  event.amount = units(25);
  event.balance_before = Money::from_micros(-3'250'000);
  event.balance_after = Money::from_micros(21'750'000);
  event.overdraft_before = units(10);
  event.overdraft_after = units(12);
  event.expires_before = Date{20'000};
  event.expires_after = Date{20'400};
  return event;
}

// One event of every type with every field its type uses set, plus the same types with the
// optional fields unset and the text fields empty.
OperatorSettings sample_operator() {
  return OperatorSettings{
      .name = "agent.7",
      .role = OperatorRole::agent,
      .agent_account = "A-1",
      .permissions = static_cast<uint32_t>(Permission::pay_self) | static_cast<uint32_t>(Permission::adjust),
      .disabled = false,
      .token = TokenCredential{
          .id = "0123456789abcdef", .salt = std::string(16, '\0'), .hash = std::string(32, '\xff')}};
}

std::vector<Event> sample_events() {
  std::vector<Event> events;
  Event opened = base_event(EventType::account_opened);
  opened.settings = full_settings();
  opened.overdraft_after = units(50);
  opened.expires_after = full_settings().expires_on;
  events.push_back(opened);
  Event updated = base_event(EventType::account_updated);
  updated.settings = full_settings();
  updated.settings.expires_on.reset();
  updated.settings.type = AccountType::clearing;
  updated.expires_before = Date{-5};
  events.push_back(updated);
  Event paid = record_event(EventType::payment_recorded);
  paid.method = PaymentMethod::card;
  events.push_back(paid);
  events.push_back(record_event(EventType::credit_set));
  Event zeroed = record_event(EventType::balance_zeroed);
  zeroed.amount = Money::from_micros(3'250'000);
  events.push_back(zeroed);
  Event reversal = record_event(EventType::reversal_recorded);
  reversal.reverses = LogPosition{41};
  reversal.reversed_type = PaymentType::minimum_consumption;
  reversal.amount = Money::from_micros(std::numeric_limits<int64_t>::min());
  events.push_back(reversal);
  Event adjusted = record_event(EventType::adjustment_recorded);
  adjusted.amount = Money::from_micros(std::numeric_limits<int64_t>::max());
  adjusted.method = PaymentMethod::other;
  events.push_back(adjusted);
  Event parameter = base_event(EventType::parameter_set);
  parameter.account_id.clear();
  parameter.parameter_name = "SERVER_CUSTOMER_OVERDRAFT_LIMIT";
  parameter.parameter_value = -7'000'000;
  events.push_back(parameter);
  Event added = base_event(EventType::operator_added);
  added.account_id.clear();
  added.operator_settings = sample_operator();
  events.push_back(added);
  Event disabled = added;
  disabled.type = EventType::operator_updated;
  disabled.operator_settings.disabled = true;
  disabled.operator_settings.role = OperatorRole::auditor;
  disabled.operator_settings.agent_account.clear();
  disabled.operator_settings.permissions = 0;
  events.push_back(disabled);
  Event charged = record_event(EventType::charge_recorded);
  charged.call_start = Timestamp{1'796'000'000'000'000};
  charged.call_duration_seconds = 0;  // a zero duration is a value, distinct from none
  charged.caller = "+15551234567";
  charged.callee = "0049301234567";
  events.push_back(charged);
  Event charged_bare = record_event(EventType::charge_recorded);
  charged_bare.call_start = Timestamp{-3};
  events.push_back(charged_bare);
  Event minimum = record_event(EventType::minimum_charged);
  minimum.amount = Money::from_micros(-6'750'000);
  minimum.minimum_month = 24'322;
  events.push_back(minimum);
  Event issued;
  issued.type = EventType::card_issued;
  issued.card_number = "4012888888881881";
  issued.card_batch = "B-2026.12";
  issued.amount = units(10);
  issued.expires_after = Date{21'000};
  events.push_back(issued);
  Event redeemed;
  redeemed.type = EventType::card_redeemed;
  redeemed.card_number = "4012888888881881";
  redeemed.card_account = "1001";
  redeemed.amount = units(10);
  events.push_back(redeemed);
  Event card_paid = record_event(EventType::card_payment_recorded);
  card_paid.card_number = "4012888888881881";
  card_paid.method = PaymentMethod::card;
  events.push_back(card_paid);
  Event pin_failed;
  pin_failed.type = EventType::card_pin_failed;
  pin_failed.card_number = "4012888888881881";
  pin_failed.card_pin_failures = 5;
  events.push_back(pin_failed);
  Event card_disabled;
  card_disabled.type = EventType::card_disabled;
  card_disabled.card_number = "4012888888881881";
  card_disabled.memo = "lost";
  events.push_back(card_disabled);
  Event paid_elsewhere = card_paid;  // Kafka mode: the payment half on the account's partition
  paid_elsewhere.card_redemption = LogPosition{(uint64_t{2} << 48) | 17};
  events.push_back(paid_elsewhere);
  Event refused;
  refused.type = EventType::card_payment_refused;
  refused.account_id.clear();
  refused.card_number = "4012888888881881";
  refused.card_account = "1001";
  refused.amount = units(10);
  refused.card_redemption = LogPosition{(uint64_t{2} << 48) | 17};
  refused.card_refusal = "account_not_found";
  refused.memo = "account '1001' does not exist";
  events.push_back(refused);
  Event returned = refused;
  returned.type = EventType::card_returned;
  events.push_back(returned);
  Event cleaned = base_event(EventType::records_cleaned_up);
  cleaned.account_id.clear();
  cleaned.cleanup = RecordsCleanup{.from = Timestamp{1'700'000'000'000'000},
                                   .before = Timestamp{1'710'000'000'000'000},
                                   .count = 1'000'000,
                                   .export_sha256 = std::string(32, '\x5a'),
                                   .export_file = "payment-records-before-2024-03-09.csv"};
  events.push_back(cleaned);
  Event first_cleanup = cleaned;  // from the log's start: from stays zero
  first_cleanup.cleanup.from = Timestamp{};
  events.push_back(first_cleanup);
  const size_t full = events.size();
  for (size_t i = 0; i < full; ++i) {
    Event sparse = events[i];
    sparse.expires_before.reset();
    sparse.expires_after.reset();
    sparse.settings.expires_on.reset();
    sparse.memo.clear();
    sparse.operator_name.clear();
    sparse.time = Timestamp{-1};  // before the epoch: times are signed
    sparse.prev_hash = Sha256{};
    events.push_back(sparse);
  }
  events.push_back(Event{});  // all defaults: a PaymentRecorded with nothing set
  return events;
}

UpdateAccount update_all_set() {
  UpdateAccount update;
  update.account_id = "1001";
  update.name = "New name";
  update.type = AccountType::agent;
  update.parent = "agent.2";
  update.monthly_min = units(1);
  update.monthly_max = units(2);
  update.expires_on = std::optional<Date>{Date{20'782}};
  update.locked = false;
  return update;
}

std::vector<Command> sample_commands() {
  std::vector<CommandBody> bodies;
  bodies.push_back(OpenAccount{.account_id = "1001",
                               .settings = full_settings(),
                               .overdraft = units(5),
                               .initial_balance = Money::from_micros(-1)});
  bodies.push_back(OpenAccount{.account_id = "1002",
                               .settings = AccountSettings{},
                               .overdraft = std::nullopt,
                               .initial_balance = std::nullopt});
  bodies.push_back(OpenAccount{.account_id = "1003",
                               .settings = full_settings(),
                               .overdraft = Money::zero(),
                               .initial_balance = Money::zero()});  // set to zero is not unset
  bodies.push_back(update_all_set());
  UpdateAccount nothing;
  nothing.account_id = "1001";
  bodies.push_back(nothing);
  UpdateAccount removals;  // "" and "no date" are values, distinct from unset
  removals.account_id = "1001";
  removals.name = "";
  removals.parent = "";
  removals.expires_on = std::optional<Date>{};
  removals.locked = true;
  removals.monthly_max = Money::zero();
  bodies.push_back(removals);
  bodies.push_back(
      Pay{.account_id = "1001", .amount = units(10), .memo = "cash", .method = PaymentMethod::other});
  bodies.push_back(
      Pay{.account_id = "1001", .amount = Money::zero(), .memo = "", .method = PaymentMethod::cash});
  bodies.push_back(SetCredit{.account_id = "1001", .limit = units(100), .memo = "raise"});
  bodies.push_back(MakeZero{.account_id = "1001", .memo = "year end"});
  bodies.push_back(Reverse{.record = LogPosition{17}, .memo = "wrong account"});
  bodies.push_back(Adjust{.account_id = "1001", .amount = Money::from_micros(-250), .memo = "rounding"});
  bodies.push_back(SetParameter{.name = "MONTHLY_MIN_DAY", .value = 28});
  bodies.push_back(SetParameter{.name = "", .value = std::numeric_limits<int64_t>::min()});
  bodies.push_back(AddOperator{.settings = sample_operator()});
  bodies.push_back(AddOperator{.settings = OperatorSettings{}});
  bodies.push_back(DisableOperator{.name = "agent.7"});
  bodies.push_back(IssueCards{.batch = "B1",
                              .chunk = 3,
                              .value = units(10),
                              .expires = Date{21'000},
                              .cards = {IssuedCard{.number = "4012888888881881",
                                                   .secret = CardSecret{.salt = std::string(16, '\x01'),
                                                                        .hash = std::string(32, '\0')}},
                                        IssuedCard{.number = "", .secret = CardSecret{}}}});
  bodies.push_back(IssueCards{});
  bodies.push_back(
      RedeemCard{.number = "4012888888881881", .pin = "0042", .account_id = "1001", .memo = "m"});
  bodies.push_back(DisableCard{.number = "4012888888881881", .memo = ""});
  bodies.push_back(RecordCardPayment{.number = "4012888888881881",
                                     .account_id = "1001",
                                     .value = units(10),
                                     .memo = "m",
                                     .redemption = LogPosition{(uint64_t{2} << 48) | 17}});
  bodies.push_back(ReturnCard{.number = "4012888888881881",
                              .account_id = "1001",
                              .value = units(10),
                              .redemption = LogPosition{(uint64_t{2} << 48) | 17},
                              .refusal = "account_not_found",
                              .message = "account '1001' does not exist"});
  bodies.push_back(CleanUpRecords{RecordsCleanup{.from = {},
                                                 .before = Timestamp{1'710'000'000'000'000},
                                                 .count = 3,
                                                 .export_sha256 = std::string(32, '\x01'),
                                                 .export_file = "x.xlsx"}});
  bodies.push_back(RotateOperatorToken{.name = "agent.7", .token = sample_operator().token});
  bodies.push_back(Charge{.cdr_id = "cdr-1",
                          .account_id = "1001",
                          .amount = Money::from_micros(350'000),
                          .call_start = Timestamp{1'796'000'000'000'000},
                          .duration_seconds = std::numeric_limits<uint32_t>::max(),
                          .caller = "100",
                          .callee = "200"});
  bodies.push_back(Charge{.cdr_id = "",
                          .account_id = "",
                          .amount = Money::zero(),
                          .call_start = Timestamp{},
                          .duration_seconds = std::nullopt,
                          .caller = "",
                          .callee = ""});
  bodies.push_back(MinimumCharge{.account_id = "1001", .month = 24'322});
  bodies.push_back(MinimumCharge{.account_id = "", .month = -1});
  std::vector<Command> commands;
  for (size_t i = 0; i < bodies.size(); ++i) {
    commands.push_back(Command{.command_id = "cmd-" + std::to_string(i),
                               .operator_name = i % 2 == 0 ? "bob" : "",
                               .body = bodies[i]});
  }
  return commands;
}

// ---- Hand-made messages, for inputs the encoder refuses to produce ----------------------------

std::string to_bytes(capnp::MessageBuilder& message) {
  const kj::Array<capnp::word> words = capnp::messageToFlatArray(message);
  return std::string(reinterpret_cast<const char*>(words.asBytes().begin()), words.asBytes().size());
}

// A valid PaymentRecorded message, then `change` applied to it.
template <class Change>
std::string crafted_event(Change change) {
  capnp::MallocMessageBuilder message;
  schema::Event::Builder event = message.initRoot<schema::Event>();
  event.setType(schema::EventType::PAYMENT_RECORDED);
  event.setPosition(9);
  event.setReversedType(schema::PaymentType::PAYMENT);  // what encode_event writes for a default Event
  const Sha256 zeros{};
  event.setPrevHash(capnp::Data::Reader(zeros.data(), zeros.size()));
  change(event);
  return to_bytes(message);
}

Errc error_of(const Result<Event>& result) {
  REQUIRE_FALSE(result.ok());
  return result.error().code;
}

// ---- Round trips ------------------------------------------------------------------------------

TEST_CASE("codec: every event type round-trips with optional fields set and unset", "[codec]") {
  for (const Event& event : sample_events()) {
    INFO("event " << event_type_name(event.type) << " memo '" << event.memo << "'");
    const std::string bytes = encode_event(event);
    CHECK(bytes.size() % 8 == 0);
    Result<Event> decoded = decode_event(bytes);
    REQUIRE(decoded.ok());
    CHECK(*decoded == event);
  }
}

TEST_CASE("codec: encoding is deterministic", "[codec]") {
  for (const Event& event : sample_events()) {
    const std::string bytes = encode_event(event);
    CHECK(encode_event(event) == bytes);
    Event copy = event;  // a separately built equal value gives the same bytes
    CHECK(encode_event(copy) == bytes);
    CHECK(encode_event(decode_event(bytes).value()) == bytes);
  }
  for (const Command& command : sample_commands()) {
    CHECK(encode_command(command) == encode_command(Command(command)));
  }
}

TEST_CASE("codec: different events give different bytes", "[codec]") {
  Event a = record_event(EventType::payment_recorded);
  Event b = a;
  b.amount = Money::from_micros(a.amount.micros() + 1);
  CHECK(encode_event(a) != encode_event(b));
  b = a;
  b.expires_after.reset();
  CHECK(encode_event(a) != encode_event(b));
  b = a;
  b.prev_hash[31] ^= 1;
  CHECK(encode_event(a) != encode_event(b));
}

TEST_CASE("codec: every command kind round-trips with optional fields set and unset", "[codec]") {
  const std::vector<Command> commands = sample_commands();
  for (const Command& command : commands) {
    INFO("command " << command_name(command.body) << " " << command.command_id);
    Result<Command> decoded = decode_command(encode_command(command));
    REQUIRE(decoded.ok());
    CHECK(*decoded == command);
  }
  // Each kind is covered.
  std::set<size_t> kinds;
  for (const Command& command : commands) kinds.insert(command.body.index());
  CHECK(kinds.size() == std::variant_size_v<CommandBody>);
}

TEST_CASE("codec: UpdateAccount keeps unset, removed and set apart", "[codec]") {
  UpdateAccount removed;
  removed.account_id = "1";
  removed.expires_on = std::optional<Date>{};
  UpdateAccount unset;
  unset.account_id = "1";
  const auto round_trip = [](const UpdateAccount& update) {
    Result<Command> decoded =
        decode_command(encode_command(Command{.command_id = "c", .operator_name = "", .body = update}));
    REQUIRE(decoded.ok());
    return std::get<UpdateAccount>(decoded->body);
  };
  const UpdateAccount removed_back = round_trip(removed);
  REQUIRE(removed_back.expires_on.has_value());
  CHECK_FALSE(removed_back.expires_on->has_value());
  CHECK_FALSE(round_trip(unset).expires_on.has_value());
  CHECK(round_trip(update_all_set()) == update_all_set());
}

TEST_CASE("codec: log entries round-trip their events in order", "[codec]") {
  std::vector<std::string> encoded;
  for (const Event& event : sample_events()) encoded.push_back(encode_event(event));
  for (const std::vector<std::string>& entry :
       {encoded, std::vector<std::string>{}, std::vector<std::string>{encoded.front()},
        std::vector<std::string>{std::string("\0\1\2", 3), std::string()}}) {
    const std::string bytes = encode_log_entry(entry);
    CHECK(encode_log_entry(entry) == bytes);
    Result<std::vector<std::string>> decoded = decode_log_entry(bytes);
    REQUIRE(decoded.ok());
    CHECK(*decoded == entry);
  }
  Result<std::vector<std::string>> decoded = decode_log_entry(encode_log_entry(encoded));
  REQUIRE(decoded.ok());
  const std::vector<Event> events = sample_events();
  for (size_t i = 0; i < events.size(); ++i) CHECK(decode_event((*decoded)[i]).value() == events[i]);
}

TEST_CASE("codec: message_bytes is capnp::writeMessage's framing", "[codec]") {
  // One, two (the table padded to a word) and several segments: a one-word first segment that
  // grows by fixed steps splits even a small log entry.
  for (const uint segment_words : {1024u, 40u, 8u, 1u}) {
    capnp::MallocMessageBuilder message(segment_words, capnp::AllocationStrategy::FIXED_SIZE);
    schema::LogEntry::Builder entry = message.initRoot<schema::LogEntry>();
    capnp::List<capnp::Data>::Builder events = entry.initEvents(5);
    for (capnp::uint i = 0; i < events.size(); ++i) {
      const std::string event(40 * i + 3, static_cast<char>('a' + i));
      events.set(i, capnp::Data::Reader(reinterpret_cast<const kj::byte*>(event.data()), event.size()));
    }
    const kj::Array<capnp::word> expected = capnp::messageToFlatArray(message);
    const kj::ArrayPtr<const kj::byte> expected_bytes = expected.asBytes();
    INFO("first segment of " << segment_words << " words, " << message.getSegmentsForOutput().size()
                             << " segments");
    CHECK(message_bytes(message) ==
          std::string(reinterpret_cast<const char*>(expected_bytes.begin()), expected_bytes.size()));
  }
}

// ---- Unknown and invalid values ---------------------------------------------------------------

TEST_CASE("codec: an event type this build does not know is unsupported, naming the number", "[codec]") {
  for (uint16_t number : {uint16_t{21}, uint16_t{200}, uint16_t{65535}}) {
    const std::string bytes = crafted_event(
        [&](schema::Event::Builder event) { event.setType(static_cast<schema::EventType>(number)); });
    Result<Event> decoded = decode_event(bytes);
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.error().code == Errc::unsupported_event);
    CHECK(decoded.error().message.find("event type " + std::to_string(number)) != std::string::npos);
    CHECK(decoded.error().message.find("position 9") != std::string::npos);
  }
}

TEST_CASE("codec: an unknown type wins over fields this build would call corrupt", "[codec]") {
  // A newer type may use fields in new ways; the reader must learn it is too old, not that the
  // log is damaged.
  const std::string bytes = crafted_event([](schema::Event::Builder event) {
    event.setType(static_cast<schema::EventType>(21));
    event.initCall().setCaller("a call on a type this build does not know");
    event.setMethod(static_cast<schema::PaymentMethod>(7));
    event.setParameterName("new use");
    event.setPrevHash(capnp::Data::Reader());
  });
  CHECK(error_of(decode_event(bytes)) == Errc::unsupported_event);
}

TEST_CASE("codec: the crafted baseline decodes", "[codec]") {
  Result<Event> decoded = decode_event(crafted_event([](schema::Event::Builder) {}));
  REQUIRE(decoded.ok());
  CHECK(decoded->type == EventType::payment_recorded);
  CHECK(decoded->position == LogPosition{9});
}

TEST_CASE("codec: values out of range are corruption", "[codec]") {
  using Builder = schema::Event::Builder;
  const std::vector<std::pair<const char*, std::function<void(Builder)>>> cases = {
      {"type 0", [](Builder e) { e.setType(schema::EventType::UNSPECIFIED); }},
      {"method 3", [](Builder e) { e.setMethod(static_cast<schema::PaymentMethod>(3)); }},
      {"method 256", [](Builder e) { e.setMethod(static_cast<schema::PaymentMethod>(256)); }},
      {"reversed type 0", [](Builder e) { e.setReversedType(schema::PaymentType::UNSPECIFIED); }},
      {"reversed type 8", [](Builder e) { e.setReversedType(static_cast<schema::PaymentType>(8)); }},
      {"account type 3",
       [](Builder e) {
         e.setType(schema::EventType::ACCOUNT_OPENED);
         e.initSettings().setType(static_cast<schema::AccountType>(3));
       }},
      {"prevHash empty", [](Builder e) { e.setPrevHash(capnp::Data::Reader()); }},
      {"prevHash 33 bytes",
       [](Builder e) {
         const std::array<uint8_t, 33> bytes{};
         e.setPrevHash(capnp::Data::Reader(bytes.data(), bytes.size()));
       }},
      {"settings on a payment", [](Builder e) { e.initSettings().setName("x"); }},
      {"parameter on a payment", [](Builder e) { e.setParameterValue(1); }},
      {"reversal target on a payment", [](Builder e) { e.setReverses(3); }},
      {"reversed type on a payment", [](Builder e) { e.setReversedType(schema::PaymentType::CREDIT); }},
      {"a call on a payment", [](Builder e) { e.initCall().setCaller("100"); }},
      {"a minimum's month on a payment", [](Builder e) { e.setMinimumMonth(24'322); }},
      {"a call's unknown duration variant",
       [](Builder e) {
         e.setType(schema::EventType::CHARGE_RECORDED);
         // The discriminant is the one data byte in which "none" and "seconds = 0" differ.
         capnp::MallocMessageBuilder scratch;
         auto none = scratch.initRoot<schema::CallDetails>();
         none.getDuration().setNone();
         auto seconds = scratch.getOrphanage().newOrphan<schema::CallDetails>();
         seconds.get().getDuration().setSeconds(0);
         const auto none_bytes = capnp::toAny(none.asReader()).getDataSection();
         const auto seconds_bytes = capnp::toAny(seconds.getReader()).getDataSection();
         schema::CallDetails::Builder call = e.initCall();
         call.getDuration().setSeconds(0);
         auto data = capnp::toAny(call).getDataSection();
         for (size_t i = 0; i < data.size(); ++i) {
           if (none_bytes[i] != seconds_bytes[i]) data[i] = 7;
         }
       }},
  };
  for (const auto& [name, change] : cases) {
    INFO(name);
    Result<Event> decoded = decode_event(crafted_event(change));
    CHECK(error_of(decoded) == Errc::corruption);
    if (!decoded.ok()) CHECK(decoded.error().message.find("corrupt event") != std::string::npos);
  }
}

TEST_CASE("codec: an empty settings struct on a payment is still default, so it decodes", "[codec]") {
  // A null and an all-default struct mean the same; only what they hold is checked.
  Result<Event> decoded = decode_event(crafted_event([](schema::Event::Builder e) { e.initSettings(); }));
  CHECK(decoded.ok());
}

TEST_CASE("codec: a command kind this build does not know is refused, not taken for another", "[codec]") {
  const std::string bytes = encode_command(
      Command{.command_id = "c", .operator_name = "", .body = SetParameter{.name = "X", .value = 1}});
  // Command's only data field is the body's discriminant, first in the data section (byte 16 of a
  // one-segment message); the check guards this assumption about the layout.
  REQUIRE(bytes.size() > 17);
  REQUIRE(bytes[16] == 8);
  std::string unknown = bytes;
  unknown[16] = 42;
  Result<Command> decoded = decode_command(unknown);
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.error().code == Errc::invalid_argument);
  CHECK(decoded.error().message.find("42") != std::string::npos);
  unknown[16] = 0;  // "unspecified": never written
  CHECK(decode_command(unknown).error().code == Errc::corruption);
}

// ---- Damaged bytes ----------------------------------------------------------------------------

bool is_decode_error(Errc code) { return code == Errc::corruption || code == Errc::unsupported_event; }

// Damaged bytes must give an error or some valid event; a valid one must encode again (the encoder
// asserts what the decoder checks, so this also proves the two checks agree).
void check_damaged_event(const std::string& bytes) {
  Result<Event> decoded = decode_event(bytes);
  if (decoded.ok()) {
    CHECK_FALSE(encode_event(*decoded).empty());
  } else {
    CHECK(is_decode_error(decoded.error().code));
    CHECK_FALSE(decoded.error().message.empty());
  }
}

TEST_CASE("codec: truncated events are corruption", "[codec]") {
  for (const Event& event : sample_events()) {
    const std::string bytes = encode_event(event);
    for (size_t size = 0; size < bytes.size(); ++size) {
      INFO("truncated to " << size << " of " << bytes.size());
      Result<Event> decoded = decode_event(std::string_view(bytes).substr(0, size));
      CHECK(error_of(decoded) == Errc::corruption);
    }
  }
}

TEST_CASE("codec: trailing bytes, odd sizes and oversized input are corruption", "[codec]") {
  const std::string bytes = encode_event(record_event(EventType::payment_recorded));
  CHECK(error_of(decode_event(bytes + std::string(8, '\0'))) == Errc::corruption);
  CHECK(error_of(decode_event(bytes + "x")) == Errc::corruption);
  CHECK(error_of(decode_event("")) == Errc::corruption);
  CHECK(error_of(decode_event(std::string(encoded_event_bytes_max + 8, '\0'))) == Errc::corruption);
  CHECK(decode_command("").error().code == Errc::corruption);
  CHECK(decode_log_entry("1234567").error().code == Errc::corruption);
}

TEST_CASE("codec: a flipped byte anywhere never crashes the decoder", "[codec]") {
  for (const Event& event : sample_events()) {
    const std::string bytes = encode_event(event);
    for (size_t at = 0; at < bytes.size(); ++at) {
      for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xff}, uint8_t{0x3c}}) {
        std::string damaged = bytes;
        damaged[at] = static_cast<char>(damaged[at] ^ mask);
        INFO("byte " << at << " xor " << int{mask});
        check_damaged_event(damaged);
      }
    }
  }
}

TEST_CASE("codec: a flipped byte in a command or a log entry never crashes the decoder", "[codec]") {
  for (const Command& command : sample_commands()) {
    const std::string bytes = encode_command(command);
    for (size_t at = 0; at < bytes.size(); ++at) {
      std::string damaged = bytes;
      damaged[at] = static_cast<char>(damaged[at] ^ 0xff);
      Result<Command> decoded = decode_command(damaged);
      if (decoded.ok()) {
        CHECK_FALSE(encode_command(*decoded).empty());
      } else {
        CHECK((decoded.error().code == Errc::corruption || decoded.error().code == Errc::invalid_argument));
      }
    }
  }
  std::vector<std::string> events;
  for (const Event& event : sample_events()) events.push_back(encode_event(event));
  const std::string entry = encode_log_entry(events);
  for (size_t at = 0; at < entry.size(); at += 3) {
    std::string damaged = entry;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x5a);
    Result<std::vector<std::string>> decoded = decode_log_entry(damaged);
    if (!decoded.ok()) {
      CHECK(decoded.error().code == Errc::corruption);
      continue;
    }
    for (const std::string& event : *decoded) check_damaged_event(event);
  }
}

TEST_CASE("codec: random garbage never crashes the decoder", "[codec]") {
  const uint32_t seed = Catch::rngSeed() != 0 ? Catch::rngSeed() : 20'261'125;
  INFO("seed " << seed);
  std::mt19937 random(seed);
  const std::string valid = encode_event(record_event(EventType::reversal_recorded));
  for (int round = 0; round < 3'000; ++round) {
    std::string garbage(8 * (random() % 48), '\0');
    for (char& c : garbage) c = static_cast<char>(random());
    check_damaged_event(garbage);
    (void)decode_command(garbage);
    (void)decode_log_entry(garbage);
    // Garbage after a valid header reaches deeper into the reader.
    std::string mixed = valid;
    for (int flips = 0; flips < 4; ++flips) mixed[random() % mixed.size()] = static_cast<char>(random());
    check_damaged_event(mixed);
  }
}

TEST_CASE("codec: a message whose pointers alias one object cannot amplify the work", "[codec]") {
  // A log entry of 500 Data pointers all aimed at one 64 KiB blob reads as 32 MiB: under Cap'n
  // Proto's default limit (64 MiB), so only a budget tied to the input size refuses it.
  std::vector<std::string> events(1, std::string(64 * 1024, 'x'));
  const std::string entry = encode_log_entry(events);
  CHECK(decode_log_entry(entry).ok());
  // Now alias it: 499 more elements aimed at the one blob.
  capnp::MallocMessageBuilder message(16 * 1024);  // one segment, so every pointer is a near one
  auto list = message.initRoot<schema::LogEntry>().initEvents(500);
  const std::string blob(64 * 1024, 'y');
  list.set(0, capnp::Data::Reader(reinterpret_cast<const kj::byte*>(blob.data()), blob.size()));
  std::string bytes = to_bytes(message);
  // Each element gets element 0's pointer with its offset corrected for its own position (pointer
  // offsets are relative: target = pointer + 1 + offset, in words).
  // Segment table (8 bytes), root pointer (8), LogEntry's one pointer (8), then the list's pointers.
  const size_t list_start = 24;
  uint64_t first = 0;
  std::memcpy(&first, bytes.data() + list_start, 8);
  REQUIRE((first & 3) == 1);  // a list pointer
  const auto first_offset = static_cast<int32_t>(static_cast<uint32_t>(first) >> 2);
  for (uint32_t i = 1; i < 500; ++i) {
    const int32_t offset = first_offset - static_cast<int32_t>(i);
    const uint64_t pointer = (first & 0xffffffff00000000ull) | (static_cast<uint32_t>(offset) << 2) | 1u;
    std::memcpy(bytes.data() + list_start + 8 * i, &pointer, 8);
  }
  Result<std::vector<std::string>> decoded = decode_log_entry(bytes);
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.error().code == Errc::corruption);
  CHECK(decoded.error().message.find("traversal limit") != std::string::npos);
}

// ---- Hashes -----------------------------------------------------------------------------------

TEST_CASE("codec: sha256 matches the FIPS 180-2 test vectors", "[codec]") {
  CHECK(to_hex(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(to_hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(to_hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(to_hex(sha256(std::string("\0", 1))) != to_hex(sha256("")));
}

TEST_CASE("codec: to_hex writes 64 lowercase digits", "[codec]") {
  Sha256 digest{};
  digest[0] = 0x0f;
  digest[31] = 0xa0;
  const std::string hex = to_hex(digest);
  CHECK(hex.size() == 64);
  CHECK(hex.substr(0, 2) == "0f");
  CHECK(hex.substr(62) == "a0");
}

TEST_CASE("codec: a hash chain detects an edited event", "[codec]") {
  // docs/events.md: prevHash = SHA-256 of the previous event's encoded bytes; the first is zeros.
  std::vector<std::string> log;
  Sha256 previous{};
  for (Event event : sample_events()) {
    event.prev_hash = previous;
    log.push_back(encode_event(event));
    previous = sha256(log.back());
  }
  const auto chain_holds = [](const std::vector<std::string>& entries) {
    Sha256 expected{};
    for (const std::string& bytes : entries) {
      Result<Event> event = decode_event(bytes);
      if (!event.ok() || event->prev_hash != expected) return false;
      expected = sha256(bytes);
    }
    return true;
  };
  CHECK(chain_holds(log));
  Event edited = decode_event(log[2]).value();
  edited.amount = units(1'000'000);
  log[2] = encode_event(edited);
  CHECK_FALSE(chain_holds(log));
}

}  // namespace
}  // namespace paystream
