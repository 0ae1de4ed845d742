#include "events/codec.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <fmt/format.h>
#include <kj/exception.h>
#include <openssl/evp.h>

#include <cstdio>
#include <cstring>
#include <type_traits>

#include "events/message_bytes.h"
#include "events/schema/events.capnp.h"

namespace paystream {
namespace {

namespace schema = ::paystream::schema;

// The schema's enums carry the same numbers as ours, so conversion is a cast plus a range check.
static_assert(static_cast<uint16_t>(schema::EventType::CARD_RETURNED) ==
              static_cast<uint16_t>(EventType::card_returned));
static_assert(static_cast<uint16_t>(schema::OperatorRole::AUDITOR) ==
              static_cast<uint16_t>(OperatorRole::auditor));
static_assert(static_cast<uint16_t>(schema::AccountType::CLEARING) ==
              static_cast<uint16_t>(AccountType::clearing));
static_assert(static_cast<uint16_t>(schema::PaymentType::MINIMUM_CONSUMPTION) ==
              static_cast<uint16_t>(PaymentType::minimum_consumption));
static_assert(static_cast<uint16_t>(schema::PaymentMethod::OTHER) ==
              static_cast<uint16_t>(PaymentMethod::other));

// The last value of each enum this build knows. A new event type moves last_event_type.
constexpr uint16_t last_event_type = static_cast<uint16_t>(EventType::card_returned);
constexpr uint16_t last_operator_role = static_cast<uint16_t>(OperatorRole::auditor);
constexpr uint16_t last_account_type = static_cast<uint16_t>(AccountType::clearing);
constexpr uint16_t last_payment_type = static_cast<uint16_t>(PaymentType::minimum_consumption);
constexpr uint16_t last_payment_method = static_cast<uint16_t>(PaymentMethod::other);

// Our schema nests at most four deep (Command > AddOperator > OperatorSettings > TokenCredential);
// deeper is junk.
constexpr int nesting_limit = 8;
constexpr size_t sha256_bytes = 32;

// Decoders say what is wrong with the message; read_message adds which kind of message it was.
Error corrupt(std::string why) { return make_error(Errc::corruption, std::move(why)); }

Error corruption(const char* what, std::string_view why) {
  return make_error(Errc::corruption, fmt::format("corrupt {}: {}", what, why));
}

// ---- Enums -------------------------------------------------------------------------------------

template <class To, class From>
To cast_enum(From value) {
  return static_cast<To>(static_cast<std::underlying_type_t<From>>(value));
}

template <class To, class From>
Result<To> read_enum(From raw, uint16_t first, uint16_t last, const char* field) {
  const auto number = static_cast<uint16_t>(raw);
  if (number < first || number > last) {
    return corrupt(fmt::format("{} {} is out of range {}-{}", field, number, first, last));
  }
  return static_cast<To>(number);
}

bool in_range(auto value, uint16_t first, uint16_t last) {
  const auto number = static_cast<uint16_t>(value);
  return number >= first && number <= last;
}

// ---- Text, data, optional values ----------------------------------------------------------------

// Empty text is left null: it reads back as "" and costs no bytes.
template <class Builder, class Setter>
void write_text(Builder& builder, Setter setter, const std::string& text) {
  if (!text.empty()) (builder.*setter)(capnp::Text::Reader(text.data(), text.size()));
}

std::string read_text(capnp::Text::Reader text) { return std::string(text.begin(), text.size()); }

template <class Group>
void write_date(Group group, const std::optional<Date>& date) {
  if (date) {
    group.setDays(date->days);
  } else {
    group.setNone();
  }
}

template <class Group>
Result<std::optional<Date>> read_date(Group group, const char* field) {
  if (group.isNone()) return std::optional<Date>{};
  if (group.isDays()) return std::optional<Date>{Date{group.getDays()}};
  return corrupt(fmt::format("{} has an unknown variant", field));
}

template <class Group>
void write_seconds(Group group, const std::optional<uint32_t>& seconds) {
  if (seconds) {
    group.setSeconds(*seconds);
  } else {
    group.setNone();
  }
}

template <class Group>
Result<std::optional<uint32_t>> read_seconds(Group group, const char* field) {
  if (group.isNone()) return std::optional<uint32_t>{};
  if (group.isSeconds()) return std::optional<uint32_t>{group.getSeconds()};
  return corrupt(fmt::format("{} has an unknown variant", field));
}

template <class Group>
void write_money(Group group, const std::optional<Money>& money) {
  if (money) {
    group.setMicros(money->micros());
  } else {
    group.setNone();
  }
}

// ---- Reading a message from bytes ---------------------------------------------------------------

// Reads one whole message: the bytes must hold exactly one, with nothing after it. Cap'n Proto
// reads in place and needs word alignment, which a std::string does not promise, so the bytes are
// copied first. kj::Exception (how capnp reports malformed input) never leaves this function.
template <class Root, class Decode>
auto read_message(std::string_view bytes, size_t bytes_max, const char* what, Decode&& decode)
    -> decltype(decode(std::declval<typename Root::Reader>())) {
  if (bytes.size() > bytes_max) {
    return corruption(what, fmt::format("{} bytes, more than the {} allowed", bytes.size(), bytes_max));
  }
  if (bytes.empty()) return corruption(what, "no bytes");
  if (bytes.size() % sizeof(capnp::word) != 0) {
    return corruption(what, fmt::format("{} bytes is not a whole number of 8-byte words", bytes.size()));
  }
  // Cap'n Proto reads words in place: bytes that are already word-aligned (a std::string's own
  // buffer) are read where they are; others are copied once into an aligned array.
  kj::Array<capnp::word> copy;
  kj::ArrayPtr<const capnp::word> words;
  if (reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(capnp::word) == 0) {
    words =
        kj::arrayPtr(reinterpret_cast<const capnp::word*>(bytes.data()), bytes.size() / sizeof(capnp::word));
  } else {
    copy = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
    std::memcpy(copy.begin(), bytes.data(), bytes.size());
    words = copy;
  }
  capnp::ReaderOptions options;
  // Well-formed messages are read once, word by word; the factor leaves room for headers while
  // still stopping a small message whose pointers alias one large object from costing gigabytes.
  options.traversalLimitInWords = words.size() * 2 + 64;
  options.nestingLimit = nesting_limit;
  try {
    capnp::FlatArrayMessageReader reader(words, options);
    if (reader.getEnd() != words.end()) return corruption(what, "trailing bytes after the message");
    auto result = decode(reader.getRoot<Root>());
    if (!result && result.error().code == Errc::corruption) return corruption(what, result.error().message);
    return result;
  } catch (const kj::Exception& exception) {
    return corruption(what, exception.getDescription().cStr());
  }
}

[[noreturn]] void encode_failed(const char* what, const Error& error) {
  std::fprintf(stderr, "paystream: refusing to encode %s: %s\n", what, error.message.c_str());
  assertion_failed("encodable", __FILE__, __LINE__);
}

// ---- Account settings --------------------------------------------------------------------------

void write_settings(schema::AccountSettings::Builder out, const AccountSettings& settings) {
  write_text(out, &schema::AccountSettings::Builder::setName, settings.name);
  out.setType(cast_enum<schema::AccountType>(settings.type));
  write_text(out, &schema::AccountSettings::Builder::setParent, settings.parent);
  out.setMonthlyMinMicros(settings.monthly_min.micros());
  out.setMonthlyMaxMicros(settings.monthly_max.micros());
  write_date(out.initExpiresOn(), settings.expires_on);
  out.setLocked(settings.locked);
}

Result<AccountSettings> read_settings(schema::AccountSettings::Reader in) {
  Result<AccountType> type = read_enum<AccountType>(in.getType(), 0, last_account_type, "account type");
  if (!type) return type.error();
  Result<std::optional<Date>> expires_on = read_date(in.getExpiresOn(), "settings.expiresOn");
  if (!expires_on) return expires_on.error();
  return AccountSettings{.name = read_text(in.getName()),
                         .type = *type,
                         .parent = read_text(in.getParent()),
                         .monthly_min = Money::from_micros(in.getMonthlyMinMicros()),
                         .monthly_max = Money::from_micros(in.getMonthlyMaxMicros()),
                         .expires_on = *expires_on,
                         .locked = in.getLocked()};
}

// ---- Operators ---------------------------------------------------------------------------------

template <class Builder, class Setter>
void write_data(Builder& builder, Setter setter, const std::string& bytes) {
  if (!bytes.empty())
    (builder.*setter)(capnp::Data::Reader(reinterpret_cast<const kj::byte*>(bytes.data()), bytes.size()));
}

std::string read_data(capnp::Data::Reader data) {
  return std::string(reinterpret_cast<const char*>(data.begin()), data.size());
}

void write_token(schema::TokenCredential::Builder out, const TokenCredential& token) {
  write_text(out, &schema::TokenCredential::Builder::setId, token.id);
  write_data(out, &schema::TokenCredential::Builder::setSalt, token.salt);
  write_data(out, &schema::TokenCredential::Builder::setHash, token.hash);
}

TokenCredential read_token(schema::TokenCredential::Reader in) {
  return TokenCredential{
      .id = read_text(in.getId()), .salt = read_data(in.getSalt()), .hash = read_data(in.getHash())};
}

void write_operator(schema::OperatorSettings::Builder out, const OperatorSettings& settings) {
  write_text(out, &schema::OperatorSettings::Builder::setName, settings.name);
  out.setRole(cast_enum<schema::OperatorRole>(settings.role));
  write_text(out, &schema::OperatorSettings::Builder::setAgentAccount, settings.agent_account);
  out.setPermissions(settings.permissions);
  out.setDisabled(settings.disabled);
  write_token(out.initToken(), settings.token);
}

Result<OperatorSettings> read_operator(schema::OperatorSettings::Reader in) {
  Result<OperatorRole> role = read_enum<OperatorRole>(in.getRole(), 0, last_operator_role, "operator role");
  if (!role) return role.error();
  return OperatorSettings{.name = read_text(in.getName()),
                          .role = *role,
                          .agent_account = read_text(in.getAgentAccount()),
                          .permissions = in.getPermissions(),
                          .disabled = in.getDisabled(),
                          .token = read_token(in.getToken())};
}

// ---- Events ------------------------------------------------------------------------------------

bool is_operator_event(EventType type) {
  return type == EventType::operator_added || type == EventType::operator_updated;
}

// The events whose `card` is set: the card's own and the payment a card made (or could not make).
bool is_card_event(EventType type) {
  return (type >= EventType::card_issued && type <= EventType::card_disabled) ||
         type == EventType::card_payment_refused || type == EventType::card_returned;
}

bool names_card_account(EventType type) {
  return type == EventType::card_redeemed || type == EventType::card_payment_refused ||
         type == EventType::card_returned;
}

bool follows_redemption(EventType type) {
  return type == EventType::card_payment_recorded || type == EventType::card_payment_refused ||
         type == EventType::card_returned;
}

bool is_account_event(EventType type) {
  return type == EventType::account_opened || type == EventType::account_updated;
}

// The fields that belong to one event type only must be at their defaults in every other type
// (docs/events.md). Checked on both sides: a writer that breaks it is a bug, a reader that meets
// it has corrupt bytes.
Status check_event_fields(const Event& event) {
  if (!is_account_event(event.type) && event.settings != AccountSettings{}) {
    return corrupt(fmt::format("{} carries account settings", event_type_name(event.type)));
  }
  if (!is_operator_event(event.type) && event.operator_settings != OperatorSettings{}) {
    return corrupt(fmt::format("{} carries operator settings", event_type_name(event.type)));
  }
  if (event.type != EventType::parameter_set &&
      (!event.parameter_name.empty() || event.parameter_value != 0)) {
    return corrupt(fmt::format("{} carries a parameter", event_type_name(event.type)));
  }
  if (event.type != EventType::reversal_recorded &&
      (event.reverses != LogPosition{} || event.reversed_type != PaymentType::payment)) {
    return corrupt(fmt::format("{} carries a reversal target", event_type_name(event.type)));
  }
  if (event.type != EventType::charge_recorded &&
      (event.call_start != Timestamp{} || event.call_duration_seconds || !event.caller.empty() ||
       !event.callee.empty())) {
    return corrupt(fmt::format("{} carries a call", event_type_name(event.type)));
  }
  if (event.type != EventType::minimum_charged && event.minimum_month != 0) {
    return corrupt(fmt::format("{} carries a minimum's month", event_type_name(event.type)));
  }
  if (!is_card_event(event.type) && !event.card_number.empty()) {
    return corrupt(fmt::format("{} carries a card", event_type_name(event.type)));
  }
  if ((event.type != EventType::card_issued && !event.card_batch.empty()) ||
      (!names_card_account(event.type) && !event.card_account.empty()) ||
      (event.type != EventType::card_pin_failed && event.card_pin_failures != 0) ||
      (!follows_redemption(event.type) && event.card_redemption != LogPosition{}) ||
      (event.type != EventType::card_payment_refused && event.type != EventType::card_returned &&
       !event.card_refusal.empty())) {
    return corrupt(fmt::format("{} carries a card field of another event type", event_type_name(event.type)));
  }
  if (event.type != EventType::records_cleaned_up && event.cleanup != RecordsCleanup{}) {
    return corrupt(fmt::format("{} carries a records cleanup", event_type_name(event.type)));
  }
  if (event.type == EventType::records_cleaned_up && event.cleanup.export_sha256.size() != sha256_bytes) {
    return corrupt(fmt::format("the cleanup's export SHA-256 has {} bytes, not {}",
                               event.cleanup.export_sha256.size(), sha256_bytes));
  }
  return ok_status();
}

Status check_event_enums(const Event& event) {
  const bool known = in_range(event.type, 1, last_event_type) &&
                     in_range(event.method, 0, last_payment_method) &&
                     in_range(event.reversed_type, 1, last_payment_type) &&
                     in_range(event.settings.type, 0, last_account_type) &&
                     in_range(event.operator_settings.role, 0, last_operator_role);
  if (known) return ok_status();
  return corrupt("an enum holds a value outside its range");
}

template <class Builder>
void write_cleanup(Builder out, const RecordsCleanup& cleanup) {
  out.setFromMicros(cleanup.from.micros);
  out.setBeforeMicros(cleanup.before.micros);
  out.setCount(cleanup.count);
  write_data(out, &Builder::setExportSha256, cleanup.export_sha256);
  write_text(out, &Builder::setExportFile, cleanup.export_file);
}

template <class Reader>
RecordsCleanup read_cleanup(Reader in) {
  return RecordsCleanup{.from = Timestamp{in.getFromMicros()},
                        .before = Timestamp{in.getBeforeMicros()},
                        .count = in.getCount(),
                        .export_sha256 = read_data(in.getExportSha256()),
                        .export_file = read_text(in.getExportFile())};
}

void write_event_body(schema::Event::Builder out, const Event& event) {
  out.setAmountMicros(event.amount.micros());
  out.setBalanceBeforeMicros(event.balance_before.micros());
  out.setBalanceAfterMicros(event.balance_after.micros());
  out.setOverdraftBeforeMicros(event.overdraft_before.micros());
  out.setOverdraftAfterMicros(event.overdraft_after.micros());
  write_date(out.initExpiresBefore(), event.expires_before);
  write_date(out.initExpiresAfter(), event.expires_after);
  out.setMethod(cast_enum<schema::PaymentMethod>(event.method));
  out.setReverses(event.reverses.value);
  out.setReversedType(cast_enum<schema::PaymentType>(event.reversed_type));
  // Settings stay null in events that do not use them (check_event_fields keeps them default).
  if (is_account_event(event.type)) write_settings(out.initSettings(), event.settings);
  write_text(out, &schema::Event::Builder::setParameterName, event.parameter_name);
  out.setParameterValue(event.parameter_value);
  out.setPrevHash(capnp::Data::Reader(event.prev_hash.data(), event.prev_hash.size()));
  if (is_operator_event(event.type)) write_operator(out.initOperatorSettings(), event.operator_settings);
  out.setMinimumMonth(event.minimum_month);
  if (event.type == EventType::charge_recorded) {
    schema::CallDetails::Builder call = out.initCall();
    call.setStartMicros(event.call_start.micros);
    write_seconds(call.initDuration(), event.call_duration_seconds);
    write_text(call, &schema::CallDetails::Builder::setCaller, event.caller);
    write_text(call, &schema::CallDetails::Builder::setCallee, event.callee);
  }
  if (is_card_event(event.type)) {
    schema::CardDetails::Builder card = out.initCard();
    write_text(card, &schema::CardDetails::Builder::setNumber, event.card_number);
    write_text(card, &schema::CardDetails::Builder::setBatch, event.card_batch);
    write_text(card, &schema::CardDetails::Builder::setAccount, event.card_account);
    card.setPinFailures(event.card_pin_failures);
    card.setRedemption(event.card_redemption.value);
    write_text(card, &schema::CardDetails::Builder::setRefusal, event.card_refusal);
  }
  if (event.type == EventType::records_cleaned_up) write_cleanup(out.initCleanup(), event.cleanup);
}

void write_event(schema::Event::Builder out, const Event& event) {
  out.setType(cast_enum<schema::EventType>(event.type));
  out.setPosition(event.position.value);
  out.setTimeMicros(event.time.micros);
  write_text(out, &schema::Event::Builder::setAccountId, event.account_id);
  write_text(out, &schema::Event::Builder::setCommandId, event.command_id);
  write_text(out, &schema::Event::Builder::setOperatorName, event.operator_name);
  write_text(out, &schema::Event::Builder::setMemo, event.memo);
  write_event_body(out, event);
}

// The type is read before anything else: a newer type may use the other fields in ways this build
// would call corrupt, and the reader must learn it is too old, not that the log is damaged.
Status check_event_type(schema::Event::Reader in) {
  const auto number = static_cast<uint16_t>(in.getType());
  if (number == 0) return corrupt("event type 0 is never written");
  if (number <= last_event_type) return ok_status();
  return make_error(Errc::unsupported_event,
                    fmt::format("event type {} at log position {} is unknown to this build (it knows types "
                                "1-{}): upgrade paystream to read this log; events are never skipped",
                                number, in.getPosition(), last_event_type));
}

Status read_event_body(schema::Event::Reader in, Event& event) {
  Result<std::optional<Date>> expires_before = read_date(in.getExpiresBefore(), "expiresBefore");
  if (!expires_before) return expires_before.error();
  Result<std::optional<Date>> expires_after = read_date(in.getExpiresAfter(), "expiresAfter");
  if (!expires_after) return expires_after.error();
  Result<PaymentMethod> method =
      read_enum<PaymentMethod>(in.getMethod(), 0, last_payment_method, "payment method");
  if (!method) return method.error();
  Result<PaymentType> reversed_type =
      read_enum<PaymentType>(in.getReversedType(), 1, last_payment_type, "reversed payment type");
  if (!reversed_type) return reversed_type.error();
  if (in.hasSettings()) {
    Result<AccountSettings> settings = read_settings(in.getSettings());
    if (!settings) return settings.error();
    event.settings = std::move(*settings);
  }
  if (in.hasOperatorSettings()) {
    Result<OperatorSettings> settings = read_operator(in.getOperatorSettings());
    if (!settings) return settings.error();
    event.operator_settings = std::move(*settings);
  }
  const capnp::Data::Reader prev_hash = in.getPrevHash();
  if (prev_hash.size() != sha256_bytes) {
    return corrupt(fmt::format("prevHash has {} bytes, not {}", prev_hash.size(), sha256_bytes));
  }
  std::memcpy(event.prev_hash.data(), prev_hash.begin(), sha256_bytes);
  event.amount = Money::from_micros(in.getAmountMicros());
  event.balance_before = Money::from_micros(in.getBalanceBeforeMicros());
  event.balance_after = Money::from_micros(in.getBalanceAfterMicros());
  event.overdraft_before = Money::from_micros(in.getOverdraftBeforeMicros());
  event.overdraft_after = Money::from_micros(in.getOverdraftAfterMicros());
  event.expires_before = *expires_before;
  event.expires_after = *expires_after;
  event.method = *method;
  event.reverses = LogPosition{in.getReverses()};
  event.reversed_type = *reversed_type;
  event.parameter_name = read_text(in.getParameterName());
  event.parameter_value = in.getParameterValue();
  event.minimum_month = in.getMinimumMonth();
  if (in.hasCall()) {
    const schema::CallDetails::Reader call = in.getCall();
    Result<std::optional<uint32_t>> duration = read_seconds(call.getDuration(), "call.duration");
    if (!duration) return duration.error();
    event.call_start = Timestamp{call.getStartMicros()};
    event.call_duration_seconds = *duration;
    event.caller = read_text(call.getCaller());
    event.callee = read_text(call.getCallee());
  }
  if (in.hasCard()) {
    const schema::CardDetails::Reader card = in.getCard();
    event.card_number = read_text(card.getNumber());
    event.card_batch = read_text(card.getBatch());
    event.card_account = read_text(card.getAccount());
    event.card_pin_failures = card.getPinFailures();
    event.card_redemption = LogPosition{card.getRedemption()};
    event.card_refusal = read_text(card.getRefusal());
  }
  if (in.hasCleanup()) event.cleanup = read_cleanup(in.getCleanup());
  return ok_status();
}

Result<Event> read_event(schema::Event::Reader in) {
  if (Status status = check_event_type(in); !status) return status.error();
  Event event;
  event.type = static_cast<EventType>(in.getType());
  event.position = LogPosition{in.getPosition()};
  event.time = Timestamp{in.getTimeMicros()};
  event.account_id = read_text(in.getAccountId());
  event.command_id = read_text(in.getCommandId());
  event.operator_name = read_text(in.getOperatorName());
  event.memo = read_text(in.getMemo());
  if (Status status = read_event_body(in, event); !status) return status.error();
  if (Status status = check_event_fields(event); !status) return status.error();
  return event;
}

// ---- Commands ----------------------------------------------------------------------------------

struct CommandWriter {
  schema::Command::Body::Builder body;

