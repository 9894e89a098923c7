#!/usr/bin/env python3
"""The shipped virus rules with a real clamd: found is rejected with the signature and clause,
in archives too; clamd down is a tempfail, never an accept."""
import argparse
import io
import json
import os
import pathlib
import subprocess
import sys
import unittest
import zipfile
from email.message import EmailMessage

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from clamd_fixture import ClamdFixture, ClamdUnavailable  # noqa: E402

ARGS = None
EICAR = (b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!" + b"$H+H*")


def zipped(name, data):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def staff_mail(name, content):
    message = EmailMessage()
    message["From"] = "Jo Bloggs <jo.bloggs@medway.gov.uk>"
    message["To"] = "partner@example.org"
    message["Subject"] = "The file"
    message.set_content("Here is the file.\n")
    message.add_attachment(content, maintype="application", subtype="octet-stream", filename=name)
    return message.as_bytes()


def check(raw, *extra):
    run = subprocess.run(
        [ARGS.aupctl, "check", "--config", ARGS.config, "--auth-user", "jo.bloggs",
         "--sender", "jo.bloggs@medway.gov.uk", "--rcpt", "partner@example.org",
         "--time", "2026-01-07T19:00:00Z", *extra, "-"],
        input=raw, capture_output=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


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
        once = zipped("eicar.txt", EICAR)
        for name, content in (("eicar.txt", EICAR), ("eicar.zip", once),
                              ("nested.zip", zipped("inner.zip", once))):
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


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--aupctl", required=True)
    parser.add_argument("--config", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], "-v", *rest])


if __name__ == "__main__":
    main()
