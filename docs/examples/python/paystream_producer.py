#!/usr/bin/env python3
"""Publishing commands to paystream's Kafka mode from Python: an example for upstream systems.

The engine (`paystream serve --kafka`) reads commands from two topics (docs/kafka.md):
  P.commands  keyed by the account ID; the partition is murmur2(key) mod the partition count,
              as Kafka's Java producer and librdkafka's "murmur2_random" partitioner choose it
  P.control   one partition, keyed by the parameter's name (set_parameter)
and files one result per command on P.results, keyed by the command ID. P is the topic prefix
(`--topic-prefix`, "paystream" by default).

A message's value is one command, in either of two forms:
  * Cap'n Proto: a `Command` of events/schema/events.capnp, with no header;
  * JSON: the object `paystream apply` reads (docs/cli.md), with the header
    `content-type: application/json`. It must name its "operator" and its "command_id".

This module writes commands as Python dicts in the JSON form, and encodes each either way:
encode_capnp() gives exactly the bytes paystream's own encoder gives (the shared test vectors,
command_vectors.json, prove it), encode_json() the JSON. publish() sends them and waits for their
results. Run it through scripts/python-example, which makes a venv with the pinned packages:
  scripts/python-example check-vectors
  scripts/python-example run --kafka 127.0.0.1:19092 --topic-prefix example
"""

import argparse
import datetime
import json
import os
import re
import sys
import time
from pathlib import Path

import capnp  # pycapnp
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Producer, TopicPartition

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parents[2]
VECTORS = HERE / "command_vectors.json"

# ---- The schema ------------------------------------------------------------------------------------

# events.capnp imports "/capnp/c++.capnp" (C++ namespaces only); pycapnp ships that file in its
# package folder, so the folder above the package is where the import resolves.
schema = capnp.load(
    str(REPOSITORY / "events" / "schema" / "events.capnp"),
    imports=[str(Path(capnp.__file__).resolve().parent.parent)],
)

# ---- Values ----------------------------------------------------------------------------------------

MICROS_PER_UNIT = 1_000_000
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def money_micros(value, member):
    """An amount as paystream reads it: a decimal string ("12.50", "-3.10", at most 6 decimals) or a
    whole JSON number, in micro-units. A float is refused: binary floating point is not money."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f'"{member}" must be a decimal string like "12.50" (got {value!r})')
    match = re.fullmatch(r"([+-]?)([0-9]+)(?:\.([0-9]{1,6}))?", value)
    if match is None:
        raise ValueError(f'"{member}": {value!r} is not a decimal amount with at most 6 decimals')
    sign, whole, fraction = match.groups()
    micros = int(whole) * MICROS_PER_UNIT + int((fraction or "").ljust(6, "0"))
    micros = -micros if sign == "-" else micros
    if not INT64_MIN <= micros <= INT64_MAX:
        raise ValueError(f'"{member}": {value} is out of range')
    return micros


def date_days(value, member):
    """A date "YYYY-MM-DD" as days since 1970-01-01, the schema's Date."""
    if not isinstance(value, str) or re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value) is None:
        raise ValueError(f'"{member}" must be a date YYYY-MM-DD (got {value!r})')
    return (datetime.date.fromisoformat(value) - datetime.date(1970, 1, 1)).days


def text(builder, field, value):
    """Sets a Text field, leaving empty text unset as paystream's encoder does (it reads back as "")."""
    if value:
        setattr(builder, field, value)


# The parameters whose value is an amount (the others are whole numbers). The engine knows the
# whole catalog (docs/domain.md) and refuses a name it does not know.
MONEY_PARAMETERS = {"SERVER_CUSTOMER_OVERDRAFT_LIMIT", "AGENT_OVERDRAFT_LIMIT_MAX"}

# ---- Cap'n Proto -----------------------------------------------------------------------------------
# Byte identity with paystream's encoder (encode_command, events/codec.cc) needs the same layout,
# and a Cap'n Proto builder lays out each struct and text where the previous one ended. So every
# builder below sets the fields in the order encode_command does: the struct first, then its
# pointers (text, nested structs) one after the other, and no empty text at all. Numbers and enums
# live in the struct's fixed data section, where their order does not matter.


