#!/usr/bin/env python3
"""Self-check for the plain-text data lists under rules/lists/.

Checks disposable-domains.txt, offensive-words.txt and offensive-allow.txt
against the list format (UTF-8, one entry per line, '#' comments, blank
lines ignored, lower-case entries) and a few content rules.

Exit status: 0 when there are no problems, 1 otherwise (problems are
written to stderr). Warnings never change the exit status.

Usage: check_lists.py [LISTS_DIR]   (default: <repo>/rules/lists)
"""

import os
import re
import sys

DOMAINS_FILE = "disposable-domains.txt"
OFFENSIVE_FILE = "offensive-words.txt"
ALLOW_FILE = "offensive-allow.txt"

MIN_DOMAINS = 200
REQUIRED_DOMAINS = ("guerrillamail.com", "mailinator.com", "yopmail.com")

# Words that no offensive entry may ever match.
MUST_NEVER_MATCH = (
    "Scunthorpe", "Penistone", "Cockermouth", "Sussex", "Essex",
    "Middlesex", "cocktail", "assessment", "analyse", "Dickens",
    "Hancock", "class",
)

LABEL_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
TLD_RE = re.compile(r"^[a-z]{2,63}$")
# A word in the offensive/allow lists: letters, optionally joined by
# apostrophes or hyphens.
WORD_RE = re.compile(r"^[^\W\d_]+(?:['-][^\W\d_]+)*$")


class Report:
    def __init__(self):
        self.problems = []
        self.warnings = []

    def problem(self, msg):
        self.problems.append(msg)

    def warn(self, msg):
        self.warnings.append(msg)


