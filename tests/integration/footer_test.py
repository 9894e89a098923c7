#!/usr/bin/env python3
# The corporate footer behind a real Postfix: every shape of outbound message arrives at the
# sink with the footer in each text version, parsing cleanly (Python's email package, and GMime
# through `aupctl check`), with every attachment's decoded bytes identical; signed and
# DKIM-signed messages arrive byte-identical; inbound, rejected and held mail get no footer.
#
# Usage (as root; needs Debian's postfix package and openssl):
#   python3 tests/integration/footer_test.py --milter build/bin/aup-milter \
#       --aupctl build/bin/aupctl --config rules/aup.json [-v]
import base64
import email
import email.policy
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import postfix_test as base  # noqa: E402

MARKER = "Medway Council e-mail disclaimer:"
HEAD = ("From: Jo Bloggs <jo.bloggs@medway.gov.uk>\r\nTo: partner@example.org\r\n"
        "Subject: Planning figures\r\nDate: Mon, 05 Jan 2026 10:00:00 +0000\r\n"
        "Message-ID: <{token}@aup-test.invalid>\r\nMIME-Version: 1.0\r\n")
# Bytes that a wrong transfer encoding or a line-end rewrite would corrupt.
IMAGE = bytes(range(256)) * 8 + b"\r\n\r\n.\r\n\x00\x00\n\r"
PDF = b"%PDF-1.4\n" + bytes((i * 37) % 256 for i in range(3000)) + b"\n%%EOF\n"


def b64(data):
    return "\r\n".join(base64.b64encode(data).decode()[i:i + 76]
                       for i in range(0, len(base64.b64encode(data)), 76))


def plain(text="Hello,\r\n\r\nThe figures are below.\r\n", headers=""):
    return ("Content-Type: text/plain; charset=utf-8\r\n%s\r\n%s" % (headers, text))


def html(body="<p>Hello, the figures are below.</p>"):
    return ("Content-Type: text/html; charset=utf-8\r\n\r\n"
            "<html><head><title>x</title></head><body>%s</body></html>\r\n" % body)


def multipart(subtype, parts, boundary, extra=""):
    out = 'Content-Type: multipart/%s; boundary="%s"%s\r\n\r\n' % (subtype, boundary, extra)
    for part in parts:
        out += "--%s\r\n%s\r\n" % (boundary, part)
    return out + "--%s--\r\n" % boundary


def attachment(name, data, ctype="application/octet-stream", inline_id=None):
    disposition = "inline" if inline_id else "attachment"
    cid = "Content-ID: <%s>\r\n" % inline_id if inline_id else ""
    return ('Content-Type: %s; name="%s"\r\nContent-Disposition: %s; filename="%s"\r\n%s'
            "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n"
            % (ctype, name, disposition, name, cid, b64(data)))


SHAPES = {
    "plain-7bit": lambda: plain(),
    "plain-base64": lambda: ("Content-Type: text/plain; charset=utf-8\r\n"
                             "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n"
                             % b64("Café figures, £5 each.\r\n".encode())),
    "plain-quoted-printable": lambda: ("Content-Type: text/plain; charset=utf-8\r\n"
                                       "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                                       "Caf=C3=A9 figures, a long line that is soft=\r\n"
                                       " broken here.\r\n"),
    "plain-flowed": lambda: ("Content-Type: text/plain; charset=utf-8; format=flowed\r\n\r\n"
                             "A flowed paragraph that \r\ncontinues here.\r\n"),
    "plain-latin1": lambda: ("Content-Type: text/plain; charset=iso-8859-1\r\n"
                             "Content-Transfer-Encoding: 8bit\r\n\r\n"
                             "Caf\xe9 figures.\r\n"),
    "html": lambda: html(),
    "alternative": lambda: multipart("alternative", [plain(), html()], "alt-1"),
    "mixed-with-attachments": lambda: multipart(
        "mixed", [plain(), attachment("figures.pdf", PDF, "application/pdf"),
                  attachment("notes.txt", b"attached notes\r\n", "text/plain")], "mix-1"),
    "related-inline-image": lambda: multipart(
        "related", [html('<p>Chart:</p><img src="cid:chart@x">'),
                    attachment("chart.png", IMAGE, "image/png", "chart@x")], "rel-1"),
    "mixed-alternative-related": lambda: multipart("mixed", [
        multipart("alternative", [plain(), multipart("related", [
            html('<img src="cid:logo@x">'), attachment("logo.png", IMAGE, "image/png", "logo@x")],
            "rel-2")], "alt-2"),
        attachment("figures.pdf", PDF, "application/pdf")], "mix-2"),
    "forwarded-message": lambda: multipart("mixed", [
        plain("See the message below.\r\n"),
        "Content-Type: message/rfc822\r\n\r\nFrom: someone@example.net\r\n"
        "Subject: inner\r\nContent-Type: text/plain\r\n\r\nInner text stays as it is.\r\n"],
        "fwd-1"),
}


