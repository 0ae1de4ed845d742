#include "tests/sim/simulation.h"

#include <fmt/format.h>
#include <rocksdb/env.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <unordered_map>
#include <vector>

#include "engine/domain/clock.h"
#include "events/codec.h"
#include "tests/sim/crashable_file_system.h"
#include "tools/commands/replay.h"
#include "tools/runtime/monthly_minimum.h"
#include "tools/runtime/runtime.h"

namespace paystream::sim {
namespace {

class SimulatedClock final : public Clock {
 public:
  Timestamp now() override { return time; }
  Timestamp time{1'767'225'600'000'000};  // 2026-01-01T00:00:00Z
};

struct Violation {
  std::string what;
};

// A phone card the simulator issued, with the PIN only it and the card's holder know.
struct SimulatedCard {
  std::string number;
  std::string pin;
};

// The operators of every run: who may do what is part of what is checked.
constexpr const char* admin = "admin";
constexpr const char* finance = "fin";
constexpr const char* agent = "agent-1";  // agent of AG-1, paying into its own tree only
constexpr const char* auditor = "audit";
constexpr const char* agent_account = "AG-1";

bool moves_balance(EventType type) {
  switch (type) {
    case EventType::payment_recorded:
    case EventType::balance_zeroed:
    case EventType::reversal_recorded:
    case EventType::adjustment_recorded:
    case EventType::charge_recorded:
    case EventType::minimum_charged:
    case EventType::card_payment_recorded:
      return true;
    default:
      return false;
  }
}

// A refusal by the ledger's rules, a caller's input or its rights: the command must have changed
// nothing. Any other error is an operating failure (I/O): the command's fate is unknown.
bool is_refusal(Errc code) {
  return is_rejection(code) || is_usage_error(code) || code == Errc::forbidden ||
         code == Errc::unauthenticated || code == Errc::operator_not_found || code == Errc::operator_exists;
}

[[noreturn]] void violated(std::string what) { throw Violation{std::move(what)}; }

// Each card's life read from the log: issued once; redeemed at most once, before its expiry, never
// once disabled or locked, at its face value, and paid by the very next event of the command;
// wrong PINs counted one by one.
class CardHistory {
 public:
  void check(const Event& event) {
    const uint64_t at = event.position.value;
    if (event.type == EventType::card_issued) {
      if (!cards_.emplace(event.card_number, Card{.value = event.amount, .expires = *event.expires_after})
               .second) {
        violated(fmt::format("card {} is issued again at {}", event.card_number, at));
      }
      return;
    }
    const auto found = cards_.find(event.card_number);
    if (found == cards_.end())
      violated(fmt::format("the event at {} names card {}, never issued", at, event.card_number));
    Card& card = found->second;
    switch (event.type) {
      case EventType::card_pin_failed:
        if (event.card_pin_failures != card.pin_failures + 1) {
          violated(fmt::format("card {}: wrong PIN number {} at {} after {}", event.card_number,
                               event.card_pin_failures, at, card.pin_failures));
        }
        if (event.card_pin_failures > card_pin_failures_max) {
          violated(fmt::format("card {} took a PIN at {} while locked", event.card_number, at));
        }
        card.pin_failures = event.card_pin_failures;
        break;
      case EventType::card_redeemed:
        if (card.redeemed || card.disabled || card.pin_failures >= card_pin_failures_max ||
            date_of(event.time) > card.expires || event.amount != card.value) {
          violated(fmt::format("card {} is redeemed at {} ({}, {}, {} wrong PINs, value {} of {})",
                               event.card_number, at, card.redeemed ? "used" : "unused",
                               card.disabled ? "disabled" : "enabled", card.pin_failures,
                               event.amount.to_string(), card.value.to_string()));
        }
        card.redeemed = true;
        redeemed_at_ = at;
        redeemed_ = event;
        break;
      case EventType::card_payment_recorded:
        if (redeemed_at_ + 1 != at || redeemed_.card_number != event.card_number ||
            redeemed_.command_id != event.command_id || redeemed_.card_account != event.account_id ||
            event.amount != card.value) {
          violated(fmt::format("the card payment at {} does not follow its card {}'s redemption", at,
                               event.card_number));
        }
        break;
      case EventType::card_disabled:
        if (card.redeemed || card.disabled) {
          violated(fmt::format("card {} is disabled at {} while {}", event.card_number, at,
                               card.redeemed ? "used" : "disabled"));
        }
        card.disabled = true;
        break;
      default:
        break;
    }
  }

