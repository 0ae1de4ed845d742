// Operators and rights: who may run which command, who sees which account, which token is valid.
#include "engine/domain/access.h"

#include <limits>

#include "engine/domain/state_codec.h"
#include "events/codec.h"
#include "tests/engine/domain/engine_fixtures.h"

namespace paystream::testing {
namespace {

struct Token {
  std::string text;
  TokenCredential credential;
};

// What tools/runtime/operator_tokens.cc does, with fixed bytes instead of random ones.
Token make_token(char fill) {
  Token token;
  token.credential.id = std::string(16, fill);
  token.text = "pst_" + token.credential.id + "_" + std::string(64, 'e');
  token.credential.salt = std::string(16, fill);
  const Sha256 digest = sha256(token.credential.salt + token.text);
  token.credential.hash.assign(reinterpret_cast<const char*>(digest.data()), digest.size());
  return token;
}

OperatorSettings operator_settings(const std::string& name, OperatorRole role, char token_fill,
                                   std::string agent = "", uint32_t permissions = 0) {
  return OperatorSettings{.name = name,
                          .role = role,
                          .agent_account = std::move(agent),
                          .permissions = permissions,
                          .disabled = false,
                          .token = make_token(token_fill).credential};
}

uint32_t bits(std::initializer_list<Permission> permissions) {
  uint32_t value = 0;
  for (Permission permission : permissions) value |= static_cast<uint32_t>(permission);
  return value;
}

// An agent A with sub-accounts, another agent B with B-1, a direct account D, and
// operators of every role.
struct Tree : TestLedger {
  Tree() {
    open("A", AccountType::agent);
    open("B", AccountType::agent);
    open_sub("A-1", "A");
    open_sub("A-2", "A");
    open_sub("B-1", "B");
    open("D");
    apply(AddOperator{operator_settings("admin", OperatorRole::admin, 'a')});
    apply(AddOperator{operator_settings("fin", OperatorRole::finance, 'b')});
    apply(AddOperator{operator_settings("aud", OperatorRole::auditor, 'c')});
    apply(AddOperator{
        operator_settings("agent.a", OperatorRole::agent, 'd', "A", bits({Permission::pay_sub_accounts}))});
    apply(AddOperator{operator_settings("agent.full", OperatorRole::agent, 'f', "A", all_permissions)});
  }
  void open_sub(const std::string& id, const std::string& parent) {
    OpenAccount body{.account_id = id, .settings = {}, .overdraft = {}, .initial_balance = {}};
    body.settings.name = id;
    body.settings.parent = parent;
    apply(body);
  }
  Access access(const std::string& name) const { return access_of(state, name).value(); }
  Errc refused_as(const std::string& name, CommandBody body) {
    operator_name = name;
    const Errc code = rejection(std::move(body));
    operator_name = "admin";
    return code;
  }
  void apply_as(const std::string& name, CommandBody body) {
    operator_name = name;
    apply(std::move(body));
    operator_name = "admin";
  }
};

Pay pay(const std::string& account) {
  return Pay{.account_id = account, .amount = money("5"), .memo = "", .method = {}};
}

}  // namespace

TEST_CASE("access: until the first operator exists anyone acts as admin, and the first must be an admin",
          "[engine][access]") {
  TestLedger ledger;
  ledger.operator_name = "whoever";
  ledger.open("1001");
  CHECK(access_of(ledger.state, "whoever").value().role == OperatorRole::admin);
  CHECK(ledger.rejection(AddOperator{operator_settings("fin", OperatorRole::finance, 'b')}) ==
        Errc::invalid_argument);
  ledger.apply(AddOperator{operator_settings("root", OperatorRole::admin, 'a')});
  CHECK(access_of(ledger.state, "whoever").error().code == Errc::forbidden);
  CHECK(ledger.rejection(pay("1001")) == Errc::forbidden);
  ledger.operator_name = "root";
  ledger.apply(pay("1001"));
  CHECK(ledger.log.back().operator_name == "root");
}

TEST_CASE("access: AddOperator checks the name, the role's fields and the credential", "[engine][access]") {
  Tree tree;
  CHECK(tree.rejection(AddOperator{operator_settings("admin", OperatorRole::admin, '5')}) ==
        Errc::operator_exists);
  CHECK(tree.rejection(AddOperator{operator_settings("bad name", OperatorRole::admin, '5')}) ==
        Errc::invalid_argument);
  CHECK(tree.rejection(AddOperator{operator_settings("x", OperatorRole::agent, '5')}) ==
        Errc::invalid_argument);
  CHECK(tree.rejection(AddOperator{operator_settings("x", OperatorRole::agent, '5', "nope")}) ==
        Errc::account_not_found);
  CHECK(tree.rejection(AddOperator{operator_settings("x", OperatorRole::agent, '5', "D")}) ==
        Errc::invalid_argument);
  CHECK(tree.rejection(AddOperator{operator_settings("x", OperatorRole::finance, '5', "A")}) ==
        Errc::invalid_argument);
  CHECK(tree.rejection(AddOperator{operator_settings("x", OperatorRole::finance, '5', "", 1)}) ==
        Errc::invalid_argument);
  CHECK(tree.rejection(AddOperator{operator_settings("x", OperatorRole::admin, 'a')}) ==
        Errc::invalid_argument);  // token ID in use
  OperatorSettings short_hash = operator_settings("x", OperatorRole::admin, '5');
  short_hash.token.hash.pop_back();
  CHECK(tree.rejection(AddOperator{short_hash}) == Errc::invalid_argument);
  OperatorSettings disabled = operator_settings("x", OperatorRole::admin, '5');
  disabled.disabled = true;
  CHECK(tree.rejection(AddOperator{disabled}) == Errc::invalid_argument);
}

TEST_CASE("access: roles allow what domain.md says", "[engine][access]") {
  Tree tree;
  SECTION("finance pays, opens and reverses, but sets no parameter and no operator") {
    tree.apply_as("fin", pay("D"));
    tree.apply_as("fin", SetCredit{.account_id = "B-1", .limit = money("3"), .memo = ""});
    CHECK(tree.refused_as("fin", SetParameter{"SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY", 3}) == Errc::forbidden);
    CHECK(tree.refused_as("fin", AddOperator{operator_settings("x", OperatorRole::admin, '5')}) ==
          Errc::forbidden);
    CHECK(tree.refused_as("fin", DisableOperator{"aud"}) == Errc::forbidden);
    CHECK(tree.refused_as("fin", RotateOperatorToken{"fin", make_token('5').credential}) == Errc::forbidden);
  }
  SECTION("the auditor changes nothing") {
    CHECK(tree.refused_as("aud", pay("D")) == Errc::forbidden);
    CHECK(tree.refused_as("aud", MakeZero{.account_id = "D", .memo = ""}) == Errc::forbidden);
    CHECK(check_may_audit(tree.access("aud")).ok());
    CHECK(check_may_audit(tree.access("admin")).ok());
    CHECK(check_may_audit(tree.access("fin")).error().code == Errc::forbidden);
    CHECK(check_may_audit(tree.access("agent.full")).error().code == Errc::forbidden);
  }
  SECTION("an unknown operator is refused, and so is a disabled one") {
    CHECK(tree.refused_as("ghost", pay("D")) == Errc::forbidden);
    tree.apply(DisableOperator{"fin"});
    CHECK(tree.refused_as("fin", pay("D")) == Errc::forbidden);
  }
}

TEST_CASE("access: an agent acts only on its tree, with the permissions it was given", "[engine][access]") {
  Tree tree;
  tree.apply_as("agent.a", pay("A-1"));
  CHECK(tree.account("A-1").balance == money("5"));
  CHECK(tree.account("A").balance == Money::zero());                 // the agent's own balance is not debited
  CHECK(tree.refused_as("agent.a", pay("A")) == Errc::forbidden);    // no pay-self
  CHECK(tree.refused_as("agent.a", pay("B-1")) == Errc::forbidden);  // another tree
  CHECK(tree.refused_as("agent.a", pay("D")) == Errc::forbidden);
  CHECK(tree.refused_as("agent.a", pay("no-such")) == Errc::forbidden);  // not account_not_found: no probing
  CHECK(tree.refused_as("agent.a", SetCredit{.account_id = "A-1", .limit = money("9"), .memo = ""}) ==
        Errc::forbidden);
  CHECK(tree.refused_as("agent.a", Adjust{.account_id = "A-1", .amount = money("1"), .memo = ""}) ==
        Errc::forbidden);
  CHECK(tree.refused_as("agent.a", MakeZero{.account_id = "A-1", .memo = ""}) == Errc::forbidden);
  OpenAccount open{.account_id = "A-3", .settings = {}, .overdraft = {}, .initial_balance = {}};
  open.settings.name = "n";
  open.settings.parent = "A";
  CHECK(tree.refused_as("agent.full", open) == Errc::forbidden);

  tree.apply_as("agent.full", pay("A"));
  tree.apply(SetParameter{"AGENT_OVERDRAFT_LIMIT_MAX", money("100").micros()});
  tree.apply_as("agent.full", SetCredit{.account_id = "A-2", .limit = money("9"), .memo = ""});
  tree.apply_as("agent.full", Adjust{.account_id = "A-2", .amount = money("-1"), .memo = ""});
  CHECK(tree.refused_as("agent.full", SetCredit{.account_id = "B", .limit = money("9"), .memo = ""}) ==
        Errc::forbidden);

  // Reversals: only of records in the tree, and only of kinds the agent could have made.
  tree.apply(pay("B-1"));
  const LogPosition other_tree = tree.log.back().position;
  CHECK(tree.refused_as("agent.full", Reverse{.record = other_tree, .memo = ""}) == Errc::forbidden);
  tree.apply(pay("A-1"));
  const LogPosition sub_payment = tree.log.back().position;
  tree.apply(MakeZero{.account_id = "A-2", .memo = ""});
  const LogPosition zeroed = tree.log.back().position;
  CHECK(tree.refused_as("agent.full", Reverse{.record = zeroed, .memo = ""}) == Errc::forbidden);
  CHECK(tree.refused_as("agent.full", Reverse{.record = LogPosition{999}, .memo = ""}) == Errc::forbidden);
  CHECK(tree.refused_as("agent.full", Reverse{.record = LogPosition{1}, .memo = ""}) == Errc::forbidden);
  tree.apply_as("agent.full", Reverse{.record = sub_payment, .memo = ""});
}

TEST_CASE(
    "access: an agent sets its own overdraft only with set-own-overdraft, and never above "
    "AGENT_OVERDRAFT_LIMIT_MAX",
    "[engine][access]") {
  Tree tree;
  tree.apply(AddOperator{
      operator_settings("agent.credit", OperatorRole::agent, '1', "A", bits({Permission::set_overdraft}))});
  tree.apply(AddOperator{
      operator_settings("agent.own", OperatorRole::agent, '2', "A", bits({Permission::set_own_overdraft}))});
  const Money largest = Money::from_micros(std::numeric_limits<int64_t>::max());
  // The hole: set-overdraft alone gave the agent unlimited credit on its own account.
  CHECK(tree.refused_as("agent.credit", SetCredit{.account_id = "A", .limit = largest, .memo = ""}) ==
        Errc::forbidden);
  // Until an admin sets a ceiling, no agent grants any overdraft; a limit of zero is within it.
  CHECK(tree.refused_as("agent.credit", SetCredit{.account_id = "A-1", .limit = money("0.01"), .memo = ""}) ==
        Errc::forbidden);
  tree.apply_as("agent.credit", SetCredit{.account_id = "A-1", .limit = Money::zero(), .memo = ""});

  tree.apply(SetParameter{"AGENT_OVERDRAFT_LIMIT_MAX", money("100").micros()});
  tree.apply_as("agent.credit", SetCredit{.account_id = "A-1", .limit = money("100"), .memo = ""});
  CHECK(tree.account("A-1").overdraft == money("100"));
  CHECK(tree.refused_as("agent.credit",
                        SetCredit{.account_id = "A-1", .limit = money("100.000001"), .memo = ""}) ==
        Errc::forbidden);
  CHECK(tree.refused_as("agent.credit", SetCredit{.account_id = "A", .limit = money("1"), .memo = ""}) ==
        Errc::forbidden);
  CHECK(tree.refused_as("agent.own", SetCredit{.account_id = "A-1", .limit = money("1"), .memo = ""}) ==
        Errc::forbidden);
  CHECK(tree.refused_as("agent.own", SetCredit{.account_id = "A", .limit = largest, .memo = ""}) ==
        Errc::forbidden);
  tree.apply_as("agent.own", SetCredit{.account_id = "A", .limit = money("40"), .memo = ""});
  CHECK(tree.account("A").overdraft == money("40"));
  // Admin and finance are not bound by the agents' ceiling.
  tree.apply(SetCredit{.account_id = "A", .limit = largest, .memo = ""});
  tree.apply_as("fin", SetCredit{.account_id = "A-2", .limit = money("1000"), .memo = ""});

  tree.operator_name = "agent.own";
  const Result<std::vector<Event>> refused =
      tree.try_apply(SetCredit{.account_id = "A", .limit = money("101"), .memo = ""});
  tree.operator_name = "admin";
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.error().message, Catch::Contains("AGENT_OVERDRAFT_LIMIT_MAX = 100.00"));
}

