#!/usr/bin/env python3
"""The `aupctl` command-line contract: options, output, exit codes (sysexits), diagnostics."""
import json
import os
import pathlib
import subprocess
import tempfile
import unittest

AUPCTL = os.environ["AUPCTL"]
ROOT = pathlib.Path(__file__).resolve().parents[2]
CONFIG = str(ROOT / "rules" / "aup.json")
MAIL = (b"From: Jo Bloggs <jo.bloggs@medway.gov.uk>\r\nTo: partner@example.org\r\n"
        b"Subject: Figures\r\n\r\nThe figures are attached.\r\n")
EXE_MAIL = (b"From: jo.bloggs@medway.gov.uk\r\nTo: partner@example.org\r\nSubject: Tool\r\n"
            b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
            b"Content-Type: text/plain\r\n\r\nHere it is.\r\n--b\r\n"
            b"Content-Type: application/octet-stream; name=\"setup.exe\"\r\n"
            b"Content-Disposition: attachment; filename=\"setup.exe\"\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\nTVo=\r\n--b--\r\n")


def aupctl(*args, stdin=None):
    return subprocess.run([AUPCTL, *args], input=stdin, capture_output=True, timeout=60)


class TempFiles:
    def __init__(self, test):
        self.dir = tempfile.TemporaryDirectory()
        test.addCleanup(self.dir.cleanup)

    def write(self, name, data):
        path = pathlib.Path(self.dir.name) / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
        return str(path)


class CheckContract(unittest.TestCase):
    def setUp(self):
        self.files = TempFiles(self)
        self.mail = self.files.write("mail.eml", MAIL)

    def check(self, *args, stdin=None):
        run = aupctl("check", "--config", CONFIG, *args, stdin=stdin)
        self.assertEqual(run.returncode, 0, run.stderr)
        return json.loads(run.stdout)

    def test_clean_mail_is_accepted_with_envelope_from_headers(self):
        verdict = self.check(self.mail)
        self.assertEqual(verdict["action"], "accept")
        self.assertEqual(verdict["direction"], "outbound")
        self.assertEqual(verdict["matches"], [])
        self.assertNotIn("reply", verdict)
        self.assertEqual(verdict["add_headers"], [])

    def test_reject_has_reply_naming_the_clause(self):
        verdict = self.check(self.files.write("exe.eml", EXE_MAIL))
        self.assertEqual(verdict["action"], "reject")
        self.assertEqual(verdict["reply"]["code"], "550")
        self.assertEqual(verdict["reply"]["xcode"], "5.7.1")
        self.assertIn("3.2", verdict["reply"]["text"])
        match = verdict["matches"][0]
        self.assertEqual(set(match), {"rule", "policy_ref", "action", "mode", "scope", "detail"})
        self.assertEqual(match["rule"], "executable-attachment-name")
        self.assertEqual(match["detail"], '".exe" in attachment "setup.exe" (part 2)')

    def test_stdin_and_envelope_options(self):
        verdict = self.check("--sender", "jo.bloggs@medway.gov.uk", "--rcpt",
                             "allstaff@medway.gov.uk", "--auth-user", "jo.bloggs",
                             "--client-ip", "10.1.1.1", "--time", "2026-01-07T12:00:00Z", "-",
                             stdin=MAIL)
        self.assertEqual(verdict["direction"], "internal")
        self.assertEqual(verdict["action"], "reject")
        self.assertEqual([m["rule"] for m in verdict["matches"]], ["all-staff-restricted"])

    def test_each_rcpt_takes_one_address_and_the_file_may_follow(self):
        verdict = self.check("--auth-user", "jo.bloggs", "--rcpt", "allstaff@medway.gov.uk",
                             "--rcpt", "partner@example.org", self.mail)
        self.assertEqual(verdict["direction"], "outbound")  # both recipients counted
        self.assertEqual([m["rule"] for m in verdict["matches"]], ["all-staff-restricted"])

    def test_several_addresses_after_one_rcpt_are_refused_with_a_hint(self):
        # The man page once said several addresses could follow one --rcpt; they cannot (the
        # file may follow it), so the error must say how to give several.
        run = aupctl("check", "--config", CONFIG, "--rcpt", "a@example.org", "b@example.org",
                     self.mail)
        self.assertEqual(run.returncode, 64)
        self.assertEqual(run.stdout, b"")
        self.assertIn(b"each --rcpt takes one address", run.stderr)
        man = (ROOT / "packaging" / "man" / "aupctl.1").read_text()
        self.assertNotIn("give several after one", man)

    def test_external_client_without_login_is_inbound_and_untouched(self):
        verdict = self.check("--client-ip", "203.0.113.5", self.files.write("exe.eml", EXE_MAIL))
        self.assertEqual(verdict["direction"], "inbound")
        self.assertEqual(verdict["action"], "accept")
        self.assertEqual(verdict["matches"], [])

    def test_text_format(self):
        run = aupctl("check", "--config", CONFIG, "--format", "text",
                     self.files.write("exe.eml", EXE_MAIL))
        self.assertEqual(run.returncode, 0)
        lines = run.stdout.decode().splitlines()
        self.assertEqual(lines[0], "action: reject")
        self.assertEqual(lines[1], "direction: outbound")
        self.assertTrue(lines[2].startswith("reply: 550 5.7.1 "))
        self.assertTrue(any(l.startswith("match: executable-attachment-name [reject enforce] clause 3.2")
                            for l in lines))


