#!/usr/bin/env python3
# The review pages over HTTP (`aupctl serve`), against a quarantine filled by the real milter
# behind a private Postfix: every route's authorisation, CSRF, sign-in throttling, escaping of
# hostile messages, the safety headers, and decisions that reach the sink and the audit trail.
#
# Usage (as root; needs Debian's postfix package):
#   python3 tests/web/web_test.py --milter build/bin/aup-milter --aupctl build/bin/aupctl \
#       --config rules/aup.json [-v]
import html.parser
import http.client
import json
import os
import re
import subprocess
import sys
import time
import unittest
import urllib.parse
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import postfix_harness as harness  # noqa: E402
import postfix_test as base  # noqa: E402

PASSWORD = "correct horse battery staple"
HOSTILE = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">'
FOUR_EYES_CLAUSE = "4.7.1"  # chain letters: releasing one needs two officers here
SCREENSHOTS = None  # --screenshots DIR keeps the browser test's screenshots (docs/screenshots)


class Client:
    """One browser-like visitor: keeps its cookies, reads the CSRF token off forms."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, form=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join("%s=%s" % pair for pair in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                cookie_value = rest.split(";")[0]
                if "Max-Age=0" in value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = cookie_value
        connection.close()
        return response, text

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, form, **kw):
        return self.request("POST", path, form=form, **kw)

    def csrf(self, path):
        _, text = self.get(path)
        found = re.search(r'name="csrf" value="([0-9a-f]+)"', text)
        return found.group(1) if found else None

    def sign_in(self, name, password=PASSWORD):
        token = self.csrf("/login")
        return self.post("/login", {"csrf": token, "name": name, "password": password})


class ScriptFinder(html.parser.HTMLParser):
    """Elements and attributes that would run script if the page were rendered."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "img", "iframe", "object", "embed"):
            self.found.append(tag)
        self.found += [name for name, _ in attrs if name.startswith("on")]


