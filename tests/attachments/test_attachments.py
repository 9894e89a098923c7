#!/usr/bin/env python3
"""Attachments in depth through `aupctl check` with the shipped policy: true types, archives
(nested, encrypted, broken, bombs) built on the fly, as staff mail."""
import gzip
import io
import pathlib
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import unittest
import zipfile
from email.message import EmailMessage

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "lib"))
import staff_mail as mail  # noqa: E402
from staff_mail import zipped  # noqa: E402

ARGS = None


def pe_stub():
    """The smallest bytes libmagic calls a Windows executable."""
    dos = bytearray(64)
    dos[0:2] = b"MZ"
    struct.pack_into("<I", dos, 0x3C, 0x40)
    coff = b"PE\x00\x00" + struct.pack("<HHIIIHH", 0x14C, 1, 0, 0, 0, 0xE0, 0x102)
    optional = bytearray(0xE0)
    struct.pack_into("<H", optional, 0, 0x10B)
    return bytes(dos) + coff + bytes(optional) + bytes(256)


def zipped_with_raw_name(placeholder, raw_name, utf8_flag=False):
    """A zip whose one member's name is exactly `raw_name` (bytes), with bit 11 (UTF-8) as
    given: zipfile sets that flag itself from the name, so a same-length ASCII placeholder is
    written and then replaced (the name is in the local and the central header, under no CRC),
    and the flag set in both headers."""
    assert len(placeholder) == len(raw_name)
    content = bytearray(zipped({placeholder: b"WScript.Echo('hello');\n"}, zipfile.ZIP_STORED))
    assert content.count(placeholder.encode()) == 2
    content = bytearray(content.replace(placeholder.encode(), raw_name))
    if utf8_flag:
        for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            header = content.index(signature) + flags_at
            content[header:header + 2] = struct.pack("<H", 0x800)
    return bytes(content)


def check(raw):
    return mail.check(ARGS, raw)