TEST_CASE(
    "access: an agent reverses with reverse (records of its own operators) or reverse-any (its whole tree)",
    "[engine][access]") {
  Tree tree;
  tree.apply(SetParameter{"AGENT_OVERDRAFT_LIMIT_MAX", money("100").micros()});
  tree.apply(AddOperator{
      operator_settings("agent.rev", OperatorRole::agent, '1', "A", bits({Permission::reverse}))});
  tree.apply(AddOperator{
      operator_settings("agent.any", OperatorRole::agent, '2', "A", bits({Permission::reverse_any}))});
  tree.apply(AddOperator{operator_settings("agent.b", OperatorRole::agent, '3', "B",
                                           bits({Permission::pay_sub_accounts, Permission::reverse_any}))});
  tree.apply(pay("A-1"));
  const LogPosition by_admin = tree.log.back().position;
  tree.apply_as("agent.a", pay("A-1"));
  const LogPosition by_own_operator = tree.log.back().position;
  tree.apply_as("agent.a", pay("A-2"));
  const LogPosition by_own_operator_2 = tree.log.back().position;
  tree.apply_as("agent.b", pay("B-1"));
  const LogPosition by_other_agent = tree.log.back().position;

  // The hole: pay-sub-accounts alone reversed the admin's payment (a debit without adjust).
  CHECK(tree.refused_as("agent.a", Reverse{.record = by_admin, .memo = ""}) == Errc::forbidden);
  CHECK(tree.refused_as("agent.a", Reverse{.record = by_own_operator, .memo = ""}) == Errc::forbidden);
  CHECK(tree.refused_as("agent.rev", Reverse{.record = by_admin, .memo = ""}) == Errc::forbidden);
  CHECK(tree.refused_as("agent.rev", Reverse{.record = by_other_agent, .memo = ""}) == Errc::forbidden);
  tree.apply_as("agent.rev", Reverse{.record = by_own_operator, .memo = ""});  // made by agent.a, same agent
  CHECK(tree.account("A-1").balance == money("5"));
  // Not (yet) in A's tree.
  CHECK(tree.refused_as("agent.any", Reverse{.record = by_other_agent, .memo = ""}) == Errc::forbidden);
  tree.apply_as("agent.any", Reverse{.record = by_admin, .memo = ""});
  CHECK(tree.account("A-1").balance == Money::zero());

  // B-1 moves into A's tree: its record, made by B's operator, is A's to reverse with reverse-any only.
  UpdateAccount move;
  move.account_id = "B-1";
  move.parent = "A";
  tree.apply(move);
  CHECK(tree.refused_as("agent.rev", Reverse{.record = by_other_agent, .memo = ""}) == Errc::forbidden);
  tree.apply_as("agent.any", Reverse{.record = by_other_agent, .memo = ""});
  CHECK(tree.refused_as("agent.b", Reverse{.record = by_own_operator_2, .memo = ""}) == Errc::forbidden);
}

