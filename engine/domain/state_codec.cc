#include "engine/domain/state_codec.h"

#include <cstring>

#include "events/log_format.h"

namespace paystream {
namespace {

class Writer {
 public:
  void u64(uint64_t value) {
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>(value >> (8 * i)));
  }
  void i64(int64_t value) { u64(static_cast<uint64_t>(value)); }
  void text(std::string_view value) {
    u64(value.size());
    out_.append(value);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool u64(uint64_t& value) {
    if (in_.size() < 8) return false;
    value = 0;
    for (int i = 0; i < 8; ++i) value |= static_cast<uint64_t>(static_cast<uint8_t>(in_[i])) << (8 * i);
    in_.remove_prefix(8);
    return true;
  }
  bool i64(int64_t& value) {
    uint64_t raw = 0;
    if (!u64(raw)) return false;
    value = static_cast<int64_t>(raw);
    return true;
  }
  bool text(std::string& value) {
    uint64_t size = 0;
    if (!u64(size) || size > in_.size()) return false;
    value.assign(in_.substr(0, size));
    in_.remove_prefix(size);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

Error corrupt_checkpoint() { return make_error(Errc::corruption, "corrupt checkpoint row"); }

}  // namespace

std::string encode_account_state(const AccountState& account) {
  Writer writer;
  writer.text(account.id);
  writer.text(account.settings.name);
  writer.u64(static_cast<uint64_t>(account.settings.type));
  writer.text(account.settings.parent);
  writer.i64(account.settings.monthly_min.micros());
  writer.i64(account.settings.monthly_max.micros());
  writer.u64(account.settings.expires_on.has_value());
  writer.i64(account.settings.expires_on ? account.settings.expires_on->days : 0);
  writer.u64(account.settings.locked);
  writer.i64(account.balance.micros());
  writer.i64(account.overdraft.micros());
  writer.i64(account.consumption.month);
  writer.i64(account.consumption.current.micros());
  writer.u64(account.sub_accounts);
  writer.u64(account.last_position.value);
  writer.u64(account.reversed_records.size());
  for (uint64_t record : account.reversed_records) writer.u64(record);
  // Appended after the fields of version 3, which rows written before charges existed lack.
  writer.i64(account.consumption.previous.micros());
  writer.i64(account.opened.micros);
  writer.i64(account.minimum_charged_month);
  return writer.take();
}

Result<AccountState> decode_account_state(std::string_view bytes) {
  Reader reader(bytes);
  AccountState account;
  uint64_t type = 0, has_expiry = 0, locked = 0, sub_accounts = 0, reversed = 0;
  int64_t min = 0, max = 0, expiry = 0, balance = 0, overdraft = 0, month = 0, consumption = 0;
  const bool read = reader.text(account.id) && reader.text(account.settings.name) && reader.u64(type) &&
                    reader.text(account.settings.parent) && reader.i64(min) && reader.i64(max) &&
                    reader.u64(has_expiry) && reader.i64(expiry) && reader.u64(locked) &&
                    reader.i64(balance) && reader.i64(overdraft) && reader.i64(month) &&
                    reader.i64(consumption) && reader.u64(sub_accounts) &&
                    reader.u64(account.last_position.value) && reader.u64(reversed);
  if (!read || type > 2 || reversed > bytes.size() / 8) return corrupt_checkpoint();
  account.settings.type = static_cast<AccountType>(type);
  account.settings.monthly_min = Money::from_micros(min);
  account.settings.monthly_max = Money::from_micros(max);
  if (has_expiry) account.settings.expires_on = Date{static_cast<int32_t>(expiry)};
  account.settings.locked = locked != 0;
  account.balance = Money::from_micros(balance);
  account.overdraft = Money::from_micros(overdraft);
  account.consumption.month = static_cast<int32_t>(month);
  account.consumption.current = Money::from_micros(consumption);
  account.sub_accounts = static_cast<uint32_t>(sub_accounts);
  account.reversed_records.resize(reversed);
  for (uint64_t& record : account.reversed_records) {
    if (!reader.u64(record)) return corrupt_checkpoint();
  }
  if (!reader.done()) {
    int64_t previous = 0, opened = 0, minimum_month = 0;
    if (!reader.i64(previous) || !reader.i64(opened) || !reader.i64(minimum_month) ||
        minimum_month != static_cast<int32_t>(minimum_month)) {
      return corrupt_checkpoint();
    }
    account.consumption.previous = Money::from_micros(previous);
    account.opened = Timestamp{opened};
    account.minimum_charged_month = static_cast<int32_t>(minimum_month);
  }
  if (!reader.done()) return corrupt_checkpoint();
  return account;
}

std::string encode_card_state(const CardState& card) {
  Writer writer;
  writer.text(card.number);
  writer.text(card.batch);
  writer.i64(card.value.micros());
  writer.i64(card.expires.days);
  writer.u64(static_cast<uint64_t>(card.use));
  writer.u64(card.pin_failures);
  writer.text(card.redeemed_into);
  writer.i64(card.issued.micros);
  writer.i64(card.changed.micros);
  writer.u64(card.last_position.value);
  return writer.take();
}

Result<CardState> decode_card_state(std::string_view bytes) {
  Reader reader(bytes);
  CardState card;
  int64_t value = 0, expires = 0;
  uint64_t use = 0, failures = 0;
  const bool read = reader.text(card.number) && reader.text(card.batch) && reader.i64(value) &&
                    reader.i64(expires) && reader.u64(use) && reader.u64(failures) &&
                    reader.text(card.redeemed_into) && reader.i64(card.issued.micros) &&
                    reader.i64(card.changed.micros) && reader.u64(card.last_position.value) && reader.done();
  if (!read || use > 2 || failures > card_pin_failures_max || expires != static_cast<int32_t>(expires)) {
    return corrupt_checkpoint();
  }
  card.value = Money::from_micros(value);
  card.expires = Date{static_cast<int32_t>(expires)};
  card.use = static_cast<CardUse>(use);
  card.pin_failures = static_cast<uint32_t>(failures);
  return card;
}

std::string encode_card_secret(const CardSecret& secret) { return secret.salt + secret.hash; }

Result<CardSecret> decode_card_secret(std::string_view bytes) {
  constexpr size_t salt_bytes = 16, hash_bytes = 32;
  if (bytes.size() != salt_bytes + hash_bytes) return make_error(Errc::corruption, "corrupt card secret");
  return CardSecret{.salt = std::string(bytes.substr(0, salt_bytes)),
                    .hash = std::string(bytes.substr(salt_bytes))};
}

namespace {

void write_operator(Writer& writer, const OperatorSettings& settings) {
  writer.text(settings.name);
  writer.u64(static_cast<uint64_t>(settings.role));
  writer.text(settings.agent_account);
  writer.u64(settings.permissions);
  writer.u64(settings.disabled);
  writer.text(settings.token.id);
  writer.text(settings.token.salt);
  writer.text(settings.token.hash);
}

bool read_operator(Reader& reader, OperatorSettings& settings) {
  uint64_t role = 0, permissions = 0, disabled = 0;
  const bool ok = reader.text(settings.name) && reader.u64(role) && reader.text(settings.agent_account) &&
                  reader.u64(permissions) && reader.u64(disabled) && reader.text(settings.token.id) &&
                  reader.text(settings.token.salt) && reader.text(settings.token.hash);
  if (!ok || role > static_cast<uint64_t>(OperatorRole::auditor) || permissions > all_permissions ||
      disabled > 1) {
    return false;
  }
  settings.role = static_cast<OperatorRole>(role);
  settings.permissions = static_cast<uint32_t>(permissions);
  settings.disabled = disabled == 1;
  return true;
}

}  // namespace

std::string encode_globals(const Parameters& parameters,
                           const std::map<std::string, OperatorSettings>& operators) {
  Writer writer;
  writer.u64(checkpoint_format_version);
  for (const ParameterInfo& info : parameter_catalog()) writer.i64(parameter_value(parameters, info.name));
  writer.u64(operators.size());
  for (const auto& [name, settings] : operators) write_operator(writer, settings);
  return writer.take();
}

Result<LedgerGlobals> decode_globals(std::string_view bytes) {
  Reader reader(bytes);
  uint64_t version = 0;
  if (!reader.u64(version) || version < 2 || version > checkpoint_format_version) return corrupt_checkpoint();
  // Version 2 held the catalog's first four parameters, version 3 five; later ones are appended to
  // the catalog.
  const size_t stored_parameters = version == 2 ? 4 : version == 3 ? 5 : parameter_catalog().size();
  LedgerGlobals globals;
  for (size_t i = 0; i < stored_parameters; ++i) {
    const ParameterInfo& info = parameter_catalog()[i];
    int64_t value = 0;
    if (!reader.i64(value)) return corrupt_checkpoint();
    set_parameter_value(globals.parameters, info.name, value);
  }
  uint64_t operators = 0;
  if (!reader.u64(operators)) return corrupt_checkpoint();
  for (uint64_t i = 0; i < operators; ++i) {
    OperatorSettings settings;
    if (!read_operator(reader, settings)) return corrupt_checkpoint();
    globals.operators.emplace(settings.name, std::move(settings));
  }
  if (!reader.done()) return corrupt_checkpoint();
  return globals;
}

std::string big_endian_key(uint64_t value) { return big_endian_u64(value); }

uint64_t read_big_endian(std::string_view bytes) {
  const std::optional<uint64_t> value = read_big_endian_u64(bytes);
  PAYSTREAM_ASSERT(value.has_value());
  return *value;
}

}  // namespace paystream