class SizeLimit(unittest.TestCase):
    """`aupctl check` gives a message over daemon.max_message_bytes the daemon's verdict."""

    def setUp(self):
        self.files = TempFiles(self)
        self.big = self.files.write("big.eml", MAIL + b"x" * 2000 + b"\r\n")

    def config(self, **daemon):
        with open(CONFIG) as f:
            doc = json.load(f)
        doc["rule_files"] = [str(ROOT / "rules" / path) for path in doc["rule_files"]]
        doc["daemon"].update(daemon)
        return self.files.write("aup.json", json.dumps(doc))

    def check(self, config, *args):
        run = aupctl("check", "--config", config, *args)
        self.assertEqual(run.returncode, 0, run.stderr)
        return json.loads(run.stdout)

    def test_over_the_limit_gets_the_configured_reject(self):
        verdict = self.check(self.config(max_message_bytes=1024), self.big)
        self.assertEqual(verdict["action"], "reject")
        self.assertEqual((verdict["reply"]["code"], verdict["reply"]["xcode"]), ("552", "5.3.4"))
        self.assertEqual(verdict["reply"]["text"],
                         "Message larger than 1024 bytes; large files congest council systems "
                         "(policy clause 3.7): share them another way "
                         "Questions: ICT Service Desk, extension 2888.")
        self.assertEqual([(m["rule"], m["policy_ref"]) for m in verdict["matches"]],
                         [("max-message-bytes", "3.7")])
        # Under the limit the rules decide as before; inbound mail passes whatever its size.
        self.assertEqual(self.check(self.config(), self.big)["action"], "accept")
        inbound = self.check(self.config(max_message_bytes=1024), "--client-ip", "203.0.113.5",
                             self.big)
        self.assertEqual((inbound["direction"], inbound["action"]), ("inbound", "accept"))

    def test_the_reply_and_action_come_from_the_configuration(self):
        config = self.config(max_message_bytes=1024, over_limit={
            "action": "reject", "policy_ref": "9.1", "reply_code": "550 5.7.1",
            "reply": "Too big for us ({limit} bytes at most, clause {policy_ref})"})
        reply = self.check(config, self.big)["reply"]
        self.assertEqual((reply["code"], reply["xcode"]), ("550", "5.7.1"))
        self.assertTrue(reply["text"].startswith("Too big for us (1024 bytes at most, clause 9.1)"))
        later = self.check(self.config(max_message_bytes=1024,
                                       over_limit={"action": "tempfail"}), self.big)
        self.assertEqual((later["action"], later["reply"]["code"]), ("tempfail", "452"))

    def test_a_bad_over_limit_is_a_configuration_error(self):
        config = self.config(over_limit={"action": "quarantine", "reply_code": "452 4.3.1",
                                         "reply": "two\nlines", "surprise": 1})
        run = aupctl("rules", "lint", "--config", config)
        self.assertEqual(run.returncode, 78)
        out = run.stdout.decode()
        for pointer in ("action", "reply_code", "reply", "surprise"):
            self.assertIn(f"(/daemon/over_limit/{pointer})", out)


