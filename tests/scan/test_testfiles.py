#!/usr/bin/env python3
"""ClamAV's harmless test files (Debian clamav-testfiles: clam.exe in many wrappers), each
attached to a staff message. Without clamd: how many the name, type and archive rules alone
stop. With clamd (a test database holding clam.exe's hash, as no official database can be
downloaded here): all of them must be stopped. Prints the counts."""
import argparse
import hashlib
import json
import os
import pathlib
import subprocess
import sys
import unittest
from email.message import EmailMessage

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from clamd_fixture import ClamdFixture, ClamdUnavailable  # noqa: E402

ARGS = None
TESTFILES = pathlib.Path("/usr/share/clamav-testfiles")
STOPPED = {"reject", "quarantine", "tempfail"}


def staff_mail(path):
    message = EmailMessage()
    message["From"] = "Jo Bloggs <jo.bloggs@medway.gov.uk>"
    message["To"] = "partner@example.org"
    message["Subject"] = "The file"
    message.set_content("Here is the file.\n")
    message.add_attachment(path.read_bytes(), maintype="application", subtype="octet-stream",
                           filename=path.name)
    return message.as_bytes()


def verdict(path, *extra):
    run = subprocess.run(
        [ARGS.aupctl, "check", "--config", ARGS.config, "--auth-user", "jo.bloggs",
         "--sender", "jo.bloggs@medway.gov.uk", "--rcpt", "partner@example.org",
         "--time", "2026-01-07T19:00:00Z", *extra, "-"],
        input=staff_mail(path), capture_output=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def files():
    if not TESTFILES.is_dir():
        if os.environ.get("CI"):
            raise AssertionError("clamav-testfiles is required in CI")
        raise unittest.SkipTest("clamav-testfiles not installed")
    return sorted(p for p in TESTFILES.iterdir() if p.is_file())


class TestFiles(unittest.TestCase):
    def test_rules_alone(self):
        results = {p.name: verdict(p)["action"] for p in files()}
        passed = sorted(name for name, action in results.items() if action not in STOPPED)
        sys.stderr.write(f"\n  without clamd: {len(results) - len(passed)} of {len(results)} "
                         f"stopped by name, type and archive rules; passed: {', '.join(passed)}\n")
        self.assertGreaterEqual(len(results) - len(passed), ARGS.min_without_clamd)

    def test_with_clamd_all_are_stopped(self):
        clam = (TESTFILES / "clam.exe").read_bytes() if TESTFILES.is_dir() else b""
        signature = f"{hashlib.md5(clam).hexdigest()}:{len(clam)}:Clamav-Test-File-Exe"
        try:
            clamd = ClamdFixture(tcp=False, extra_signatures=[signature]).start()
        except ClamdUnavailable as error:
            if os.environ.get("CI"):
                raise AssertionError(f"clamd is required in CI: {error}")
            raise unittest.SkipTest(str(error))
        try:
            results = {p.name: verdict(p, "--clamd", clamd.unix_address)["action"]
                       for p in files()}
        finally:
            clamd.cleanup()
        passed = sorted(name for name, action in results.items() if action not in STOPPED)
        sys.stderr.write(f"\n  with clamd: {len(results) - len(passed)} of {len(results)} "
                         f"stopped; passed: {', '.join(passed) or 'none'}\n")
        self.assertEqual(passed, [])


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--aupctl", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--min-without-clamd", type=int, default=0)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], "-v", *rest])


if __name__ == "__main__":
    main()
