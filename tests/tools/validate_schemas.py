#!/usr/bin/env python3
"""The shipped configuration and rule files validate against rules/schema/, and the schemas
really constrain: known-bad documents are refused."""
import json
import pathlib
import sys

import jsonschema

ROOT = pathlib.Path(__file__).resolve().parents[2]
RULES = ROOT / "rules"


def validator(name):
    schema = json.loads((RULES / "schema" / name).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def main():
    config_schema, rules_schema = validator("config.schema.json"), validator("rules.schema.json")
    problems, checked = [], 0
    for config_path in (RULES / "aup.json", ROOT / "tests" / "corpus" / "example-policy" / "aup.json"):
        config = json.loads(config_path.read_text())
        problems += [f"{config_path}: {e.message}" for e in config_schema.iter_errors(config)]
        for name in config["rule_files"]:
            document = json.loads((config_path.parent / name).read_text())
            problems += [f"{name}: {e.json_path}: {e.message}"
                         for e in rules_schema.iter_errors(document)]
        checked += 1 + len(config["rule_files"])
    config = json.loads((RULES / "aup.json").read_text())
    rule = {"id": "x", "description": "d", "policy_ref": "4.4", "scope": "body", "pattern": "a",
            "action": "tag"}
    must_fail = {
        "unknown config key": (config_schema, {**config, "surprise": 1}),
        "bad action": (rules_schema, {"rules": [{**rule, "action": "drop"}]}),
        "bad scope": (rules_schema, {"rules": [{**rule, "scope": "bodies"}]}),
        "pattern and check": (rules_schema, {"rules": [{**rule, "check": "empty_subject"}]}),
        "reply with newline": (rules_schema, {"rules": [{**rule, "reply": "a\nb"}]}),
        "missing policy_ref": (rules_schema, {"rules": [{k: v for k, v in rule.items() if k != "policy_ref"}]}),
    }
    for label, (schema, document) in must_fail.items():
        if schema.is_valid(document):
            problems.append(f"schema accepts a document with {label}")
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"schemas: {checked} files validated, {len(must_fail)} bad documents refused, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