TEST_CASE("access: an agent reverses a credit only as it could set it, and an adjustment only with adjust",
          "[engine][access]") {
  Tree tree;
  tree.apply(SetParameter{"AGENT_OVERDRAFT_LIMIT_MAX", money("100").micros()});
  tree.apply(AddOperator{
      operator_settings("agent.rev", OperatorRole::agent, '1', "A", bits({Permission::reverse_any}))});
  tree.apply(AddOperator{operator_settings("agent.rev-credit", OperatorRole::agent, '2', "A",
                                           bits({Permission::reverse_any, Permission::set_overdraft}))});
  tree.apply(AddOperator{operator_settings("agent.rev-adjust", OperatorRole::agent, '3', "A",
                                           bits({Permission::reverse_any, Permission::adjust}))});
  tree.apply(SetCredit{.account_id = "A-1", .limit = money("500"), .memo = ""});
  tree.apply(SetCredit{.account_id = "A-1", .limit = money("20"), .memo = ""});
  const LogPosition lowered = tree.log.back().position;  // reversing it restores 500
  tree.apply(SetCredit{.account_id = "A-2", .limit = money("30"), .memo = ""});
  const LogPosition raised = tree.log.back().position;  // reversing it restores 0
  tree.apply(Adjust{.account_id = "A-2", .amount = money("7"), .memo = ""});
  const LogPosition adjusted = tree.log.back().position;

  CHECK(tree.refused_as("agent.rev", Reverse{.record = raised, .memo = ""}) == Errc::forbidden);
  // It would restore 500, above the ceiling of 100.
  CHECK(tree.refused_as("agent.rev-credit", Reverse{.record = lowered, .memo = ""}) == Errc::forbidden);
  tree.apply_as("agent.rev-credit", Reverse{.record = raised, .memo = ""});
  CHECK(tree.account("A-2").overdraft == Money::zero());
  CHECK(tree.refused_as("agent.rev", Reverse{.record = adjusted, .memo = ""}) == Errc::forbidden);
  tree.apply_as("agent.rev-adjust", Reverse{.record = adjusted, .memo = ""});
  CHECK(tree.account("A-2").balance == Money::zero());
}