class ExitCodes(unittest.TestCase):
    def setUp(self):
        self.files = TempFiles(self)
        self.mail = self.files.write("mail.eml", MAIL)

    def test_usage_errors_are_64(self):
        for args in (["check"], ["check", "--format", "xml", self.mail],
                     ["check", "--time", "yesterday", self.mail],
                     ["check", "--client-ip", "999.1.1.1", self.mail],
                     ["frobnicate"], [], ["rules"], ["check", "--no-such-flag", self.mail]):
            with self.subTest(args=args):
                self.assertEqual(aupctl(*args, "--config", CONFIG).returncode
                                 if args[:1] == ["check"] else aupctl(*args).returncode, 64)

    def test_unreadable_input_is_66(self):
        run = aupctl("check", "--config", CONFIG, "/nonexistent/message.eml")
        self.assertEqual(run.returncode, 66)
        self.assertIn(b"/nonexistent/message.eml", run.stderr)

    def test_a_directory_is_not_a_message(self):
        run = aupctl("check", "--config", CONFIG, self.files.dir.name)
        self.assertEqual(run.returncode, 66)
        self.assertEqual(run.stdout, b"")  # no verdict for something that is not a message
        self.assertIn(b"is a directory", run.stderr)
        directory = os.open(self.files.dir.name, os.O_RDONLY)
        self.addCleanup(os.close, directory)
        run = subprocess.run([AUPCTL, "check", "--config", CONFIG, "-"], stdin=directory,
                             capture_output=True, timeout=60)
        self.assertEqual(run.returncode, 66)
        self.assertEqual(run.stdout, b"")

    def test_a_file_that_fails_to_read_is_66(self):
        # /proc/self/mem opens but every read at offset 0 fails (EIO), as a bad disk would.
        run = aupctl("check", "--config", CONFIG, "/proc/self/mem")
        self.assertEqual(run.returncode, 66)
        self.assertEqual(run.stdout, b"")
        self.assertIn(b"/proc/self/mem: ", run.stderr)

    @unittest.skipIf(os.geteuid() == 0, "root reads files whatever their mode")
    def test_a_file_without_read_permission_is_66(self):
        os.chmod(self.mail, 0)
        run = aupctl("check", "--config", CONFIG, self.mail)
        self.assertEqual(run.returncode, 66)
        self.assertIn(b"Permission denied", run.stderr)

    def test_bad_configuration_is_78_with_file_line_and_offset(self):
        rules = self.files.write("rules.json", '{"rules": [\n {"id": "r", "description": "d",\n'
                                 '  "policy_ref": "4.4", "scope": "body",\n'
                                 '  "pattern": "(unclosed", "action": "tag"}]}')
        config = self.files.write("aup.json", json.dumps({"internal_domains": ["medway.gov.uk"],
                                                          "rule_files": [rules]}))
        run = aupctl("check", "--config", config, self.mail)
        self.assertEqual(run.returncode, 78)
        self.assertEqual(run.stdout, b"")
        self.assertIn(f"{rules}:4:14: error: rule 'r' (/rules/0/pattern): regex error at offset 9: "
                      "missing closing parenthesis".encode(), run.stderr)
        self.assertEqual(aupctl("rules", "lint", "--config", config).returncode, 78)
        self.assertEqual(aupctl("rules", "test", "--config", config).returncode, 78)
        self.assertEqual(aupctl("check", "--config", "/nonexistent.json", self.mail).returncode, 78)

    def test_several_files_give_one_json_line_each_in_order(self):
        exe = self.files.write("exe.eml", EXE_MAIL)
        run = aupctl("check", "--config", CONFIG, self.mail, exe, self.mail)
        self.assertEqual(run.returncode, 0, run.stderr)
        lines = [json.loads(line) for line in run.stdout.splitlines()]
        self.assertEqual([(v["file"], v["action"]) for v in lines],
                         [(self.mail, "accept"), (exe, "reject"), (self.mail, "accept")])
        # Each line is the verdict one file alone gets, with the file named first.
        alone = json.loads(aupctl("check", "--config", CONFIG, exe).stdout)
        self.assertEqual(list(lines[1])[0], "file")
        self.assertEqual({k: v for k, v in lines[1].items() if k != "file"}, alone)

    def test_jsonl_gives_one_file_the_line_that_several_get(self):
        run = aupctl("check", "--config", CONFIG, "--format", "jsonl", self.mail)
        self.assertEqual(run.returncode, 0, run.stderr)
        lines = run.stdout.splitlines()
        self.assertEqual(len(lines), 1)
        several = aupctl("check", "--config", CONFIG, self.mail, self.mail).stdout.splitlines()
        self.assertEqual(lines[0], several[0])
        unreadable = aupctl("check", "--config", CONFIG, "--format", "jsonl", "/nonexistent/x.eml")
        self.assertEqual(unreadable.returncode, 66)
        self.assertEqual(json.loads(unreadable.stdout),
                         {"file": "/nonexistent/x.eml", "error": "No such file or directory"})

    def test_several_files_go_on_past_one_that_cannot_be_read_then_exit_66(self):
        exe = self.files.write("exe.eml", EXE_MAIL)
        run = aupctl("check", "--config", CONFIG, self.mail, "/nonexistent/x.eml", exe)
        self.assertEqual(run.returncode, 66)
        lines = [json.loads(line) for line in run.stdout.splitlines()]
        self.assertEqual(lines[1], {"file": "/nonexistent/x.eml", "error": "No such file or directory"})
        self.assertEqual(lines[2]["action"], "reject")
        self.assertIn(b"cannot read /nonexistent/x.eml", run.stderr)

    def test_several_files_in_text_format_are_headed_by_their_names(self):
        exe = self.files.write("exe.eml", EXE_MAIL)
        run = aupctl("check", "--config", CONFIG, "--format", "text", self.mail, exe)
        self.assertEqual(run.returncode, 0, run.stderr)
        blocks = run.stdout.decode().strip().split("\n\n")
        self.assertEqual([b.splitlines()[:2] for b in blocks],
                         [[f"file: {self.mail}", "action: accept"], [f"file: {exe}", "action: reject"]])

    def test_several_files_refuse_what_only_one_can_take(self):
        out = self.files.write("out.eml", b"")
        for args, why in (([self.mail, self.mail, "--write-modified", out], b"one message file"),
                          (["-", "-"], b"only once")):
            run = aupctl("check", "--config", CONFIG, *args, stdin=b"")
            self.assertEqual(run.returncode, 64, args)
            self.assertEqual(run.stdout, b"")
            self.assertIn(why, run.stderr)

    def test_write_modified_dir_writes_each_file_as_write_modified_would(self):
        exe = self.files.write("exe.eml", EXE_MAIL)
        out = pathlib.Path(self.files.dir.name) / "out"
        out.mkdir()
        run = aupctl("check", "--config", CONFIG, "--write-modified-dir", str(out), self.mail, exe)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(sorted(p.name for p in out.iterdir()), ["exe.eml", "mail.eml"])
        for source in (self.mail, exe):
            alone = self.files.write("alone.eml", b"")
            self.assertEqual(aupctl("check", "--config", CONFIG, "--write-modified", alone,
                                    source).returncode, 0)
            written = (out / pathlib.Path(source).name).read_bytes()
            self.assertEqual(written, pathlib.Path(alone).read_bytes(), source)
        # The accepted message is written with its footer, the rejected one unchanged.
        self.assertTrue((out / "mail.eml").read_bytes().startswith(MAIL[:-2]))
        self.assertGreater(len((out / "mail.eml").read_bytes()), len(MAIL))
        self.assertEqual((out / "exe.eml").read_bytes(), EXE_MAIL)

    def test_write_modified_dir_refuses_names_it_cannot_give(self):
        other = pathlib.Path(self.files.dir.name) / "other"
        other.mkdir()
        twin = str(other / "mail.eml")
        pathlib.Path(twin).write_bytes(MAIL)
        out = self.files.dir.name
        for args, why in ((["--write-modified-dir", out, self.mail, twin], b"two files are named"),
                          (["--write-modified-dir", out, "-"], b"standard input"),
                          (["--write-modified-dir", out, "--write-modified", twin, self.mail],
                           b"exclude each other")):
            run = aupctl("check", "--config", CONFIG, *args, stdin=b"")
            self.assertEqual(run.returncode, 64, args)
            self.assertEqual(run.stdout, b"")
            self.assertIn(why, run.stderr)

    def test_write_modified_dir_that_does_not_exist_is_73(self):
        run = aupctl("check", "--config", CONFIG, "--write-modified-dir", "/nonexistent/dir",
                     self.mail)
        self.assertEqual(run.returncode, 73)
        self.assertIn(b"cannot write /nonexistent/dir/mail.eml", run.stderr)

    def test_help_and_version_are_0(self):
        self.assertEqual(aupctl("--help").returncode, 0)
        version = aupctl("--version")
        self.assertEqual(version.returncode, 0)
        self.assertTrue(version.stdout.startswith(b"aupctl "))

    def test_config_from_environment(self):
        env = dict(os.environ, AUP_CONFIG=CONFIG)
        run = subprocess.run([AUPCTL, "check", self.mail], capture_output=True, env=env, timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr)


