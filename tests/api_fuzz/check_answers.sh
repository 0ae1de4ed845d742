#!/bin/sh
# Real answers against the spec: runs the HTTP API's tests (tests/tools/http) with
# PAYSTREAM_RECORD_RESPONSES set, embedded and in Kafka mode on a dev-broker, then checks every JSON
# answer they got against docs/openapi.yaml (validate_responses.py, with the api-fuzz venv's
# jsonschema_rs). Usage: tests/api_fuzz/check_answers.sh BUILD_DIR
set -eu
cd "$(dirname "$0")/../.."
build=$(cd "$1" && pwd)
venv=$(scripts/python-venv tests/api_fuzz/requirements.txt api-fuzz)
answers=$(mktemp -d /tmp/paystream-answers-XXXXXX)
trap 'rm -rf "$answers"' EXIT
export PAYSTREAM_RECORD_RESPONSES="$answers"
# Embedded: the tests that answer JSON, in one process. Kafka mode: one process per test (each
# makes its own topics), as ctest runs them.
"$build/tests/tools/http/paystream_http_tests" \
  "[writes],[queries],[errors],[rights],[audit],[cards],[charges],[reports],[maintenance],[operators],[parameters],[command-id],[batch],[export],[openapi],[console]" \
  >"$answers/embedded.log" 2>&1 || { cat "$answers/embedded.log"; exit 1; }
ctest --test-dir "$build" -R '^http-kafka/' -LE 'kafka-real|registries' -j2 --output-on-failure >"$answers/kafka.log" 2>&1 ||
  { cat "$answers/kafka.log"; exit 1; }
"$venv/bin/python" tests/api_fuzz/validate_responses.py docs/openapi.yaml "$answers"
