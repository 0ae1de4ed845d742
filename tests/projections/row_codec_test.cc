#include "projections/row_codec.h"

#include "projections/key_codec.h"
#include "projections_fixture.h"

namespace paystream::testing {
namespace {

RecordRow sample_record() {
  return RecordRow{.id = LogPosition{258},
                   .account_id = "1001",
                   .account_name = "Zoë",
                   .type = PaymentType::reversal,
                   .amount = money("-1.5"),
                   .balance_before = money("2"),
                   .balance_after = money("0.5"),
                   .time = at("2026-11-25T10:00:00Z"),
                   .operator_name = "admin",
                   .memo = "a,b\n\"c\"",
                   .method = PaymentMethod::card,
                   .reverses = LogPosition{7}};
}

BalanceState sample_balance() {
  BalanceState state;
  state.settings.name = "Carrier";
  state.settings.type = AccountType::clearing;
  state.settings.parent = "agent-1";
  state.settings.monthly_min = money("1");
  state.settings.monthly_max = money("100");
  state.settings.expires_on = parse_date("2026-12-31").value();
  state.settings.locked = true;
  state.balance = money("-3.000001");
  state.overdraft = money("20");
  state.consumption_month = 24322;
  state.month_consumption = money("4");
  return state;
}

}  // namespace

TEST_CASE("projections: rows decode to what was encoded", "[projections][codec]") {
  const RecordRow record = sample_record();
  CHECK(decode_record_row(encode_record_row(record)).value() == record);
  const BalanceState balance = sample_balance();
  CHECK(decode_balance_state(encode_balance_state(balance)).value() == balance);
  CHECK(decode_balance_state(encode_balance_state(BalanceState{})).value() == BalanceState{});
}

TEST_CASE("projections: the record encoding is the documented layout", "[projections][codec]") {
  RecordRow row;
  row.id = LogPosition{1};
  row.account_id = "a";
  row.amount = Money::from_micros(-1);
  const std::string bytes = encode_record_row(row);
  // version, id u64, "a" (u32 length + byte), "" name, type, 3 amounts, time, "" operator,
  // "" memo, method, reverses: see docs/storage.md.
  CHECK(bytes.size() == 1 + 8 + 5 + 4 + 1 + 24 + 8 + 4 + 4 + 1 + 8);
  CHECK(bytes.substr(0, 10) == std::string("\x01\x01\0\0\0\0\0\0\0\x01", 10));
  CHECK(bytes.substr(18, 9) == std::string("\x01\xff\xff\xff\xff\xff\xff\xff\xff", 9));  // type, amount -1 LE
}

TEST_CASE("projections: damaged rows are corruption, not garbage", "[projections][codec]") {
  const std::string record = encode_record_row(sample_record());
  const std::string balance = encode_balance_state(sample_balance());
  for (size_t size = 0; size < record.size(); ++size) {
    CHECK(decode_record_row(record.substr(0, size)).error().code == Errc::corruption);
  }
  for (size_t size = 0; size < balance.size(); ++size) {
    CHECK(decode_balance_state(balance.substr(0, size)).error().code == Errc::corruption);
  }
  CHECK(decode_record_row(record + "x").error().code == Errc::corruption);
  std::string bad_version = record;
  bad_version[0] = 2;
  CHECK(decode_record_row(bad_version).error().code == Errc::corruption);
  RecordRow bad_type = sample_record();
  std::string bad_type_bytes = encode_record_row(bad_type);
  bad_type_bytes[1 + 8 + 4 + 4 + 4 + 4] = 9;  // after version, id, "1001", "Zoë" (4 bytes)
  CHECK(decode_record_row(bad_type_bytes).error().code == Errc::corruption);
}

TEST_CASE("projections: keys sort by account, then time, then position", "[projections][codec]") {
  CHECK(keys::position_key(255) < keys::position_key(256));
  CHECK(keys::decode_position_key(keys::position_key(0x0102030405060708)).value() == 0x0102030405060708);
  CHECK_FALSE(keys::decode_position_key("short").has_value());
  // Times sort as numbers, negative ones (before 1970) first.
  const Timestamp min{INT64_MIN}, minus_one{-1}, zero{0}, one{1}, max{INT64_MAX};
  const std::vector<Timestamp> times{min, minus_one, zero, one, max};
  for (size_t i = 0; i < times.size(); ++i) {
    CHECK(keys::decode_time_key(keys::time_key(times[i])) == times[i]);
    if (i > 0) CHECK(keys::time_key(times[i - 1]) < keys::time_key(times[i]));
  }
  CHECK(keys::time_key(zero) == std::string("\x80\0\0\0\0\0\0\0", 8));
  // Account "a"'s keys all sort before account "a0"'s, whatever the times and positions.
  CHECK(keys::account_record_key("a", max, UINT64_MAX) < keys::account_record_key("a0", min, 0));
  CHECK(keys::account_record_key("a", max, UINT64_MAX) < keys::account_prefix_end("a"));
  CHECK(keys::account_prefix("a") <= keys::account_record_key("a", min, 0));
  CHECK(keys::account_record_key("a", one, 2) < keys::account_record_key("a", one, 10));
  CHECK(keys::account_record_key("a", zero, 10) < keys::account_record_key("a", one, 2));
  CHECK(keys::account_record_time_key("a", one) < keys::account_record_key("a", one, 0));
  CHECK(keys::account_record_key("a", zero, UINT64_MAX) < keys::account_record_time_key("a", one));
  CHECK(keys::account_name_key("a", UINT64_MAX) < keys::account_name_key("a0", 0));
  CHECK(keys::type_index_key(AccountType::agent, "zzz") < keys::type_index_key(AccountType::clearing, "0"));
}

}  // namespace paystream::testing
