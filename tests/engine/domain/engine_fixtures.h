#pragma once
// Builds ledger states the way the engine does: decide, number the events, evolve.
#include <catch2/catch.hpp>
#include <unordered_map>

#include "engine/domain/access.h"
#include "engine/domain/decide.h"

namespace paystream::testing {

inline Money money(const char* text) { return Money::parse(text).value(); }

inline Timestamp at(const char* text) { return parse_timestamp(text).value(); }

inline Command command(CommandBody body, std::string id = "c-1", std::string operator_name = "admin") {
  return Command{std::move(id), std::move(operator_name), std::move(body)};
}

struct TestLedger {
  LedgerState state;
  std::vector<Event> log;
  Timestamp now = at("2026-11-25T10:00:00Z");
  int next_id = 1;
  std::string operator_name = "admin";                       // who runs the commands
  std::unordered_map<std::string, CardSecret> card_secrets;  // as the engine keeps them

  Result<std::vector<Event>> try_apply(CommandBody body) {
    Context context{.now = now};
    if (const Reverse* reverse = std::get_if<Reverse>(&body)) {
      const uint64_t index = reverse->record.value - 1;
      if (reverse->record.value >= 1 && index < log.size()) context.reversal_target = &log[index];
    }
    if (const RedeemCard* redeem = std::get_if<RedeemCard>(&body)) {
      const auto secret = card_secrets.find(redeem->number);
      if (secret != card_secrets.end()) context.card_secret = &secret->second;
    }
    // As the HTTP API submits it: an agent operator's ID in its agent's ID space.
    const Result<Access> access = access_of(state, operator_name);
    const std::string given_id = "c-" + std::to_string(next_id++);
    std::string id = access ? scoped_command_id(*access, given_id) : given_id;
    if (const Charge* charge = std::get_if<Charge>(&body)) id = charge_command_id(charge->cdr_id);
    if (const MinimumCharge* minimum = std::get_if<MinimumCharge>(&body)) {
      id = minimum_command_id(minimum->account_id, minimum->month);
    }
    const CommandBody decided = body;
    Result<std::vector<Event>> events = decide(state, command(std::move(body), id, operator_name), context);
    if (!events) return events;
    if (const IssueCards* issue = std::get_if<IssueCards>(&decided)) {
      for (const IssuedCard& card : issue->cards) card_secrets[card.number] = card.secret;
    }
    for (Event& event : *events) {
      event.position = LogPosition{state.last_position.value + 1};
      evolve(state, event);
      log.push_back(event);
    }
    return events;
  }

  std::vector<Event> apply(CommandBody body) {
    Result<std::vector<Event>> events = try_apply(std::move(body));
    INFO((events ? std::string("ok") : events.error().message));
    REQUIRE(events.ok());
    return *events;
  }

  Errc rejection(CommandBody body) {
    const size_t before = log.size();
    const LogPosition last = state.last_position;
    Result<std::vector<Event>> events = try_apply(std::move(body));
    REQUIRE_FALSE(events.ok());
    CHECK(log.size() == before);
    CHECK(state.last_position == last);
    CHECK_FALSE(events.error().message.empty());
    return events.error().code;
  }

  const AccountState& account(const std::string& id) const {
    const AccountState* found = state.find(id);
    REQUIRE(found != nullptr);
    return *found;
  }

  void open(const std::string& id, AccountType type = AccountType::direct, std::string parent = "") {
    OpenAccount open{.account_id = id, .settings = {}, .overdraft = {}, .initial_balance = {}};
    open.settings.name = "Name of " + id;
    open.settings.type = type;
    open.settings.parent = std::move(parent);
    apply(open);
  }
};

inline Pay pay(const std::string& id, const char* amount) {
  return Pay{.account_id = id, .amount = money(amount), .memo = "", .method = PaymentMethod::cash};
}

}  // namespace paystream::testing