class WebTest(base.PostfixFixture):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = None
        try:
            cls.web_port = harness.free_port()
            with open(cls.config) as f:
                doc = json.load(f)
            doc["web"] = {"listen": "127.0.0.1:%d" % cls.web_port,
                          "four_eyes_clauses": [FOUR_EYES_CLAUSE]}
            with open(cls.config, "w") as f:
                json.dump(doc, f, indent=2)
            for name, role in (("olivia", "officer"), ("oscar", "officer"),
                               ("audrey", "auditor"), ("throttled", "officer")):
                cls.aupctl_static("users", "add", name, "--role", role, stdin=PASSWORD + "\n")
            cls.server_log = open(os.path.join(cls.root, "serve.log"), "ab")
            cls.server = subprocess.Popen(
                [base.ARGS.aupctl, "serve", "--config", cls.config], stdout=cls.server_log,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            if not harness.wait_for(lambda: cls.server.poll() is not None
                                    or harness.port_open(cls.web_port), 30) \
                    or cls.server.poll() is not None:
                raise RuntimeError("aupctl serve did not start")
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "server", None) is not None:
            harness.stop_process(cls.server)
        super().tearDownClass()

    @classmethod
    def aupctl_static(cls, *args, stdin=None):
        proc = subprocess.run([base.ARGS.aupctl, *args, "--config", cls.config], input=stdin,
                              capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise AssertionError("aupctl %s: %s%s" % (" ".join(args), proc.stdout, proc.stderr))
        return proc.stdout

    # --- helpers ----------------------------------------------------------------------------

    def serve(self, config, port):
        """A second `aupctl serve` with its own configuration, answering on port."""
        server = subprocess.Popen([base.ARGS.aupctl, "serve", "--config", config],
                                  stdout=self.server_log, stderr=subprocess.STDOUT)
        if not harness.wait_for(lambda: server.poll() is not None or harness.port_open(port), 30) \
                or server.poll() is not None:
            harness.stop_process(server)
            self.fail("aupctl serve did not start on port %d" % port)
        return server

    def hold(self, subject="Good luck", text=base.CHAIN_TEXT, attachment=None):
        """Sends a chain letter through Postfix; returns its quarantine id."""
        token = "aup-" + uuid.uuid4().hex
        r = self.submit(base.make_message(token, subject=subject, text=text,
                                          attachment=attachment))
        self.assertTrue(r.accepted, r)
        def indexed():
            out = self.aupctl_static("quarantine", "list", "--status", "any", "--json")
            for item in json.loads(out):
                if token in json.dumps(item) or item.get("subject") == subject:
                    return item["id"]
            return None
        item_id = harness.wait_for(indexed, 30)
        self.assertIsNotNone(item_id, "message not quarantined" + self.diagnostics())
        return item_id

    def officer(self, name="olivia"):
        client = Client(self.web_port)
        response, _ = client.sign_in(name)
        self.assertEqual(response.status, 303, "sign-in as %s" % name)
        return client

    def status_of(self, item_id):
        out = self.aupctl_static("quarantine", "list", "--status", "any", "--json")
        return {item["id"]: item["status"] for item in json.loads(out)}[item_id]

    def audit_of(self, item_id):
        out = self.aupctl_static("quarantine", "audit", item_id, "--json")
        return [(entry["actor"], entry["action"]) for entry in json.loads(out)]

    # --- authorisation ----------------------------------------------------------------------

    def test_every_page_needs_signing_in(self):
        item_id = self.hold(subject="signed out " + uuid.uuid4().hex)
        anonymous = Client(self.web_port)
        for path in ("/", "/audit", "/summary", "/item/" + item_id, "/item/%s/raw" % item_id,
                     "/item/%s/release" % item_id, "/item/%s/delete" % item_id,
                     "/item/%s/keep" % item_id):
            response, _ = anonymous.get(path)
            self.assertEqual((response.status, response.getheader("Location")), (303, "/login"),
                             path)
        for action in ("release", "delete", "keep"):
            response, _ = anonymous.post("/item/%s/%s" % (item_id, action), {"note": "x"})
            self.assertEqual(response.status, 403, action)
        self.assertEqual(self.status_of(item_id), "held")
        response, _ = anonymous.get("/static/style.css")
        self.assertEqual(response.status, 200)

    def test_auditor_reads_everything_and_decides_nothing(self):
        item_id = self.hold(subject="auditor " + uuid.uuid4().hex)
        auditor = Client(self.web_port)
        self.assertEqual(auditor.sign_in("audrey")[0].status, 303)
        for path in ("/", "/audit", "/summary", "/item/" + item_id, "/item/%s/raw" % item_id):
            self.assertEqual(auditor.get(path)[0].status, 200, path)
        _, page = auditor.get("/item/" + item_id)
        self.assertNotIn("/release\"", page, "an auditor is offered a release button")
        csrf = auditor.csrf("/")
        for action in ("release", "delete", "keep"):
            self.assertEqual(auditor.get("/item/%s/%s" % (item_id, action))[0].status, 403)
            response, _ = auditor.post("/item/%s/%s" % (item_id, action),
                                       {"csrf": csrf, "note": "auditor"})
            self.assertEqual(response.status, 403, action)
        self.assertEqual(self.status_of(item_id), "held")
        self.assertIn(("audrey", "viewed"), self.audit_of(item_id))

    def test_forms_without_their_csrf_token_are_refused(self):
        item_id = self.hold(subject="csrf " + uuid.uuid4().hex)
        officer = self.officer()
        for form in ({}, {"csrf": "0" * 64}, {"csrf": ""}):
            response, _ = officer.post("/item/%s/delete" % item_id, dict(form, note="x"))
            self.assertEqual(response.status, 403, form)
        self.assertEqual(self.status_of(item_id), "held")
        # Signing in and out are forms too.
        stranger = Client(self.web_port)
        response, _ = stranger.post("/login", {"name": "olivia", "password": PASSWORD})
        self.assertEqual(response.status, 403)
        self.assertEqual(officer.post("/logout", {})[0].status, 403)
        self.assertEqual(officer.get("/")[0].status, 200, "still signed in")

    def test_wrong_passwords_are_throttled_per_account(self):
        client = Client(self.web_port)
        for _ in range(5):
            self.assertEqual(client.sign_in("throttled", "wrong password!")[0].status, 401)
        response, page = client.sign_in("throttled")  # right password, but too soon
        self.assertEqual(response.status, 429)
        self.assertIn("Too many failed sign-ins", page)
        self.assertEqual(Client(self.web_port).sign_in("oscar")[0].status, 303,
                         "another account from the same address is not locked out")

    def test_sign_out_ends_the_session(self):
        officer = self.officer("oscar")
        session = dict(officer.cookies)
        csrf = officer.csrf("/")
        self.assertEqual(officer.post("/logout", {"csrf": csrf})[0].status, 303)
        replay = Client(self.web_port)
        replay.cookies = session
        self.assertEqual(replay.get("/")[0].status, 303, "the old session cookie still works")

    def test_single_sign_on_header_when_configured(self):
        item_id = self.hold(subject="sso " + uuid.uuid4().hex)
        with open(self.config) as f:
            doc = json.load(f)
        port = harness.free_port()
        doc["web"] = {"listen": "127.0.0.1:%d" % port, "trusted_user_header": "X-Remote-User",
                      "trusted_user_role": "officer", "trusted_proxies": ["127.0.0.1"]}
        config = os.path.join(os.path.dirname(self.config), "sso.json")
        with open(config, "w") as f:
            json.dump(doc, f)
        server = self.serve(config, port)
        try:
            proxy = {"X-Remote-User": "Sam.SSO"}  # one person, however the proxy spells it
            client = Client(port)
            response, page = client.get("/", headers=proxy)
            self.assertEqual(response.status, 200)
            self.assertIn("sam.sso (officer)", page)
            self.assertEqual(client.get("/")[0].status, 303, "no header, no access")
            self.assertEqual(client.get("/", headers={"X-Remote-User": "<b>x</b>"})[0].status, 303)
            csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
            response, _ = client.post("/item/%s/keep" % item_id, {"note": "sso"}, headers=proxy)
            self.assertEqual(response.status, 403, "a form without the token")
            response, _ = client.post("/item/%s/keep" % item_id, {"csrf": csrf, "note": "sso"},
                                      headers=proxy)
            self.assertEqual(response.status, 200)
            self.assertIn(("sam.sso", "kept-held"), self.audit_of(item_id))
            # Without the setting (the main server), the header means nothing.
            self.assertEqual(Client(self.web_port).get("/", headers=proxy)[0].status, 303)
        finally:
            harness.stop_process(server)
        # Nor from an address that is not a trusted proxy.
        doc["web"]["trusted_proxies"] = ["192.0.2.1"]
        with open(config, "w") as f:
            json.dump(doc, f)
        server = self.serve(config, port)
        try:
            self.assertEqual(Client(port).get("/", headers=proxy)[0].status, 303)
        finally:
            harness.stop_process(server)

    def test_removed_account_or_new_password_ends_the_session(self):
        self.aupctl_static("users", "add", "temp.officer", "--role", "officer",
                           stdin=PASSWORD + "\n")
        client = self.officer("temp.officer")
        self.aupctl_static("users", "passwd", "temp.officer", stdin="a different password\n")
        self.assertEqual(client.get("/")[0].status, 303, "session outlived a password change")
        self.assertEqual(client.sign_in("temp.officer", "a different password")[0].status, 303)
        self.assertEqual(client.get("/")[0].status, 200)
        self.aupctl_static("users", "remove", "temp.officer")
        self.assertEqual(client.get("/")[0].status, 303, "session outlived its account")

    # --- decisions --------------------------------------------------------------------------

    def test_release_reaches_the_sink_and_the_audit_trail(self):
        subject = "release " + uuid.uuid4().hex
        item_id = self.hold(subject=subject, text="Forward this email to 10 people within 24 "
                            "hours. Do not break the chain!\r\n")
        # Clause 4.7.1 needs two officers here.
        olivia, oscar = self.officer("olivia"), self.officer("oscar")
        csrf = olivia.csrf("/item/%s/release" % item_id)
        response, page = olivia.post("/item/%s/release" % item_id, {"csrf": csrf, "note": "ok"})
        self.assertEqual(response.status, 200, page)
        self.assertIn("second officer", page)
        self.assertEqual(self.status_of(item_id), "held")
        response, _ = olivia.post("/item/%s/release" % item_id, {"csrf": csrf})
        self.assertEqual(response.status, 409, "the same officer released twice")
        csrf = oscar.csrf("/item/%s/release" % item_id)
        response, page = oscar.post("/item/%s/release" % item_id, {"csrf": csrf, "note": "agreed"})
        self.assertEqual(response.status, 200, page)
        self.assertEqual(self.status_of(item_id), "released")
        self.assertIsNotNone(harness.wait_for(lambda: self.sink.find(subject), 30),
                             "released message not delivered" + self.diagnostics())
        trail = self.audit_of(item_id)
        self.assertIn(("olivia", "release-approved"), trail)
        self.assertIn(("oscar", "released"), trail)
        _, audit_page = oscar.get("/audit")
        self.assertIn(item_id, audit_page)

    def test_keeping_held_cancels_an_approval(self):
        item_id = self.hold(subject="approval " + uuid.uuid4().hex)  # clause 4.7.1: four eyes
        olivia, oscar = self.officer("olivia"), self.officer("oscar")
        csrf_o = olivia.csrf("/")
        self.assertIn("second officer", olivia.post("/item/%s/release" % item_id,
                                                    {"csrf": csrf_o})[1])
        csrf_s = oscar.csrf("/")
        self.assertEqual(oscar.post("/item/%s/keep" % item_id,
                                    {"csrf": csrf_s, "note": "ask the sender"})[0].status, 200)
        response, page = oscar.post("/item/%s/release" % item_id, {"csrf": csrf_s})
        self.assertIn("second officer", page, "an approval given before kept-held still counted")
        self.assertEqual(self.status_of(item_id), "held")

    def test_delete_and_keep_with_a_note(self):
        deleted, kept = self.hold(subject="delete " + uuid.uuid4().hex), \
            self.hold(subject="keep " + uuid.uuid4().hex)
        officer = self.officer()
        csrf = officer.csrf("/item/%s/delete" % deleted)
        self.assertEqual(officer.post("/item/%s/delete" % deleted, {"csrf": csrf})[0].status, 200)
        self.assertEqual(self.status_of(deleted), "deleted")
        response, _ = officer.post("/item/%s/keep" % kept, {"csrf": csrf, "note": " "})
        self.assertEqual(response.status, 400, "keeping held without a note")
        response, _ = officer.post("/item/%s/keep" % kept,
                                   {"csrf": csrf, "note": "asked HR first"})
        self.assertEqual(response.status, 200)
        self.assertEqual(self.status_of(kept), "held")
        self.assertIn(("olivia", "kept-held"), self.audit_of(kept))
        response, _ = officer.post("/item/%s/delete" % deleted, {"csrf": csrf})
        self.assertEqual(response.status, 409, "deleting twice")

    # --- safety -----------------------------------------------------------------------------

    def test_hostile_message_is_shown_as_text(self):
        subject = "Chain " + HOSTILE
        item_id = self.hold(subject=subject, text=base.CHAIN_TEXT + HOSTILE + "\r\n",
                            attachment=(HOSTILE.replace('"', "") + ".txt", "aGVsbG8="))
        officer = self.officer()
        for path in ("/", "/item/" + item_id, "/audit", "/?q=" + urllib.parse.quote(HOSTILE)):
            response, page = officer.get(path)
            self.assertEqual(response.status, 200, path)
            finder = ScriptFinder()
            finder.feed(page)
            self.assertEqual(finder.found, [], "active markup from the message on %s" % path)
        _, page = officer.get("/item/" + item_id)
        self.assertIn("&lt;script&gt;window.pwned=1&lt;/script&gt;", page)
        response, raw = officer.get("/item/%s/raw" % item_id)
        self.assertTrue(response.getheader("Content-Type").startswith("text/plain"))
        self.assertIn("sandbox", response.getheader("Content-Security-Policy"))
        self.assertIn("<script>", raw)  # the raw source is the source, served inertly

    def test_safety_headers_and_cookie_flags(self):
        client = Client(self.web_port)
        response, _ = client.get("/login")
        csp = response.getheader("Content-Security-Policy")
        self.assertIn("default-src 'none'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertEqual(response.getheader("X-Content-Type-Options"), "nosniff")
        self.assertEqual(response.getheader("X-Frame-Options"), "DENY")
        token = re.search(r'name="csrf" value="([0-9a-f]+)"', _).group(1)
        connection = http.client.HTTPConnection("127.0.0.1", self.web_port, timeout=30)
        connection.request("POST", "/login", body=urllib.parse.urlencode(
            {"csrf": token, "name": "oscar", "password": PASSWORD}),
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "Cookie": "aup_login=" + token})
        set_cookie = connection.getresponse().getheader("Set-Cookie")
        connection.close()
        self.assertRegex(set_cookie, r"^aup_session=[0-9a-f]{64}; ")
        for flag in ("HttpOnly", "SameSite=Strict", "Path=/"):
            self.assertIn(flag, set_cookie)

    # --- in a real browser ------------------------------------------------------------------

    def test_in_a_real_browser(self):
        marked = "OFFICIAL-SENSITIVE budget " + uuid.uuid4().hex  # clause 4.6.1: one officer
        data = {
            "base_url": "http://127.0.0.1:%d" % self.web_port, "password": PASSWORD,
            "release_subject": marked, "release_id": self.hold(subject=marked, text="Figures.\r\n"),
            "delete_id": self.hold(subject="browser delete " + uuid.uuid4().hex),
            "hostile_id": self.hold(subject="Chain " + HOSTILE,
                                    text=base.CHAIN_TEXT + HOSTILE + "\r\n"),
            "screenshots": SCREENSHOTS or os.path.join(self.root, "screenshots"),
        }
        os.makedirs(data["screenshots"], exist_ok=True)
        proc = subprocess.run(["node", os.path.join(HERE, "browser", "browser_test.mjs")],
                              env=dict(os.environ, AUP_BROWSER_TEST=json.dumps(data)),
                              capture_output=True, text=True, timeout=300)
        self.assertEqual(proc.returncode, 0, "browser test:\n%s%s" % (proc.stdout, proc.stderr))
        self.assertEqual(self.status_of(data["release_id"]), "released")
        self.assertEqual(self.status_of(data["delete_id"]), "deleted")
        self.assertEqual(self.status_of(data["hostile_id"]), "held")
        self.assertIsNotNone(harness.wait_for(lambda: self.sink.find(marked), 30),
                             "released in the browser, not delivered" + self.diagnostics())

    def test_queue_filters_and_paging(self):
        subject = "filter " + uuid.uuid4().hex
        item_id = self.hold(subject=subject)
        officer = self.officer()
        _, page = officer.get("/?q=" + urllib.parse.quote(subject))
        self.assertIn(item_id, page)
        self.assertIn("1 message(s) match", page)
        _, page = officer.get("/?clause=9.9.9")
        self.assertNotIn(item_id, page)
        _, page = officer.get("/?clause=4.7.1&status=held&q=" + urllib.parse.quote(subject))
        self.assertIn(item_id, page)
        _, page = officer.get("/summary")
        self.assertIn("4.7.1", page)


def main():
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--milter", required=True)
    ap.add_argument("--aupctl", required=True)
    ap.add_argument("--config", default=base.ARGS.config)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--screenshots", help="keep the browser's screenshots here")
    args, rest = ap.parse_known_args()
    global SCREENSHOTS
    SCREENSHOTS = os.path.abspath(args.screenshots) if args.screenshots else None
    base.ARGS.milter, base.ARGS.aupctl = args.milter, args.aupctl
    base.ARGS.config, base.ARGS.keep = os.path.abspath(args.config), args.keep
    started = time.monotonic()
    program = unittest.main(argv=[sys.argv[0]] + rest, exit=False)
    print("web_test: %.1fs" % (time.monotonic() - started))
    sys.exit(0 if program.result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
