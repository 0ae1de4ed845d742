#!/usr/bin/env python3
"""API fuzzing from the spec (docs/reliability.md, "API fuzzing"): schemathesis generates requests
from the API's OpenAPI spec (docs/openapi.yaml) against a live `paystream serve`,
once with an admin's token and once with an agent operator's, and checks that no answer is a 5xx
and that every answer matches the spec. Then, beyond what schemathesis can know: the agent saw and
changed nothing outside its tree, and `replay --verify` passes on the data directory.

Run by scripts/api-fuzz, which makes the venv (tests/api_fuzz/requirements.txt)."""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import requests
import yaml

TREE_ROOT = "AG-1"

# Operations left out: rotating or disabling an operator would take the run's own tokens away
# (tests/tools/http/api_rights_test.cc tests both).
EXCLUDED_OPERATIONS = ("rotateOperatorToken", "disableOperator")

# The largest card batch generated: the API takes up to 1,000,000 cards a batch, and schemathesis
# tries the boundaries, which would spend the run issuing cards.
CARD_BATCH_MAX = 50


def fuzzing_spec(spec, work):
    """The spec as fuzzed: the API's own, with the card batch's size capped."""
    with open(spec) as source:
        document = yaml.safe_load(source)
    document["components"]["schemas"]["CardBatchRequest"]["properties"]["count"]["maximum"] = CARD_BATCH_MAX
    path = os.path.join(work, "openapi-fuzzed.yaml")
    with open(path, "w") as out:
        yaml.safe_dump(document, out, sort_keys=False)
    return path


def start_server(paystream, data, log):
    """`paystream serve` on a free port: its process, base URL and first admin token."""
    server = subprocess.Popen([paystream, "serve", "--data", data, "--listen", "127.0.0.1:0"],
                              stdout=subprocess.PIPE, stderr=log, text=True)
    token = None
    for line in server.stdout:
        found = re.search(r"admin token: (\S+)", line)
        if found:
            token = found.group(1)
        found = re.search(r"listening on (http://\S+)", line)
        if found:
            return server, found.group(1), token
    raise SystemExit("api-fuzz: the server stopped before it listened (its log: %s)" % log.name)


def call(base, token, method, path, body=None, expect=(200, 201)):
    answer = requests.request(method, base + path, json=body, timeout=30,
                              headers={"Authorization": "Bearer " + token})
    if expect and answer.status_code not in expect:
        raise SystemExit("api-fuzz: set-up %s %s answered %d: %s" % (method, path, answer.status_code, answer.text))
    return answer


def set_up(base, admin):
    """Accounts inside and outside the agent's tree, some money, and the agent operator: its token."""
    call(base, admin, "POST", "/v1/accounts", {"account": TREE_ROOT, "name": "agent", "account_type": "agent"})
    for account, parent in (("S-1", TREE_ROOT), ("S-2", TREE_ROOT), ("D-1", ""), ("D-2", "")):
        body = {"account": account, "name": account}
        if parent:
            body["parent"] = parent
        call(base, admin, "POST", "/v1/accounts", body)
        call(base, admin, "POST", "/v1/accounts/%s/payments" % account, {"amount": "100"})
        call(base, admin, "POST", "/v1/commands",
             {"commands": [{"type": "charge", "cdr_id": "setup-" + account, "account": account, "amount": "1.25",
                            "start_time": "2026-12-01T10:00:00Z"}]})
    added = call(base, admin, "POST", "/v1/operators",
                 {"name": "fuzz-agent", "role": "agent", "agent": TREE_ROOT,
                  "allow": ["pay-self", "pay-sub-accounts", "set-overdraft", "adjust", "reverse"]})
    return added.json()["token"]