def _open_account(body, command):
    out = body.init("openAccount")
    text(out, "accountId", command["account"])
    settings = out.init("settings")
    text(settings, "name", command["name"])
    settings.type = command.get("account_type") or "direct"  # the schema's names: direct, agent, clearing
    text(settings, "parent", command.get("parent") or "")
    if command.get("monthly_min") is not None:
        settings.monthlyMinMicros = money_micros(command["monthly_min"], "monthly_min")
    if command.get("monthly_max") is not None:
        settings.monthlyMaxMicros = money_micros(command["monthly_max"], "monthly_max")
    if command.get("expires"):
        settings.expiresOn.days = date_days(command["expires"], "expires")
    if command.get("locked") is not None:
        if not isinstance(command["locked"], bool):
            raise ValueError('"locked" must be true or false')
        settings.locked = command["locked"]
    # Optional amounts are unions whose first member, "none", is the default: set only when given.
    if command.get("overdraft") is not None:
        out.overdraft.micros = money_micros(command["overdraft"], "overdraft")
    if command.get("balance") is not None:
        out.initialBalance.micros = money_micros(command["balance"], "balance")


def _pay(body, command):
    out = body.init("pay")
    text(out, "accountId", command["account"])
    out.amountMicros = money_micros(command["amount"], "amount")
    text(out, "memo", command.get("memo") or "")
    out.method = command.get("method") or "cash"  # cash, card or other


def _credit(body, command):
    out = body.init("setCredit")
    text(out, "accountId", command["account"])
    out.limitMicros = money_micros(command["limit"], "limit")
    text(out, "memo", command.get("memo") or "")


def _make_zero(body, command):
    out = body.init("makeZero")
    text(out, "accountId", command["account"])
    text(out, "memo", command.get("memo") or "")


def _adjust(body, command):
    out = body.init("adjust")
    text(out, "accountId", command["account"])
    out.amountMicros = money_micros(command["amount"], "amount")
    text(out, "memo", command.get("memo") or "")


def _reverse(body, command):
    # The Cap'n Proto Reverse names only the record; its "account" is the message key (below).
    out = body.init("reverse")
    out.record = command["record"]
    text(out, "memo", command.get("memo") or "")


def _set_parameter(body, command):
    out = body.init("setParameter")
    text(out, "name", command["name"])
    value = command["value"]
    if command["name"] in MONEY_PARAMETERS:
        out.value = money_micros(value, "value")
    elif isinstance(value, int) and not isinstance(value, bool):
        out.value = value
    elif isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value):
        out.value = int(value)
    else:
        raise ValueError(f'"value" of {command["name"]} must be a whole number (got {value!r})')


# Each type this example encodes: its builder, and the members it takes besides type, command_id
# and operator (as `paystream apply` takes them; "account" on reverse is the key only).
BUILDERS = {
    "open_account": (
        _open_account,
        {"account", "name", "account_type", "parent", "monthly_min", "monthly_max", "expires",
         "overdraft", "balance", "locked"},
    ),
    "pay": (_pay, {"account", "amount", "memo", "method"}),
    "credit": (_credit, {"account", "limit", "memo"}),
    "make_zero": (_make_zero, {"account", "memo"}),
    "adjust": (_adjust, {"account", "amount", "memo"}),
    "reverse": (_reverse, {"record", "memo", "account"}),
    "set_parameter": (_set_parameter, {"name", "value"}),
}


def encode_capnp(command):
    """The Cap'n Proto bytes of a command given in its JSON form (a dict), as paystream encodes it."""
    if command.get("type") not in BUILDERS:
        raise ValueError(f"this example encodes {', '.join(BUILDERS)}; not {command.get('type')!r}")
    build, members = BUILDERS[command["type"]]
    unknown = set(command) - members - {"type", "command_id", "operator"}
    if unknown:
        raise ValueError(f"unknown members for a {command['type']} command: {', '.join(sorted(unknown))}")
    message = schema.Command.new_message()
    try:
        text(message, "commandId", command["command_id"])
        text(message, "operatorName", command["operator"])
        build(message.body, command)
    except KeyError as missing:
        raise ValueError(f"a {command['type']} command needs {missing}") from None
    # The standard unpacked serialization: segment table, then the segments. No packing.
    return message.to_bytes()