class FooterTest(base.PostfixFixture):
    def setUp(self):
        super().setUp()
        if base.ARGS.aupctl is None:
            self.skipTest("no --aupctl given")

    def send_shape(self, body):
        message = (HEAD.format(token=self.token) + body).encode("latin-1" if "\xe9" in body
                                                                else "utf-8")
        r = self.submit(message)
        self.assertTrue(r.accepted, "%r%s" % (r, self.diagnostics()))
        self.wait_delivered()
        return message, self.sink.find(self.token)

    def parses_cleanly_with_gmime(self, delivered):
        with tempfile.NamedTemporaryFile(suffix=".eml") as f:
            f.write(delivered.split(b"\n", 5)[-1] if delivered.startswith(b"X-") else delivered)
            f.flush()
            run = subprocess.run([base.ARGS.aupctl, "check", "--config", self.config,
                                  "--auth-user", "jo.bloggs", f.name],
                                 capture_output=True, text=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr)
        verdict = json.loads(run.stdout)
        rules = [m["rule"] for m in verdict["matches"]]
        self.assertNotIn("malformed-mime-monitor", rules, "GMime finds the result malformed")
        self.assertEqual(verdict["footer"]["outcome"], "already present")

    @staticmethod
    def leaves(msg):
        """(text versions of the message's own, attachments {name: bytes}) per Python."""
        texts, files = [], {}
        for part in msg.walk():
            if part.is_multipart() or part.get_content_maintype() == "message":
                continue
            name = part.get_filename()
            if name:
                files[name] = part.get_payload(decode=True)
            elif part.get_content_type() in ("text/plain", "text/html"):
                texts.append(part.get_content())
        return texts, files

    def test_every_shape_gets_the_footer_and_keeps_its_attachments(self):
        for name, make in SHAPES.items():
            with self.subTest(name):
                self.token = "aup-footer-%s-%s" % (name, os.urandom(4).hex())
                sent, delivered = self.send_shape(make())
                before = email.message_from_bytes(sent, policy=email.policy.default)
                after = email.message_from_bytes(delivered, policy=email.policy.default)
                self.assertEqual(after.defects, [], "Python's parser found defects")
                texts_before, files_before = self.leaves(before)
                texts_after, files_after = self.leaves(after)
                if name == "forwarded-message":
                    texts_after = texts_after[:1]  # the inner message's text is not ours
                    self.assertIn(b"Subject: inner\nContent-Type: text/plain\n\nInner text stays as it is.\n", delivered)  # the sink writes LF
                    self.assertNotIn(MARKER, texts_after[-1] if len(texts_after) > 1 else "")
                for text in texts_after:
                    self.assertEqual(text.count(MARKER), 1, "footer missing or doubled")
                for old, new in zip(texts_before, texts_after):
                    self.assertIn(old.replace("\r\n", "\n").split("</body>")[0].rstrip(),
                                  new.replace("\r\n", "\n"), "the author's text changed")
                self.assertEqual(files_after, files_before, "an attachment changed")
                self.parses_cleanly_with_gmime(delivered)

    def test_flowed_footer_stays_valid(self):
        self.token = "aup-flowed-" + os.urandom(4).hex()
        _, delivered = self.send_shape(SHAPES["plain-flowed"]())
        body = delivered.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in delivered else \
            delivered.split(b"\n\n", 1)[1]
        footer_lines = body[body.index(MARKER.encode()):].splitlines()
        self.assertTrue(all(not line.endswith(b" ") for line in footer_lines),
                        "a footer line would flow into the next")

    def test_signed_and_dkim_signed_messages_arrive_byte_identical(self):
        for name, body in (("smime", self.smime_signed()), ("dkim", None)):
            with self.subTest(name):
                self.token = "aup-signed-%s-%s" % (name, os.urandom(4).hex())
                if body is None:
                    head = HEAD.format(token=self.token).replace(
                        "From:", "DKIM-Signature: v=1; a=rsa-sha256; d=medway.gov.uk; s=s1;"
                        " h=from:to:subject; bh=abc=; b=def=\r\nFrom:", 1)
                    sent = (head + plain()).encode()
                else:
                    sent = (HEAD.format(token=self.token) + body).encode()
                r = self.submit(sent)
                self.assertTrue(r.accepted, "%r%s" % (r, self.diagnostics()))
                self.wait_delivered()
                delivered = self.sink.find(self.token)
                self.assertNotIn(MARKER.encode(), delivered)
                self.assertTrue(delivered.replace(b"\r\n", b"\n").endswith(
                    sent.replace(b"\r\n", b"\n").split(b"\n\n", 1)[1] + b"\n"),
                    "signed body changed")

    def smime_signed(self):
        with tempfile.TemporaryDirectory() as tmp:
            key, cert = os.path.join(tmp, "k.pem"), os.path.join(tmp, "c.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                            "-keyout", key, "-out", cert, "-days", "2", "-subj",
                            "/CN=jo.bloggs@medway.gov.uk"], check=True, capture_output=True)
            part = os.path.join(tmp, "part.txt")
            with open(part, "wb") as f:
                f.write(plain("Signed figures.\r\n").encode())
            signed = subprocess.run(["openssl", "smime", "-sign", "-in", part, "-signer", cert,
                                     "-inkey", key, "-crlfeol"], check=True,
                                    capture_output=True).stdout.decode()
        # openssl writes its own MIME-Version line; HEAD has one already.
        return signed.replace("MIME-Version: 1.0\r\n", "", 1)

    def test_inbound_rejected_and_held_mail_get_no_footer(self):
        self.token = "aup-nofooter-" + os.urandom(4).hex()
        sent = base.make_message(self.token, sender="someone@example.net",
                                 to="jo.bloggs@medway.gov.uk")
        r = self.submit(sent, sender="someone@example.net", rcpts=("jo.bloggs@medway.gov.uk",),
                        xclient="ADDR=203.0.113.5 NAME=[UNAVAILABLE] LOGIN=[UNAVAILABLE]")
        self.assertTrue(r.accepted, "%r%s" % (r, self.diagnostics()))
        self.wait_delivered()
        self.assertNotIn(MARKER.encode(), self.sink.find(self.token))
        held = "aup-held-" + os.urandom(4).hex()
        r = self.submit(base.make_message(held, subject="Good luck", text=base.CHAIN_TEXT))
        self.assertTrue(r.accepted)
        stored = self.stored_with(held)
        self.assertEqual(len(stored), 1)
        self.assertNotIn(MARKER.encode(), self.stored_items()[stored[0]])

    def test_a_non_ascii_footer_relabels_a_us_ascii_message(self):
        # A reload to a footer with a copyright sign: a charset-less 7bit message must become
        # UTF-8 quoted-printable, which needs top-level header changes through the milter.
        with open(self.config) as f:
            original = f.read()
        self.addCleanup(self.reload_config, original)
        doc = json.loads(original)
        doc["footer"]["text"] = "\u00a9 " + doc["footer"]["text"]
        self.reload_config(json.dumps(doc))
        self.token = "aup-copyright-" + os.urandom(4).hex()
        sent = (HEAD.format(token=self.token).replace("MIME-Version: 1.0\r\n", "")
                + "\r\nPlain old text.\r\n").encode()
        r = self.submit(sent)
        self.assertTrue(r.accepted, "%r%s" % (r, self.diagnostics()))
        msg = email.message_from_bytes(self.wait_for_token(), policy=email.policy.default)
        self.assertEqual(msg["MIME-Version"], "1.0")
        self.assertEqual(msg.get_content_charset(), "utf-8")
        self.assertEqual(msg["Content-Transfer-Encoding"], "quoted-printable")
        text = msg.get_content()
        self.assertTrue(text.startswith("Plain old text.\n"), text)
        self.assertIn("\u00a9 " + MARKER, text)

    def wait_for_token(self):
        self.wait_delivered()
        return self.sink.find(self.token)

    def reload_config(self, text):
        with open(self.config, "w") as f:
            f.write(text)
        self.milter.reload()

    def test_tagged_mail_gets_the_footer_too(self):
        self.token = "aup-tagged-" + os.urandom(4).hex()
        r = self.submit(base.make_message(self.token, subject=""))
        self.assertTrue(r.accepted)
        msg = self.wait_delivered()
        self.assertEqual(msg["X-AUP-Verdict"], "tag")
        self.assertIn(MARKER.encode(), self.sink.find(self.token))


if __name__ == "__main__":
    sys.exit(base.main())