def load(path, report):
    """Return [(line_number, entry)] for the non-comment, non-blank lines."""
    name = os.path.basename(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        report.problem("%s: cannot read: %s" % (name, exc))
        return []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        report.problem("%s: not valid UTF-8: %s" % (name, exc))
        return []
    if text.startswith("\ufeff"):
        report.problem("%s: starts with a byte-order mark" % name)
        text = text[1:]
    lines = text.splitlines()
    if not lines or not lines[0].startswith("#"):
        report.problem("%s: must start with a '#' comment block" % name)
    entries = []
    seen = {}
    for num, line in enumerate(lines, 1):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        where = "%s:%d" % (name, num)
        if entry != entry.lower():
            report.problem("%s: entry is not lower-case: %r" % (where, entry))
        if entry != line:
            report.warn("%s: leading/trailing whitespace around %r"
                        % (where, entry))
        key = entry.lower()
        if key in seen:
            report.problem("%s: duplicate entry %r (first on line %d)"
                           % (where, entry, seen[key]))
            continue
        seen[key] = num
        entries.append((num, entry))
    return entries


def check_domain(entry):
    """Return None if entry is a valid bare domain name, else a reason."""
    if any(c.isspace() for c in entry):
        return "contains whitespace"
    if "*" in entry:
        return "wildcards are not allowed"
    if len(entry) > 253:
        return "longer than 253 characters"
    labels = entry.split(".")
    if len(labels) < 2:
        return "needs at least two labels"
    for label in labels:
        if not LABEL_RE.match(label):
            return "invalid label %r" % label
    if not TLD_RE.match(labels[-1]):
        return "invalid top-level domain %r" % labels[-1]
    return None


def check_domains(entries, report):
    name = DOMAINS_FILE
    domains = set()
    for num, entry in entries:
        reason = check_domain(entry)
        if reason:
            report.problem("%s:%d: invalid domain %r: %s"
                           % (name, num, entry, reason))
        domains.add(entry.lower())
    if len(domains) < MIN_DOMAINS:
        report.problem("%s: only %d domains (need at least %d)"
                       % (name, len(domains), MIN_DOMAINS))
    for required in REQUIRED_DOMAINS:
        if required not in domains:
            report.problem("%s: required domain %s is missing"
                           % (name, required))
    return domains


def parse_offensive(entries, report):
    """Return (plain_words, stems, phrases) from the offensive list."""
    name = OFFENSIVE_FILE
    plain, stems, phrases = set(), set(), set()
    for num, entry in entries:
        where = "%s:%d" % (name, num)
        if "  " in entry or "\t" in entry:
            report.problem("%s: words must be separated by single spaces: %r"
                           % (where, entry))
        is_stem = entry.endswith("*")
        body = entry[:-1] if is_stem else entry
        if "*" in body:
            report.problem("%s: '*' is only allowed at the end: %r"
                           % (where, entry))
            continue
        words = body.split()
        if not words or not all(WORD_RE.match(w) for w in words):
            report.problem("%s: not a word, stem or phrase: %r"
                           % (where, entry))
            continue
        body = " ".join(words).lower()
        if is_stem:
            if len(words) > 1:
                report.problem("%s: a stem must be a single word: %r"
                               % (where, entry))
                continue
            if len(body) < 3:
                report.problem("%s: stem %r is too short to be safe"
                               % (where, entry))
            stems.add(body)
        elif len(words) > 1:
            phrases.add(body)
        else:
            plain.add(body)
    for stem in sorted(stems):
        for word in sorted(plain):
            if word.startswith(stem):
                report.warn("%s: plain entry %r is already covered by %r"
                            % (name, word, stem + "*"))
    return plain, stems, phrases


def matching_entries(word, plain, stems, allow):
    """Entries (as written in the list) that would flag this single word."""
    word = word.lower()
    hits = []
    if word in plain:
        hits.append(word)
    if word not in allow:
        hits.extend(s + "*" for s in sorted(stems) if word.startswith(s))
    return hits


def check_allow(entries, plain, stems, report):
    name = ALLOW_FILE
    allow = set()
    for num, entry in entries:
        if not WORD_RE.match(entry):
            report.problem("%s:%d: must be one whole word: %r"
                           % (name, num, entry))
            continue
        allow.add(entry.lower())
    useless = []
    for word in sorted(allow):
        if word in plain:
            report.problem("%s: %r is also a plain entry in %s"
                           % (name, word, OFFENSIVE_FILE))
        elif not any(word.startswith(s) for s in stems):
            useless.append(word)
    if useless:
        report.warn("%s: %d entries are not caught by any current entry "
                    "of %s (kept only as a guard): %s"
                    % (name, len(useless), OFFENSIVE_FILE,
                       ", ".join(useless)))
    return allow


def main(argv):
    if len(argv) > 2 or (len(argv) == 2 and argv[1] in ("-h", "--help")):
        sys.stderr.write(__doc__)
        return 2
    if len(argv) == 2:
        lists_dir = argv[1]
    else:
        root = os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__))))
        lists_dir = os.path.join(root, "rules", "lists")

    report = Report()
    domain_entries = load(os.path.join(lists_dir, DOMAINS_FILE), report)
    offensive_entries = load(os.path.join(lists_dir, OFFENSIVE_FILE), report)
    allow_entries = load(os.path.join(lists_dir, ALLOW_FILE), report)

    domains = check_domains(domain_entries, report)
    plain, stems, phrases = parse_offensive(offensive_entries, report)
    allow = check_allow(allow_entries, plain, stems, report)

    for word in MUST_NEVER_MATCH:
        hits = matching_entries(word, plain, stems, allow)
        if hits:
            report.problem("%s: %r would be flagged by %s"
                           % (OFFENSIVE_FILE, word, ", ".join(hits)))

    for msg in report.warnings:
        sys.stderr.write("warning: %s\n" % msg)
    for msg in report.problems:
        sys.stderr.write("error: %s\n" % msg)
    print("lists: %d domains, %d offensive entries, %d allowed words, "
          "%d problems" % (len(domains), len(plain) + len(stems) + len(phrases),
                           len(allow), len(report.problems)))
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
