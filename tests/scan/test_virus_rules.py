#!/usr/bin/env python3
"""The shipped virus rules with a real clamd: found is rejected with the signature and clause,
in archives too; clamd down is a tempfail, never an accept."""
import os
import pathlib
import sys
import unittest
import zipfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "lib"))
from clamd_fixture import ClamdFixture, ClamdUnavailable  # noqa: E402
import staff_mail as mail  # noqa: E402

ARGS = None
EICAR = (b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!" + b"$H+H*")


def staff_mail(name, content):
    return mail.staff_mail(name, content)


def check(raw, *extra):
    return mail.check(ARGS, raw, *extra)


class VirusRules(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        try:
            cls.clamd = ClamdFixture(tcp=True).start()
        except ClamdUnavailable as error:
            if os.environ.get("CI"):
                raise AssertionError(f"clamd is required in CI: {error}")
            raise unittest.SkipTest(str(error))

    @classmethod
    def tearDownClass(cls):
        cls.clamd.cleanup()

    def assert_virus(self, verdict):
        self.assertEqual(verdict["action"], "reject", verdict)
        self.assertEqual([m["rule"] for m in verdict["matches"]], ["virus-found"])
        self.assertIn("Eicar-Test-Signature", verdict["reply"]["text"])
        self.assertIn("4.8.1", verdict["reply"]["text"])
        self.assertEqual(verdict["reply"]["code"], "550")

    def test_eicar_alone_in_a_zip_and_in_a_zip_in_a_zip(self):
        stored = zipfile.ZIP_STORED
        once = mail.zipped({"eicar.txt": EICAR}, stored)
        for name, content in (("eicar.txt", EICAR), ("eicar.zip", once),
                              ("nested.zip", mail.zipped({"inner.zip": once}, stored))):
            with self.subTest(name=name):
                self.assert_virus(check(staff_mail(name, content), "--clamd",
                                        self.clamd.unix_address))
        self.assert_virus(check(staff_mail("eicar.txt", EICAR), "--clamd",
                                self.clamd.inet_address))

    def test_clean_mail_passes_the_scanner(self):
        verdict = check(staff_mail("notes.txt", b"Meeting notes\n"), "--clamd",
                        self.clamd.unix_address)
        self.assertEqual(verdict["action"], "accept", verdict)

    def test_scanning_is_off_without_clamd(self):
        verdict = check(staff_mail("eicar.txt", EICAR))
        self.assertEqual(verdict["action"], "accept", verdict)

    def test_clamd_down_is_a_tempfail(self):
        verdict = check(staff_mail("notes.txt", b"Meeting notes\n"), "--clamd",
                        "unix:/nonexistent/clamd.sock")
        self.assertEqual(verdict["action"], "tempfail", verdict)
        self.assertEqual([m["rule"] for m in verdict["matches"]], ["virus-scan-failed"])
        self.assertEqual((verdict["reply"]["code"], verdict["reply"]["xcode"]), ("451", "4.7.1"))


if __name__ == "__main__":
    mail.parse_and_run(sys.modules[__name__])