 private:
  struct Card {
    Money value;
    Date expires;
    bool redeemed = false;
    bool disabled = false;
    uint32_t pin_failures = 0;
  };
  std::unordered_map<std::string, Card> cards_;
  uint64_t redeemed_at_ = 0;
  Event redeemed_;
};

class Simulation {
 public:
  explicit Simulation(const SimulationOptions& options)
      : options_(options),
        random_(options.seed),
        files_(std::make_shared<CrashableFileSystem>()),
        env_(rocksdb::NewCompositeEnv(files_)) {
    if (options.disk_lies) files_->lie_about_syncs();
  }

  SimulationReport run() {
    const auto started = std::chrono::steady_clock::now();
    try {
      open();
      set_up();
      while ((options_.steps_max == 0 || report_.steps < options_.steps_max) &&
             std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() <
                 options_.seconds) {
        ++report_.steps;
        step();
        if (report_.steps % 100 == 0) check_log();
        if (report_.steps % 1000 == 0) verify();
      }
      verify();
      check_log();
      say(fmt::format(
          "seed {}: {} steps, {} acknowledged, {} duplicates, {} refused, {} unacknowledged, {} crashes "
          "({} torn), {} restarts, {} replay --verify, {} cards redeemed, {} minimum charges, {} events, "
          "digest {}",
          options_.seed, report_.steps, report_.acknowledged, report_.duplicates, report_.refused,
          report_.unacknowledged, report_.crashes, report_.torn_crashes, report_.restarts,
          report_.verifications, report_.cards_redeemed, report_.minimum_charges, report_.events,
          report_.digest));
    } catch (const Violation& violation) {
      report_.violation = fmt::format("seed {} step {}: {}", options_.seed, report_.steps, violation.what);
      say(report_.violation);
    }
    runtime_.reset();
    return report_;
  }

 private:
  Ledger& ledger() { return *runtime_->ledger; }
  void say(const std::string& line) {
    if (options_.log != nullptr) *options_.log << "paystream-sim: " << line << '\n';
  }
  [[noreturn]] static void fail(std::string what) { violated(std::move(what)); }

  uint64_t below(uint64_t bound) { return bound == 0 ? 0 : random_() % bound; }
  bool chance(uint64_t percent) { return below(100) < percent; }
  template <class T>
  const T& pick(const std::vector<T>& from) {
    return from[below(from.size())];
  }
  std::string next_id(const char* kind) { return fmt::format("{}-{}", kind, ++ids_); }

  void open() {
    LedgerOptions options;
    options.data_dir = options_.data_dir;
    options.clock = &clock_;
    options.env = env_.get();
    options.free_bytes_min = 0;
    Result<std::unique_ptr<Runtime>> opened = open_runtime(options);
    if (!opened) fail("the ledger did not open: " + opened.error().message);
    runtime_ = std::move(opened).value();
  }

