#!/usr/bin/env python3
"""aup-loadgen against real milters: the null milter accepts everything; aup-milter with the
shipped policy gives each kind of message its verdict, counted exactly; open loop keeps its
rate; the report's percentiles are ordered. (A driver check, not a benchmark.)"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "lib"))
from testlib import free_port, start_listening  # noqa: E402

ARGS = None
HEAD = ("From: Jo Bloggs <jo.bloggs@medway.gov.uk>\r\nTo: partner@example.org\r\n"
        "Subject: {subject}\r\nMessage-ID: <{n}@loadgen.invalid>\r\nMIME-Version: 1.0\r\n")
MESSAGES = {
    "1-clean.eml": HEAD + "Content-Type: text/plain\r\n\r\n" + "The planning figures.\r\n" * 3000,
    "2-chain.eml": HEAD + "Content-Type: text/plain\r\n\r\nForward this email to 10 people "
                          "within 24 hours. Do not break the chain!\r\n",
    "3-exe.eml": HEAD + 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
                        "Content-Type: text/plain\r\n\r\nSetup.\r\n--b\r\n"
                        'Content-Type: application/octet-stream; name="setup.exe"\r\n'
                        'Content-Disposition: attachment; filename="setup.exe"\r\n'
                        "Content-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA//8AALgAAAAA\r\n"
                        "--b--\r\n",
    "4-empty-subject.eml": HEAD + "Content-Type: text/plain\r\n\r\nNo subject.\r\n",
}
SUBJECTS = {"1-clean.eml": "Figures", "2-chain.eml": "Luck", "3-exe.eml": "Tool",
            "4-empty-subject.eml": ""}


def start(command, port):
    return start_listening(command, port, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class LoadgenTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        root = pathlib.Path(cls.tmp.name)
        cls.messages = root / "messages"
        cls.messages.mkdir()
        for n, (name, text) in enumerate(MESSAGES.items()):
            (cls.messages / name).write_text(text.format(subject=SUBJECTS[name], n=n))
        rules = pathlib.Path(ARGS.config).resolve().parent
        config = json.loads(pathlib.Path(ARGS.config).read_text())
        config["rule_files"] = [str(rules / f) for f in config["rule_files"]]
        config["quarantine"] = {"directory": str(root / "quarantine")}
        (root / "aup.json").write_text(json.dumps(config))
        cls.aup_port, cls.null_port, cls.parse_port = free_port(), free_port(), free_port()
        cls.aup = start([ARGS.milter, "--config", str(root / "aup.json"), "--socket",
                         "inet:%d@127.0.0.1" % cls.aup_port, "--foreground"], cls.aup_port)
        cls.null = start([ARGS.null_milter, "inet:%d@127.0.0.1" % cls.null_port], cls.null_port)
        cls.parse = start([ARGS.null_milter, "--parse", "inet:%d@127.0.0.1" % cls.parse_port],
                          cls.parse_port)

    @classmethod
    def tearDownClass(cls):
        for process in (cls.aup, cls.null, cls.parse):
            process.terminate()
            process.wait(timeout=15)
        cls.tmp.cleanup()

    def load(self, port, *extra):
        run = subprocess.run([ARGS.loadgen, "--socket", "inet:%d@127.0.0.1" % port,
                              "--messages", str(self.messages), "--json", *extra],
                             capture_output=True, text=True, timeout=300)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        report = json.loads(run.stdout)
        latency = report["latency_ms"]
        self.assertLessEqual(latency["p50"], latency["p90"])
        self.assertLessEqual(latency["p90"], latency["p99"])
        self.assertLessEqual(latency["p99"], latency["max"])
        self.assertEqual(sum(report["histogram"].values()), report["messages"])
        return report

    def test_null_milter_accepts_everything(self):
        report = self.load(self.null_port, "--count", "200", "--connections", "8")
        self.assertEqual(report["verdicts"], {"accept": 200})
        self.assertEqual(report["errors"], {})

    def test_parsing_null_milter_accepts_everything(self):
        report = self.load(self.parse_port, "--count", "200", "--connections", "8")
        self.assertEqual(report["verdicts"], {"accept": 200})
        self.assertEqual(report["errors"], {})
        self.assertIsNone(self.parse.poll(), "the parsing null milter exited")

    def test_aup_milter_verdicts_are_counted_exactly(self):
        report = self.load(self.aup_port, "--count", "80", "--connections", "4",
                           "--auth-user", "jo.bloggs")
        # Clean and tagged mail get the footer (modified); the chain letter is stored and
        # discarded; the executable is rejected.
        self.assertEqual(report["verdicts"],
                         {"accept-modified": 40, "discard": 20, "reject": 20})
        self.assertEqual(report["errors"], {})

    def test_inbound_mail_is_accepted_at_mail_from(self):
        report = self.load(self.aup_port, "--count", "8", "--client-ip", "203.0.113.5",
                           "--sender", "someone@example.net", "--rcpt", "jo.bloggs@medway.gov.uk")
        self.assertEqual(report["verdicts"], {"accept": 8})

    def test_open_loop_keeps_its_rate(self):
        started = time.monotonic()
        report = self.load(self.null_port, "--count", "40", "--rate", "100", "--connections", "4")
        self.assertGreaterEqual(time.monotonic() - started, 0.39, "faster than the rate")
        self.assertEqual(report["messages"], 40)


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    for name in ("--milter", "--null-milter", "--loadgen", "--config"):
        parser.add_argument(name, required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], "-v", *rest])


if __name__ == "__main__":
    main()
