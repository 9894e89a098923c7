#!/usr/bin/env python3
"""Generated pattern rules for the rule-count benchmark and the prefilter's equivalence test:
the kinds of patterns ICT staff write (words and phrases, alternations, words a few words apart,
reference numbers, attachment names), over invented words so that few fire, plus a handful over
everyday words so that some do. Reproducible from the seed.

Usage: make_rules.py CONFIG COUNT OUT_DIR [--seed N] [--words-from DIR --share S]
With --words-from, a share S of the words are taken from the messages in DIR instead, so that
many rules fire (the prefilter's equivalence test).
Writes OUT_DIR/generated-COUNT.json (a rule pack) and OUT_DIR/aup-COUNT.json (CONFIG with the
pack added and its rule files made absolute)."""
import argparse
import json
import pathlib
import random
import re

SYLLABLES = ("ka lo mi nu re sa ti vo pe da fi gu ha je ko lu ma ne po ri su ta ve wi ya zo "
             "bra cle dri fro glu pla tri sno stu").split()
EVERYDAY = ("budget report meeting council housing transport library contract minutes draft "
            "invoice password salary lottery bitcoin").split()


def word(rng):
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


class Vocabulary:
    """Real words and pairs of words seen next to each other (a share of the picks), the rest
    invented."""

    def __init__(self, words, pairs, share):
        self.words, self.pairs, self.share = words, pairs, share

    def pick(self, rng):
        return rng.choice(self.words) if rng.random() < self.share else word(rng)

    def pick_pair(self, rng):
        if self.pairs and rng.random() < self.share:
            return rng.choice(self.pairs)
        return self.pick(rng), self.pick(rng)


def vocabulary_of(directory, share):
    words, pairs = set(), set()
    for path in sorted(pathlib.Path(directory).rglob("*")):
        if path.is_file() and path.suffix in (".eml", ".txt", ""):
            text = path.read_bytes()[:200000].decode("utf-8", "replace")
            found = re.findall(r"[A-Za-z\u00c0-\u024f]{4,12}(?:[ \t,.;:-]+[A-Za-z\u00c0-\u024f]{4,12})?", text)
            for item in found:
                parts = re.split(r"[ \t,.;:-]+", item.lower())
                words.update(parts)
                if len(parts) == 2:
                    pairs.add(tuple(parts))
    return Vocabulary(sorted(words), sorted(pairs), share)


def pattern(rng, vocabulary):
    pick = vocabulary.pick
    shape = rng.randrange(7)
    if shape == 0:
        return r"(?i)\b%s\W+%s\b" % vocabulary.pick_pair(rng)
    if shape == 1:
        return r"(?i)\b(?:%s)\b" % "|".join(pick(rng) for _ in range(rng.randint(3, 8)))
    if shape == 2:
        return r"(?i)\b%s(?:\W+\w+){0,3}?\W+%s\b" % vocabulary.pick_pair(rng)
    if shape == 3:
        return r"\b%s-?\d{4,6}\b" % word(rng).upper()[:4]
    if shape == 4:
        return r"(?i)%s[\s,._-]*%s" % vocabulary.pick_pair(rng)
    if shape == 5:
        return r"(?i)\b%ss?\b(?!\s+%s)" % (pick(rng), word(rng))
    return r"(?i)^.*\b%s\b" % pick(rng)


def scopes(rng):
    draw = rng.random()
    if draw < 0.70:
        return ["subject", "body"]
    if draw < 0.85:
        return "body"
    if draw < 0.95:
        return "subject"
    return "attachment.name"


def rule(rng, vocabulary, n):
    return {"id": "generated-%04d" % n,
            "description": "Generated rule %d" % n,
            "policy_ref": "4.7.2",
            "scope": scopes(rng),
            "pattern": pattern(rng, vocabulary),
            "action": rng.choice(["tag", "tag", "quarantine"]),
            "mode": "monitor"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("config")
    ap.add_argument("count", type=int)
    ap.add_argument("out_dir")
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--words-from")
    ap.add_argument("--share", type=float, default=0.5)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    vocabulary = (vocabulary_of(args.words_from, args.share) if args.words_from
                  else Vocabulary(EVERYDAY, [], 0.02))
    out = pathlib.Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pack = out / ("generated-%d.json" % args.count)
    pack.write_text(json.dumps({"description": "generated", "rules": [
        rule(rng, vocabulary, n) for n in range(args.count)]}, indent=1))
    config_path = pathlib.Path(args.config).resolve()
    config = json.loads(config_path.read_text())
    config["rule_files"] = [str(config_path.parent / f) for f in config["rule_files"]]
    if args.count:
        config["rule_files"].append(str(pack.resolve()))
    (out / ("aup-%d.json" % args.count)).write_text(json.dumps(config, indent=1))


if __name__ == "__main__":
    main()
