#include "engine/domain/state_codec.h"

#include "tests/engine/domain/engine_fixtures.h"

namespace paystream::testing {

TEST_CASE("engine: checkpoint rows round-trip and reject truncation", "[engine][checkpoint]") {
  AccountState account;
  account.id = "1001";
  account.settings.name = "Zoë, \"quoted\"";
  account.settings.type = AccountType::agent;
  account.settings.expires_on = parse_date("2027-02-28").value();
  account.settings.locked = true;
  account.balance = money("-12.345678");
  account.overdraft = money("50");
  account.sub_accounts = 3;
  account.reversed_records = {4, 9, 12};
  account.last_position = LogPosition{77};
  account.consumption = Consumption{.month = 24'322, .current = money("1.5"), .previous = money("7.25")};
  account.opened = at("2026-11-02T08:00:00Z");
  account.minimum_charged_month = 24'321;
  const std::string bytes = encode_account_state(account);
  CHECK(decode_account_state(bytes).value() == account);
  // Rows written before charges existed end before the previous month's consumption, the opening
  // time and the last month charged (8 bytes each).
  const size_t legacy_size = bytes.size() - 24;
  for (size_t size = 0; size < bytes.size(); ++size) {
    if (size == legacy_size) continue;
    CHECK(decode_account_state(std::string_view(bytes).substr(0, size)).error().code == Errc::corruption);
  }
  AccountState legacy = account;
  legacy.consumption.previous = Money::zero();
  legacy.opened = Timestamp{};
  legacy.minimum_charged_month = 0;
  CHECK(decode_account_state(std::string_view(bytes).substr(0, legacy_size)).value() == legacy);
  Parameters parameters;
  parameters.pay_delay_expire_days = 30;
  CHECK(decode_globals(encode_globals(parameters, {})).value().parameters == parameters);
  parameters.agent_overdraft_limit_max_micros = 7;
  CHECK(decode_globals(encode_globals(parameters, {})).value().parameters == parameters);
  CHECK(big_endian_key(0x0102) == std::string("\0\0\0\0\0\0\x01\x02", 8));
  CHECK(read_big_endian(big_endian_key(123456789)) == 123456789);
}

TEST_CASE("engine: globals written before AGENT_OVERDRAFT_LIMIT_MAX (version 2) are read with it at zero",
          "[engine][checkpoint]") {
  std::string version_2;
  const auto u64 = [&](uint64_t value) {
    for (int i = 0; i < 8; ++i) version_2.push_back(static_cast<char>(value >> (8 * i)));
  };
  u64(2);
  for (uint64_t value : {30, 24, 1, 5'000'000}) u64(value);  // the four parameters version 2 held
  u64(0);                                                    // no operators
  const LedgerGlobals globals = decode_globals(version_2).value();
  CHECK(globals.parameters.pay_delay_expire_days == 30);
  CHECK(globals.parameters.customer_overdraft_limit_micros == 5'000'000);
  CHECK(globals.parameters.agent_overdraft_limit_max_micros == 0);
  CHECK(decode_globals(version_2.substr(0, version_2.size() - 1)).error().code == Errc::corruption);
}

TEST_CASE("state codec: a card and a card secret read back as written", "[state_codec]") {
  CardState card;
  card.number = "4012888888881881";
  card.batch = "B1";
  card.value = Money::from_micros(10'000'000);
  card.expires = Date{21'000};
  card.use = CardUse::used;
  card.pin_failures = 3;
  card.redeemed_into = "1001";
  card.issued = Timestamp{1'796'000'000'000'000};
  card.changed = Timestamp{1'796'000'000'000'001};
  card.last_position = LogPosition{42};
  Result<CardState> decoded = decode_card_state(encode_card_state(card));
  REQUIRE(decoded.ok());
  CHECK(*decoded == card);
  std::string bytes = encode_card_state(card);
  CHECK_FALSE(decode_card_state(bytes.substr(0, bytes.size() - 1)).ok());
  const CardSecret secret{.salt = std::string(16, 's'), .hash = std::string(32, 'h')};
  Result<CardSecret> read = decode_card_secret(encode_card_secret(secret));
  REQUIRE(read.ok());
  CHECK(*read == secret);
  CHECK_FALSE(decode_card_secret("short").ok());
}

}  // namespace paystream::testing
