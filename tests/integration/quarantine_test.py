#!/usr/bin/env python3
# The quarantine behind a real Postfix: held mail is stored and not delivered; a compliance
# officer lists, reads, releases (re-injected through a milter-less smtpd to the sink, exactly
# once), deletes and purges it with `aupctl quarantine`, and every step is in the audit trail.
# Also: relays that refuse, hold mode through a reload, and SIGKILL in the middle of writes.
#
# Usage (as root; needs Debian's postfix package):
#   python3 tests/integration/quarantine_test.py --milter build/bin/aup-milter \
#       --aupctl build/bin/aupctl --config rules/aup.json [-v] [unittest args...]
import email
import email.policy
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import postfix_harness as harness  # noqa: E402
import postfix_test as base  # noqa: E402

EX_OK, EX_DATAERR, EX_NOINPUT, EX_UNAVAILABLE, EX_TEMPFAIL = 0, 65, 66, 69, 75
OFFICER = "Alice Compliance"


def body_of(raw):
    """The body: everything after the first empty line, line ends normalised."""
    raw = raw.replace(b"\r\n", b"\n")
    return raw.split(b"\n\n", 1)[1]


class QuarantineTest(base.PostfixFixture):
    def setUp(self):
        super().setUp()
        if base.ARGS.aupctl is None:
            self.skipTest("no --aupctl given")

    # --- helpers -----------------------------------------------------------------------------

    def aupctl(self, *args, config=None):
        return subprocess.run([base.ARGS.aupctl, "quarantine", *args, "--config",
                               config or self.config], capture_output=True, timeout=120)

    def aupctl_json(self, *args):
        run = self.aupctl(*args, "--json")
        self.assertEqual(run.returncode, EX_OK, run.stderr.decode())
        return json.loads(run.stdout)

    def quarantine(self, token=None, subject="Good luck"):
        """Submits a chain letter; returns its quarantine id once it is stored."""
        token = token or self.token
        r = self.submit(base.make_message(token, subject=subject, text=base.CHAIN_TEXT))
        self.assertTrue(r.accepted, "%r%s" % (r, self.diagnostics()))
        ids = self.stored_with(token)
        self.assertEqual(len(ids), 1, "expected one stored item%s" % self.diagnostics())
        return ids[0]

    def item(self, item_id):
        items = [i for i in self.aupctl_json("list", "--status", "any") if i["id"] == item_id]
        self.assertEqual(len(items), 1, "item %s not listed" % item_id)
        return items[0]

    def audit_actions(self, item_id):
        return [(e["action"], e["actor"]) for e in self.aupctl_json("audit", item_id)]

    def config_with(self, name, **quarantine):
        """A copy of the milter's configuration with quarantine settings changed (for aupctl)."""
        with open(self.config) as f:
            doc = json.load(f)
        doc["quarantine"].update(quarantine)
        path = os.path.join(os.path.dirname(self.config), name)
        with open(path, "w") as f:
            json.dump(doc, f)
        return path

    # --- the tests ---------------------------------------------------------------------------

    def test_release_delivers_once_with_the_body_unchanged(self):
        sent = base.make_message(self.token, subject="Good luck", text=base.CHAIN_TEXT)
        item_id = self.quarantine()
        self.assert_not_delivered()

        listed = self.item(item_id)
        self.assertEqual(listed["status"], "held")
        self.assertEqual(listed["sender"], base.SENDER)
        self.assertEqual(listed["recipients"], [base.PARTNER])
        self.assertEqual(listed["subject"], "Good luck")
        self.assertIn("chain-letter-phrase", listed["rules"])
        self.assertIn("4.7.1", listed["clauses"])
        shown = self.aupctl("show", item_id)
        self.assertEqual(shown.returncode, EX_OK, shown.stderr.decode())
        for expected in (b"Why it was held", b"clause 4.7.1", b"chain-letter-phrase",
                         b"Do not break the chain!", b"Attachments: none"):
            self.assertIn(expected, shown.stdout)
        raw = self.aupctl("show", item_id, "--raw")
        self.assertEqual(body_of(raw.stdout), body_of(sent), "stored body differs")

        released = self.aupctl("release", item_id, "--reviewer", OFFICER, "--note",
                               "business need confirmed")
        self.assertEqual(released.returncode, EX_OK,
                         released.stderr.decode() + self.diagnostics())
        delivered = self.wait_delivered()
        # smtp-sink's dump ends every message with one extra newline of its own.
        self.assertEqual(body_of(self.sink.find(self.token)), body_of(sent) + b"\n",
                         "released body differs from the one sent")
        self.assertIn(item_id, delivered.get("X-AUP-Released", ""))
        self.assertEqual(delivered["Message-ID"], "<%s@aup-test.invalid>" % self.token)

        again = self.aupctl("release", item_id, "--reviewer", "Bob Other")
        self.assertEqual(again.returncode, EX_DATAERR, again.stderr.decode())
        self.assertIn(b"released by Alice Compliance", again.stderr)
        self.assert_not_delivered("aup-never-" + uuid.uuid4().hex)  # a barrier: let mail settle
        self.assertEqual(len(self.sink.find_all(self.token)), 1, "delivered more than once")

        item = self.item(item_id)
        self.assertEqual((item["status"], item["reviewer"], item["note"]),
                         ("released", OFFICER, "business need confirmed"))
        self.assertEqual(self.audit_actions(item_id)[:1], [("quarantined", "aup-milter")])
        self.assertIn(("release-started", OFFICER), self.audit_actions(item_id))
        self.assertIn(("released", OFFICER), self.audit_actions(item_id))

    def test_list_filters_and_reading_is_audited(self):
        item_id = self.quarantine(subject="Lucky list")
        ids = lambda *args: [i["id"] for i in self.aupctl_json("list", *args)]  # noqa: E731
        self.assertIn(item_id, ids("--rule", "chain-letter-phrase"))
        self.assertNotIn(item_id, ids("--rule", "empty-subject"))
        self.assertIn(item_id, ids("--sender", base.SENDER.upper()))
        self.assertNotIn(item_id, ids("--sender", "someone.else@medway.gov.uk"))
        today = time.strftime("%Y-%m-%d", time.gmtime())
        self.assertIn(item_id, ids("--since", today))
        self.assertNotIn(item_id, ids("--since", "2200-01-01"))
        self.assertNotIn(item_id, ids("--status", "released"))
        text = self.aupctl("list")
        self.assertIn(item_id.encode(), text.stdout)
        self.assertIn(b"Lucky list", text.stdout)
        for bad in (("--status", "pending"), ("--since", "yesterday"), ("--since", "2999-01-01")):
            self.assertEqual(self.aupctl("list", *bad).returncode, 64, bad)
        self.aupctl("show", item_id, "--reviewer", OFFICER)
        self.aupctl("show", item_id, "--raw")
        actions = self.audit_actions(item_id)
        self.assertIn(("viewed", OFFICER), actions)
        self.assertIn("viewed-raw", [a for a, _ in actions])

    def test_sender_is_told_the_message_is_held_and_why(self):
        item_id = self.quarantine()
        notice = harness.wait_for(lambda: self.sink.find(item_id), base.DELIVERY_TIMEOUT)
        self.assertIsNotNone(notice, "no sender notice%s" % self.diagnostics())
        msg = email.message_from_bytes(notice, policy=email.policy.default)
        self.assertIn(base.SENDER, msg["To"])
        self.assertEqual(msg["Auto-Submitted"], "auto-replied")
        text = msg.get_body(("plain",)).get_content()
        for expected in ("held for review", "4.7.1", "compliance officer", "Good luck"):
            self.assertIn(expected, text)
        self.assertNotIn(self.token, text, "the notice must not carry the held message")
        self.assertIn(("notice-sent", "aup-milter"),
                      harness.wait_for(lambda: self.audit_actions(item_id), 10))

    def test_relay_refusing_leaves_the_item_held(self):
        item_id = self.quarantine()
        soft = harness.Sink(self.root, harness.free_port(), "soft-sink", ("-r", "rcpt"))
        hard = harness.Sink(self.root, harness.free_port(), "hard-sink", ("-f", "rcpt"))
        for sink in (soft, hard):
            sink.start()
            self.addCleanup(sink.stop)
        cases = [("stopped relay", harness.free_port(), EX_TEMPFAIL),
                 ("4xx relay", soft.port, EX_TEMPFAIL),
                 ("5xx relay", hard.port, EX_UNAVAILABLE)]
        for name, port, code in cases:
            with self.subTest(name):
                config = self.config_with("refusing.json", release_relay="127.0.0.1:%d" % port)
                run = self.aupctl("release", item_id, "--reviewer", OFFICER, config=config)
                self.assertEqual(run.returncode, code, run.stderr.decode())
                self.assertIn(b"still held", run.stderr)
                # (a reply code, not the relay's port number, which may contain "221")
                self.assertNotRegex(run.stderr, rb"accept it: 221\b",
                                    "the QUIT reply is not the reason")
                if port != cases[0][1]:
                    self.assertIn(b" %d" % (code == EX_UNAVAILABLE and 5 or 4), run.stderr)
                self.assertEqual(self.item(item_id)["status"], "held")
        self.assertEqual(soft.messages() + hard.messages(), [])
        failures = [a for a in self.audit_actions(item_id) if a[0] == "release-failed"]
        self.assertEqual(len(failures), 3)
        # Still releasable through a working relay.
        run = self.aupctl("release", item_id, "--reviewer", OFFICER)
        self.assertEqual(run.returncode, EX_OK, run.stderr.decode())
        self.wait_delivered()

    def test_delete_and_purge_remove_messages_and_keep_the_audit_trail(self):
        deleted_id = self.quarantine()
        kept_token = "aup-" + uuid.uuid4().hex
        expired_id = self.quarantine(kept_token)
        run = self.aupctl("delete", deleted_id, "--reviewer", OFFICER, "--note", "personal")
        self.assertEqual(run.returncode, EX_OK, run.stderr.decode())
        self.assertNotIn(deleted_id, self.stored_items())
        self.assertEqual(self.aupctl("show", deleted_id, "--raw").returncode, EX_NOINPUT)
        shown = self.aupctl("show", deleted_id).stdout
        self.assertIn(b"no longer kept", shown)
        self.assertIn(b"rule chain-letter-phrase", shown, "why it was held must stay")
        self.assertEqual(self.item(deleted_id)["status"], "deleted")
        self.assertEqual(self.aupctl("release", deleted_id, "--reviewer", OFFICER).returncode,
                         EX_DATAERR)
        self.assertEqual(self.aupctl("delete", "no-such-item", "--reviewer", OFFICER).returncode,
                         EX_NOINPUT)

        # Retention: a purge of anything older than 0 days expires the other held message.
        self.assertIn(expired_id, self.stored_items())
        time.sleep(1.1)  # held times are whole seconds: make it older than "now"
        purge = self.aupctl("purge", "--older-than", "0")
        self.assertEqual(purge.returncode, EX_OK, purge.stderr.decode())
        self.assertNotIn(expired_id, self.stored_items())
        expired = self.item(expired_id)
        self.assertEqual((expired["status"], expired["stored"]), ("expired", False))
        self.assertIn(expired_id, [i["id"] for i in
                                   self.aupctl_json("list", "--status", "expired")])
        self.assertNotIn(expired_id, [i["id"] for i in self.aupctl_json("list")])
        deleted_trail = [a for a, _ in self.audit_actions(deleted_id)]
        for action in ("quarantined", "deleted", "removed"):
            self.assertIn(action, deleted_trail)
        self.assertNotIn("viewed-raw", deleted_trail, "a --raw that showed nothing was audited")
        expired_trail = [a for a, _ in self.audit_actions(expired_id)]
        for action in ("quarantined", "expired", "purged"):
            self.assertIn(action, expired_trail)
        self.assert_not_delivered(kept_token)

    def test_hold_mode_uses_the_postfix_hold_queue(self):
        self.addCleanup(self.switch_mode, "store")
        self.switch_mode("hold")
        held_before = {m["queue_id"] for m in self.held_messages()}
        item_id = self.quarantine()
        held = [m for m in self.held_messages() if m["queue_id"] not in held_before]
        self.assertEqual(len(held), 1, "not in the hold queue%s" % self.diagnostics())
        self.assertEqual(self.item(item_id)["queue_id"], held[0]["queue_id"])
        self.assert_not_delivered()
        run = self.aupctl("release", item_id, "--reviewer", OFFICER)
        self.assertEqual(run.returncode, EX_OK, run.stderr.decode() + self.diagnostics())
        self.postfix._run(harness.POSTQUEUE, "-c", self.postfix.config_dir, "-f")
        self.wait_delivered()
        self.assertEqual(self.item(item_id)["status"], "released")
        # Deleting in hold mode removes it from the hold queue too.
        doomed = "aup-" + uuid.uuid4().hex
        doomed_id = self.quarantine(doomed)
        queue_id = self.item(doomed_id)["queue_id"]
        self.assertIn(queue_id, self.postfix.queue_ids("hold"))
        run = self.aupctl("delete", doomed_id, "--reviewer", OFFICER)
        self.assertEqual(run.returncode, EX_OK, run.stderr.decode())
        self.assertNotIn(queue_id, self.postfix.queue_ids("hold"))
        self.assert_not_delivered(doomed)

    def switch_mode(self, mode):
        self.configure_quarantine(mode=mode)
        self.milter.signal(signal.SIGUSR1)
        probe = "aup-" + uuid.uuid4().hex

        def applied():
            before = {m["queue_id"] for m in self.held_messages()}
            r = self.submit(base.make_message(probe, subject="Good luck", text=base.CHAIN_TEXT))
            in_hold = any(m["queue_id"] not in before for m in self.held_messages())
            return r.accepted and in_hold == (mode == "hold")
        # The probes themselves are quarantined; only the mode they land in matters.
        self.assertTrue(harness.wait_for(applied, 10, 0.5), "mode %s not applied" % mode)

    def test_sigkill_during_quarantine_writes_loses_nothing(self):
        # Every write pauses between its fsynced files and the rename that publishes it.
        self.milter.kill()
        self.milter.env = {"AUP_TEST_QUARANTINE_PAUSE_MS": "3000"}
        self.milter.start()
        self.addCleanup(self.restart_milter_plainly)
        tokens = ["aup-crash-%d-%s" % (i, uuid.uuid4().hex) for i in range(4)]
        results = {}

        def send(token):
            results[token] = self.submit(
                base.make_message(token, subject="Good luck", text=base.CHAIN_TEXT))
        threads = [threading.Thread(target=send, args=(t,)) for t in tokens]
        for t in threads:
            t.start()
        staging = os.path.join(self.quarantine_dir, "tmp")
        harness.wait_for(lambda: len(os.listdir(staging)) >= len(tokens), 20)
        self.assertGreaterEqual(len(os.listdir(staging)), 1, "no write in progress to kill")
        self.milter.kill()
        for t in threads:
            t.join(timeout=90)
        for token in tokens:
            self.assertTrue(400 <= results[token].code < 500,
                            "the MTA must tempfail, got %r" % results[token])
        self.assertEqual([t for t in tokens if self.stored_with(t)], [], "published mid-write")

        # The MTA's client retries; the restarted milter stores every message.
        self.restart_milter_plainly()
        for token in tokens:
            r = self.submit(base.make_message(token, subject="Good luck", text=base.CHAIN_TEXT))
            self.assertTrue(r.accepted, "%r%s" % (r, self.diagnostics()))
        listed = {i["id"] for i in self.aupctl_json("list", "--status", "any")}
        for token in tokens:
            ids = self.stored_with(token)
            self.assertEqual(len(ids), 1, "%s stored %d times" % (token, len(ids)))
            record = os.path.join(self.quarantine_dir, "items", ids[0], "record.json")
            with open(record) as f:
                self.assertEqual(json.load(f)["id"], ids[0])
            self.assertIn(ids[0], listed)
            self.assertTrue(self.stored_items()[ids[0]].endswith(token.encode() + b"\r\n"),
                            "stored message truncated")
            self.assert_not_delivered(token)

    def restart_milter_plainly(self):
        self.milter.kill()
        self.milter.env = None
        self.milter.start()


if __name__ == "__main__":
    sys.exit(base.main())
