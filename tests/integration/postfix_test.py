#!/usr/bin/env python3
# aup-milter behind a real Postfix: a private instance in a temp dir relays to smtp-sink, and
# each verdict is checked where users see it (SMTP reply, delivered headers, hold queue).
#
# Usage (as root; needs Debian's postfix package):
#   python3 tests/integration/postfix_test.py --milter build-dev/bin/aup-milter \
#       --config rules/aup.json [-v] [unittest args...]
# Without --milter only the "no milter" test runs (the rest are skipped).
import argparse
import email
import email.policy
import json
import os
import shutil
import signal
import smtplib
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import postfix_harness as harness  # noqa: E402

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
ARGS = argparse.Namespace(milter=None, aupctl=None,
                          config=os.path.join(REPO, "rules", "aup.json"), keep=False)
DELIVERY_TIMEOUT = 30
SENDER = "jo.bloggs@medway.gov.uk"
PARTNER = "partner@example.org"


def make_message(token, subject="Meeting notes for Thursday", text=None, attachment=None,
                 sender=SENDER, to=PARTNER):
    """An RFC 5322 message (CRLF) with token in its Message-ID and at the end of its body."""
    text = text or "Hello,\r\n\r\nPlease find the notes from the planning meeting below.\r\n"
    head = ("From: Jo Bloggs <%s>\r\nTo: %s\r\nSubject: %s\r\n"
            "Date: Mon, 05 Jan 2026 10:00:00 +0000\r\nMessage-ID: <%s@aup-test.invalid>\r\n"
            "MIME-Version: 1.0\r\n" % (sender, to, subject, token))
    if attachment is None:
        return (head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text
                + "\r\n" + token + "\r\n").encode()
    name, payload = attachment
    return (head + 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
            "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text + "\r\n"
            '--b1\r\nContent-Type: application/octet-stream; name="%s"\r\n'
            'Content-Disposition: attachment; filename="%s"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--b1--\r\n%s\r\n"
            % (name, name, payload, token)).encode()


EXE_PAYLOAD = "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
CHAIN_TEXT = ("Good luck is coming your way.\r\n"
              "Forward this email to 10 people within 24 hours. Do not break the chain!\r\n")


class Result:
    """How far one SMTP transaction got: the first refusing reply, or the final 250."""

    def __init__(self, stage, code, text):
        self.stage, self.code, self.text = stage, code, text

    @property
    def accepted(self):
        return self.stage == "done" and self.code == 250

    def __repr__(self):
        return "Result(%s, %d, %r)" % (self.stage, self.code, self.text)


