#pragma once
// The options every `paystream` subcommand takes, and the conversions from command-line text to
// the ledger's types. Conversions return Result with the option's name and the value in the
// message, so the CLI never throws past its edge.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "events/event.h"
#include "events/money.h"
#include "events/time.h"

namespace CLI {
class App;
}

namespace paystream {

inline constexpr const char* default_data_dir = "./paystream-data";

struct GlobalOptions {
  std::optional<std::string> data_dir;  // unset: default_data_dir (bench: a fresh temporary one)
  std::string operator_name = "admin";
  bool operator_given = false;  // --operator was on the command line
  std::string format = "table";
  std::string output;  // empty: standard output
  // --server URL and --token TOKEN, or else PAYSTREAM_SERVER and PAYSTREAM_TOKEN (read by
  // read_server_environment): the command then talks to that server instead of a data directory.
  std::optional<std::string> server;
  std::optional<std::string> token;
  bool server_from_environment = false;
  // --min-free-bytes: write commands are refused while the data directory's file system has less
  // free space than this (LedgerOptions::free_bytes_min); unset: the ledger's default, 64 MiB.
  std::optional<uint64_t> free_bytes_min;

  std::string data_dir_or_default() const { return data_dir.value_or(default_data_dir); }
};

// Adds --data, --operator, --format and --output to `app`, bound to `options`. Called for the
// root and for every leaf subcommand, so they may appear before or after the subcommand.
enum class WithOperator { yes, no };  // no: the command has its own --operator (a filter)
void add_global_options(CLI::App& app, GlobalOptions& options, WithOperator with_operator = WithOperator::yes);

// Fills in server and token from PAYSTREAM_SERVER and PAYSTREAM_TOKEN where the command line gave
// none (an empty variable counts as unset). Called once, after parsing.
void read_server_environment(GlobalOptions& options);

// Each prefixes its error with `what` (an option or argument name), e.g. "--overdraft: ...".
Result<Money> money_argument(std::string_view what, std::string_view text);
Result<Date> date_argument(std::string_view what, std::string_view text);
Result<Timestamp> time_argument(std::string_view what, std::string_view text);
// The end of a time range, which is exclusive: a bare date ("2026-11-30") stands for that whole
// day, so the range ends at the start of the next one; a time is the end itself.
Result<Timestamp> range_end_argument(std::string_view what, std::string_view text);
// invalid_argument when the range holds nothing: `from` not before `to`, or `min` above `max`
// (an unset bound never empties a range). The names are the options' or parameters' own.
Status check_time_range(std::string_view from_name, const std::optional<Timestamp>& from,
                        std::string_view to_name, const std::optional<Timestamp>& to);
Status check_amount_range(std::string_view min_name, const std::optional<Money>& min,
                          std::string_view max_name, const std::optional<Money>& max);
Status account_id_argument(std::string_view what, std::string_view text);
Result<AccountType> account_type_argument(std::string_view what, std::string_view text);
Result<PaymentType> payment_type_argument(std::string_view what, std::string_view text);
Result<PaymentMethod> payment_method_argument(std::string_view what, std::string_view text);
// A whole number > 0 ("12"), for record IDs and counts.
Result<uint64_t> positive_integer_argument(std::string_view what, std::string_view text);
Status command_id_argument(std::string_view text);
Status operator_argument(std::string_view text);

}  // namespace paystream
