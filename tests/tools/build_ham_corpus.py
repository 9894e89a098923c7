#!/usr/bin/env python3
"""Builds a ham corpus (ordinary mail a member of staff sends) from real public text on this
Debian machine: the Debian changelog and NEWS entries of every installed package (what the
debian-devel-changes list carries), upstream changelogs (release notes and security fixes) and
copyright files (licence and legal wording). Each text becomes an RFC 5322 message in one of
the shapes list mail takes when staff pass it on: an announcement as the list sent it, a quoted
reply with a signature, a forward, a digest, a patch. The wrapping lines are fixed and neutral;
every word that could trip a rule comes from the real texts. Deterministic for a given set of
installed packages: the same machine always gives the same files.

    build_ham_corpus.py OUTDIR [--doc /usr/share/doc] [--limit N]
"""
import argparse
import gzip
import hashlib
import pathlib
import re
import sys
from email.utils import format_datetime, parsedate_to_datetime

STAFF = "Jo Bloggs <jo.bloggs@medway.gov.uk>"
EXTERNAL = "Sam Partner <sam.partner@example.org>"
LIST = "debian-devel-changes@lists.debian.org"
SIGNATURE = ("-- \nJo Bloggs\nSystems Administrator, ICT Services\nMedway Council, Gun Wharf, "
             "Dock Road, Chatham ME4 4TR\nTel: 01634 333333\n")
ENTRY_END = re.compile(r"^ -- (?P<who>.+?) {1,2}(?P<date>\w{3}, .+)$", re.M)
HEADING = re.compile(r"^(?P<pkg>[a-z0-9][a-z0-9+.-]+) \((?P<ver>[^)]+)\) (?P<dist>[^;]+);", re.M)


def read_gz(path):
    try:
        with gzip.open(path, "rb") as handle:
            return handle.read(2_000_000).decode("utf-8", errors="replace")
    except (OSError, EOFError):
        return ""


def debian_entries(text):
    """(heading, body, maintainer, date) for each entry of a Debian changelog or NEWS file."""
    start = 0
    for end in ENTRY_END.finditer(text):
        block = text[start:end.start()].strip("\n")
        start = end.end()
        heading = HEADING.search(block)
        if not heading or not block.strip():
            continue
        try:
            when = parsedate_to_datetime(end["date"].strip())
        except (TypeError, ValueError, IndexError):
            continue
        if when is None or when.tzinfo is None:
            continue
        rest = block[heading.end():]
        yield heading, rest[rest.find("\n") + 1:].strip("\n"), end["who"].strip(), when


def chunks(text, lines_per_chunk=40, most=6):
    """Up to `most` slices of a long text, at blank lines where possible."""
    lines = text.splitlines()
    out, current = [], []
    for line in lines:
        current.append(line)
        if (len(current) >= lines_per_chunk and not line.strip()) or len(current) >= 3 * lines_per_chunk:
            out.append("\n".join(current).strip("\n"))
            current = []
            if len(out) == most:
                break
    if current and len(out) < most:
        out.append("\n".join(current).strip("\n"))
    return [c for c in out if len(c) > 80]


def digest(key):
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)


def message(headers, body):
    lines = [f"{name}: {value}" for name, value in headers]
    lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
              "Content-Transfer-Encoding: 8bit"]
    return ("\n".join(lines) + "\n\n" + body.rstrip("\n") + "\n").encode("utf-8")


def list_headers():
    return [("List-Id", "<debian-devel-changes.lists.debian.org>"),
            ("List-Post", f"<mailto:{LIST}>"),
            ("List-Unsubscribe", "<mailto:debian-devel-changes-request@lists.debian.org?subject=unsubscribe>"),
            ("Precedence", "list")]


def quote(text):
    return "\n".join("> " + line if line else ">" for line in text.splitlines())


def shape_announcement(mid, pkg, ver, dist, body, who, when):
    text = (f"-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nFormat: 1.8\n"
            f"Date: {format_datetime(when)}\nSource: {pkg}\nVersion: {ver}\nDistribution: {dist}\n"
            f"Maintainer: {who}\nChanges:\n {pkg} ({ver}) {dist}; urgency=medium\n .\n"
            + "\n".join(" " + (line.strip() or ".") for line in body.splitlines()) + "\n")
    headers = [("From", STAFF), ("To", EXTERNAL), ("Subject", f"Accepted {pkg} {ver} (source) into {dist}"),
               ("Date", format_datetime(when)), ("Message-ID", f"<{mid}@ham.medway.invalid>")]
    return message(headers + list_headers(), text)


def shape_reply(mid, pkg, ver, dist, body, who, when):
    text = (f"Hi Sam,\n\nThanks for the note about {pkg}. We are on {ver} now; details below.\n\n"
            f"On {format_datetime(when)}, {who} wrote:\n{quote(body)}\n\nRegards,\nJo\n\n{SIGNATURE}")
    headers = [("From", STAFF), ("To", EXTERNAL), ("Subject", f"Re: {pkg} {ver}"),
               ("In-Reply-To", f"<{mid}.orig@ham.medway.invalid>"),
               ("Date", format_datetime(when)), ("Message-ID", f"<{mid}@ham.medway.invalid>")]
    return message(headers, text)


