#!/usr/bin/env python3
"""Writes seed inputs for the fuzz targets into OUT/<target>/: the project's test messages
(and the shared corpora when present), generated archives of every format libarchive reads,
the shipped and example rule files in the policy target's three-file form, and milter
sessions (negotiate ... end of message) built from test messages in the milter target's
byte program. Usage: make_seeds.py OUT"""
import bz2
import gzip
import hashlib
import io
import json
import lzma
import pathlib
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "lib"))
from staff_mail import zipped  # noqa: E402
SEPARATOR = b"\n=====\n"


def save(folder, data):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def messages():
    folders = [ROOT / "tests/corpus" / name for name in ("cases", "policy", "third-party", "samples")]
    folders.append(ROOT.parent / "shared/corpora/messages")
    for folder in folders:
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if path.suffix in (".eml", ".txt") and path.is_file():
                    yield path.read_bytes()


def tar_of(members, mode="w"):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def encrypted_zip():
    if not shutil.which("zip"):
        return None
    with tempfile.TemporaryDirectory() as folder:
        (pathlib.Path(folder) / "secret.txt").write_bytes(b"OFFICIAL-SENSITIVE\n")
        subprocess.run(["zip", "-q", "-P", "pw", "s.zip", "secret.txt"], cwd=folder, check=True)
        return (pathlib.Path(folder) / "s.zip").read_bytes()


def archives():
    exe = b"MZ\x90\x00\x03" + b"\x00" * 55 + struct.pack("<I", 64) + b"PE\x00\x00" + b"\x00" * 200
    script = b"#!/bin/sh\necho hello\n"
    text = b"Minutes of the meeting.\n" * 40
    members = [("report.txt", text), ("tools/run.exe", exe), ("setup.sh", script)]
    inner = zipped(members)
    yield zipped(members)
    yield zipped(members, zipfile.ZIP_STORED)
    yield zipped([("inner.zip", inner), ("notes.txt", text)])
    yield zipped([("level2.zip", zipped([("level3.zip", inner)]))])
    yield zipped([("zeros.bin", b"\x00" * (4 << 20))])  # ratio far over 100:1
    yield tar_of(members)
    yield tar_of(members, "w:gz")
    yield tar_of(members, "w:bz2")
    yield tar_of(members, "w:xz")
    yield gzip.compress(exe)
    yield bz2.compress(script)
    yield lzma.compress(text)
    yield exe
    yield script
    yield text
    encrypted = encrypted_zip()
    if encrypted:
        yield encrypted


def policy_seeds():
    config = json.loads((ROOT / "rules/aup.json").read_text())
    config["rule_files"] = ["rules.json"]
    config.pop("quarantine", None)  # the daemon's directory, not the loader's concern
    words = (ROOT / "rules/lists/offensive-words.txt").read_bytes()
    for pack in sorted((ROOT / "rules/packs").glob("*.json")):
        rules = re.sub(rb'"\.\./lists/[a-z-]+\.txt"', b'"words.txt"', pack.read_bytes())
        yield json.dumps(config, indent=1).encode() + SEPARATOR + rules + SEPARATOR + words
    example = ROOT / "tests/corpus/example-policy"
    config = json.loads((example / "aup.json").read_text())
    for name in config.get("rule_files", []):
        rules = (example / name).read_bytes()
        config_one = dict(config, rule_files=["rules.json"])
        yield json.dumps(config_one).encode() + SEPARATOR + rules + SEPARATOR + words


class Program:
    """The milter target's byte program (see fuzz_milter.cpp)."""

    def __init__(self):
        self.data = bytearray()

    def op(self, number, *parts):
        self.data.append(number)
        for part in parts:
            self.data += part
        return self

    @staticmethod
    def text(value, wide=False):
        value = value[:0xFFFF if wide else 0xFF]
        length = struct.pack(">H", len(value)) if wide else bytes([len(value)])
        return length + value


def session(message, sender, recipient, auth, fail=False):
    head, _, body = message.replace(b"\r\n", b"\n").partition(b"\n\n")
    program = Program()
    program.op(0, b"\x3f", b"\x01")  # all actions; SMFIP_HDR_LEADSPC offered
    program.op(1, Program.text(b"client.example"), b"\x00", b"\x05")  # 10.0.0.5
    if auth:
        program.op(2, b"\x00", Program.text(auth))
    program.op(2, b"\x01", Program.text(b"4ABC123"))
    program.op(3, Program.text(b"<" + sender + b">"), b"\x01")
    program.op(4, Program.text(b"<" + recipient + b">"), b"\x01")
    if fail:
        program.op(11)
    for field in re.split(rb"\n(?![ \t])", head):
        name, _, value = field.partition(b":")
        program.op(5, Program.text(name), Program.text(value.replace(b"\n", b"\r\n"), True))
    program.op(6)
    body = body.replace(b"\n", b"\r\n")
    for start in range(0, len(body), 65535):
        program.op(7, Program.text(body[start:start + 65535], True))
    program.op(8)
    return bytes(program.data)


def milter_seeds():
    chosen = [m for m in messages() if len(m) < 200_000][:60]
    for index, message in enumerate(chosen):
        yield session(message, b"jo.bloggs@medway.gov.uk", b"someone@example.com", b"jo.bloggs",
                      fail=index % 5 == 0)
    yield session(chosen[0], b"friend@example.org", b"jo.bloggs@medway.gov.uk", None)
    yield session(chosen[1], b"jo.bloggs@medway.gov.uk", b"allstaff@medway.gov.uk", b"jo.bloggs")


def main():
    out = pathlib.Path(sys.argv[1])
    for name, seeds in (("message", messages()), ("archive", archives()),
                        ("policy", policy_seeds()), ("milter", milter_seeds())):
        count = 0
        for seed in seeds:
            save(out / name, seed)
            count += 1
        print(f"{name}: {count} seeds")


if __name__ == "__main__":
    main()