  // The operators and the agent account every run starts with.
  void set_up() {
    const auto add_operator = [&](const char* name, OperatorRole role, std::string agent_of,
                                  uint32_t permissions) {
      std::string salt(16, '\0');
      std::string hash(32, '\0');
      for (char& c : salt) c = static_cast<char>(below(256));
      for (char& c : hash) c = static_cast<char>(below(256));
      OperatorSettings settings{
          .name = name,
          .role = role,
          .agent_account = std::move(agent_of),
          .permissions = permissions,
          .disabled = false,
          .token = TokenCredential{
              .id = fmt::format("{:016x}", ++ids_), .salt = std::move(salt), .hash = std::move(hash)}};
      submit(Command{next_id("op"), admin, AddOperator{std::move(settings)}}, Expect::applied);
    };
    add_operator(admin, OperatorRole::admin, "", 0);
    submit(Command{next_id("open"), admin,
                   OpenAccount{.account_id = agent_account,
                               .settings = AccountSettings{.name = "agent",
                                                           .type = AccountType::agent,
                                                           .parent = "",
                                                           .monthly_min = Money(),
                                                           .monthly_max = Money(),
                                                           .expires_on = std::nullopt,
                                                           .locked = false},
                               .overdraft = std::nullopt,
                               .initial_balance = std::nullopt}},
           Expect::applied);
    accounts_.push_back(agent_account);
    add_operator(finance, OperatorRole::finance, "", 0);
    add_operator(
        agent, OperatorRole::agent, agent_account,
        static_cast<uint32_t>(Permission::pay_self) | static_cast<uint32_t>(Permission::pay_sub_accounts));
    add_operator(auditor, OperatorRole::auditor, "", 0);
  }

  enum class Expect { anything, applied, refused };

  // Submits `command` and checks its outcome against the log: an applied command appended its events
  // right after the log's end, under its ID; a duplicate got its first outcome back; a refusal
  // appended nothing. An I/O failure leaves the command's fate to be learnt after a restart.
  void submit(const Command& command, Expect expect) {
    const uint64_t end_before = ledger().end().value;
    const Result<Outcome> outcome = ledger().submit(command);
    submitted_[command.command_id] = command;
    if (!outcome) {
      const Error& error = outcome.error();
      if (error.code == Errc::wrong_card_or_pin) return wrong_pin_answered(command, end_before, expect);
      if (!is_refusal(error.code)) {
        ++report_.unacknowledged;
        unknown_.insert(command.command_id);
        must_restart_ = true;
        return;
      }
      ++report_.refused;
      if (expect == Expect::applied) {
        fail(fmt::format("'{}' ({}) was refused: {}", command.command_id, command_name(command.body),
                         error.message));
      }
      if (ledger().end().value != end_before) {
        fail(fmt::format("the refused '{}' ({}: {}) moved the log's end from {} to {}", command.command_id,
                         errc_name(error.code), error.message, end_before, ledger().end().value));
      }
      return;
    }
    if (expect == Expect::refused) {
      fail(fmt::format("'{}' ({}) was applied but must be refused", command.command_id,
                       command_name(command.body)));
    }
    if (outcome->duplicate) {
      ++report_.duplicates;
      const auto first = acknowledged_.find(command.command_id);
      if (first == acknowledged_.end())
        fail("'" + command.command_id + "' answered as a duplicate of nothing acknowledged");
      if (positions_of(*outcome) != first->second)
        fail("'" + command.command_id + "' got another first outcome");
      if (ledger().end().value != end_before)
        fail("the duplicate '" + command.command_id + "' appended events");
      return;
    }
    const std::vector<uint64_t> positions = positions_of(*outcome);
    for (size_t i = 0; i < positions.size(); ++i) {
      if (positions[i] != end_before + 1 + i) {
        fail(fmt::format("'{}' appended at {}, not right after the end {}", command.command_id, positions[i],
                         end_before));
      }
      if (outcome->events[i].command_id != command.command_id) {
        fail(fmt::format("the event at {} names command '{}', not '{}'", positions[i],
                         outcome->events[i].command_id, command.command_id));
      }
      if (is_payment_record(outcome->events[i].type)) records_.push_back(positions[i]);
    }
    if (positions.empty()) fail("'" + command.command_id + "' was applied with no event");
    if (acknowledged_.count(command.command_id) != 0) fail("'" + command.command_id + "' was applied twice");
    acknowledged_[command.command_id] = positions;
    ++report_.acknowledged;
  }

