#pragma once
// The rights table: every role, and an agent operator with each permission, against every command
// kind (each CommandBody alternative; reversals of a record made in the agent's tree and of one an
// admin made) on each target (the agent's own account, its sub-account, an account outside its
// tree): allowed, or refused as forbidden. The same table runs through embedded mode's decide()
// (tests/engine/domain/rights_table_test.cc) and Kafka mode's partition engine
// (tests/engine/kafka/rights_table_test.cc), which shows both modes apply the one check of
// engine/domain/access.h.
#include <fmt/format.h>

#include <cstdint>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/domain/access.h"
#include "events/command.h"

namespace paystream::testing::rights {

enum class Target { own, sub, outside };
inline const char* target_name(Target target) {
  switch (target) {
    case Target::own:
      return "own agent account";
    case Target::sub:
      return "sub-account";
    case Target::outside:
      return "outside the tree";
  }
  return "?";
}
inline constexpr Target every_target[] = {Target::own, Target::sub, Target::outside};

// One per CommandBody alternative, and Reverse twice: of a record made by an operator of the
// target's agent, and of one made by the admin.
inline const std::vector<std::string>& every_kind() {
  static const std::vector<std::string> kinds = {
      "open",   "update", "pay",    "credit",     "zero",      "reverse-tree", "reverse-admin",
      "adjust", "param",  "add-op", "disable-op", "rotate-op", "charge"};
  return kinds;
}

// The accounts each mode chooses (Kafka mode: all on the partition under test). The agent A of the
// operators under test, its sub-account, another agent B and B's sub-account, and an unused ID.
struct Accounts {
  std::string agent;
  std::string sub;
  std::string other_agent;
  std::string other_sub;
  std::string fresh;
};

struct Actor {
  std::string name;
  OperatorRole role;
  uint32_t permissions = 0;
  // What it may run, by target: kind names separated by spaces.
  std::string own;
  std::string sub;
  std::string outside;
};

inline constexpr uint32_t bit(Permission permission) { return static_cast<uint32_t>(permission); }

inline const std::vector<Actor>& actors() {
  static const std::string all =
      "open update pay credit zero reverse-tree reverse-admin adjust param add-op disable-op rotate-op "
      "charge";
  // A call's charge comes from the softswitch's account (admin or finance), never from an agent.
  static const std::string finance = "open update pay credit zero reverse-tree reverse-admin adjust charge";
  static const std::string agent_all = "pay credit reverse-tree reverse-admin adjust";
  static const std::vector<Actor> table = {
      {"admin", OperatorRole::admin, 0, all, all, all},
      {"fin", OperatorRole::finance, 0, finance, finance, finance},
      {"aud", OperatorRole::auditor, 0, "", "", ""},
      {"agent.none", OperatorRole::agent, 0, "", "", ""},
      {"agent.pay-self", OperatorRole::agent, bit(Permission::pay_self), "pay", "", ""},
      {"agent.pay-subs", OperatorRole::agent, bit(Permission::pay_sub_accounts), "", "pay", ""},
      {"agent.credit", OperatorRole::agent, bit(Permission::set_overdraft), "", "credit", ""},
      {"agent.own-credit", OperatorRole::agent, bit(Permission::set_own_overdraft), "credit", "", ""},
      {"agent.adjust", OperatorRole::agent, bit(Permission::adjust), "adjust", "adjust", ""},
      {"agent.reverse", OperatorRole::agent, bit(Permission::reverse), "reverse-tree", "reverse-tree", ""},
      {"agent.reverse-any", OperatorRole::agent, bit(Permission::reverse_any), "reverse-tree reverse-admin",
       "reverse-tree reverse-admin", ""},
      {"agent.all", OperatorRole::agent, all_permissions, agent_all, agent_all, ""},
  };
  return table;
}

inline bool allowed(const Actor& actor, const std::string& kind, Target target) {
  const std::string& kinds = target == Target::own   ? actor.own
                             : target == Target::sub ? actor.sub
                                                     : actor.outside;
  std::istringstream words(kinds);
  for (std::string word; words >> word;) {
    if (word == kind) return true;
  }
  return false;
}

inline TokenCredential credential(int n) {
  return TokenCredential{
      .id = fmt::format("{:016x}", n), .salt = std::string(16, 's'), .hash = std::string(32, 'h')};
}

inline OperatorSettings operator_settings(std::string name, OperatorRole role, std::string agent,
                                          uint32_t permissions, int n) {
  return OperatorSettings{.name = std::move(name),
                          .role = role,
                          .agent_account = std::move(agent),
                          .permissions = permissions,
                          .disabled = false,
                          .token = credential(n)};
}

// The operators of another agent's tree and of A's that make the "tree" records.
inline constexpr const char* maker_a = "maker.a";
inline constexpr const char* maker_b = "maker.b";

inline Command open_command(const std::string& account, AccountType type, const std::string& parent) {
  OpenAccount body;
  body.account_id = account;
  body.settings.name = "Name of " + account;
  body.settings.type = type;
  body.settings.parent = parent;
  body.initial_balance = Money::from_micros(10'000'000);  // a payment record the admin made
  return Command{"open-" + account, "admin", body};
}

inline Command pay_command(const std::string& id, const std::string& by, const std::string& account) {
  return Command{id, by, Pay{account, Money::from_micros(1'000'000), "", PaymentMethod::cash}};
}

// The scenario every row starts from: the accounts (each opened with an initial balance), a
// ceiling for agents' overdrafts, the operators, and a payment by each tree's own operator on each
// account. The first four commands make the admin's records, the last four the trees' records.
inline std::vector<Command> setup_commands(const Accounts& accounts) {
  std::vector<Command> commands = {
      open_command(accounts.agent, AccountType::agent, ""),
      open_command(accounts.sub, AccountType::direct, accounts.agent),
      open_command(accounts.other_agent, AccountType::agent, ""),
      open_command(accounts.other_sub, AccountType::direct, accounts.other_agent),
      Command{"ceiling", "admin", SetParameter{"AGENT_OVERDRAFT_LIMIT_MAX", 100'000'000}},
  };
  int n = 1;
  for (const Actor& actor : actors()) {
    const std::string agent = actor.role == OperatorRole::agent ? accounts.agent : "";
    const OperatorSettings settings =
        operator_settings(actor.name, actor.role, agent, actor.permissions, n++);
    commands.push_back(Command{"add-" + actor.name, "admin", AddOperator{settings}});
  }
  const uint32_t pay_both = bit(Permission::pay_self) | bit(Permission::pay_sub_accounts);
  commands.push_back(
      Command{"add-maker-a", "admin",
              AddOperator{operator_settings(maker_a, OperatorRole::agent, accounts.agent, pay_both, n++)}});
  commands.push_back(Command{
      "add-maker-b", "admin",
      AddOperator{operator_settings(maker_b, OperatorRole::agent, accounts.other_agent, pay_both, n++)}});
  commands.push_back(pay_command(accounts.agent + ":made-own", maker_a, accounts.agent));
  commands.push_back(pay_command(accounts.agent + ":made-sub", maker_a, accounts.sub));
  commands.push_back(pay_command(accounts.other_agent + ":made-outside", maker_b, accounts.other_sub));
  return commands;
}

inline const std::string& account_of(const Accounts& accounts, Target target) {
  return target == Target::own ? accounts.agent : target == Target::sub ? accounts.sub : accounts.other_sub;
}

// The setup command whose first payment record a reversal of `kind` on `target` names: for
// "reverse-admin" the initial balance (the open command's second event), for "reverse-tree" the
// payment by the target tree's own operator (its only event).
struct RecordSource {
  std::string command_id;
  size_t event = 0;
};
inline RecordSource record_source(const Accounts& accounts, const std::string& kind, Target target) {
  if (kind == "reverse-admin") return {"open-" + account_of(accounts, target), 1};
  switch (target) {
    case Target::own:
      return {accounts.agent + ":made-own", 0};
    case Target::sub:
      return {accounts.agent + ":made-sub", 0};
    case Target::outside:
      return {accounts.other_agent + ":made-outside", 0};
  }
  return {};
}

// The row's command, its ID as the HTTP API submits it (an agent operator's in its agent's space).
inline Command row_command(const Actor& actor, const std::string& kind, Target target,
                           const Accounts& accounts, LogPosition record) {
  const std::string& account = account_of(accounts, target);
  const Access access{.operator_name = actor.name,
                      .role = actor.role,
                      .agent_account = actor.role == OperatorRole::agent ? accounts.agent : "",
                      .permissions = actor.permissions};
  Command command{scoped_command_id(access, "row"), actor.name, Pay{}};
  if (kind == "open") {
    OpenAccount open;
    open.account_id = accounts.fresh;
    open.settings.name = "New";
    open.settings.parent = target == Target::outside ? accounts.other_agent : accounts.agent;
    command.body = open;
  } else if (kind == "update") {
    UpdateAccount update;
    update.account_id = account;
    update.name = "Renamed";
    command.body = update;
  } else if (kind == "pay") {
    command.body = Pay{account, Money::from_micros(5'000'000), "", PaymentMethod::cash};
  } else if (kind == "credit") {
    command.body = SetCredit{account, Money::from_micros(50'000'000), ""};
  } else if (kind == "zero") {
    command.body = MakeZero{account, ""};
  } else if (kind == "reverse-tree" || kind == "reverse-admin") {
    command.body = Reverse{record, ""};
  } else if (kind == "adjust") {
    command.body = Adjust{account, Money::from_micros(-1'000'000), ""};
  } else if (kind == "param") {
    command.body = SetParameter{"SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY", 3};
  } else if (kind == "add-op") {
    command.body = AddOperator{operator_settings("new-op", OperatorRole::auditor, "", 0, 999)};
  } else if (kind == "disable-op") {
    command.body = DisableOperator{"agent.none"};
  } else if (kind == "rotate-op") {
    command.body = RotateOperatorToken{"agent.none", credential(998)};
  } else if (kind == "charge") {
    // A charge's ID is its CDR's; an agent's would be refused as forbidden before the ID is read.
    command.command_id = charge_command_id("row");
    command.body =
        Charge{.cdr_id = "row",
               .account_id = account,
               .amount = Money::from_micros(1'000'000),
               .call_start = Timestamp{1'600'000'000'000'000},  // 2020-09-13: before both modes' clocks
               .duration_seconds = 60,
               .caller = "100",
               .callee = "200"};
  }
  return command;
}

inline bool is_control(const std::string& kind) {
  return kind == "param" || kind == "add-op" || kind == "disable-op" || kind == "rotate-op";
}

}  // namespace paystream::testing::rights
