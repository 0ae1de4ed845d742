@0xd5d6a117c3485e5f;
# The stored form of paystream's events and the wire form of its commands.
# Reference and evolution rules: docs/events.md. In short: ordinals are forever, fields are only
# appended, nothing is required, and amounts are Int64 micro-units (1 unit = 1,000,000).

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("paystream::schema");

# Numbered as paystream::EventType in events/event.h. 0 is never written: a message whose type
# reads as 0 is corrupt, a type above the last one this build knows stops a replay.
enum EventType {
  unspecified @0;
  accountOpened @1;
  accountUpdated @2;
  paymentRecorded @3;
  creditSet @4;
  balanceZeroed @5;
  reversalRecorded @6;
  adjustmentRecorded @7;
  parameterSet @8;
  operatorAdded @9;
  operatorUpdated @10;
  chargeRecorded @11;
  minimumCharged @12;
  cardIssued @13;
  cardRedeemed @14;
  cardPaymentRecorded @15;
  cardPinFailed @16;
  cardDisabled @17;
  recordsCleanedUp @18;
  cardPaymentRefused @19;
  cardReturned @20;
}

enum AccountType {
  direct @0;
  agent @1;
  clearing @2;
}

# Numbered as paystream::PaymentType; 0 is never written.
enum PaymentType {
  unspecified @0;
  payment @1;
  credit @2;
  makeZero @3;
  reversal @4;
  adjustment @5;
  phoneCard @6;
  minimumConsumption @7;
}

enum PaymentMethod {
  cash @0;
  card @1;
  other @2;
}

struct AccountSettings {
  name @0 :Text;
  type @1 :AccountType;
  parent @2 :Text;                # agent account ID, empty when none
  monthlyMinMicros @3 :Int64;
  monthlyMaxMicros @4 :Int64;     # 0: no maximum
  expiresOn :union {
    none @5 :Void;
    days @6 :Int32;               # days since 1970-01-01
  }
  locked @7 :Bool;
}

enum OperatorRole {
  admin @0;
  finance @1;
  agent @2;
  auditor @3;
}

# A bearer token as the log knows it: never the token, only what recognises it.
struct TokenCredential {
  id @0 :Text;                    # 16 hex characters, the token's public part
  salt @1 :Data;                  # 16 bytes
  hash @2 :Data;                  # SHA-256(salt || token), 32 bytes
}

struct OperatorSettings {
  name @0 :Text;
  role @1 :OperatorRole;
  agentAccount @2 :Text;          # agent role only
  permissions @3 :UInt32;         # agent role only: bits of paystream::Permission
  disabled @4 :Bool;
  token @5 :TokenCredential;
}

# One flat struct for every event type, mirroring paystream::Event: each type uses the fields
# docs/events.md lists and leaves the others at their defaults.
struct Event {
  type @0 :EventType;
  position @1 :UInt64;            # log position, from 1
  timeMicros @2 :Int64;           # engine time, UTC microseconds since the Unix epoch
  accountId @3 :Text;
  commandId @4 :Text;
  operatorName @5 :Text;
  memo @6 :Text;

  amountMicros @7 :Int64;
  balanceBeforeMicros @8 :Int64;
  balanceAfterMicros @9 :Int64;
  overdraftBeforeMicros @10 :Int64;
  overdraftAfterMicros @11 :Int64;
  expiresBefore :union {
    none @12 :Void;
    days @13 :Int32;
  }
  expiresAfter :union {
    none @14 :Void;
    days @15 :Int32;
  }
  method @16 :PaymentMethod;
  reverses @17 :UInt64;           # reversal: log position of the record it undoes
  reversedType @18 :PaymentType;

  settings @19 :AccountSettings;  # account events only; null otherwise

  parameterName @20 :Text;
  parameterValue @21 :Int64;

  prevHash @22 :Data;             # SHA-256 of the previous encoded event of the log (32 bytes)

  operatorSettings @23 :OperatorSettings;  # operator events only; null otherwise