def schemathesis(venv, spec, base, token, budget, seed, label, work):
    command = [venv + "/bin/schemathesis", "run", spec, "--url", base,
               "-H", "Authorization: Bearer " + token,
               "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
                           "response_schema_conformance",
               "--phases", "examples,coverage,fuzzing", "--max-time", str(budget), "--workers", "1",
               "--seed", str(seed), "--suppress-health-check", "all", "--no-color"]
    for operation in EXCLUDED_OPERATIONS:
        command += ["--exclude-operation-id", operation]
    print("api-fuzz: schemathesis as %s for %d s" % (label, budget), flush=True)
    # In the run's folder: schemathesis keeps its example database in its working directory.
    return subprocess.run(command, cwd=work).returncode


def tree_of(base, admin):
    """The agent's tree now (schemathesis may have opened sub-accounts in it), from each account's
    parent as an admin reads it."""
    tree = {TREE_ROOT}
    for row in call(base, admin, "GET", "/v1/balances?limit=0").json()["rows"]:
        account = call(base, admin, "GET", "/v1/accounts/" + requests.utils.quote(row["account_id"], safe="")).json()
        if account.get("parent") == TREE_ROOT:
            tree.add(row["account_id"])
    return tree


def check_rights(base, admin, agent):
    """Nothing the agent did or saw lies outside its tree."""
    problems = []
    tree = tree_of(base, admin)
    records = call(base, admin, "GET", "/v1/payment-records?limit=0").json()["rows"]
    for record in records:
        if record.get("operator") == "fuzz-agent" and record["account_id"] not in tree:
            problems.append("the agent made record %s on %s, outside its tree" % (record.get("record_id"),
                                                                                  record["account_id"]))
    # The views below can only show a leak if something outside the tree is there to leak.
    admin_charges = call(base, admin, "GET", "/v1/charges?limit=0").json()["rows"]
    if not any(row["account_id"] not in tree for row in admin_charges):
        problems.append("set-up: no charge outside the agent's tree, so its view of charges proves nothing")
    for what, path in (("balances", "/v1/balances?limit=0"), ("payment records", "/v1/payment-records?limit=0"),
                       ("charges", "/v1/charges?limit=0"), ("account-balance report", "/v1/reports/account-balance")):
        for row in call(base, agent, "GET", path).json()["rows"]:
            if row["account_id"] not in tree:
                problems.append("the agent's %s show %s, outside its tree" % (what, row["account_id"]))
    for account in ("D-1", "D-2"):
        answer = call(base, agent, "GET", "/v1/accounts/" + account, expect=None)
        if answer.status_code not in (403, 404):
            problems.append("the agent read account %s: %d" % (account, answer.status_code))
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paystream", required=True, help="the paystream binary")
    parser.add_argument("--venv", required=True, help="the venv with schemathesis")
    parser.add_argument("--spec", required=True, help="the OpenAPI spec to generate requests from")
    parser.add_argument("--seconds", type=int, default=60, help="schemathesis's time with each token")
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="paystream-api-fuzz-") as work:
        spec = fuzzing_spec(arguments.spec, work)
        data = work + "/data"
        with open(work + "/serve.log", "w") as log:
            server, base, admin = start_server(arguments.paystream, data, log)
            try:
                agent = set_up(base, admin)
                failed = []
                for token, label in ((admin, "admin"), (agent, "agent")):
                    if schemathesis(arguments.venv, spec, base, token, arguments.seconds, arguments.seed, label, work) != 0:
                        failed.append("schemathesis found failures as " + label)
                failed += check_rights(base, admin, agent)
            finally:
                server.terminate()
                code = server.wait(timeout=60)
        if code != 0:
            failed.append("the server exited %d on SIGTERM (its log: see above)" % code)
            print(open(work + "/serve.log").read())
        verified = subprocess.run([arguments.paystream, "replay", "--verify", "--data", data],
                                  capture_output=True, text=True)
        if verified.returncode != 0:
            failed.append("replay --verify failed: " + verified.stdout + verified.stderr)
    for problem in failed:
        print("api-fuzz: " + problem, file=sys.stderr)
    print("api-fuzz: %s" % ("ok" if not failed else "%d problem(s)" % len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
