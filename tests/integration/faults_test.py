#!/usr/bin/env python3
# Faults during traffic, behind a real Postfix: clamd stopping, the quarantine disk full or
# read-only, the quarantine index locked. Each gives a temporary failure (or, for the index,
# a message stored and indexed later): never an accept of what should be held or scanned, never
# a lost message; and once the fault is gone, the client's retry succeeds.
#
# Usage (as root: Postfix, and mounts for the disk faults):
#   python3 tests/integration/faults_test.py --milter build/bin/aup-milter \
#       --aupctl build/bin/aupctl --config rules/aup.json [-v]
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scan"))
import postfix_test as base  # noqa: E402
from clamd_fixture import ClamdFixture, ClamdUnavailable  # noqa: E402


def mount(*args):
    return subprocess.run(["mount", *args], capture_output=True, text=True)


class FaultTest(base.PostfixFixture):
    def setUp(self):
        super().setUp()
        if base.ARGS.aupctl is None:
            self.skipTest("no --aupctl given")

    def aupctl_json(self, *args):
        run = subprocess.run([base.ARGS.aupctl, "quarantine", *args, "--config", self.config,
                              "--json"], capture_output=True, timeout=120)
        self.assertEqual(run.returncode, 0, run.stderr.decode())
        return json.loads(run.stdout)

    def chain_letter(self, token):
        return base.make_message(token, subject="Good luck", text=base.CHAIN_TEXT)

    def assert_tempfailed(self, result):
        self.assertTrue(400 <= result.code < 500, "expected a 4xx, got %r%s"
                        % (result, self.diagnostics()))

    def assert_held_once_after_retry(self, token):
        r = self.submit(self.chain_letter(token))
        self.assertTrue(r.accepted, "the retry was refused: %r%s" % (r, self.diagnostics()))
        self.assertEqual(len(self.stored_with(token)), 1, "not stored exactly once")
        self.assert_not_delivered(token)

    def staging(self):
        return os.path.join(self.quarantine_dir, "tmp")

    # --- the quarantine disk -----------------------------------------------------------------

    def check_disk_fault(self, mount_args, what, then_fault):
        """Mounts over the staging directory (skips where mounting is not permitted), makes the
        fault with then_fault(staging); while it lasts a quarantined message tempfails and
        nothing is stored; once unmounted, the retry is held once and nothing is delivered."""
        staging = self.staging()
        mounted = mount(*mount_args, staging)
        if mounted.returncode != 0:
            self.skipTest("cannot %s here: %s" % (what, mounted.stderr.strip()))
        try:
            then_fault(staging)
            self.assert_tempfailed(self.submit(self.chain_letter(self.token)))
            self.assertEqual(self.stored_with(self.token), [])
        finally:
            subprocess.run(["umount", staging], check=True)
        self.assert_not_delivered(self.token)
        self.assert_held_once_after_retry(self.token)

    def test_full_quarantine_disk_tempfails_and_the_retry_is_held(self):
        def fill(staging):
            try:
                with open(os.path.join(staging, "filler"), "wb") as filler:
                    while True:
                        filler.write(b"\0" * 4096)
                        filler.flush()
            except OSError:
                pass  # full

        self.check_disk_fault(["-t", "tmpfs", "-o", "size=64k", "aup-full"],
                              "mount a small tmpfs", fill)

    def test_read_only_quarantine_disk_tempfails_and_the_retry_is_held(self):
        def make_read_only(staging):
            remounted = mount("-o", "remount,bind,ro", staging)
            if remounted.returncode != 0:
                self.skipTest("cannot remount read-only here: " + remounted.stderr.strip())

        self.check_disk_fault(["--bind", self.staging()], "bind-mount", make_read_only)

    # --- the index ---------------------------------------------------------------------------

    def test_locked_index_still_holds_the_message_and_lists_it_later(self):
        """The message is stored durably before the index is written: a locked index delays
        its listing (the next reconcile indexes it), it never lets the message through."""
        index = os.path.join(self.quarantine_dir, "index.sqlite")
        locker = sqlite3.connect(index, timeout=1, isolation_level=None, check_same_thread=False)
        locker.execute("BEGIN EXCLUSIVE")
        released = threading.Timer(25, locker.rollback)  # past the daemon's 15 s busy timeout
        released.start()
        try:
            r = self.submit(self.chain_letter(self.token))
        finally:
            released.join()
            locker.close()
        self.assertTrue(r.accepted, "%r%s" % (r, self.diagnostics()))
        ids = self.stored_with(self.token)
        self.assertEqual(len(ids), 1, "not stored%s" % self.diagnostics())
        self.assertIn("stored but not indexed", self.milter.log_text())
        self.assert_not_delivered(self.token)
        listed = {item["id"] for item in self.aupctl_json("list", "--status", "any")}
        self.assertIn(ids[0], listed, "not indexed once the lock was gone")

    # --- clamd -------------------------------------------------------------------------------

    def test_clamd_down_tempfails_and_the_retry_is_scanned_and_delivered(self):
        try:
            clamd = ClamdFixture(tcp=False).start()
        except ClamdUnavailable as error:
            self.skipTest(str(error))
        self.addCleanup(clamd.cleanup)
        self.use_clamd(clamd.unix_address)
        self.addCleanup(self.use_clamd, None)
        clean = base.make_message(self.token)
        r = self.submit(clean)
        self.assertTrue(r.accepted, "%r%s" % (r, self.diagnostics()))
        self.wait_delivered(self.token)

        clamd.stop()
        second = self.token + "-2"
        # Refused at the end of DATA: Postfix never took it, so it cannot be delivered later.
        self.assert_tempfailed(self.submit(base.make_message(second)))
        clamd.restart()
        r = self.submit(base.make_message(second))
        self.assertTrue(r.accepted, "the retry was refused: %r%s" % (r, self.diagnostics()))
        self.wait_delivered(second)
        time.sleep(1)
        self.assertEqual(len(self.sink.find_all(second)), 1, "delivered more than once")

    def use_clamd(self, address):
        with open(self.config) as f:
            doc = json.load(f)
        doc["clamd"] = {"enabled": address is not None,
                        "address": address or "unix:/run/clamav/clamd.ctl", "timeout_ms": 10000}
        with open(self.config, "w") as f:
            json.dump(doc, f, indent=2)
        self.milter.reload()


if __name__ == "__main__":
    sys.exit(base.main())