def shape_forward(mid, pkg, ver, dist, body, who, when):
    text = (f"Sam, FYI: the {pkg} update we discussed.\n\nJo\n\n"
            f"---------- Forwarded message ---------\nFrom: {who}\nDate: {format_datetime(when)}\n"
            f"Subject: Accepted {pkg} {ver} (source) into {dist}\nTo: {LIST}\n\n{body}\n\n"
            f"-- \nTo UNSUBSCRIBE, email to debian-devel-changes-request@lists.debian.org\n"
            f"with a subject of \"unsubscribe\". Trouble? Contact listmaster@lists.debian.org\n")
    headers = [("From", STAFF), ("To", EXTERNAL), ("Subject", f"Fwd: Accepted {pkg} {ver}"),
               ("Date", format_datetime(when)), ("Message-ID", f"<{mid}@ham.medway.invalid>")]
    return message(headers, text)


SHAPES = [shape_announcement, shape_reply, shape_forward]


def changelog_messages(doc, debian_name):
    for path in sorted(doc.glob(f"*/{debian_name}")):
        entries = list(debian_entries(read_gz(path)))
        # Recent entries are the ones a list carries today; keep the corpus spread over packages.
        for index, (heading, body, who, when) in enumerate(entries[:8]):
            pkg, ver, dist = heading["pkg"], heading["ver"], heading["dist"].strip()
            mid = f"{path.parent.name}.{debian_name.split('.')[0]}.{index}"
            yield mid, SHAPES[digest(mid) % len(SHAPES)](mid, pkg, ver, dist, body, who, when)


def digest_messages(doc):
    """Digests of five entries each: a newsletter's shape."""
    batch, number = [], 0
    for path in sorted(doc.glob("*/changelog.Debian.gz")):
        for heading, body, who, when in list(debian_entries(read_gz(path)))[8:9]:
            batch.append((heading, body, who, when))
        if len(batch) == 5:
            number += 1
            topics = "\n".join(f"   {i + 1}. Accepted {h['pkg']} {h['ver']} ({w})"
                               for i, (h, _, w, _) in enumerate(batch))
            parts = "\n\n".join(f"Message: {i + 1}\nFrom: {w}\nSubject: Accepted {h['pkg']} {h['ver']}\n\n{b}\n"
                                for i, (h, b, w, _) in enumerate(batch))
            text = (f"Send debian-devel-changes mailing list submissions to\n\t{LIST}\n\n"
                    f"Today's Topics:\n\n{topics}\n\n{'-' * 70}\n\n{parts}\n{'*' * 40}\n"
                    f"End of debian-devel-changes Digest, Vol 1, Issue {number}\n")
            mid = f"digest.{number}"
            headers = [("From", STAFF), ("To", EXTERNAL),
                       ("Subject", f"debian-devel-changes Digest, Vol 1, Issue {number}"),
                       ("Date", format_datetime(batch[-1][3])), ("Message-ID", f"<{mid}@ham.medway.invalid>")]
            yield mid, message(headers + list_headers(), text)
            batch = []


def upstream_messages(doc):
    """Release notes (NEWS, upstream changelogs): shared as a reply or a patch-style note."""
    for path in sorted(doc.glob("*/changelog.gz")) + sorted(doc.glob("*/NEWS.gz")):
        pkg = path.parent.name
        for index, chunk in enumerate(chunks(read_gz(path))):
            mid = f"{pkg}.{path.name.split('.')[0]}.{index}"
            subject = f"{pkg} release notes, part {index + 1}"
            if digest(mid) % 2:
                text = (f"Sam,\n\nHere are the upstream notes for {pkg} you asked about:\n\n"
                        f"{chunk}\n\nCheers,\nJo\n\n{SIGNATURE}")
            else:
                text = (f"Hi,\n\nOn Monday, Sam Partner wrote:\n> Could you send the {pkg} notes?\n\n"
                        f"Below.\n\n{quote(chunk)}\n\n{SIGNATURE}")
            yield mid, message([("From", STAFF), ("To", EXTERNAL), ("Subject", subject),
                                ("Date", "Wed, 07 Jan 2026 20:00:00 +0000"),
                                ("Message-ID", f"<{mid}@ham.medway.invalid>")], text)


def copyright_messages(doc):
    """Licence terms and legal wording, as staff send them to a supplier."""
    for path in sorted(doc.glob("*/copyright")):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        pieces = chunks(text, lines_per_chunk=50, most=1)
        if not pieces:
            continue
        mid = f"{path.parent.name}.copyright"
        body = (f"Dear Sam,\n\nAs requested for the procurement file, the licence terms of "
                f"{path.parent.name} follow.\n\n{pieces[0]}\n\nKind regards,\nJo\n\n{SIGNATURE}")
        yield mid, message([("From", STAFF), ("To", EXTERNAL),
                            ("Subject", f"Licence terms: {path.parent.name}"),
                            ("Date", "Wed, 07 Jan 2026 20:00:00 +0000"),
                            ("Message-ID", f"<{mid}@ham.medway.invalid>")], body)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=pathlib.Path)
    parser.add_argument("--doc", type=pathlib.Path, default=pathlib.Path("/usr/share/doc"))
    args = parser.parse_args()
    args.outdir.mkdir(parents=True, exist_ok=True)
    sources = [("changelog", changelog_messages(args.doc, "changelog.Debian.gz")),
               ("news", changelog_messages(args.doc, "NEWS.Debian.gz")),
               ("digest", digest_messages(args.doc)),
               ("upstream", upstream_messages(args.doc)),
               ("copyright", copyright_messages(args.doc))]
    counts = {}
    for kind, generator in sources:
        for mid, raw in generator:
            name = re.sub(r"[^A-Za-z0-9._+-]", "_", f"{kind}__{mid}") + ".eml"
            (args.outdir / name).write_bytes(raw)
            counts[kind] = counts.get(kind, 0) + 1
    print(" ".join(f"{k}={v}" for k, v in counts.items()), f"total={sum(counts.values())}")
    return 0 if counts else 1


if __name__ == "__main__":
    sys.exit(main())