  void operator()(const OpenAccount& open) {
    schema::OpenAccount::Builder out = body.initOpenAccount();
    write_text(out, &schema::OpenAccount::Builder::setAccountId, open.account_id);
    write_settings(out.initSettings(), open.settings);
    write_money(out.initOverdraft(), open.overdraft);
    write_money(out.initInitialBalance(), open.initial_balance);
  }
  void operator()(const UpdateAccount& update);
  void operator()(const Pay& pay) {
    schema::Pay::Builder out = body.initPay();
    write_text(out, &schema::Pay::Builder::setAccountId, pay.account_id);
    out.setAmountMicros(pay.amount.micros());
    write_text(out, &schema::Pay::Builder::setMemo, pay.memo);
    out.setMethod(cast_enum<schema::PaymentMethod>(pay.method));
  }
  void operator()(const SetCredit& credit) {
    schema::SetCredit::Builder out = body.initSetCredit();
    write_text(out, &schema::SetCredit::Builder::setAccountId, credit.account_id);
    out.setLimitMicros(credit.limit.micros());
    write_text(out, &schema::SetCredit::Builder::setMemo, credit.memo);
  }
  void operator()(const MakeZero& zero) {
    schema::MakeZero::Builder out = body.initMakeZero();
    write_text(out, &schema::MakeZero::Builder::setAccountId, zero.account_id);
    write_text(out, &schema::MakeZero::Builder::setMemo, zero.memo);
  }
  void operator()(const Reverse& reverse) {
    schema::Reverse::Builder out = body.initReverse();
    out.setRecord(reverse.record.value);
    write_text(out, &schema::Reverse::Builder::setMemo, reverse.memo);
  }
  void operator()(const Adjust& adjust) {
    schema::Adjust::Builder out = body.initAdjust();
    write_text(out, &schema::Adjust::Builder::setAccountId, adjust.account_id);
    out.setAmountMicros(adjust.amount.micros());
    write_text(out, &schema::Adjust::Builder::setMemo, adjust.memo);
  }
  void operator()(const SetParameter& set) {
    schema::SetParameter::Builder out = body.initSetParameter();
    write_text(out, &schema::SetParameter::Builder::setName, set.name);
    out.setValue(set.value);
  }
  void operator()(const AddOperator& add) {
    write_operator(body.initAddOperator().initSettings(), add.settings);
  }
  void operator()(const DisableOperator& disable) {
    schema::DisableOperator::Builder out = body.initDisableOperator();
    write_text(out, &schema::DisableOperator::Builder::setName, disable.name);
  }
  void operator()(const RotateOperatorToken& rotate) {
    schema::RotateOperatorToken::Builder out = body.initRotateOperatorToken();
    write_text(out, &schema::RotateOperatorToken::Builder::setName, rotate.name);
    write_token(out.initToken(), rotate.token);
  }
  void operator()(const Charge& charge) {
    schema::Charge::Builder out = body.initCharge();
    write_text(out, &schema::Charge::Builder::setCdrId, charge.cdr_id);
    write_text(out, &schema::Charge::Builder::setAccountId, charge.account_id);
    out.setAmountMicros(charge.amount.micros());
    out.setCallStartMicros(charge.call_start.micros);
    write_seconds(out.initDuration(), charge.duration_seconds);
    write_text(out, &schema::Charge::Builder::setCaller, charge.caller);
    write_text(out, &schema::Charge::Builder::setCallee, charge.callee);
  }
  void operator()(const MinimumCharge& minimum) {
    schema::MinimumCharge::Builder out = body.initMinimumCharge();
    write_text(out, &schema::MinimumCharge::Builder::setAccountId, minimum.account_id);
    out.setMonth(minimum.month);
  }
  void operator()(const IssueCards& issue) {
    schema::IssueCards::Builder out = body.initIssueCards();
    write_text(out, &schema::IssueCards::Builder::setBatch, issue.batch);
    out.setChunk(issue.chunk);
    out.setValueMicros(issue.value.micros());
    out.setExpiresDays(issue.expires.days);
    auto cards = out.initCards(static_cast<unsigned>(issue.cards.size()));
    for (size_t i = 0; i < issue.cards.size(); ++i) {
      schema::IssuedCard::Builder card = cards[static_cast<unsigned>(i)];
      write_text(card, &schema::IssuedCard::Builder::setNumber, issue.cards[i].number);
      write_data(card, &schema::IssuedCard::Builder::setSalt, issue.cards[i].secret.salt);
      write_data(card, &schema::IssuedCard::Builder::setHash, issue.cards[i].secret.hash);
    }
  }
  void operator()(const RedeemCard& redeem) {
    schema::RedeemCard::Builder out = body.initRedeemCard();
    write_text(out, &schema::RedeemCard::Builder::setNumber, redeem.number);
    write_text(out, &schema::RedeemCard::Builder::setPin, redeem.pin);
    write_text(out, &schema::RedeemCard::Builder::setAccountId, redeem.account_id);
    write_text(out, &schema::RedeemCard::Builder::setMemo, redeem.memo);
  }
  void operator()(const DisableCard& disable) {
    schema::DisableCard::Builder out = body.initDisableCard();
    write_text(out, &schema::DisableCard::Builder::setNumber, disable.number);
    write_text(out, &schema::DisableCard::Builder::setMemo, disable.memo);
  }
  void operator()(const CleanUpRecords& clean) { write_cleanup(body.initCleanUpRecords(), clean.cleanup); }
  void operator()(const RecordCardPayment& payment) {
    schema::RecordCardPayment::Builder out = body.initRecordCardPayment();
    write_text(out, &schema::RecordCardPayment::Builder::setNumber, payment.number);
    write_text(out, &schema::RecordCardPayment::Builder::setAccountId, payment.account_id);
    out.setValueMicros(payment.value.micros());
    write_text(out, &schema::RecordCardPayment::Builder::setMemo, payment.memo);
    out.setRedemption(payment.redemption.value);
  }
  void operator()(const ReturnCard& give_back) {
    schema::ReturnCard::Builder out = body.initReturnCard();
    write_text(out, &schema::ReturnCard::Builder::setNumber, give_back.number);
    write_text(out, &schema::ReturnCard::Builder::setAccountId, give_back.account_id);
    out.setValueMicros(give_back.value.micros());
    out.setRedemption(give_back.redemption.value);
    write_text(out, &schema::ReturnCard::Builder::setRefusal, give_back.refusal);
    write_text(out, &schema::ReturnCard::Builder::setMessage, give_back.message);
  }
};

void CommandWriter::operator()(const UpdateAccount& update) {
  schema::UpdateAccount::Builder out = body.initUpdateAccount();
  write_text(out, &schema::UpdateAccount::Builder::setAccountId, update.account_id);
  // Presence is the union's variant, so "" (a name or parent set to empty) stays distinct from unset.
  if (update.name) out.initName().setValue(capnp::Text::Reader(update.name->data(), update.name->size()));
  if (update.type) out.initType().setValue(cast_enum<schema::AccountType>(*update.type));
  if (update.parent)
    out.initParent().setValue(capnp::Text::Reader(update.parent->data(), update.parent->size()));
  if (update.monthly_min) out.initMonthlyMin().setMicros(update.monthly_min->micros());
  if (update.monthly_max) out.initMonthlyMax().setMicros(update.monthly_max->micros());
  if (update.expires_on && *update.expires_on) out.initExpiresOn().setDays((*update.expires_on)->days);
  if (update.expires_on && !*update.expires_on) out.initExpiresOn().setRemove();
  if (update.locked) out.initLocked().setValue(*update.locked);
}

bool command_enums_in_range(const CommandBody& body) {
  if (const auto* open = std::get_if<OpenAccount>(&body))
    return in_range(open->settings.type, 0, last_account_type);
  if (const auto* update = std::get_if<UpdateAccount>(&body)) {
    return !update->type || in_range(*update->type, 0, last_account_type);
  }
  if (const auto* pay = std::get_if<Pay>(&body)) return in_range(pay->method, 0, last_payment_method);
  if (const auto* add = std::get_if<AddOperator>(&body))
    return in_range(add->settings.role, 0, last_operator_role);
  return true;
}

template <class Group>
Result<std::optional<Money>> read_money(Group group, const char* field) {
  if (group.isNone()) return std::optional<Money>{};
  if (group.isMicros()) return std::optional<Money>{Money::from_micros(group.getMicros())};
  return corrupt(fmt::format("{} has an unknown variant", field));
}

Result<CommandBody> read_open_account(schema::OpenAccount::Reader in) {
  Result<AccountSettings> settings = read_settings(in.getSettings());
  if (!settings) return settings.error();
  Result<std::optional<Money>> overdraft = read_money(in.getOverdraft(), "overdraft");
  if (!overdraft) return overdraft.error();
  Result<std::optional<Money>> initial_balance = read_money(in.getInitialBalance(), "initialBalance");
  if (!initial_balance) return initial_balance.error();
  return CommandBody{OpenAccount{.account_id = read_text(in.getAccountId()),
                                 .settings = std::move(*settings),
                                 .overdraft = *overdraft,
                                 .initial_balance = *initial_balance}};
}

Error unknown_variant(const char* field) {
  return corrupt(fmt::format("UpdateAccount.{} has an unknown variant", field));
}

// Each optional of UpdateAccount is a union whose first variant, "unchanged", leaves it unset.
Status read_update_fields(schema::UpdateAccount::Reader in, UpdateAccount& update) {
  if (const auto name = in.getName(); name.isValue())
    update.name = read_text(name.getValue());
  else if (!name.isUnchanged())
    return unknown_variant("name");
  if (const auto type = in.getType(); type.isValue()) {
    Result<AccountType> value = read_enum<AccountType>(type.getValue(), 0, last_account_type, "account type");
    if (!value) return value.error();
    update.type = *value;
  } else if (!type.isUnchanged()) {
    return unknown_variant("type");
  }
  if (const auto parent = in.getParent(); parent.isValue())
    update.parent = read_text(parent.getValue());
  else if (!parent.isUnchanged())
    return unknown_variant("parent");
  if (const auto min = in.getMonthlyMin(); min.isMicros())
    update.monthly_min = Money::from_micros(min.getMicros());
  else if (!min.isUnchanged())
    return unknown_variant("monthlyMin");
  if (const auto max = in.getMonthlyMax(); max.isMicros())
    update.monthly_max = Money::from_micros(max.getMicros());
  else if (!max.isUnchanged())
    return unknown_variant("monthlyMax");
  // emplace() engages the outer optional: "change the expiry", to a date or to none.
  if (const auto expires = in.getExpiresOn(); expires.isDays())
    update.expires_on.emplace(Date{expires.getDays()});
  else if (expires.isRemove())
    update.expires_on.emplace();
  else if (!expires.isUnchanged())
    return unknown_variant("expiresOn");
  if (const auto locked = in.getLocked(); locked.isValue())
    update.locked = locked.getValue();
  else if (!locked.isUnchanged())
    return unknown_variant("locked");
  return ok_status();
}

Result<CommandBody> read_update_account(schema::UpdateAccount::Reader in) {
  UpdateAccount update;
  update.account_id = read_text(in.getAccountId());
  if (Status status = read_update_fields(in, update); !status) return status.error();
  return CommandBody{std::move(update)};
}

Result<CommandBody> read_pay(schema::Pay::Reader in) {
  Result<PaymentMethod> method =
      read_enum<PaymentMethod>(in.getMethod(), 0, last_payment_method, "payment method");
  if (!method) return method.error();
  return CommandBody{Pay{.account_id = read_text(in.getAccountId()),
                         .amount = Money::from_micros(in.getAmountMicros()),
                         .memo = read_text(in.getMemo()),
                         .method = *method}};
}

Result<CommandBody> read_charge(schema::Charge::Reader in) {
  Result<std::optional<uint32_t>> duration = read_seconds(in.getDuration(), "Charge.duration");
  if (!duration) return duration.error();
  return CommandBody{Charge{.cdr_id = read_text(in.getCdrId()),
                            .account_id = read_text(in.getAccountId()),
                            .amount = Money::from_micros(in.getAmountMicros()),
                            .call_start = Timestamp{in.getCallStartMicros()},
                            .duration_seconds = *duration,
                            .caller = read_text(in.getCaller()),
                            .callee = read_text(in.getCallee())}};
}

CommandBody read_issue_cards(schema::IssueCards::Reader in) {
  IssueCards issue{.batch = read_text(in.getBatch()),
                   .chunk = in.getChunk(),
                   .value = Money::from_micros(in.getValueMicros()),
                   .expires = Date{in.getExpiresDays()},
                   .cards = {}};
  issue.cards.reserve(in.getCards().size());
  for (schema::IssuedCard::Reader card : in.getCards()) {
    issue.cards.push_back(IssuedCard{
        .number = read_text(card.getNumber()),
        .secret = CardSecret{.salt = read_data(card.getSalt()), .hash = read_data(card.getHash())}});
  }
  return CommandBody{std::move(issue)};
}

Result<CommandBody> read_command_body(schema::Command::Body::Reader in) {
  using Which = schema::Command::Body::Which;
  switch (in.which()) {
    case Which::UNSPECIFIED:
      return corrupt("no command body");
    case Which::OPEN_ACCOUNT:
      return read_open_account(in.getOpenAccount());
    case Which::UPDATE_ACCOUNT:
      return read_update_account(in.getUpdateAccount());
    case Which::PAY:
      return read_pay(in.getPay());
    case Which::SET_CREDIT: {
      const schema::SetCredit::Reader credit = in.getSetCredit();
      return CommandBody{SetCredit{.account_id = read_text(credit.getAccountId()),
                                   .limit = Money::from_micros(credit.getLimitMicros()),
                                   .memo = read_text(credit.getMemo())}};
    }
    case Which::MAKE_ZERO: {
      const schema::MakeZero::Reader zero = in.getMakeZero();
      return CommandBody{
          MakeZero{.account_id = read_text(zero.getAccountId()), .memo = read_text(zero.getMemo())}};
    }
    case Which::REVERSE: {
      const schema::Reverse::Reader reverse = in.getReverse();
      return CommandBody{
          Reverse{.record = LogPosition{reverse.getRecord()}, .memo = read_text(reverse.getMemo())}};
    }
    case Which::ADJUST: {
      const schema::Adjust::Reader adjust = in.getAdjust();
      return CommandBody{Adjust{.account_id = read_text(adjust.getAccountId()),
                                .amount = Money::from_micros(adjust.getAmountMicros()),
                                .memo = read_text(adjust.getMemo())}};
    }
    case Which::SET_PARAMETER: {
      const schema::SetParameter::Reader set = in.getSetParameter();
      return CommandBody{SetParameter{.name = read_text(set.getName()), .value = set.getValue()}};
    }
    case Which::ADD_OPERATOR: {
      Result<OperatorSettings> settings = read_operator(in.getAddOperator().getSettings());
      if (!settings) return settings.error();
      return CommandBody{AddOperator{.settings = std::move(*settings)}};
    }
    case Which::DISABLE_OPERATOR:
      return CommandBody{DisableOperator{.name = read_text(in.getDisableOperator().getName())}};
    case Which::ROTATE_OPERATOR_TOKEN: {
      const schema::RotateOperatorToken::Reader rotate = in.getRotateOperatorToken();
      return CommandBody{
          RotateOperatorToken{.name = read_text(rotate.getName()), .token = read_token(rotate.getToken())}};
    }
    case Which::CHARGE:
      return read_charge(in.getCharge());
    case Which::MINIMUM_CHARGE: {
      const schema::MinimumCharge::Reader minimum = in.getMinimumCharge();
      return CommandBody{
          MinimumCharge{.account_id = read_text(minimum.getAccountId()), .month = minimum.getMonth()}};
    }
    case Which::ISSUE_CARDS:
      return read_issue_cards(in.getIssueCards());
    case Which::REDEEM_CARD: {
      const schema::RedeemCard::Reader redeem = in.getRedeemCard();
      return CommandBody{RedeemCard{.number = read_text(redeem.getNumber()),
                                    .pin = read_text(redeem.getPin()),
                                    .account_id = read_text(redeem.getAccountId()),
                                    .memo = read_text(redeem.getMemo())}};
    }
    case Which::DISABLE_CARD: {
      const schema::DisableCard::Reader disable = in.getDisableCard();
      return CommandBody{
          DisableCard{.number = read_text(disable.getNumber()), .memo = read_text(disable.getMemo())}};
    }
    case Which::CLEAN_UP_RECORDS:
      return CommandBody{CleanUpRecords{.cleanup = read_cleanup(in.getCleanUpRecords())}};
    case Which::RECORD_CARD_PAYMENT: {
      const schema::RecordCardPayment::Reader payment = in.getRecordCardPayment();
      return CommandBody{RecordCardPayment{.number = read_text(payment.getNumber()),
                                           .account_id = read_text(payment.getAccountId()),
                                           .value = Money::from_micros(payment.getValueMicros()),
                                           .memo = read_text(payment.getMemo()),
                                           .redemption = LogPosition{payment.getRedemption()}}};
    }
    case Which::RETURN_CARD: {
      const schema::ReturnCard::Reader give_back = in.getReturnCard();
      return CommandBody{ReturnCard{.number = read_text(give_back.getNumber()),
                                    .account_id = read_text(give_back.getAccountId()),
                                    .value = Money::from_micros(give_back.getValueMicros()),
                                    .redemption = LogPosition{give_back.getRedemption()},
                                    .refusal = read_text(give_back.getRefusal()),
                                    .message = read_text(give_back.getMessage())}};
    }
  }
  // A command kind added by a newer build: the sender is ahead of us, the bytes are not damaged.
  return make_error(Errc::invalid_argument, fmt::format("command kind {} is unknown to this build",
                                                        static_cast<uint16_t>(in.which())));
}

Result<Command> read_command(schema::Command::Reader in) {
  Result<CommandBody> body = read_command_body(in.getBody());
  if (!body) return body.error();
  return Command{.command_id = read_text(in.getCommandId()),
                 .operator_name = read_text(in.getOperatorName()),
                 .body = std::move(*body)};
}

}  // namespace

std::string encode_event(const Event& event) {
  if (Status status = check_event_enums(event); !status) encode_failed("event", status.error());
  if (Status status = check_event_fields(event); !status) encode_failed("event", status.error());
  ScratchMessageBuilder builder;
  write_event(builder.message().initRoot<schema::Event>(), event);
  std::string bytes = message_bytes(builder.message());
  if (bytes.size() > encoded_event_bytes_max) {
    encode_failed("event", make_error(Errc::corruption, fmt::format("{} bytes is too large", bytes.size())));
  }
  return bytes;
}

Result<Event> decode_event(std::string_view bytes) {
  return read_message<schema::Event>(bytes, encoded_event_bytes_max, "event", read_event);
}

std::string encode_command(const Command& command) {
  PAYSTREAM_ASSERT(command_enums_in_range(command.body));
  ScratchMessageBuilder builder;
  schema::Command::Builder out = builder.message().initRoot<schema::Command>();
  write_text(out, &schema::Command::Builder::setCommandId, command.command_id);
  write_text(out, &schema::Command::Builder::setOperatorName, command.operator_name);
  std::visit(CommandWriter{out.initBody()}, command.body);
  return message_bytes(builder.message());
}

Result<Command> decode_command(std::string_view bytes) {
  return read_message<schema::Command>(bytes, encoded_command_bytes_max, "command", read_command);
}

std::string encode_log_entry(std::span<const std::string> encoded_events) {
  ScratchMessageBuilder builder;
  schema::LogEntry::Builder out = builder.message().initRoot<schema::LogEntry>();
  capnp::List<capnp::Data>::Builder events = out.initEvents(static_cast<capnp::uint>(encoded_events.size()));
  for (size_t i = 0; i < encoded_events.size(); ++i) {
    const std::string& event = encoded_events[i];
    events.set(static_cast<capnp::uint>(i),
               capnp::Data::Reader(reinterpret_cast<const kj::byte*>(event.data()), event.size()));
  }
  std::string bytes = message_bytes(builder.message());
  if (bytes.size() > log_entry_bytes_max) {
    encode_failed("log entry",
                  make_error(Errc::corruption, fmt::format("{} bytes is too large", bytes.size())));
  }
  return bytes;
}

Result<std::vector<std::string>> decode_log_entry(std::string_view bytes) {
  return read_message<schema::LogEntry>(bytes, log_entry_bytes_max, "log entry",
                                        [](schema::LogEntry::Reader in) -> Result<std::vector<std::string>> {
                                          std::vector<std::string> events;
                                          events.reserve(in.getEvents().size());
                                          for (capnp::Data::Reader event : in.getEvents()) {
                                            events.emplace_back(reinterpret_cast<const char*>(event.begin()),
                                                                event.size());
                                          }
                                          return events;
                                        });
}

Result<size_t> decode_log_entry_size(std::string_view bytes) {
  return read_message<schema::LogEntry>(
      bytes, log_entry_bytes_max, "log entry",
      [](schema::LogEntry::Reader in) -> Result<size_t> { return size_t{in.getEvents().size()}; });
}

Result<std::string> decode_log_entry_event(std::string_view bytes, size_t index) {
  return read_message<schema::LogEntry>(
      bytes, log_entry_bytes_max, "log entry", [index](schema::LogEntry::Reader in) -> Result<std::string> {
        if (index >= in.getEvents().size()) {
          return corrupt(fmt::format("no event {} in an entry of {}", index, in.getEvents().size()));
        }
        const capnp::Data::Reader event = in.getEvents()[static_cast<capnp::uint>(index)];
        return std::string(reinterpret_cast<const char*>(event.begin()), event.size());
      });
}

Result<Timestamp> decode_event_time(std::string_view bytes) {
  return read_message<schema::Event>(
      bytes, encoded_event_bytes_max, "event",
      [](schema::Event::Reader in) -> Result<Timestamp> { return Timestamp{in.getTimeMicros()}; });
}

Sha256 sha256(std::string_view bytes) {
  // Every event is hashed on the sequencer: fetching the algorithm once and keeping one context per
  // thread spares OpenSSL 3's per-call algorithm lookup and context allocation.
  static EVP_MD* const algorithm = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  struct Context {
    EVP_MD_CTX* context = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(context); }
  };
  thread_local Context holder;
  PAYSTREAM_ASSERT(algorithm != nullptr && holder.context != nullptr);
  Sha256 digest{};
  unsigned int size = 0;
  const bool ok = EVP_DigestInit_ex2(holder.context, algorithm, nullptr) == 1 &&
                  EVP_DigestUpdate(holder.context, bytes.data(), bytes.size()) == 1 &&
                  EVP_DigestFinal_ex(holder.context, digest.data(), &size) == 1;
  PAYSTREAM_ASSERT(ok && size == digest.size());
  return digest;
}

std::string to_hex(const Sha256& digest) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(digest.size() * 2);
  for (uint8_t byte : digest) {
    hex += digits[byte >> 4];
    hex += digits[byte & 0xf];
  }
  return hex;
}

}  // namespace paystream