  call @24 :CallDetails;          # chargeRecorded only; null otherwise
  minimumMonth @25 :Int32;        # minimumCharged only: the month charged (year * 12 + month - 1)

  card @26 :CardDetails;          # card events and cardPaymentRecorded only; null otherwise

  cleanup @27 :RecordsCleanup;    # recordsCleanedUp only; null otherwise
}

# Retention (docs/domain.md "Retention"): the payment records of [from, before) left the query tables
# after they were exported; the events stay in the log.
struct RecordsCleanup {
  fromMicros @0 :Int64;           # the previous cleanup's end (0: the log's start)
  beforeMicros @1 :Int64;         # records before this time were removed
  count @2 :UInt64;               # payment records exported and removed
  exportSha256 @3 :Data;          # SHA-256 of the export file (32 bytes)
  exportFile @4 :Text;            # the export's file name, as its writer named it
}

# The phone card an event is about. Never its PIN, nor the PIN's salt or hash: those live only in
# the engine's card secrets (docs/events.md, "Phone cards").
struct CardDetails {
  number @0 :Text;
  batch @1 :Text;                 # cardIssued only
  account @2 :Text;               # cardRedeemed only: the account the card's value paid
  pinFailures @3 :UInt32;         # cardPinFailed only: wrong PINs so far, this one included
  redemption @4 :UInt64;          # Kafka mode, a card paying an account of another partition: the
                                  # position of its cardRedeemed (cardPaymentRecorded,
                                  # cardPaymentRefused, cardReturned); 0 otherwise
  refusal @5 :Text;               # cardPaymentRefused, cardReturned: why the payment was refused
}

# The call a charge is for, as its CDR gave it. A struct of its own, so that the events of other
# types carry one null pointer for it rather than its fields.
struct CallDetails {
  startMicros @0 :Int64;          # UTC microseconds
  duration :union {
    none @1 :Void;
    seconds @2 :UInt32;
  }
  caller @3 :Text;
  callee @4 :Text;
}

# Optional values of commands have explicit presence: the first member of each union (none or
# unchanged) is the default, so an absent field always reads as "not set".
struct OpenAccount {
  accountId @0 :Text;
  settings @1 :AccountSettings;
  overdraft :union {
    none @2 :Void;
    micros @3 :Int64;
  }
  initialBalance :union {
    none @4 :Void;
    micros @5 :Int64;
  }
}

struct UpdateAccount {
  accountId @0 :Text;
  name :union {
    unchanged @1 :Void;
    value @2 :Text;
  }
  type :union {
    unchanged @3 :Void;
    value @4 :AccountType;
  }
  parent :union {
    unchanged @5 :Void;
    value @6 :Text;               # "" removes the parent
  }
  monthlyMin :union {
    unchanged @7 :Void;
    micros @8 :Int64;
  }
  monthlyMax :union {
    unchanged @9 :Void;
    micros @10 :Int64;
  }
  expiresOn :union {
    unchanged @11 :Void;
    remove @12 :Void;             # the account no longer expires
    days @13 :Int32;
  }
  locked :union {
    unchanged @14 :Void;
    value @15 :Bool;
  }
}

struct Pay {
  accountId @0 :Text;
  amountMicros @1 :Int64;
  memo @2 :Text;
  method @3 :PaymentMethod;
}

struct SetCredit {
  accountId @0 :Text;
  limitMicros @1 :Int64;
  memo @2 :Text;
}

struct MakeZero {
  accountId @0 :Text;
  memo @1 :Text;
}

struct Reverse {
  record @0 :UInt64;              # log position of the payment record to undo
  memo @1 :Text;
}

struct Adjust {
  accountId @0 :Text;
  amountMicros @1 :Int64;         # signed
  memo @2 :Text;
}

struct SetParameter {
  name @0 :Text;
  value @1 :Int64;
}

struct AddOperator {
  settings @0 :OperatorSettings;
}

struct DisableOperator {
  name @0 :Text;
}

struct RotateOperatorToken {
  name @0 :Text;
  token @1 :TokenCredential;
}