def encode_json(command):
    """The JSON form: the object itself, as UTF-8."""
    for member in ("command_id", "operator"):
        if not command.get(member):
            raise ValueError(f'a JSON command must name its "{member}"')
    return json.dumps(command, ensure_ascii=False, separators=(",", ":")).encode()


def route(command):
    """(topic suffix, key): parameters go to P.control by name, the rest to P.commands by account."""
    if command["type"] == "set_parameter":
        return "control", command["name"]
    return "commands", command["account"]


# ---- Kafka -----------------------------------------------------------------------------------------


def publish(bootstrap, prefix, commands, timeout_s=90.0):
    """Publishes each (form, command), form "capnp" or "json", and waits until every command ID has a
    result on P.results. Returns {command_id: result dict}; a command still unanswered at the timeout
    is missing from it."""
    producer = Producer(
        {
            "bootstrap.servers": bootstrap,
            # murmur2 of the key, as paystream and Kafka's Java producer partition (librdkafka's
            # default, consistent_random, is CRC32 and would send an account to another partition:
            # the engine refuses such a command).
            "partitioner": "murmur2_random",
            # No duplicates and no reordering on a retry: an account's commands are decided in order.
            "enable.idempotence": True,
        }
    )
    failures = []

    def delivered(error, message):
        if error is not None:
            failures.append(f"{message.key().decode()}: {error}")

    for form, command in commands:
        topic, key = route(command)
        if form == "capnp":
            value, headers = encode_capnp(command), None
        else:
            value, headers = encode_json(command), [("content-type", b"application/json")]
        producer.produce(f"{prefix}.{topic}", value=value, key=key.encode(), headers=headers,
                         on_delivery=delivered)
    if producer.flush(timeout_s) > 0:
        failures.append("some messages were not delivered in time")
    if failures:
        raise RuntimeError("publishing failed: " + "; ".join(failures))
    return wait_for_results(bootstrap, prefix, {command["command_id"] for _, command in commands}, timeout_s)


def wait_for_results(bootstrap, prefix, command_ids, timeout_s):
    """Reads P.results from its start until each of `command_ids` has a result (the first one each:
    an engine taking over may answer a command again, with the same bytes). Reading from the start
    keeps the example simple; a long-lived producer would keep one consumer at the topic's end."""
    topic = f"{prefix}.results"
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"paystream-producer-example-{os.getpid()}",  # required; nothing is committed
            "enable.auto.commit": False,
            "isolation.level": "read_committed",  # only results of committed transactions
        }
    )
    try:
        metadata = consumer.list_topics(topic, timeout=10).topics[topic]
        if metadata.error is not None:
            raise KafkaException(metadata.error)
        # Assigned rather than subscribed: no consumer group to join, every partition from its start.
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in metadata.partitions])
        results = {}
        deadline = time.monotonic() + timeout_s
        while len(results) < len(command_ids) and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None or (message.error() and message.error().code() == KafkaError._PARTITION_EOF):
                continue
            if message.error():
                raise KafkaException(message.error())
            key = message.key().decode()
            if key in command_ids and key not in results:
                results[key] = json.loads(message.value())
        return results
    finally:
        consumer.close()


# ---- The example run ---------------------------------------------------------------------------------