class PostfixFixture(unittest.TestCase):
    """A private Postfix with the milter, a sink, and a release relay; no tests of its own."""

    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="aup-postfix-test-")
        cls.started = time.monotonic()
        cls.sink = cls.milter = cls.postfix = None
        try:
            cls.sink = harness.Sink(cls.root, harness.free_port())
            cls.sink.start()
            cls.milter_port = harness.free_port()
            cls.release_port = harness.free_port()
            if ARGS.milter:
                # The milter reads a private copy of the configuration directory, so that the
                # reload test can break and repair rule files.
                cls.policy_dir = os.path.join(cls.root, "policy")
                shutil.copytree(os.path.dirname(os.path.abspath(ARGS.config)), cls.policy_dir)
                cls.config = os.path.join(cls.policy_dir, os.path.basename(ARGS.config))
                cls.quarantine_dir = os.path.join(cls.root, "quarantine")
                cls.configure_quarantine()
                cls.milter = harness.Milter(cls.root, ARGS.milter, cls.config, cls.milter_port)
                cls.milter.start()
            cls.postfix = harness.Postfix(cls.root, harness.free_port(), cls.sink.port,
                                          cls.milter_port, cls.release_port)
            cls.postfix.start()
        except Exception:
            cls._teardown_all()
            raise

    @classmethod
    def configure_quarantine(cls, **changes):
        """The quarantine section of the milter's configuration: store mode in the temp dir,
        releasing through the milter-less smtpd of the private Postfix."""
        with open(cls.config) as f:
            doc = json.load(f)
        doc["quarantine"] = dict({
            "mode": "store", "directory": cls.quarantine_dir,
            "release_relay": "127.0.0.1:%d" % cls.release_port,
            "postfix_config_directory": os.path.join(cls.root, "etc"),
            "sender_notice": {"enabled": True}}, **changes)
        with open(cls.config, "w") as f:
            json.dump(doc, f, indent=2)

    @classmethod
    def tearDownClass(cls):
        cls._teardown_all()

    @classmethod
    def _teardown_all(cls):
        for part in (cls.postfix, cls.milter, cls.sink):
            if part is not None:
                try:
                    part.stop()
                except Exception as e:  # keep tearing down the rest
                    sys.stderr.write("teardown: %s\n" % e)
        if ARGS.keep:
            sys.stderr.write("kept %s\n" % cls.root)
        else:
            shutil.rmtree(cls.root, ignore_errors=True)

    def setUp(self):
        if ARGS.milter is None and not getattr(getattr(self, self._testMethodName), "runs_without_milter", False):
            self.skipTest("no --milter given")
        if self.milter is not None and not self.milter.alive():
            self.milter.start()  # a previous test killed it
        self.token = "aup-" + uuid.uuid4().hex

    def diagnostics(self):
        return "\n--- maillog ---\n%s\n--- milter log ---\n%s" % (
            self.postfix.log_text()[-6000:], self.milter.log_text()[-4000:] if self.milter else "")

    # --- the SMTP client ---------------------------------------------------------------------

    def submit(self, message, sender=SENDER, rcpts=(PARTNER,), xclient="LOGIN=jo.bloggs"):
        """Sends one message; xclient (e.g. 'ADDR=203.0.113.5') overrides the client identity."""
        with smtplib.SMTP("127.0.0.1", self.postfix.smtpd_port, timeout=60) as s:
            code, text = s.ehlo("client.aup-test.invalid")
            if code != 250:
                return Result("ehlo", code, text.decode())
            if xclient:
                code, text = s.docmd("XCLIENT", xclient)
                if code != 220:
                    return Result("xclient", code, text.decode())
                code, text = s.ehlo("client.aup-test.invalid")
                if code != 250:
                    return Result("ehlo", code, text.decode())
            code, text = s.mail(sender)
            if code != 250:
                return Result("mail", code, text.decode())
            for r in rcpts:
                code, text = s.rcpt(r)
                if code not in (250, 251):
                    return Result("rcpt", code, text.decode())
            try:
                code, text = s.data(message)
            except smtplib.SMTPDataError as e:
                return Result("data", e.smtp_code, e.smtp_error.decode())
            return Result("done" if code == 250 else "data", code, text.decode())

    def wait_delivered(self, token=None):
        token = token or self.token
        data = harness.wait_for(lambda: self.sink.find(token), DELIVERY_TIMEOUT)
        self.assertIsNotNone(data, "message %s not delivered to the sink%s"
                             % (token, self.diagnostics()))
        return email.message_from_bytes(data, policy=email.policy.compat32)

    def assert_not_delivered(self, token=None):
        """Nothing with token reaches the sink: a later message overtaking it is the barrier."""
        token = token or self.token
        barrier = "aup-barrier-" + uuid.uuid4().hex
        if self.milter is not None and self.milter.alive():
            r = self.submit(make_message(barrier))
            self.assertTrue(r.accepted, "barrier message refused: %r%s" % (r, self.diagnostics()))
            self.wait_delivered(barrier)
            time.sleep(0.5)
        else:
            time.sleep(3)
        self.assertIsNone(self.sink.find(token), "message %s was delivered" % token)

    def assert_no_aup_headers(self, msg):
        ours = [k for k in msg.keys() if k.lower().startswith("x-aup-")]
        self.assertEqual(ours, [], "unexpected policy headers %s" % ours)

    def held_messages(self):
        return [m for m in self.postfix.queued_messages() if m.get("queue_name") == "hold"]

    def stored_items(self):
        """{id: raw bytes} of every complete item in the quarantine directory."""
        items = os.path.join(self.quarantine_dir, "items")
        out = {}
        for name in os.listdir(items):
            with open(os.path.join(items, name, "message.eml"), "rb") as f:
                out[name] = f.read()
        return out

    def stored_with(self, token):
        return [i for i, raw in self.stored_items().items() if token.encode() in raw]


