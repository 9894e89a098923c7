#!/usr/bin/env python3
"""Runs expected-verdict corpus cases through `aupctl check` and compares the verdicts: one
case per run (a ctest each), or several, in one aupctl process per distinct envelope (the
sanitizer builds, where each process start and policy load costs seconds).

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


def command_for(aupctl, config, emls, envelope):
    cmd = [aupctl, "check", "--config", config, "--format", "jsonl"]
    if "sender" in envelope:
        cmd += ["--sender", envelope["sender"]]
    for rcpt in envelope.get("rcpt", []):
        cmd += ["--rcpt", rcpt]
    for key, flag in (("auth_user", "--auth-user"), ("client_ip", "--client-ip"), ("time", "--time")):
        if key in envelope:
            cmd += [flag, envelope[key]]
    return cmd + [str(eml) for eml in emls]


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


def verdicts_of(aupctl, config, emls, envelope):
    """{file name: verdict} for cases sharing `envelope`, from one aupctl process."""
    cmd = command_for(aupctl, config, emls, envelope)
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=60 + 10 * len(emls))
    if run.returncode != 0:
        raise RuntimeError(f"aupctl exited {run.returncode}: {run.stderr}")
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    return {line.pop("file"): line for line in lines}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--aupctl", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("emls", type=pathlib.Path, nargs="+")
    args = parser.parse_args()
    by_envelope = {}
    for eml in args.emls:
        case = json.loads(eml.with_suffix(".json").read_text())
        key = json.dumps(case.get("envelope", {}), sort_keys=True)
        by_envelope.setdefault(key, []).append((eml, case))
    failed = 0
    for key, cases in by_envelope.items():
        try:
            verdicts = verdicts_of(args.aupctl, args.config, [eml for eml, _ in cases],
                                   json.loads(key))
        except RuntimeError as error:
            print(error, file=sys.stderr)
            return 1
        for eml, case in cases:
            verdict = verdicts.get(str(eml), {})
            problems = problems_with(verdict, case["expect"])
            for problem in problems:
                print(f"{eml.name}: {problem}", file=sys.stderr)
            if problems:
                print(json.dumps(verdict, indent=2), file=sys.stderr)
                failed += 1
    if len(args.emls) > 1:
        print(f"{len(args.emls)} cases in {len(by_envelope)} aupctl runs, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
