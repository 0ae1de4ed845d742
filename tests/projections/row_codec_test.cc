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
                   .reverses = LogPosition{7},
                   .new_expiry = parse_date("2027-01-31").value()};
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

Result<RecordRow> decode_record(const std::string& value, const RecordRow& keyed) {
  return decode_record_value(value, keyed.account_id, keyed.time, keyed.id);
}

}  // namespace

TEST_CASE("projections: rows decode to what was encoded", "[projections][codec]") {
  const RecordRow record = sample_record();
  CHECK(decode_record(encode_record_value(record), record).value() == record);
  // The extremes of every number, and a balance_before far from balance_after - amount.
  RecordRow extreme = record;
  extreme.amount = Money::from_micros(INT64_MIN);
  extreme.balance_before = Money::from_micros(INT64_MAX);
  extreme.balance_after = Money::from_micros(INT64_MAX);
  extreme.reverses = LogPosition{UINT64_MAX};
  extreme.time = Timestamp{INT64_MIN};
  CHECK(decode_record(encode_record_value(extreme), extreme).value() == extreme);
  extreme.amount = Money::from_micros(INT64_MAX);
  extreme.balance_before = Money::from_micros(INT64_MIN);
  extreme.balance_after = Money::from_micros(-1);
  CHECK(decode_record(encode_record_value(extreme), extreme).value() == extreme);

  const BalanceState balance = sample_balance();
  CHECK(decode_balance_state(encode_balance_state(balance)).value() == balance);
  CHECK(decode_balance_state(encode_balance_state(BalanceState{})).value() == BalanceState{});
  BalanceState far = balance;
  far.settings.expires_on = Date{INT32_MIN};
  far.consumption_month = INT32_MAX;
  far.balance = Money::from_micros(INT64_MIN);
  far.settings.locked = false;
  CHECK(decode_balance_state(encode_balance_state(far)).value() == far);
}

TEST_CASE("projections: the record and balance encodings are the documented layout", "[projections][codec]") {
  RecordRow row;
  row.id = LogPosition{1};
  row.account_id = "a";
  row.amount = Money::from_micros(-1);
  row.balance_before = Money::from_micros(1);
  // version 3, type payment, method cash, amount -1 (zigzag 1), balance_after 0, balance_before's
  // offset 0 (it is balance_after - amount), reverses 0, no new expiration (flag 0, days 0), then
  // three empty texts: docs/storage.md.
  CHECK(encode_record_value(row) == std::string("\x03\x01\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00", 12));
  row.amount = money("10");  // 10,000,000 micro-units: zigzag 20,000,000 in four LEB128 bytes
  row.balance_before = Money::zero();
  row.balance_after = money("10");
  row.memo = "hi";
  CHECK(encode_record_value(row) ==
        std::string("\x03\x01\x00\x80\xda\xc4\x09\x80\xda\xc4\x09\x00\x00\x00\x00\x00\x00\x02hi", 20));
  row.new_expiry = Date{1};  // flag 1, days 1 (zigzag 2)
  CHECK(encode_record_value(row) ==
        std::string("\x03\x01\x00\x80\xda\xc4\x09\x80\xda\xc4\x09\x00\x00\x01\x02\x00\x00\x02hi", 20));
  BalanceState state;
  state.settings.name = "N";
  state.settings.locked = true;
  state.balance = money("-0.000064");  // zigzag 127: one byte; 64 micro-units more would take two
  // version 2, type direct, flags locked, "N", "" parent, min, max, days, balance, overdraft,
  // month, consumption.
  CHECK(encode_balance_state(state) == std::string("\x02\x00\x01\x01N\x00\x00\x00\x00\x7f\x00\x00\x00", 13));
}

TEST_CASE("projections: damaged rows are corruption, not garbage", "[projections][codec]") {
  const RecordRow sample = sample_record();
  const std::string record = encode_record_value(sample);
  const std::string balance = encode_balance_state(sample_balance());
  for (size_t size = 0; size < record.size(); ++size) {
    CHECK(decode_record(record.substr(0, size), sample).error().code == Errc::corruption);
  }
  for (size_t size = 0; size < balance.size(); ++size) {
    CHECK(decode_balance_state(balance.substr(0, size)).error().code == Errc::corruption);
  }
  CHECK(decode_record(record + "x", sample).error().code == Errc::corruption);
  CHECK(decode_balance_state(balance + "x").error().code == Errc::corruption);
  // Record rows of layouts 1 and 2 (version bytes 1 and 2) are not read: their families are rebuilt
  // on open.
  for (const uint8_t version : {0, 1, 2, 4}) {
    std::string bad_version = record;
    bad_version[0] = static_cast<char>(version);
    CHECK(decode_record(bad_version, sample).error().code == Errc::corruption);
    if (version == 2) continue;  // the balance row's own layout
    bad_version = balance;
    bad_version[0] = static_cast<char>(version);
    CHECK(decode_balance_state(bad_version).error().code == Errc::corruption);
  }
  std::string bad_type = record;
  bad_type[1] = 9;
  CHECK(decode_record(bad_type, sample).error().code == Errc::corruption);
  std::string bad_method = record;
  bad_method[2] = 3;
  CHECK(decode_record(bad_method, sample).error().code == Errc::corruption);
  std::string bad_flags = balance;
  bad_flags[2] = 4;
  CHECK(decode_balance_state(bad_flags).error().code == Errc::corruption);
  std::string bad_account_type = balance;
  bad_account_type[1] = 3;
  CHECK(decode_balance_state(bad_account_type).error().code == Errc::corruption);
}

