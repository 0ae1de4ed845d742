#include "tools/runtime/reports.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "projections/export/report_cells.h"
#include "tools/runtime/arguments.h"

namespace paystream {
namespace {

enum class Option { from, to, as_of, by, type, agent };

struct ReportSpec {
  std::string name;
  std::vector<Option> options;
};

const std::vector<ReportSpec>& report_specs() {
  static const std::vector<ReportSpec> specs = {
      {"account-balance", {Option::as_of, Option::type, Option::agent}},
      {"clearing-balance", {Option::as_of, Option::from}},
      {"agent-income", {Option::from, Option::to, Option::agent}},
      {"settlement", {Option::from, Option::to, Option::by}},
  };
  return specs;
}

const char* option_name(Option option) {
  switch (option) {
    case Option::from:
      return "from";
    case Option::to:
      return "to";
    case Option::as_of:
      return "as-of";
    case Option::by:
      return "by";
    case Option::type:
      return "type";
    case Option::agent:
      return "agent";
  }
  return "";
}

const std::optional<std::string>& value_of(const ReportOptions& options, Option option) {
  switch (option) {
    case Option::from:
      return options.from;
    case Option::to:
      return options.to;
    case Option::as_of:
      return options.as_of;
    case Option::by:
      return options.by;
    case Option::type:
      return options.type;
    case Option::agent:
      break;
  }
  return options.agent;
}

Status check_options(const ReportSpec& spec, const ReportOptions& options, const ReportOptionNames& names) {
  for (const Option option :
       {Option::from, Option::to, Option::as_of, Option::by, Option::type, Option::agent}) {
    if (!value_of(options, option)) continue;
    if (std::find(spec.options.begin(), spec.options.end(), option) != spec.options.end()) continue;
    return make_error(Errc::invalid_argument,
                      fmt::format("report {} takes no {}", spec.name, names.name(option_name(option))));
  }
  return ok_status();
}

Result<Date> required_date(const ReportOptionNames& names, const ReportOptions& options, Option option,
                           std::string_view report) {
  const std::optional<std::string>& text = value_of(options, option);
  const std::string what = names.name(option_name(option));
  if (!text)
    return make_error(Errc::invalid_argument, fmt::format("report {} needs {} YYYY-MM-DD", report, what));
  return date_argument(what, *text);
}

// from and to of a period report, both dates, to included.
Status read_period(const ReportOptions& options, const ReportOptionNames& names, std::string_view report,
                   Date& from, Date& to) {
  for (auto [option, target] : {std::pair{Option::from, &from}, {Option::to, &to}}) {
    Result<Date> day = required_date(names, options, option, report);
    if (!day) return day.error();
    *target = *day;
  }
  if (from > to) {
    return make_error(Errc::invalid_argument,
                      fmt::format("empty range: {} {} is after {} {} ({} is included)", names.name("from"),
                                  *options.from, names.name("to"), *options.to, names.name("to")));
  }
  if (int64_t{to.days} - from.days >= settlement_days_max) {
    return make_error(
        Errc::invalid_argument,
        fmt::format("{} {} to {} {} is longer than a report covers ({} days)", names.name("from"),
                    *options.from, names.name("to"), *options.to, settlement_days_max));
  }
  return ok_status();
}

Status check_visible(const std::optional<std::vector<std::string>>& visible, const std::string& account) {
  if (!visible || std::binary_search(visible->begin(), visible->end(), account)) return ok_status();
  return make_error(Errc::forbidden,
                    fmt::format("account '{}' is outside the accounts you may read", account));
}

Result<std::optional<std::string>> agent_option(const ReportOptions& options, const ReportOptionNames& names,
                                                const std::optional<std::vector<std::string>>& visible) {
  if (!options.agent) return std::optional<std::string>();
  if (Status valid = account_id_argument(names.name("agent"), *options.agent); !valid) return valid.error();
  if (Status may = check_visible(visible, *options.agent); !may) return may.error();
  return options.agent;
}

Result<PreparedReport> account_balance(const ReportOptions& options, const ReportOptionNames& names,
                                       Timestamp now,
                                       const std::optional<std::vector<std::string>>& visible) {
  BalanceQuery query;
  query.now = now;
  query.visible_accounts = visible;
  if (options.as_of) {
    Result<Timestamp> as_of = as_of_argument(names.name("as-of"), *options.as_of);
    if (!as_of) return as_of.error();
    query.as_of = *as_of;
  }
  if (options.type) {
    Result<AccountType> type = account_type_argument(names.name("type"), *options.type);
    if (!type) return type.error();
    query.type = *type;
  }
  Result<std::optional<std::string>> agent = agent_option(options, names, visible);
  if (!agent) return agent.error();
  query.agent = *agent;
  return PreparedReport{balance_columns(), [query](const Projections& projections, const ReportCells& cells) {
                          return projections.for_each_balance(
                              query, [&](const BalanceRow& row) { cells(balance_cells(row)); });
                        }};
}

Result<PreparedReport> clearing_balance(const ReportOptions& options, const ReportOptionNames& names,
                                        Timestamp now,
                                        const std::optional<std::vector<std::string>>& visible) {
  ClearingQuery query{.from = {}, .as_of = now, .visible_accounts = visible};
  if (options.as_of) {
    Result<Timestamp> as_of = as_of_argument(names.name("as-of"), *options.as_of);
    if (!as_of) return as_of.error();
    query.as_of = *as_of;
  }
  query.from = first_day_of_month(month_of(query.as_of));
  if (options.from) {
    Result<Date> from = date_argument(names.name("from"), *options.from);
    if (!from) return from.error();
    query.from = *from;
  }
  if (date_of(query.as_of) < query.from) {
    return make_error(Errc::invalid_argument, fmt::format("empty range: {} {} is before {} {}",
                                                          names.name("as-of"), format_timestamp(query.as_of),
                                                          names.name("from"), format_date(query.from)));
  }
  return PreparedReport{clearing_columns(),
                        [query](const Projections& projections, const ReportCells& cells) {
                          return projections.for_each_clearing(
                              query, [&](const ClearingRow& row) { cells(clearing_cells(row)); });
                        }};
}

Result<PreparedReport> agent_income(const ReportOptions& options, const ReportOptionNames& names,
                                    const std::optional<std::vector<std::string>>& visible) {
  AgentIncomeQuery query;
  if (Status period = read_period(options, names, "agent-income", query.from, query.to); !period) {
    return period.error();
  }
  Result<std::optional<std::string>> agent = agent_option(options, names, visible);
  if (!agent) return agent.error();
  query.agent = *agent;
  query.visible_accounts = visible;
  return PreparedReport{agent_income_columns(),
                        [query](const Projections& projections, const ReportCells& cells) {
                          return projections.for_each_agent_income(
                              query, [&](const AgentIncomeRow& row) { cells(agent_income_cells(row)); });
                        }};
}

Result<PreparedReport> settlement(const ReportOptions& options, const ReportOptionNames& names,
                                  const std::optional<std::vector<std::string>>& visible) {
  if (visible) {
    return make_error(Errc::forbidden,
                      "the settlement report sums every account; an agent operator may run account-balance, "
                      "clearing-balance and agent-income on its tree");
  }
  SettlementQuery query;
  if (Status period = read_period(options, names, "settlement", query.from, query.to); !period) {
    return period.error();
  }
  if (options.by && *options.by == "day") {
    query.by = ReportPeriod::day;
  } else if (options.by && *options.by != "month") {
    return make_error(Errc::invalid_argument, fmt::format("{}: invalid value '{}': expected day or month",
                                                          names.name("by"), *options.by));
  }
  return PreparedReport{settlement_columns(),
                        [query](const Projections& projections, const ReportCells& cells) {
                          Result<std::vector<SettlementRow>> rows = projections.settlement(query);
                          if (!rows) return Status(rows.error());
                          for (const SettlementRow& row : *rows) cells(settlement_cells(row));
                          return ok_status();
                        }};
}

}  // namespace

std::string ReportOptionNames::name(std::string_view option) const {
  // The API's parameters spell as-of with an underscore, as query parameters usually are.
  if (prefix.empty() && option == "as-of") return "as_of";
  return prefix + std::string(option);
}

const std::vector<std::string>& report_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> all;
    for (const ReportSpec& spec : report_specs()) all.push_back(spec.name);
    return all;
  }();
  return names;
}

Result<PreparedReport> prepare_report(std::string_view name, const ReportOptions& options,
                                      const ReportOptionNames& names, Timestamp now,
                                      const std::optional<std::vector<std::string>>& visible) {
  const auto spec = std::find_if(report_specs().begin(), report_specs().end(),
                                 [&](const ReportSpec& candidate) { return candidate.name == name; });
  if (spec == report_specs().end()) {
    return make_error(Errc::invalid_argument,
                      fmt::format("unknown report '{}': expected {}", name, fmt::join(report_names(), ", ")));
  }
  if (Status checked = check_options(*spec, options, names); !checked) return checked.error();
  if (spec->name == "account-balance") return account_balance(options, names, now, visible);
  if (spec->name == "clearing-balance") return clearing_balance(options, names, now, visible);
  if (spec->name == "agent-income") return agent_income(options, names, visible);
  return settlement(options, names, visible);
}

}  // namespace paystream