def example_commands(tag):
    """The commands `run` publishes, with the outcome each must have ("ok" or the refusal's code).
    `tag` makes the accounts and command IDs new, so the run can be repeated on the same topics."""
    operator = "admin"  # the operator every ledger starts with; JSON commands must name theirs
    alice, bob = f"PY-{tag}-1", f"PY-{tag}-2"
    expire_days, overdraft_limit = "SERVER_PAY_DELAY_CUSTOMER_EXPIRE_DAY", "SERVER_CUSTOMER_OVERDRAFT_LIMIT"

    def command(type_, label, **members):
        return {"type": type_, "command_id": f"py-{tag}-{label}", "operator": operator, **members}

    return [
        # Cap'n Proto, built with pycapnp.
        ("capnp", command("open_account", "open-1", account=alice, name="Alice Café", balance="10"), "ok"),
        ("capnp", command("pay", "pay-1", account=alice, amount="25.50", memo="top-up", method="card"), "ok"),
        ("capnp", command("credit", "credit-1", account=alice, limit="20"), "ok"),
        ("capnp", command("adjust", "adjust-1", account=alice, amount="-3.10", memo="rounding"), "ok"),
        ("capnp", command("pay", "pay-nobody", account=f"PY-{tag}-none", amount="5"), "account_not_found"),
        ("capnp", command("set_parameter", "param-1", name=expire_days, value=30), "ok"),
        # JSON, with the content-type header.
        ("json", command("open_account", "open-2", account=bob, name="Bob", account_type="direct"), "ok"),
        ("json", command("pay", "pay-2", account=bob, amount="12.50", memo="from python"), "ok"),
        ("json", command("pay", "pay-negative", account=bob, amount="-1"), "amount_must_be_positive"),
        ("json", command("make_zero", "zero-2", account=bob, memo="closing"), "ok"),
        ("json", command("set_parameter", "param-2", name=overdraft_limit, value="0"), "ok"),
    ]


def outcome_of(result):
    if result is None:
        return "no result"
    return "ok" if result.get("ok") else result.get("error", {}).get("code", "?")


def run(arguments):
    commands = example_commands(arguments.tag or time.strftime("%Y%m%d%H%M%S"))
    results = publish(arguments.kafka, arguments.topic_prefix, [(form, c) for form, c, _ in commands],
                      arguments.timeout_s)
    wrong = 0
    for form, command, expected in commands:
        result = results.get(command["command_id"])
        outcome = outcome_of(result)
        wrong += outcome != expected
        mark = "as expected" if outcome == expected else f"EXPECTED {expected}"
        print(f"{form:5} {command['command_id']}: {outcome} ({mark}) {json.dumps(result)}")
    print(f"{len(commands) - wrong} of {len(commands)} commands had the expected outcome")
    return 1 if wrong else 0


def check_vectors(arguments):
    """Encodes each vector's command and compares the bytes with the ones paystream's encoder wrote
    (tests/examples/command_vectors_test.cc checks the C++ side against the same file)."""
    vectors = json.loads(Path(arguments.file).read_text(encoding="utf-8"))
    wrong = 0
    for vector in vectors:
        got = encode_capnp(vector["command"]).hex()
        if got != vector["capnp_hex"]:
            wrong += 1
            print(f"{vector['name']}: differs\n  expected {vector['capnp_hex']}\n  got      {got}")
        encode_json(vector["command"])  # the JSON form takes every vector too
    print(f"{len(vectors) - wrong} of {len(vectors)} vectors encode byte for byte as paystream does")
    untested = set(BUILDERS) - {vector["command"]["type"] for vector in vectors}
    if untested:
        print(f"no vector for {', '.join(sorted(untested))}: add one (its bytes from the C++ test's failure)")
    return 1 if wrong or untested else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    actions = parser.add_subparsers(dest="action", required=True)
    vectors = actions.add_parser("check-vectors", help="compare this encoder's bytes with the shared vectors")
    vectors.add_argument("--file", default=str(VECTORS))
    publishing = actions.add_parser("run", help="publish the example's commands and check their outcomes")
    publishing.add_argument("--kafka", required=True, help="bootstrap address, HOST:PORT")
    publishing.add_argument("--topic-prefix", default="paystream")
    publishing.add_argument("--tag", help="names the run's accounts and command IDs (default: the time)")
    publishing.add_argument("--timeout-s", type=float, default=90.0, help="how long to wait for the results")
    arguments = parser.parse_args()
    return check_vectors(arguments) if arguments.action == "check-vectors" else run(arguments)


if __name__ == "__main__":
    sys.exit(main())