class RulesCommands(unittest.TestCase):
    def setUp(self):
        self.files = TempFiles(self)

    def test_lint_of_shipped_rules_is_clean(self):
        run = aupctl("rules", "lint", "--config", CONFIG)
        self.assertEqual(run.returncode, 0, run.stdout)
        self.assertIn(b"0 errors", run.stdout)

    def test_lint_columns_are_one_based(self):
        # An example that makes its pattern hit the PCRE2 limits is reported at the rule, which
        # starts on line 3, column 2: it was reported at column 0.
        rules = self.files.write("rules.json", '{"rules": [\n\n {"id": "slow", '
                                 '"description": "d", "policy_ref": "3.5", "scope": "body", '
                                 '"pattern": "(a+)+$", "action": "tag", "examples": '
                                 '{"no_match": ["' + "a" * 40 + 'b"]}}]}')
        config = self.files.write("aup.json", json.dumps({"internal_domains": ["medway.gov.uk"],
                                                          "rule_files": [rules]}))
        out = aupctl("rules", "lint", "--config", config).stdout.decode()
        self.assertIn(f"{rules}:3:2: warning: rule 'slow': on its own no_match example 0: "
                      "the pattern hit its limits", out)
        self.assertNotRegex(out, r":\d+:0: ")

    def test_rules_test_reports_a_failing_example_and_exits_1(self):
        rules = self.files.write("rules.json", json.dumps({"rules": [{
            "id": "word", "description": "d", "policy_ref": "3.5", "scope": "body",
            "pattern": "(?i)\\bbanana\\b", "action": "quarantine",
            "examples": {"match": ["banana split", "bananas"], "no_match": ["apple", "BANANA"]}}]}))
        config = self.files.write("aup.json", json.dumps({"internal_domains": ["medway.gov.uk"],
                                                          "rule_files": [rules]}))
        run = aupctl("rules", "test", "--config", config)
        self.assertEqual(run.returncode, 1)
        out = run.stdout.decode()
        self.assertIn("rule 'word': match example 1 bananas: expected to match, did not", out)
        self.assertIn("rule 'word': no_match example 1 BANANA: expected not to match, matched", out)
        self.assertIn("4 examples run, 2 as expected, 2 not", out)