  // A wrong PIN is refused, yet recorded (one CardPinFailed under the command's ID), so that the
  // count survives a restart; an unknown card, a locked one or a repeat records nothing.
  void wrong_pin_answered(const Command& command, uint64_t end_before, Expect expect) {
    ++report_.refused;
    if (expect == Expect::applied) fail("'" + command.command_id + "' was refused: wrong card number or PIN");
    const uint64_t end = ledger().end().value;
    if (end == end_before) return;
    if (end != end_before + 1) {
      fail(fmt::format("the wrong PIN of '{}' appended {} events", command.command_id, end - end_before));
    }
    const Result<Event> recorded = ledger().read_event(LogPosition{end});
    if (!recorded) fail("the log does not read back: " + recorded.error().message);
    if (recorded->type != EventType::card_pin_failed || recorded->command_id != command.command_id) {
      fail(fmt::format("the wrong PIN of '{}' appended a {} of '{}'", command.command_id,
                       event_type_name(recorded->type), recorded->command_id));
    }
  }

  static std::vector<uint64_t> positions_of(const Outcome& outcome) {
    std::vector<uint64_t> positions;
    for (const Event& event : outcome.events) positions.push_back(event.position.value);
    return positions;
  }

  // One random action of a client, an operator or the machine.
  void step() {
    clock_.time.micros += static_cast<int64_t>(below(600'000'000));  // up to 10 minutes
    // Now and then the machine's clock jumps back (an NTP correction, a wrong setting) by up to 2
    // hours: the log's times must still never go backwards.
    if (chance(2)) clock_.time.micros -= static_cast<int64_t>(below(7'200'000'000));
    // And now and then the ledger is idle for up to 10 days, so that months end within a run.
    if (chance(2)) clock_.time.micros += static_cast<int64_t>(below(864'000'000'000));
    const uint64_t roll = below(1000);
    if (roll < 15) return crash(chance(50));
    if (roll < 20) return restart();
    if (roll < 35) {
      if (chance(50))
        files_->fail_next_wal_sync();
      else
        files_->fail_next_wal_append();
      submit_random();
      files_->disarm();  // the command may have written nothing (a duplicate, a refusal)
      // A ledger whose WAL failed stops deciding; the process is restarted, as its supervisor would.
      if (must_restart_) return crash(chance(50));
      return;
    }
    submit_random();
    if (must_restart_) crash(false);
  }

  void submit_random() {
    const uint64_t roll = below(100);
    if (roll < 10 || accounts_.size() < 3) return open_account();
    if (roll < 40) return pay();
    if (roll < 55) return charge();
    if (roll < 59)
      return simple(SetCredit{.account_id = some_account(), .limit = amount(50'000'000), .memo = ""});
    if (roll < 62) return simple(MakeZero{.account_id = some_account(), .memo = ""});
    if (roll < 66) {
      const int64_t micros = static_cast<int64_t>(amount(20'000'000).micros()) * (chance(50) ? 1 : -1);
      return simple(
          Adjust{.account_id = some_account(), .amount = Money::from_micros(micros), .memo = "adj"});
    }
    if (roll < 70) return reverse();
    if (roll < 72) return issue_cards();
    if (roll < 78) return redeem_card();
    if (roll < 79) return disable_card();
    if (roll < 81) return minimum();
    if (roll < 91) return retry();
    if (roll < 95) return conflicting_retry();
    return outside_rights();
  }

  Money amount(uint64_t micros_max) {
    return Money::from_micros(static_cast<int64_t>(1 + below(micros_max)));
  }

  std::string some_account() {
    if (chance(5)) return next_id("NOPE");  // unknown
    return pick(accounts_);
  }

  void open_account() {
    std::string id =
        chance(5) && !accounts_.empty() ? pick(accounts_) : next_id("C");  // an existing one: refused
    const bool sub = chance(40);
    submit(Command{next_id("open"), chance(80) ? admin : finance,
                   OpenAccount{
                       .account_id = id,
                       .settings = AccountSettings{.name = "c",
                                                   .type = AccountType::direct,
                                                   .parent = sub ? agent_account : "",
                                                   .monthly_min = chance(30) ? amount(20'000'000) : Money(),
                                                   .monthly_max = chance(10) ? amount(50'000'000) : Money(),
                                                   .expires_on = std::nullopt,
                                                   .locked = false},
                       .overdraft = std::nullopt,
                       .initial_balance = std::nullopt}},
           Expect::anything);
    bool exists = false;
    ledger().read_state([&](const LedgerState& state) { exists = state.find(id) != nullptr; });
    if (exists && std::find(accounts_.begin(), accounts_.end(), id) == accounts_.end()) {
      accounts_.push_back(id);
      if (sub) agent_tree_.insert(id);
    }
  }

  void pay() {
    const std::string account = some_account();
    Money paid = amount(100'000'000);
    if (chance(4)) paid = Money::from_micros(-paid.micros());
    if (chance(1)) paid = Money::from_micros(INT64_MAX / 2);  // overflows a second time
    const bool by_agent = chance(20);
    const bool inside = account == agent_account || agent_tree_.count(account) != 0;
    submit(Command{next_id("pay"), by_agent ? agent : (chance(50) ? admin : finance),
                   Pay{.account_id = account, .amount = paid, .memo = "", .method = PaymentMethod::cash}},
           by_agent && !inside ? Expect::refused : Expect::anything);
  }

  void charge() {
    const std::string cdr = chance(15) && !cdrs_.empty() ? pick(cdrs_) : next_id("cdr");
    cdrs_.push_back(cdr);
    const Charge body{
        .cdr_id = cdr,
        .account_id = some_account(),
        .amount = Money::from_micros(static_cast<int64_t>(below(5'000'000))),
        .call_start = Timestamp{clock_.time.micros - static_cast<int64_t>(below(3'600'000'000))},
        .duration_seconds = static_cast<uint32_t>(below(3600)),
        .caller = "100",
        .callee = "200"};
    // A resent CDR carries the same call: only then is it the same command.
    const auto sent = submitted_.find(charge_command_id(cdr));
    submit(sent != submitted_.end() ? sent->second : Command{charge_command_id(cdr), admin, body},
           Expect::anything);
  }

  template <class Body>
  void simple(Body body) {
    submit(Command{next_id("cmd"), chance(70) ? admin : finance, std::move(body)}, Expect::anything);
  }

  void reverse() {
    const LogPosition record{records_.empty() || chance(10) ? ledger().end().value + 1000 : pick(records_)};
    simple(Reverse{.record = record, .memo = "undo"});
  }

  // A batch of 1-5 cards, now and then under a batch name already issued (refused).
  void issue_cards() {
    IssueCards issue{.batch = chance(5) && !batches_.empty() ? pick(batches_) : next_id("batch"),
                     .chunk = 0,
                     .value = amount(30'000'000),
                     .expires = add_days(date_of(clock_.time), static_cast<int32_t>(below(60))),
                     .cards = {}};
    std::vector<SimulatedCard> made;
    for (uint64_t i = 1 + below(5); i > 0; --i) {
      SimulatedCard card{fmt::format("{:016}", 1'000'000'000'000'000 + below(8'999'999'999'999'999)),
                         fmt::format("{:08}", below(100'000'000))};
      std::string salt(16, '\0');
      for (char& c : salt) c = static_cast<char>(below(256));
      const Sha256 hash = sha256(salt + card.pin);
      issue.cards.push_back(IssuedCard{
          .number = card.number,
          .secret = CardSecret{.salt = std::move(salt), .hash = std::string(hash.begin(), hash.end())}});
      made.push_back(std::move(card));
    }
    const std::string id = next_id("cards");
    batches_.push_back(issue.batch);
    cards_of_command_[id] = std::move(made);
    submit(Command{id, chance(80) ? admin : finance, std::move(issue)}, Expect::anything);
  }

  // The cards of every batch known to be issued (a batch whose fate a fault left unknown counts
  // once a restart finds it).
  std::vector<SimulatedCard> issued_cards() const {
    std::vector<SimulatedCard> cards;
    for (const auto& [id, made] : cards_of_command_) {
      if (acknowledged_.count(id) != 0) cards.insert(cards.end(), made.begin(), made.end());
    }
    return cards;
  }

  // A card paid into an account: mostly with its PIN, sometimes with a wrong one (the 5th locks
  // it), by the agent too. A card known to be redeemed must be refused.
  void redeem_card() {
    const std::vector<SimulatedCard> cards = issued_cards();
    if (cards.empty()) return issue_cards();
    const SimulatedCard& card = pick(cards);
    std::string pin = card.pin;
    if (chance(25)) {  // one digit changed: a wrong PIN
      char& digit = pin[below(pin.size())];
      digit = static_cast<char>('0' + (digit - '0' + 1 + below(9)) % 10);
    }
    const std::string account = some_account();
    const bool by_agent = chance(10);
    const bool inside = account == agent_account || agent_tree_.count(account) != 0;
    const bool used = redeemed_cards_.count(card.number) != 0;
    const std::string id = next_id("redeem");
    submit(Command{id, by_agent ? agent : admin,
                   RedeemCard{.number = card.number, .pin = pin, .account_id = account, .memo = ""}},
           used || (by_agent && !inside) ? Expect::refused : Expect::anything);
    if (acknowledged_.count(id) != 0) {
      redeemed_cards_.insert(card.number);
      ++report_.cards_redeemed;
    }
  }

  void disable_card() {
    const std::vector<SimulatedCard> cards = issued_cards();
    const std::string number = cards.empty() || chance(10) ? "4000000000000000" : pick(cards).number;
    simple(DisableCard{.number = number, .memo = "lost"});
  }

  // The monthly minimum: mostly the schedule's check (every account still due for the latest
  // month due must be charged, and none left after), sometimes one account and month by hand.
  void minimum() {
    Parameters parameters;
    ledger().read_state([&](const LedgerState& state) { parameters = state.parameters; });
    const int32_t due = latest_due_month(clock_.time, parameters.minimum_consumption_charge_hour);
    if (chance(30)) {
      const std::string account = some_account();
      const int32_t month = due - 1 + static_cast<int32_t>(below(3));
      return submit(Command{minimum_command_id(account, month), admin,
                            MinimumCharge{.account_id = account, .month = month}},
                    Expect::anything);
    }
    std::vector<Command> commands;
    ledger().read_state([&](const LedgerState& state) { commands = minimum_commands(state, due, admin); });
    for (const Command& command : commands) {
      submit(command, Expect::applied);
      if (must_restart_) return;
      ++report_.minimum_charges;
    }
    ledger().read_state([&](const LedgerState& state) { commands = minimum_commands(state, due, admin); });
    if (!commands.empty()) {
      fail(fmt::format("{} accounts still owe the minimum of {} after the schedule charged it ('{}')",
                       commands.size(), format_month(due), commands.front().command_id));
    }
  }

  // A client sends a command again with its ID: an acknowledged one gets its first outcome; one
  // that was refused is decided again (a refusal records nothing).
  void retry() {
    if (acknowledged_.empty()) return pay();
    auto it = acknowledged_.begin();
    std::advance(it, static_cast<std::ptrdiff_t>(below(acknowledged_.size())));
    submit(submitted_.at(it->first), Expect::applied);
  }

  // The same ID with another command: refused, and nothing changes.
  void conflicting_retry() {
    if (acknowledged_.empty()) return pay();
    auto it = acknowledged_.begin();
    std::advance(it, static_cast<std::ptrdiff_t>(below(acknowledged_.size())));
    Command other{it->first, admin,
                  Pay{.account_id = pick(accounts_),
                      .amount = amount(1'000'000),
                      .memo = "other",
                      .method = PaymentMethod::cash}};
    if (other == submitted_.at(it->first)) return;
    const uint64_t end_before = ledger().end().value;
    const Result<Outcome> outcome = ledger().submit(other);
    if (outcome)
      fail(fmt::format("a conflicting retry of '{}' was {}", it->first,
                       outcome->duplicate ? "answered as a duplicate" : "applied"));
    if (outcome.error().code != Errc::command_id_conflict && is_refusal(outcome.error().code)) {
      fail(fmt::format("a conflicting retry of '{}' was refused as {}", it->first,
                       errc_name(outcome.error().code)));
    }
    if (!is_refusal(outcome.error().code)) {
      must_restart_ = true;  // an injected fault got there first; nothing to learn
      return;
    }
    ++report_.refused;
    if (ledger().end().value != end_before) fail("a conflicting retry moved the log's end");
  }

  // An auditor writing, or the agent paying outside its tree: refused.
  void outside_rights() {
    std::string outside;
    for (const std::string& account : accounts_) {
      if (account != agent_account && agent_tree_.count(account) == 0) outside = account;
    }
    if (chance(50) || outside.empty()) {
      return submit(Command{next_id("aud"), auditor,
                            Pay{.account_id = pick(accounts_),
                                .amount = amount(1'000'000),
                                .memo = "",
                                .method = PaymentMethod::cash}},
                    Expect::refused);
    }
    submit(Command{next_id("agt"), agent,
                   SetCredit{.account_id = outside, .limit = amount(1'000'000), .memo = ""}},
           Expect::refused);
  }

  // The process dies: nothing more reaches the disk, and what was not synced is lost (torn: in part).
  void crash(bool torn) {
    ++report_.crashes;
    if (torn) ++report_.torn_crashes;
    files_->crash();
    runtime_.reset();
    // Its own stream: how many files had unsynced bytes depends on RocksDB's background work, and
    // must not shift the run's draws.
    std::mt19937_64 tearing(options_.seed * 1'000'003 + report_.crashes);
    files_->power_loss(torn, tearing);
    open();
    after_restart();
  }

  void restart() {
    ++report_.restarts;
    if (Status closed = ledger().close(); !closed) fail("a clean close failed: " + closed.error().message);
    runtime_.reset();
    open();
    after_restart();
  }

  // Every acknowledged command is there with its first outcome; a command whose fate was unknown is
  // either there (it was applied once) or sent again by its client.
  void after_restart() {
    must_restart_ = false;
    for (const auto& [id, positions] : acknowledged_) {
      const Result<std::optional<Outcome>> found = ledger().find_outcome(id);
      if (!found || !found->has_value()) fail("the acknowledged '" + id + "' is gone after a restart");
      if (positions_of(**found) != positions)
        fail("the acknowledged '" + id + "' has another outcome after a restart");
    }
    const std::set<std::string> unknown = std::move(unknown_);
    unknown_.clear();
    for (const std::string& id : unknown) {
      const Result<std::optional<Outcome>> found = ledger().find_outcome(id);
      if (!found) fail("looking up '" + id + "' failed: " + found.error().message);
      if (found->has_value()) {
        acknowledged_[id] = positions_of(**found);
        ++report_.acknowledged;
        continue;
      }
      submit(submitted_.at(id), Expect::anything);
    }
    check_log();
  }

  // The whole log: its hash chain, its times in order, each command's events in one run, each
  // account's records chained (balance before = the previous balance after) and summing to its
  // balance.
  void check_log() {
    std::unordered_map<std::string, int64_t> running;
    std::unordered_map<std::string, uint64_t> last_of_command;
    CardHistory cards;
    std::set<std::pair<std::string, int32_t>> minimums;
    const Parameters parameters = ledger().snapshot().parameters;
    std::string digest;
    uint64_t events = 0;
    Timestamp previous_time;
    const Status scanned = ledger().scan(LogPosition{1}, [&](const Event& event) {
      ++events;
      if (event.time < previous_time) {
        fail(fmt::format("the event at {} is dated {} us, before the one ahead of it ({} us)",
                         event.position.value, event.time.micros, previous_time.micros));
      }
      previous_time = event.time;
      digest = to_hex(sha256(digest + encode_event(event)));
      const auto last = last_of_command.find(event.command_id);
      if (last != last_of_command.end() && last->second + 1 != event.position.value) {
        fail(fmt::format("command '{}' has events at {} and at {}: applied twice", event.command_id,
                         last->second, event.position.value));
      }
      last_of_command[event.command_id] = event.position.value;
      if (event.type == EventType::account_opened) running[event.account_id] = 0;
      if (moves_balance(event.type)) {
        int64_t& balance = running[event.account_id];
        if (event.balance_before.micros() != balance) {
          fail(fmt::format("the record at {} starts from {} but {}'s balance was {}", event.position.value,
                           event.balance_before.micros(), event.account_id, balance));
        }
        balance = event.balance_after.micros();
      }
      if (!event.card_number.empty()) cards.check(event);
      if (event.type == EventType::minimum_charged) {
        if (!minimums.emplace(event.account_id, event.minimum_month).second) {
          fail(fmt::format("the minimum of {} is charged to {} twice (again at {})",
                           format_month(event.minimum_month), event.account_id, event.position.value));
        }
        if (event.time < minimum_due_time(event.minimum_month, parameters.minimum_consumption_charge_hour)) {
          fail(fmt::format("the minimum of {} is charged at {}, before it was due",
                           format_month(event.minimum_month), event.position.value));
        }
      }
      return ok_status();
    });
    if (!scanned) fail("the log does not read back: " + scanned.error().message);
    const LedgerState state = ledger().snapshot();
    for (const auto& [id, account] : state.accounts) {
      if (running[id] != account.balance.micros()) {
        fail(fmt::format("{}'s balance is {} but its records sum to {}", id, account.balance.micros(),
                         running[id]));
      }
    }
    report_.events = events;
    report_.digest = digest;
  }

  // replay --verify: the projections and the engine's state are what a rebuild from the log gives.
  void verify() {
    ++report_.verifications;
    if (Status closed = ledger().close(); !closed) fail("a clean close failed: " + closed.error().message);
    runtime_.reset();
    std::ostringstream out;
    std::ostringstream err;
    if (run_replay_verify(options_.data_dir, out, err) != 0)
      fail("replay --verify failed: " + out.str() + err.str());
    open();
    after_restart();
  }

  SimulationOptions options_;
  std::mt19937_64 random_;
  SimulatedClock clock_;
  std::shared_ptr<CrashableFileSystem> files_;
  std::unique_ptr<rocksdb::Env> env_;
  std::unique_ptr<Runtime> runtime_;
  SimulationReport report_;
  uint64_t ids_ = 0;
  bool must_restart_ = false;
  std::vector<std::string> accounts_;
  std::set<std::string> agent_tree_;
  std::vector<std::string> cdrs_;
  std::vector<std::string> batches_;
  std::map<std::string, std::vector<SimulatedCard>> cards_of_command_;  // by IssueCards command ID
  std::set<std::string> redeemed_cards_;                                // acknowledged redemptions
  std::vector<uint64_t> records_;
  std::map<std::string, Command> submitted_;
  std::map<std::string, std::vector<uint64_t>> acknowledged_;
  std::set<std::string> unknown_;
};

}  // namespace

SimulationReport run_simulation(const SimulationOptions& options) { return Simulation(options).run(); }

}  // namespace paystream::sim
