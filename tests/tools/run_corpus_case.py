#!/usr/bin/env python3
"""Runs one expected-verdict corpus case through `aupctl check` and compares the verdict.

A case is NAME.eml with a sidecar NAME.json:
  {"envelope": {"sender": ..., "rcpt": [...], "auth_user": ..., "client_ip": ..., "time": ...},
   "expect": {"action": "reject", "direction": "outbound",
              "rules": ["rule-id", ...],            # exactly these rules match (any mode)
              "reply_contains": ["4.4", ...],       # optional: substrings of reply.text
              "detail_contains": {"rule-id": "excerpt"}}}   # optional
Every envelope key is optional; a missing one is left for aupctl to derive from the headers.
"""
import argparse
import json
import pathlib
import subprocess
import sys


def command_for(aupctl, config, eml, envelope):
    cmd = [aupctl, "check", "--config", config, "--format", "json"]
    if "sender" in envelope:
        cmd += ["--sender", envelope["sender"]]
    for rcpt in envelope.get("rcpt", []):
        cmd += ["--rcpt", rcpt]
    for key, flag in (("auth_user", "--auth-user"), ("client_ip", "--client-ip"), ("time", "--time")):
        if key in envelope:
            cmd += [flag, envelope[key]]
    return cmd + [str(eml)]


def problems_with(verdict, expect):
    problems = []
    for key in ("action", "direction"):
        if key in expect and verdict.get(key) != expect[key]:
            problems.append(f"{key}: expected {expect[key]!r}, got {verdict.get(key)!r}")
    matched = sorted(m["rule"] for m in verdict.get("matches", []))
    if "rules" in expect and matched != sorted(expect["rules"]):
        problems.append(f"rules: expected {sorted(expect['rules'])}, got {matched}")
    reply_text = (verdict.get("reply") or {}).get("text", "")
    for needle in expect.get("reply_contains", []):
        if needle not in reply_text:
            problems.append(f"reply text {reply_text!r} lacks {needle!r}")
    details = {m["rule"]: m["detail"] for m in verdict.get("matches", [])}
    for rule, needle in expect.get("detail_contains", {}).items():
        if needle not in details.get(rule, ""):
            problems.append(f"detail of {rule} {details.get(rule)!r} lacks {needle!r}")
    if verdict.get("action") in ("reject", "tempfail") and "reply" not in verdict:
        problems.append("reject/tempfail verdict without a reply")
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--aupctl", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("eml", type=pathlib.Path)
    args = parser.parse_args()
    case = json.loads(args.eml.with_suffix(".json").read_text())
    cmd = command_for(args.aupctl, args.config, args.eml, case.get("envelope", {}))
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if run.returncode != 0:
        print(f"aupctl exited {run.returncode}: {run.stderr}", file=sys.stderr)
        return 1
    verdict = json.loads(run.stdout)
    problems = problems_with(verdict, case["expect"])
    for problem in problems:
        print(f"{args.eml.name}: {problem}", file=sys.stderr)
    if problems:
        print(json.dumps(verdict, indent=2), file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
