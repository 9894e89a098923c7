#!/usr/bin/env python3
"""A reproducible mixed corpus for the benchmark: plain, HTML, multipart with attachments, zips;
sizes from 2 KB to 1 MB, most between 20 and 100 KB. Usage: make_corpus.py DIR [COUNT]."""
import base64
import io
import pathlib
import random
import sys
import zipfile

WORDS = ("council planning meeting budget report figures schedule housing transport "
         "library school consultation residents service contract review agenda minutes "
         "please attached thanks regards update draft final version week month").split()


def prose(rng, size):
    out, length = [], 0
    while length < size:
        line = " ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "."
        out.append(line)
        length += len(line) + 2
    return "\r\n".join(out) + "\r\n"


def b64(data):
    text = base64.b64encode(data).decode()
    return "\r\n".join(text[i:i + 76] for i in range(0, len(text), 76))


def head(n, ctype):
    return ("From: Jo Bloggs <jo.bloggs@medway.gov.uk>\r\nTo: partner@example.org\r\n"
            "Subject: Planning update %d\r\nDate: Mon, 05 Jan 2026 10:00:00 +0000\r\n"
            "Message-ID: <bench-%d@medway.gov.uk>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: %s\r\n\r\n" % (n, n, ctype))


def attachment(name, ctype, data):
    return ('--b\r\nContent-Type: %s; name="%s"\r\nContent-Disposition: attachment; '
            'filename="%s"\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n'
            % (ctype, name, name, b64(data)))


def message(rng, n, size):
    kind = n % 4
    if kind == 0:
        return head(n, "text/plain; charset=utf-8") + prose(rng, size)
    if kind == 1:
        paragraphs = "".join("<p>%s</p>\r\n" % line for line in prose(rng, size).split("\r\n"))
        return head(n, "text/html; charset=utf-8") + "<html><body>\r\n%s</body></html>\r\n" % paragraphs
    text = "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s" % prose(rng, 2000)
    if kind == 2:
        csv = prose(rng, size * 3 // 4).replace(" ", ",").encode()
        return head(n, 'multipart/mixed; boundary="b"') + text + attachment(
            "figures.csv", "text/csv", csv) + "--b--\r\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("report.txt", prose(rng, size * 2))
        archive.writestr("notes/minutes.txt", prose(rng, size // 2))
    return head(n, 'multipart/mixed; boundary="b"') + text + attachment(
        "papers.zip", "application/zip", buffer.getvalue()) + "--b--\r\n"


def size_for(rng):
    roll = rng.random()
    if roll < 0.1:
        return rng.randint(2_000, 20_000)
    if roll < 0.9:
        return rng.randint(20_000, 100_000)
    return rng.randint(100_000, 1_000_000)


def main():
    directory = pathlib.Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20261128)
    for n in range(count):
        (directory / ("%04d.eml" % n)).write_bytes(message(rng, n, size_for(rng)).encode())


if __name__ == "__main__":
    main()