class PostfixMilterTest(PostfixFixture):
    # --- the tests ---------------------------------------------------------------------------

    def test_clean_outbound_message_is_delivered_unchanged(self):
        r = self.submit(make_message(self.token))
        self.assertTrue(r.accepted, "%r%s" % (r, self.diagnostics()))
        msg = self.wait_delivered()
        self.assert_no_aup_headers(msg)
        self.assertEqual(msg["Subject"], "Meeting notes for Thursday")

    def test_empty_subject_is_tagged_and_delivered(self):
        r = self.submit(make_message(self.token, subject=""))
        self.assertTrue(r.accepted, "%r%s" % (r, self.diagnostics()))
        msg = self.wait_delivered()
        self.assertEqual(msg.get_all("X-AUP-Verdict"), ["tag"], self.diagnostics())
        self.assertIn("empty-subject", msg.get("X-AUP-Rules", ""))
        self.assertIn("4.6.1", msg.get("X-AUP-Clauses", ""))

    def test_forged_policy_headers_are_replaced(self):
        forged = make_message(self.token, subject="").replace(
            b"MIME-Version:", b"X-AUP-Verdict: accept\r\nX-AUP-Rules: none\r\nMIME-Version:")
        r = self.submit(forged)
        self.assertTrue(r.accepted, "%r%s" % (r, self.diagnostics()))
        msg = self.wait_delivered()
        self.assertEqual(msg.get_all("X-AUP-Verdict"), ["tag"])
        self.assertEqual(len(msg.get_all("X-AUP-Rules")), 1)

    def test_executable_attachment_is_rejected_citing_clause(self):
        r = self.submit(make_message(self.token, attachment=("setup.exe", EXE_PAYLOAD)))
        self.assertEqual((r.stage, r.code), ("data", 550), "%r%s" % (r, self.diagnostics()))
        self.assertIn("5.7.1", r.text)
        self.assertIn("3.2", r.text)
        self.assert_not_delivered()

    def test_authenticated_client_on_external_address_is_outbound(self):
        # Only {auth_authen} makes this originating: the client address is external.
        r = self.submit(make_message(self.token, attachment=("setup.exe", EXE_PAYLOAD)),
                        xclient="ADDR=203.0.113.5 NAME=[UNAVAILABLE] LOGIN=jo.bloggs")
        self.assertEqual((r.stage, r.code), ("data", 550), "%r%s" % (r, self.diagnostics()))
        self.assertIn("3.2", r.text)

    def test_chain_letter_is_stored_for_review_and_not_delivered(self):
        held_before = {m["queue_id"] for m in self.held_messages()}
        r = self.submit(make_message(self.token, subject="Good luck", text=CHAIN_TEXT))
        self.assertTrue(r.accepted, "%r%s" % (r, self.diagnostics()))
        self.assertEqual(len(self.stored_with(self.token)), 1, self.diagnostics())
        self.assertEqual([m for m in self.held_messages() if m["queue_id"] not in held_before],
                         [], "store mode must not use the hold queue")
        self.assert_not_delivered()

    def test_quoted_council_address_in_external_recipient_is_outbound(self):
        # Issue 19: the quoted local part holds a council address, the domain is external.
        # Read with rfind('<') it was internal and the marked message went out untouched.
        hostile = '<"<jo.bloggs@medway.gov.uk>"@evil.example>'
        r = self.submit(make_message(self.token, subject="OFFICIAL-SENSITIVE budget",
                                     to=hostile), rcpts=(hostile,))
        self.assertTrue(r.accepted, "%r%s" % (r, self.diagnostics()))
        stored = self.stored_with(self.token)
        self.assertEqual(len(stored), 1, self.diagnostics())
        decided = [line for line in self.milter.log_text().splitlines()
                   if "quarantine_id=" + stored[0] in line]
        self.assertTrue(decided and "direction=outbound" in decided[0]
                        and "protective-marking-outbound" in decided[0], self.diagnostics())
        self.assert_not_delivered()

    def test_inbound_message_with_executable_passes_untouched(self):
        sent = make_message(self.token, attachment=("setup.exe", EXE_PAYLOAD),
                            sender="someone@example.net", to="jo.bloggs@medway.gov.uk")
        r = self.submit(sent, sender="someone@example.net", rcpts=("jo.bloggs@medway.gov.uk",),
                        xclient="ADDR=203.0.113.5 NAME=[UNAVAILABLE] LOGIN=[UNAVAILABLE]")
        self.assertTrue(r.accepted, "%r%s" % (r, self.diagnostics()))
        msg = self.wait_delivered()
        self.assert_no_aup_headers(msg)
        raw = self.sink.find(self.token).replace(b"\r\n", b"\n")
        self.assertIn(sent.replace(b"\r\n", b"\n"), raw, "inbound message was modified")

    def test_reload_keeps_old_policy_on_broken_file_and_applies_good_one(self):
        pack = os.path.join(self.policy_dir, "packs", "recipients.json")
        with open(pack, "rb") as f:
            original = f.read()
        self.addCleanup(self._restore_pack, pack, original)
        # 1. A broken rule file: the reload fails and the old policy stays in force.
        with open(pack, "wb") as f:
            f.write(original[: len(original) // 2])
        self.milter.reload("the previous policy stays")
        self.assertTrue(self.milter.alive(), "milter died on a bad reload%s" % self.diagnostics())
        self.check_old_policy()
        # 2. A good change is picked up: empty subjects are now rejected.
        doc = json.loads(original)
        rule = next(r for r in doc["rules"] if r["id"] == "empty-subject")
        rule["action"] = "reject"
        rule["reply"] = "Please give the message a subject (policy clause {policy_ref})."
        with open(pack, "w") as f:
            json.dump(doc, f, indent=2)
        self.milter.signal(signal.SIGUSR1)

        def rejects_empty_subject():
            r = self.submit(make_message("aup-" + uuid.uuid4().hex, subject=""))
            return r if r.code == 550 else None
        r = harness.wait_for(rejects_empty_subject, 10, 0.5)
        self.assertIsNotNone(r, "reloaded policy not applied%s" % self.diagnostics())
        self.assertIn("4.6.1", r.text)

    def check_old_policy(self):
        r = self.submit(make_message(self.token, attachment=("setup.exe", EXE_PAYLOAD)))
        self.assertEqual((r.stage, r.code), ("data", 550), "%r%s" % (r, self.diagnostics()))
        self.assertIn("3.2", r.text)
        clean = "aup-" + uuid.uuid4().hex
        r = self.submit(make_message(clean))
        self.assertTrue(r.accepted, "%r%s" % (r, self.diagnostics()))
        self.wait_delivered(clean)
        tagged = "aup-" + uuid.uuid4().hex
        r = self.submit(make_message(tagged, subject=""))
        self.assertTrue(r.accepted, "%r%s" % (r, self.diagnostics()))
        self.assertEqual(self.wait_delivered(tagged).get("X-AUP-Verdict"), "tag")

    def _restore_pack(self, pack, original):
        with open(pack, "wb") as f:
            f.write(original)
        if self.milter.alive():
            self.milter.signal(signal.SIGUSR1)

            def tags_again():
                token = "aup-" + uuid.uuid4().hex
                return self.submit(make_message(token, subject="")).accepted
            harness.wait_for(tags_again, 10, 0.5)

    def test_killed_milter_means_tempfail_and_nothing_delivered(self):
        if self.milter is not None:
            self.milter.kill()
        r = self.submit(make_message(self.token))
        self.assertTrue(400 <= r.code < 500, "expected a 4xx, got %r%s" % (r, self.diagnostics()))
        self.assertIn("4.7.1", r.text)
        self.assert_not_delivered()

    test_killed_milter_means_tempfail_and_nothing_delivered.runs_without_milter = True

    def test_check_config_exit_status(self):
        ok = subprocess.run([ARGS.milter, "--check-config", "--config", self.config],
                            capture_output=True, text=True, timeout=60)
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        broken_dir = os.path.join(self.root, "broken-policy")
        shutil.copytree(self.policy_dir, broken_dir)
        with open(os.path.join(broken_dir, "packs", "content.json"), "a") as f:
            f.write("{ not json")
        bad = subprocess.run([ARGS.milter, "--check-config", "--config",
                              os.path.join(broken_dir, os.path.basename(self.config))],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(bad.returncode, 78, bad.stdout + bad.stderr)
        self.assertIn("content.json", bad.stdout + bad.stderr)

    def test_sigterm_stops_the_milter(self):
        with open(self.milter.pidfile) as f:
            self.assertEqual(int(f.read().split()[0]), self.milter.proc.pid, "pidfile content")
        # A clean exit (0), not death by the signal: libmilter's own signal thread must get
        # SIGTERM, so every other thread has to block it.
        self.milter.signal(signal.SIGTERM)
        try:
            code = self.milter.proc.wait(timeout=15)
        except Exception:
            self.fail("aup-milter ignored SIGTERM%s" % self.diagnostics())
        self.assertEqual(code, 0, "exit status after SIGTERM%s" % self.diagnostics())

    def test_foreground_log_reaches_stderr_unless_stderr_is_the_journal(self):
        # Under systemd stderr is the journal (JOURNAL_STREAM names its device and inode), which
        # has the syslog lines already: echoing them would show each one twice. A JOURNAL_STREAM
        # inherited by a program whose stderr is something else does not count.
        for journal_stream, echoed in (("none", True), ("this pipe", False),
                                       ("another stream", True)):
            read_end, write_end = os.pipe()
            pipe = os.fstat(write_end)
            env = {k: v for k, v in os.environ.items() if k != "JOURNAL_STREAM"}
            if journal_stream == "this pipe":
                env["JOURNAL_STREAM"] = "%d:%d" % (pipe.st_dev, pipe.st_ino)
            elif journal_stream == "another stream":
                env["JOURNAL_STREAM"] = "%d:%d" % (pipe.st_dev, pipe.st_ino + 1)
            port = harness.free_port()
            proc = subprocess.Popen(
                [ARGS.milter, "--config", self.config, "--socket", "inet:%d@127.0.0.1" % port,
                 "--foreground"], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=write_end)
            os.close(write_end)
            try:
                started = harness.wait_for(
                    lambda: proc.poll() is not None or harness.port_open(port), 30)
            finally:
                harness.stop_process(proc)
            with os.fdopen(read_end, errors="replace") as f:
                stderr = f.read()
            self.assertTrue(started and proc.returncode == 0, stderr)
            self.assertEqual("listening socket=" in stderr, echoed,
                             "JOURNAL_STREAM: %s, stderr:\n%s" % (journal_stream, stderr))

    def test_detached_daemon_resolves_relative_paths_where_it_started(self):
        # daemon() changes to /; the pidfile (and the configuration a reload reads) must still
        # be the ones named relative to where aup-milter was started.
        port = harness.free_port()
        subprocess.run([ARGS.milter, "--config", os.path.relpath(self.config, self.root),
                        "--socket", "inet:%d@127.0.0.1" % port, "--pidfile", "detached.pid"],
                       cwd=self.root, timeout=60, check=True)
        pidfile = os.path.join(self.root, "detached.pid")

        def pid():
            try:
                with open(pidfile) as f:
                    return int(f.read())
            except (OSError, ValueError):
                return None
        daemon_pid = harness.wait_for(pid, 30)
        self.assertIsNotNone(daemon_pid, "no pidfile at %s" % pidfile)
        try:
            self.assertTrue(harness.wait_for(lambda: harness.port_open(port), 30))
        finally:
            os.kill(daemon_pid, signal.SIGTERM)
        self.assertTrue(harness.wait_for(lambda: not os.path.exists(pidfile), 15),
                        "the pidfile stays after SIGTERM")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--milter", help="aup-milter binary (omit to test only the no-milter case)")
    ap.add_argument("--aupctl", help="aupctl binary (the quarantine tests need it)")
    ap.add_argument("--config", default=ARGS.config, help="aup.json (its directory is copied)")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir for inspection")
    args, rest = ap.parse_known_args()
    if args.milter and not os.access(args.milter, os.X_OK):
        ap.error("%s is not an executable" % args.milter)
    if not os.path.isfile(args.config):
        ap.error("%s does not exist" % args.config)
    for tool in (harness.POSTFIX, harness.SMTP_SINK, harness.POSTQUEUE):
        if not os.access(tool, os.X_OK):
            ap.error("%s missing: install Debian's postfix package" % tool)
    if os.geteuid() != 0:
        ap.error("must run as root (a private Postfix instance needs it)")
    ARGS.milter = os.path.abspath(args.milter) if args.milter else None
    ARGS.aupctl = os.path.abspath(args.aupctl) if args.aupctl else None
    ARGS.config = os.path.abspath(args.config)
    ARGS.keep = args.keep
    started = time.monotonic()
    prog = unittest.main(argv=[sys.argv[0]] + rest, exit=False, verbosity=2)
    sys.stderr.write("postfix_test: %.1fs\n" % (time.monotonic() - started))
    return 0 if prog.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
