"""Shared by the Python test drivers: a staff message with one attachment, a zip to attach,
`aupctl check` on it as authenticated staff mail, and the --aupctl/--config command line
around unittest. Import with sys.path.insert(0, <tests>/lib)."""
import argparse
import io
import json
import pathlib
import subprocess
import sys
import tempfile
import unittest
import zipfile
from email.message import EmailMessage

STAFF_ENVELOPE = ["--auth-user", "jo.bloggs", "--sender", "jo.bloggs@medway.gov.uk",
                  "--rcpt", "partner@example.org", "--time", "2026-01-07T19:00:00Z"]


def staff_mail(name, content, declared="application/octet-stream"):
    message = EmailMessage()
    message["From"] = "Jo Bloggs <jo.bloggs@medway.gov.uk>"
    message["To"] = "partner@example.org"
    message["Subject"] = "The file"
    message.set_content("Here is the file.\n")
    major, minor = declared.split("/")
    message.add_attachment(content, maintype=major, subtype=minor, filename=name)
    return message.as_bytes()


def zipped(members, compression=zipfile.ZIP_DEFLATED):
    """A zip holding `members`, {name: bytes} or (name, bytes) pairs, in order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in (members.items() if hasattr(members, "items") else members):
            archive.writestr(name, data)
    return buffer.getvalue()


def check(args, raw, *extra):
    """The verdict of `aupctl check` on `raw` sent by jo.bloggs to an outside partner."""
    run = subprocess.run([args.aupctl, "check", "--config", args.config, *STAFF_ENVELOPE, *extra,
                          "-"], input=raw, capture_output=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def check_many(args, raws, *extra):
    """The verdicts of `aupctl check` on each of `raws`, in order, from one process (one policy
    load): a sanitizer build pays that load once rather than once per message."""
    with tempfile.TemporaryDirectory(prefix="aup-staff-") as directory:
        paths = []
        for number, raw in enumerate(raws):
            paths.append(pathlib.Path(directory) / f"{number:05}.eml")
            paths[-1].write_bytes(raw)
        run = subprocess.run([args.aupctl, "check", "--config", args.config, "--format", "jsonl",
                              *STAFF_ENVELOPE, *extra, *map(str, paths)], capture_output=True,
                             timeout=120 + 10 * len(raws))
    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert [line.pop("file") for line in lines] == list(map(str, paths)), "verdicts out of order"
    return lines


def parse_and_run(module, add_arguments=lambda parser: None):
    """Parses --aupctl and --config (and what `add_arguments` adds) into module.ARGS, then
    runs the module's unittest cases with the remaining arguments."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--aupctl", required=True)
    parser.add_argument("--config", required=True)
    add_arguments(parser)
    module.ARGS, rest = parser.parse_known_args()
    unittest.main(module=module, argv=[sys.argv[0], "-v", *rest])
