#!/usr/bin/env python3
"""Real answers against the spec (issue 19, docs/reliability.md "API fuzzing"): every JSON answer
the HTTP API tests got (recorded by tests/support/server_process.cc with
PAYSTREAM_RECORD_RESPONSES=DIR) must be one docs/openapi.yaml describes: its path and method an
operation, its status one of that operation's responses, and its body valid against that
response's schema. Prints how many answers and operations were checked; exit 1 on any mismatch.

  validate_responses.py SPEC DIR"""
import glob
import json
import sys

import jsonschema_rs
import yaml


def pointer(spec, ref):
    node = spec
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


def operation_for(spec, method, path):
    """The spec's (template, operation) for a concrete path: literal segments first, as the router."""
    segments = path.strip("/").split("/")
    best = None
    for template, item in spec["paths"].items():
        parts = template.strip("/").split("/")
        if len(parts) != len(segments):
            continue
        literal = 0
        for want, have in zip(parts, segments):
            if want.startswith("{") and want.endswith("}"):
                if not have:
                    break
            elif want != have:
                break
            else:
                literal += 1
        else:
            if method in item and (best is None or literal > best[0]):
                best = (literal, template, item[method])
    return (best[1], best[2]) if best else (None, None)


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    with open(sys.argv[1]) as source:
        spec = yaml.safe_load(source)
    validators = {}
    checked = 0
    operations = set()
    failures = []
    files = sorted(glob.glob(sys.argv[2] + "/responses-*.jsonl"))
    for name in files:
        with open(name) as lines:
            for number, line in enumerate(lines, 1):
                answer = json.loads(line)
                method = "get" if answer["method"] == "HEAD" else answer["method"].lower()
                where = "%s %s -> %d" % (answer["method"], answer["path"], answer["status"])
                template, operation = operation_for(spec, method, answer["path"])
                if operation is None:
                    if answer["status"] in (404, 405):  # a route that does not exist, on purpose
                        continue
                    failures.append("%s: no operation of the spec" % where)
                    continue
                responses = operation["responses"]
                response = responses.get(str(answer["status"]), responses.get("default"))
                if response is None:
                    failures.append("%s: status not among %s's responses (%s)" %
                                    (where, operation["operationId"], ", ".join(sorted(responses))))
                    continue
                if "$ref" in response:
                    response = pointer(spec, response["$ref"])
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                if schema is None:
                    failures.append("%s: %s answers no JSON with that status in the spec" %
                                    (where, operation["operationId"]))
                    continue
                key = json.dumps(schema, sort_keys=True)
                if key not in validators:
                    validators[key] = jsonschema_rs.Draft202012Validator(dict(schema, components=spec["components"]))
                try:
                    body = json.loads(answer["body"])
                except ValueError:
                    failures.append("%s: the body is not JSON" % where)
                    continue
                errors = [error.message for error in validators[key].iter_errors(body)]
                if errors:
                    failures.append("%s (%s): %s; body %s" % (where, operation["operationId"], errors[0],
                                                              answer["body"][:300]))
                    continue
                checked += 1
                operations.add(operation["operationId"])
    for failure in failures[:50]:
        print("validate-responses: " + failure, file=sys.stderr)
    total = sum(1 for item in spec["paths"].values() for method in item if method in
                ("get", "put", "post", "delete", "patch"))
    print("validate-responses: %d answers of %d operations (of %d) match docs/openapi.yaml; %d do not"
          % (checked, len(operations), total, len(failures)))
    if not files or checked == 0:
        print("validate-responses: no answer was recorded in %s" % sys.argv[2], file=sys.stderr)
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
