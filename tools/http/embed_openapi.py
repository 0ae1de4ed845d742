#!/usr/bin/python3
"""Writes a C++ source that holds docs/openapi.yaml as JSON text, for GET /v1/openapi.json.

Usage: embed_openapi.py SPEC.yaml OUTPUT_SOURCE      (run by tools/http/CMakeLists.txt at build time)

The source defines paystream::http::openapi_document_json() (tools/http/openapi_document.h), so the
binary carries its own description and needs no file at run time. The JSON is compact and ASCII
(other characters as \\u escapes), written as C++ string literals in parts.

YAML 1.1, which PyYAML reads, takes an unquoted yes, no, on or off for a boolean and an unquoted
2026-01-01 for a date, where JSON and YAML 1.2 readers of the same file take strings: such a value
is refused here, naming its line, so that no reader of the spec sees another document than the
server serves. So is a mapping key that is not a string (write "200": for a status).
"""
import json
import sys

import yaml

PART_CHARACTERS = 16384  # JSON characters in one C++ string literal


class StrictLoader(yaml.SafeLoader):
    pass


def fail(mark, message):
    raise yaml.constructor.ConstructorError(None, None, message, mark)


def construct_bool(loader, node):
    if node.value.lower() not in ("true", "false"):
        fail(node.start_mark, f"{node.value!r} reads as a boolean in YAML 1.1: quote it")
    return loader.construct_yaml_bool(node)


def refuse_timestamp(loader, node):
    fail(node.start_mark, f"{node.value!r} reads as a date in YAML 1.1: quote it")


StrictLoader.add_constructor("tag:yaml.org,2002:bool", construct_bool)
StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", refuse_timestamp)


def check_keys(value, where="#"):
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                sys.exit(f"embed_openapi: {where}: the key {key!r} is not a string: quote it")
            check_keys(item, f"{where}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_keys(item, f"{where}/{index}")


def cpp_literal(text, width=80):
    """The text as adjacent C++ string literals, one line of `width` characters of it each."""
    pieces = [text[i:i + width] for i in range(0, len(text), width)] or [""]
    return "\n".join('    "' + piece.replace("\\", "\\\\").replace('"', '\\"') + '"' for piece in pieces)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.split("\n\n")[1])
    spec_path, output_path = sys.argv[1:]
    with open(spec_path, encoding="utf-8") as spec_file:
        try:
            document = yaml.load(spec_file, Loader=StrictLoader)
        except yaml.YAMLError as error:
            sys.exit(f"embed_openapi: {spec_path}: {error}")
    check_keys(document)
    text = json.dumps(document, ensure_ascii=True, separators=(",", ":"))
    # A literal longer than 65536 characters is beyond what C++ compilers must support (clang says
    # so under -Wpedantic): the text is made of parts below that, joined once at run time.
    parts = [text[i:i + PART_CHARACTERS] for i in range(0, len(text), PART_CHARACTERS)] or [""]
    initializers = ",\n".join(cpp_literal(part) for part in parts)
    source = f"""// Generated from docs/openapi.yaml by tools/http/embed_openapi.py: edit the YAML, not this.
#include <string>

#include "tools/http/openapi_document.h"

namespace paystream::http {{

std::string_view openapi_document_json() {{
  static constexpr std::string_view parts[] = {{
{initializers}}};
  static const std::string text = [] {{
    std::string joined;
    for (std::string_view part : parts) joined += part;
    return joined;
  }}();
  return text;
}}

}}  // namespace paystream::http
"""
    with open(output_path, "w", encoding="ascii") as output:
        output.write(source)


if __name__ == "__main__":
    main()