TEST_CASE("access: an agent sees its agent account and its sub-accounts as of now", "[engine][access]") {
  Tree tree;
  CHECK_FALSE(visible_accounts(tree.state, tree.access("admin")).has_value());
  CHECK_FALSE(visible_accounts(tree.state, tree.access("aud")).has_value());
  CHECK(visible_accounts(tree.state, tree.access("agent.a")).value() ==
        std::vector<std::string>{"A", "A-1", "A-2"});
  CHECK(check_may_read(tree.state, tree.access("agent.a"), "A-2").ok());
  CHECK(check_may_read(tree.state, tree.access("agent.a"), "B-1").error().code == Errc::forbidden);
  CHECK(check_may_read(tree.state, tree.access("agent.a"), "no-such").error().code == Errc::forbidden);
  CHECK(check_may_read(tree.state, tree.access("fin"), "B-1").ok());

  UpdateAccount move;
  move.account_id = "A-2";
  move.parent = "B";
  tree.apply(move);
  CHECK(visible_accounts(tree.state, tree.access("agent.a")).value() == std::vector<std::string>{"A", "A-1"});
  CHECK(check_may_read(tree.state, tree.access("agent.a"), "A-2").error().code == Errc::forbidden);
  CHECK(tree.state.sub_accounts_of.at("B") == std::set<std::string>{"A-2", "B-1"});
}