TEST_CASE("projections: a number is read only in its shortest encoding", "[projections][codec]") {
  RecordRow row;
  const std::string shortest = encode_record_value(row);  // every number is the one byte 0x00
  REQUIRE(shortest == std::string("\x03\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 12));
  CHECK(decode_record(shortest, row).value() == row);
  // 0 as two bytes (0x80 0x00) in place of the amount, and 1 as 0x81 0x00.
  CHECK(decode_record(std::string("\x03\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00\x00", 13), row)
            .error()
            .code == Errc::corruption);
  CHECK(decode_record(std::string("\x03\x01\x00\x81\x00\x00\x00\x00\x00\x00\x00\x00\x00", 13), row)
            .error()
            .code == Errc::corruption);
  // A new expiration flag other than 0 or 1, and days without the flag.
  CHECK(
      decode_record(std::string("\x03\x01\x00\x00\x00\x00\x00\x02\x00\x00\x00\x00", 12), row).error().code ==
      Errc::corruption);
  CHECK(
      decode_record(std::string("\x03\x01\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00", 12), row).error().code ==
      Errc::corruption);
  // More than 64 bits: eleven bytes, or a tenth byte above 1.
  const std::string eleven(10, '\xff');
  CHECK(decode_record(
            std::string("\x03\x01\x00", 3) + eleven + std::string("\x01\x00\x00\x00\x00\x00\x00\x00\x00", 9),
            row)
            .error()
            .code == Errc::corruption);
  CHECK(decode_record(std::string("\x03\x01\x00", 3) + std::string(9, '\xff') +
                          std::string("\x02\x00\x00\x00\x00\x00\x00\x00\x00", 9),
                      row)
            .error()
            .code == Errc::corruption);
  // The largest: ten bytes, the tenth 0x01.
  row.reverses = LogPosition{UINT64_MAX};
  const std::string largest = encode_record_value(row);
  CHECK(largest == std::string("\x03\x01\x00\x00\x00\x00", 6) + std::string(9, '\xff') +
                       std::string("\x01\x00\x00\x00\x00\x00", 6));
  CHECK(decode_record(largest, row).value() == row);
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

namespace paystream::testing {

TEST_CASE("projections: charge rows decode to what was encoded, and damage is corruption",
          "[projections][codec][charges]") {
  const ChargeRow charge{.id = LogPosition{(uint64_t{3} << 48) + 9},
                         .account_id = "1001",
                         .cdr_id = "sw1-000917",
                         .amount = money("0.35"),
                         .balance_before = money("10"),
                         .balance_after = money("9.65"),
                         .time = at("2026-11-25T10:00:01Z"),
                         .call_start = at("2026-11-25T09:57:56Z"),
                         .duration_seconds = 125,
                         .caller = "4420",
                         .callee = "3130",
                         .operator_name = "softswitch"};
  const auto decode = [&](const std::string& value) {
    return decode_charge_value(value, charge.account_id, charge.time, charge.id);
  };
  const std::string value = encode_charge_value(charge);
  CHECK(decode(value).value() == charge);
  ChargeRow bare = charge;
  bare.duration_seconds.reset();
  bare.caller.clear();
  bare.amount = Money::from_micros(INT64_MAX);
  bare.balance_after = Money::from_micros(INT64_MIN);
  bare.balance_before = Money::from_micros(-1);
  bare.call_start = Timestamp{INT64_MIN};
  CHECK(decode(encode_charge_value(bare)).value() == bare);
  bare.duration_seconds = 0;
  CHECK(decode(encode_charge_value(bare)).value() == bare);
  for (size_t size = 0; size < value.size(); ++size) {
    CHECK(decode(value.substr(0, size)).error().code == Errc::corruption);
  }
  CHECK(decode(value + "x").error().code == Errc::corruption);
  std::string bad_version = value;
  bad_version[0] = 2;
  CHECK(decode(bad_version).error().code == Errc::corruption);
}

}  // namespace paystream::testing