class Attachments(unittest.TestCase):
    def verdict(self, name, content, declared="application/octet-stream"):
        return check(mail.staff_mail(name, content, declared))

    def assert_verdict(self, verdict, action, rules):
        self.assertEqual(verdict["action"], action, verdict)
        self.assertEqual(sorted(m["rule"] for m in verdict["matches"]), sorted(rules), verdict)

    def test_executable_named_as_text_is_rejected(self):
        verdict = self.verdict("report.txt", pe_stub(), "text/plain")
        self.assert_verdict(verdict, "reject", ["executable-content", "type-mismatch-monitor"])
        self.assertIn("3.2", verdict["reply"]["text"])

    def test_executable_sent_as_the_message_text_is_rejected(self):
        message = EmailMessage()
        message["From"] = "Jo Bloggs <jo.bloggs@medway.gov.uk>"
        message["To"] = "partner@example.org"
        message["Subject"] = "Notes"
        message.set_content(pe_stub(), maintype="text", subtype="plain")
        message.replace_header("Content-Type", "text/plain")
        verdict = check(message.as_bytes())
        self.assert_verdict(verdict, "reject", ["executable-content"])
        self.assertIn("inline text/plain part 1", verdict["matches"][0]["detail"])

    def test_zip_holding_an_executable_is_rejected(self):
        verdict = self.verdict("photos.zip", zipped({"holiday/tool.exe": pe_stub()}))
        self.assert_verdict(verdict, "reject", ["executable-attachment-name", "executable-content"])
        details = {m["rule"]: m["detail"] for m in verdict["matches"]}
        self.assertIn('"holiday/tool.exe" in photos.zip', details["executable-content"])

    def test_executable_renamed_inside_nested_zips_is_rejected(self):
        inner = zipped({"readme.txt": pe_stub()})
        verdict = self.verdict("outer.zip", zipped({"inner.zip": inner}))
        self.assert_verdict(verdict, "reject", ["executable-content", "type-mismatch-monitor"])

    def test_gzip_and_tar_members_are_inspected(self):
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
            script = b"#!/bin/sh\necho hello\n"
            info = tarfile.TarInfo("scripts/run")
            info.size = len(script)
            archive.addfile(info, io.BytesIO(script))
        self.assert_verdict(self.verdict("scripts.tar.gz", buffer.getvalue()), "reject",
                            ["executable-content"])
        self.assert_verdict(self.verdict("data.gz", gzip.compress(pe_stub())), "reject",
                            ["executable-content"])

    def test_archives_deeper_than_the_limit_are_held(self):
        content = zipped({"notes.txt": b"just notes"})
        for level in range(5):
            content = zipped({f"level{level}.zip": content})
        self.assert_verdict(self.verdict("deep.zip", content), "quarantine",
                            ["uninspectable-content"])

    @unittest.skipUnless(shutil.which("zip"), "needs zip(1)")
    def test_encrypted_zip_is_held(self):
        with tempfile.TemporaryDirectory() as tmp:
            (pathlib.Path(tmp) / "minutes.txt").write_text("Board minutes\n")
            subprocess.run(["zip", "-q", "-P", "secret", "locked.zip", "minutes.txt"], cwd=tmp,
                           check=True)
            content = (pathlib.Path(tmp) / "locked.zip").read_bytes()
        verdict = self.verdict("locked.zip", content)
        self.assert_verdict(verdict, "quarantine", ["uninspectable-content"])
        self.assertIn("encrypted", verdict["matches"][0]["detail"])


    def test_non_ascii_member_names_meet_the_name_rules(self):
        """Read in the daemon's C locale: UTF-8 flagged (zipfile sets bit 11), CP437 without
        the flag, and bidi overrides; the name is never replaced by "data"."""
        cases = {
            "UTF-8 flag": zipped({"fact\u00fcre.js": b"WScript.Echo(1);\n"}),
            "CP437": zipped_with_raw_name("factXre.js", "fact\u00fcre.js".encode("cp437")),
            "right-to-left override": zipped({"photo\u202egpj.exe": b"just bytes"}),
            "override before txt.js": zipped({"invoice\u202etxt.js": b"WScript.Echo(1);\n"}),
        }
        for what, content in cases.items():
            with self.subTest(what):
                verdict = self.verdict("docs.zip", content, "application/zip")
                self.assertEqual(verdict["action"], "reject", verdict)
                details = {m["rule"]: m["detail"] for m in verdict["matches"]}
                self.assertIn("executable-attachment-name", details)
                self.assertNotIn('"data"', details["executable-attachment-name"])
        verdict = self.verdict("docs.zip", cases["CP437"], "application/zip")
        self.assertIn("fact\u00fcre.js", verdict["matches"][0]["detail"])

    def test_format_characters_do_not_hide_an_extension(self):
        """A left-to-right mark or a zero-width joiner after or inside ".exe" is invisible to a
        reader, and must be to the name rules too: in a MIME file name and in an archive."""
        for name in ("tool.exe\u200e", "tool.e\u200dxe", "\u2066tool.js\u2069"):
            with self.subTest(name):
                self.assert_verdict(self.verdict(name, b"just bytes"), "reject",
                                    ["executable-attachment-name"])
                self.assert_verdict(self.verdict("tools.zip", zipped({name: b"just bytes"})),
                                    "reject", ["executable-attachment-name"])

    def test_member_whose_name_cannot_be_read_is_held(self):
        """Flagged UTF-8 but not UTF-8: no reader agrees on the name, so it is uninspectable."""
        content = zipped_with_raw_name("badXY.txt", b"bad\xff\xfe.txt", utf8_flag=True)
        verdict = self.verdict("odd.zip", content, "application/zip")
        self.assert_verdict(verdict, "quarantine", ["uninspectable-content"])
        self.assertIn("cannot be read", verdict["matches"][0]["detail"])

    def test_broken_zip_is_held(self):
        content = zipped({"minutes.txt": b"Board minutes " * 200})
        self.assert_verdict(self.verdict("broken.zip", content[: len(content) // 2]), "quarantine",
                            ["uninspectable-content"])

    def test_zip_bomb_is_held_without_unbounded_work(self):
        bomb = zipped({"zeros.bin": bytes(50 * 1024 * 1024)})
        self.assertLess(len(bomb), 200 * 1024)
        verdict = self.verdict("bomb.zip", bomb)
        self.assert_verdict(verdict, "quarantine", ["uninspectable-content"])
        self.assertIn("expands more than", verdict["matches"][0]["detail"])

    def test_42_zip_style_layered_bomb_is_held(self):
        """Like 42.zip: layers of 16 copies of the layer below, a highly compressible file at
        the bottom; unpacked in full it would be 16**4 * 32 MiB = 2 TiB."""
        layer = zipped({"0.dat": bytes(32 * 1024 * 1024)})
        for level in range(4):
            layer = zipped({f"{level}-{copy}.zip": layer for copy in range(16)})
        self.assertLess(len(layer), 2 * 1024 * 1024)
        verdict = self.verdict("42.zip", layer)
        self.assert_verdict(verdict, "quarantine", ["uninspectable-content"])
        detail = verdict["matches"][0]["detail"]
        self.assertTrue(any(limit in detail for limit in
                            ("expands more than", "archive members", "nested deeper",
                             "unpacked")), detail)

    def test_size_limits_give_552_5_3_4(self):
        verdict = self.verdict("survey.csv", b"a,b\n" * (21 * 1024 * 1024 // 4), "text/csv")
        self.assert_verdict(verdict, "reject", ["size-limit"])
        self.assertEqual((verdict["reply"]["code"], verdict["reply"]["xcode"]), ("552", "5.3.4"))
        self.assertIn("3.7", verdict["reply"]["text"])
        small = self.verdict("survey.csv", b"a,b\n" * 1000, "text/csv")
        self.assert_verdict(small, "accept", [])

    def test_clean_archive_and_honest_files_pass(self):
        self.assert_verdict(self.verdict("minutes.zip", zipped({"minutes.txt": b"Minutes\n"})),
                            "accept", [])
        pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
        self.assert_verdict(self.verdict("minutes.pdf", pdf, "application/pdf"), "accept", [])


if __name__ == "__main__":
    mail.parse_and_run(sys.modules[__name__])
