#!/usr/bin/env python3
"""ClamAV's harmless test files (Debian clamav-testfiles: clam.exe in many wrappers), each
attached to a staff message. Without clamd: how many the name, type and archive rules alone
stop. With clamd (a test database holding clam.exe's hash, as no official database can be
downloaded here): all of them must be stopped. Prints the counts."""
import hashlib
import os
import pathlib
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "lib"))
from clamd_fixture import ClamdFixture, ClamdUnavailable  # noqa: E402
import staff_mail as mail  # noqa: E402

ARGS = None
TESTFILES = pathlib.Path("/usr/share/clamav-testfiles")
STOPPED = {"reject", "quarantine", "tempfail"}


def actions(paths, *extra):
    """{file name: action} for each test file attached to a staff message."""
    raws = [mail.staff_mail(p.name, p.read_bytes()) for p in paths]
    return {p.name: v["action"] for p, v in zip(paths, mail.check_many(ARGS, raws, *extra))}


def files():
    if not TESTFILES.is_dir():
        if os.environ.get("CI"):
            raise AssertionError("clamav-testfiles is required in CI")
        raise unittest.SkipTest("clamav-testfiles not installed")
    return sorted(p for p in TESTFILES.iterdir() if p.is_file())


class TestFiles(unittest.TestCase):
    def test_rules_alone(self):
        results = actions(files())
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
            results = actions(files(), "--clamd", clamd.unix_address)
        finally:
            clamd.cleanup()
        passed = sorted(name for name, action in results.items() if action not in STOPPED)
        sys.stderr.write(f"\n  with clamd: {len(results) - len(passed)} of {len(results)} "
                         f"stopped; passed: {', '.join(passed) or 'none'}\n")
        self.assertEqual(passed, [])


if __name__ == "__main__":
    mail.parse_and_run(sys.modules[__name__], lambda parser: parser.add_argument(
        "--min-without-clamd", type=int, default=0))