# A completed call's charge, reported by the softswitch. The command ID is "cdr:" + cdrId, so a
# resent CDR is a duplicate of the first.
struct Charge {
  cdrId @0 :Text;
  accountId @1 :Text;
  amountMicros @2 :Int64;
  callStartMicros @3 :Int64;
  duration :union {
    none @4 :Void;
    seconds @5 :UInt32;
  }
  caller @6 :Text;
  callee @7 :Text;
}

# A month's minimum consumption shortfall, charged once per account and month. The command ID is
# "minimum:" + accountId + ":" + the month as YYYY-MM.
struct MinimumCharge {
  accountId @0 :Text;
  month @1 :Int32;                # year * 12 + month - 1
}

# What recognises a card's PIN: SHA-256(salt || PIN). Carried by the issuing command only, and
# kept by the engine apart from the log.
struct IssuedCard {
  number @0 :Text;
  salt @1 :Data;                  # 16 bytes
  hash @2 :Data;                  # 32 bytes
}

# One chunk of a card batch (the issuer splits a large batch). Every card of it has the value and
# the expiration date given.
struct IssueCards {
  batch @0 :Text;
  chunk @1 :UInt32;               # 0 for the batch's first chunk
  valueMicros @2 :Int64;
  expiresDays @3 :Int32;          # the last day the card can be redeemed
  cards @4 :List(IssuedCard);
}

# A phone card payment: the card's value into the account, the card used, in one decision.
struct RedeemCard {
  number @0 :Text;
  pin @1 :Text;
  accountId @2 :Text;
  memo @3 :Text;
}

struct DisableCard {
  number @0 :Text;
  memo @1 :Text;
}

# Kafka mode only, made by the engine, never by an operator (docs/kafka.md, "Phone cards in Kafka
# mode"): the second half of a redemption whose account lives on another partition than its card.
# Command ID "card-payment:" + number + ":" + redemption.
struct RecordCardPayment {
  number @0 :Text;
  accountId @1 :Text;
  valueMicros @2 :Int64;
  memo @3 :Text;
  redemption @4 :UInt64;          # the position of the card's cardRedeemed
}

# Kafka mode only, made by the engine: the payment of a redemption was refused, so the card is
# redeemable again. Command ID "card-return:" + number + ":" + redemption.
struct ReturnCard {
  number @0 :Text;
  accountId @1 :Text;
  valueMicros @2 :Int64;
  redemption @3 :UInt64;
  refusal @4 :Text;               # the errc name of the payment's refusal
  message @5 :Text;
}

struct CleanUpRecords {
  fromMicros @0 :Int64;
  beforeMicros @1 :Int64;
  count @2 :UInt64;
  exportSha256 @3 :Data;
  exportFile @4 :Text;
}

struct Command {
  commandId @0 :Text;
  operatorName @1 :Text;
  body :union {
    unspecified @2 :Void;         # never written: an empty message is not silently a command
    openAccount @3 :OpenAccount;
    updateAccount @4 :UpdateAccount;
    pay @5 :Pay;
    setCredit @6 :SetCredit;
    makeZero @7 :MakeZero;
    reverse @8 :Reverse;
    adjust @9 :Adjust;
    setParameter @10 :SetParameter;
    addOperator @11 :AddOperator;
    disableOperator @12 :DisableOperator;
    rotateOperatorToken @13 :RotateOperatorToken;
    charge @14 :Charge;
    minimumCharge @15 :MinimumCharge;
    issueCards @16 :IssueCards;
    redeemCard @17 :RedeemCard;
    disableCard @18 :DisableCard;
    cleanUpRecords @19 :CleanUpRecords;
    recordCardPayment @20 :RecordCardPayment;
    returnCard @21 :ReturnCard;
  }
}

# The encoded events of one group commit, in log order. Each element is a whole Event message
# (as encode_event writes it), so its hash is taken over exactly the bytes stored here.
struct LogEntry {
  events @0 :List(Data);
}