class QuarantineCommands(unittest.TestCase):
    """Review commands on a quarantine directory made here: an item the daemon would have
    written, found and indexed by aupctl itself (reconcile)."""
    ID = "20261128-142501-1a2b3c4d"

    def setUp(self):
        self.files = TempFiles(self)
        root = pathlib.Path(self.files.dir.name) / "quarantine"
        (root / "tmp").mkdir(parents=True)
        self.item = root / "items" / self.ID
        self.item.mkdir(parents=True)
        (self.item / "message.eml").write_bytes(EXE_MAIL)
        match = {"rule": "executable-attachment-name", "policy_ref": "3.2",
                 "action": "quarantine", "mode": "enforce", "scope": "attachment.name",
                 "detail": '".exe" in attachment "setup.exe" (part 2)'}
        (self.item / "record.json").write_text(json.dumps({
            "id": self.ID, "time": "2026-11-28T14:25:01Z", "mode": "store", "queue_id": "4Q1",
            "envelope": {"sender": "jo.bloggs@medway.gov.uk",
                         "recipients": ["partner@example.org"]},
            "subject": "Tool", "size": len(EXE_MAIL), "rules": [match["rule"]],
            "clauses": ["3.2"], "verdict": {"action": "quarantine", "direction": "outbound",
                                            "matches": [match]}}))
        (root / "index.sqlite").write_bytes(b"")  # an empty file is an empty SQLite database
        with open(CONFIG) as f:
            doc = json.load(f)
        doc["quarantine"]["directory"] = str(root)
        doc["rule_files"] = [str(ROOT / "rules" / path) for path in doc["rule_files"]]
        self.config = self.files.write("aup.json", json.dumps(doc))

    def run_q(self, *args):
        return aupctl("quarantine", *args, "--config", self.config)

    def audit(self):
        run = self.run_q("audit", self.ID, "--json")
        self.assertEqual(run.returncode, 0, run.stderr)
        return [entry["action"] for entry in json.loads(run.stdout)]

    def test_keep_held_twice_is_recorded_once(self):
        args = ("keep-held", self.ID, "--reviewer", "Alice", "--note", "ask the sender")
        first = self.run_q(*args)
        self.assertEqual(first.returncode, 0, first.stderr)
        second = self.run_q(*args)
        self.assertEqual(second.returncode, 0, second.stderr)
        self.assertIn(b"already kept held", second.stdout)
        self.assertEqual(self.audit().count("kept-held"), 1)
        self.assertEqual(self.run_q("keep-held", self.ID, "--reviewer", "Alice").returncode, 64)

    def test_why_it_was_held_stays_after_delete(self):
        run = self.run_q("delete", self.ID, "--reviewer", "Alice", "--note", "personal")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertFalse(self.item.exists())
        shown = self.run_q("show", self.ID)
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertIn(b"no longer kept", shown.stdout)
        self.assertIn(b"clause 3.2, rule executable-attachment-name", shown.stdout)
        why = json.loads(self.run_q("show", self.ID, "--json").stdout)["why"]
        self.assertEqual([m["rule"] for m in why], ["executable-attachment-name"])

    def test_a_failed_raw_show_is_not_audited_as_viewed(self):
        run = self.run_q("show", self.ID, "--raw")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.stdout, EXE_MAIL)
        self.assertEqual(self.audit().count("viewed-raw"), 1)
        (self.item / "message.eml").unlink()  # the stored file is gone
        run = self.run_q("show", self.ID, "--raw")
        self.assertEqual(run.returncode, 66)
        self.assertEqual(self.audit().count("viewed-raw"), 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
