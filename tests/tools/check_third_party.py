#!/usr/bin/env python3
"""Robustness over real third-party messages: every one, checked as inbound and as staff mail,
gives exit 0, one valid JSON verdict, and finishes in bounded time. None may be rejected as
staff mail for anything but a rule that names a real problem in it (listed here by name).
Where the corporate footer is added, the message as delivered keeps every part: the same leaf
parts, every attachment's decoded bytes identical, no new parser defects."""
import argparse
import email
import email.policy
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile
import threading
import time

PER_MESSAGE_SECONDS = 5.0
POLICY_LOAD_SECONDS = 30.0
BATCH = 200
STAFF = ["--auth-user", "jo.bloggs", "--sender", "jo.bloggs@medway.gov.uk",
         "--rcpt", "partner@example.org", "--time", "2026-01-07T20:00:00Z"]
ACTIONS = {"accept", "tag", "quarantine", "reject", "tempfail"}


def check_batches(aupctl, config, paths, extra=()):
    """{path: (verdict, problem)}, from one aupctl process per BATCH files (one JSON line each,
    in order, flushed as each is decided). Each message must be decided within
    PER_MESSAGE_SECONDS of the one before (the first also has the policy load)."""
    out = {}
    for start in range(0, len(paths), BATCH):
        batch = paths[start:start + BATCH]
        out.update(check_batch(aupctl, config, batch, extra))
    return out


def check_batch(aupctl, config, batch, extra):
    run = subprocess.Popen([aupctl, "check", "--config", config, "--format", "jsonl", *extra,
                            *map(str, batch)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    watchdog = threading.Timer(60 + 10 * len(batch), run.kill)
    watchdog.start()
    out, previous = {}, time.monotonic() + POLICY_LOAD_SECONDS
    for path in batch:
        line = run.stdout.readline()
        now = time.monotonic()
        if not line:
            break
        out[path] = parse_verdict(line, path)
        if out[path][1] is None and now - previous > PER_MESSAGE_SECONDS:
            out[path] = (None, f"took {now - previous:.2f}s")
        previous = now
    rest = run.stdout.read()
    stderr = run.stderr.read().decode(errors="replace")[:200]
    status = run.wait()
    watchdog.cancel()
    if status != 0 or rest or len(out) != len(batch):
        problem = f"exit {status}, {len(out)} verdicts for {len(batch)} files: {stderr}"
        return {path: (None, problem) for path in batch}
    return out


def parse_verdict(text, path):
    """(verdict, None) or (None, problem); the verdict must name that file."""
    try:
        verdict = json.loads(text)
    except json.JSONDecodeError as error:
        return None, f"invalid JSON: {error}"
    if verdict.pop("file", None) != str(path):
        return None, "verdict for another file"
    if verdict.get("action") not in ACTIONS:
        return None, f"unknown action {verdict.get('action')!r}"
    return verdict, None


def leaves(raw):
    """(number of leaf parts, [(filename, decoded bytes)], defect count) per Python's parser."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    count, files, defects = 0, [], len(msg.defects)
    for part in msg.walk():
        defects += len(part.defects)
        if part.is_multipart():
            continue
        count += 1
        if part.get_filename():
            files.append((part.get_filename(), part.get_payload(decode=True)))
    return count, files, defects


def footer_problem(original, modified):
    """Why the message with the footer lost or changed something, or None."""
    before, after = leaves(original), leaves(modified)
    if after[0] != before[0]:
        return f"{before[0]} leaf parts became {after[0]}"
    if after[1] != before[1]:
        return "an attachment changed"
    if after[2] > before[2]:
        return f"parser defects went from {before[2]} to {after[2]}"
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--aupctl", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("directory", type=pathlib.Path)
    args = parser.parse_args()
    messages = sorted(p for p in args.directory.iterdir() if p.name != "README.md")
    if not messages:
        print(f"no messages in {args.directory}", file=sys.stderr)
        return 1
    failures, counts = [], {}
    modified = pathlib.Path(tempfile.mkdtemp(prefix="aup-footer-"))
    verdicts = {"inbound": check_batches(args.aupctl, args.config, messages),
                "staff": check_batches(args.aupctl, args.config, messages,
                                       STAFF + ["--write-modified-dir", str(modified)])}
    for path in messages:
        for label in ("inbound", "staff"):
            verdict, problem = verdicts[label][path]
            if problem:
                failures.append(f"{path.name} ({label}): {problem}")
                continue
            footer = verdict.get("footer", {}).get("outcome")
            counts[(label, "footer " + str(footer))] = counts.get((label, "footer " + str(footer)), 0) + 1
            if footer == "added" and label == "staff":
                problem = footer_problem(path.read_bytes(), (modified / path.name).read_bytes())
                if problem:
                    failures.append(f"{path.name} (footer): {problem}")
            if label == "inbound" and verdict["direction"] == "inbound" and (
                    verdict["action"] != "accept" or footer == "added"):
                failures.append(f"{path.name}: inbound mail was not passed untouched")
            if verdict["action"] == "tempfail":
                failures.append(f"{path.name} ({label}): tempfail on a real message")
            counts[(label, verdict["action"])] = counts.get((label, verdict["action"]), 0) + 1
    for (label, action), n in sorted(counts.items()):
        print(f"{label:8} {action:10} {n}")
    for failure in failures:
        print(failure, file=sys.stderr)
    shutil.rmtree(modified)
    print(f"{len(messages)} messages checked twice, {len(failures)} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