TEST_CASE("access: a token authenticates its enabled operator until rotated or disabled",
          "[engine][access]") {
  Tree tree;
  const Token fin = make_token('b');
  CHECK(authenticate(tree.state, fin.text).value() == "fin");
  CHECK(authenticate(tree.state, make_token('a').text).value() == "admin");
  std::string altered = fin.text;
  altered.back() = 'f';
  CHECK(authenticate(tree.state, altered).error().code == Errc::unauthenticated);
  CHECK(authenticate(tree.state, "").error().code == Errc::unauthenticated);
  CHECK(authenticate(tree.state, "pst_").error().code == Errc::unauthenticated);
  CHECK(authenticate(tree.state, make_token('7').text).error().code == Errc::unauthenticated);

  const Token rotated = make_token('9');
  tree.apply(RotateOperatorToken{"fin", rotated.credential});
  CHECK(authenticate(tree.state, fin.text).error().code == Errc::unauthenticated);
  CHECK(authenticate(tree.state, rotated.text).value() == "fin");
  CHECK(tree.log.back().type == EventType::operator_updated);

  tree.apply(DisableOperator{"fin"});
  CHECK(authenticate(tree.state, rotated.text).error().code == Errc::unauthenticated);
  CHECK(tree.rejection(DisableOperator{"fin"}) == Errc::nothing_to_change);
  CHECK(tree.rejection(DisableOperator{"ghost"}) == Errc::operator_not_found);
  CHECK(tree.rejection(RotateOperatorToken{"ghost", make_token('8').credential}) == Errc::operator_not_found);
  CHECK(tree.rejection(DisableOperator{"admin"}) == Errc::forbidden);  // the last enabled admin
}

TEST_CASE("access: operators survive a checkpoint, and the indexes are rebuilt from it", "[engine][access]") {
  Tree tree;
  tree.apply(DisableOperator{"aud"});
  Result<LedgerGlobals> globals = decode_globals(encode_globals(tree.state.parameters, tree.state.operators));
  REQUIRE(globals.ok());
  CHECK(globals->operators == tree.state.operators);
  LedgerState loaded;
  loaded.accounts = tree.state.accounts;
  loaded.operators = globals->operators;
  rebuild_indexes(loaded);
  CHECK(loaded.operator_by_token_id == tree.state.operator_by_token_id);
  CHECK(loaded.sub_accounts_of == tree.state.sub_accounts_of);
}

}  // namespace paystream::testing
