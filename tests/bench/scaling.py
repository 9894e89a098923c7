#!/usr/bin/env python3
"""The engine alone (`aupctl bench`: parse, inspect, rules, footer): decoded MB/s with the
shipped policy and with 1,000 generated rules more, side by side in one run; and how the cost
of one message grows with its size, its recipients and the number of rules, as a table and a
small SVG plot. Usage: scaling.py --aupctl PATH --config aup.json --corpus DIR --out DIR"""
import argparse
import json
import pathlib
import random
import statistics
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import make_corpus  # noqa: E402  (the benchmark corpus's message kinds)
import svg_plot  # noqa: E402

REPETITIONS = 3
KINDS = ("plain", "html", "csv attachment", "zip attachment")
SIZES = (2_000, 10_000, 50_000, 100_000, 250_000, 500_000, 1_000_000)
RECIPIENTS = (1, 10, 50, 100, 500)
RULE_COUNTS = (0, 250, 500, 1000, 2000)


def bench(aupctl, config, messages, extra=(), repeat=REPETITIONS):
    run = subprocess.run([aupctl, "bench", "--config", str(config), "--auth-user", "jo.bloggs",
                          "--repeat", str(repeat), "--json", *extra, *map(str, messages)],
                         capture_output=True, text=True, check=True)
    return json.loads(run.stdout)


def rules_config(config, count, out):
    subprocess.run([sys.executable, str(pathlib.Path(__file__).with_name("make_rules.py")),
                    str(config), str(count), str(out)], check=True)
    return out / ("aup-%d.json" % count)


def rule_count_comparison(args, configs):
    """Shipped and shipped + 1,000, alternating, medians over the repetitions."""
    seconds = {0: [], 1000: []}
    reports = {}
    for _ in range(REPETITIONS):
        for count in seconds:
            reports[count] = bench(args.aupctl, configs[count], [args.corpus], repeat=1)
            seconds[count].append(reports[count]["median_pass_seconds"])
    without = bench(args.aupctl, configs[1000], [args.corpus], ["--no-prefilter"], repeat=1)
    decoded_mb = reports[0]["decoded_bytes"] / 1e6
    shipped, thousand = (statistics.median(seconds[c]) for c in (0, 1000))
    return {"shipped_rules": reports[0]["rules"], "decoded_mb": decoded_mb,
            "shipped_mb_per_s": decoded_mb / shipped, "thousand_mb_per_s": decoded_mb / thousand,
            "thousand_without_prefilter_mb_per_s": decoded_mb / without["median_pass_seconds"],
            "cost_ratio": thousand / shipped,
            "cost_ratio_without_prefilter": without["median_pass_seconds"] / shipped}


def by_size(args, config, tmp):
    directory = tmp / "sizes"
    directory.mkdir()
    rng = random.Random(7)
    for size in SIZES:
        for kind in range(len(KINDS)):
            (directory / ("%07d-%d.eml" % (size, kind))).write_bytes(
                make_corpus.message(rng, kind, size).encode())
    report = bench(args.aupctl, config, [directory], ["--per-message"], repeat=5)
    series = {kind: [] for kind in KINDS}
    for item in report["per_message"]:
        size, kind = item["name"][:-4].split("-")
        series[KINDS[int(kind)]].append((item["raw_bytes"] / 1000, item["median_ms"]))
    return series


def by_recipients(args, config, tmp):
    message = tmp / "recipients.eml"
    message.write_bytes(make_corpus.message(random.Random(3), 0, 50_000).encode())
    points = []
    for count in RECIPIENTS:
        rcpt = []
        for n in range(count):
            rcpt += ["--rcpt", "partner%d@example%d.org" % (n, n % 7)]
        report = bench(args.aupctl, config, [message], rcpt + ["--per-message"], repeat=20)
        points.append((count, report["per_message"][0]["median_ms"]))
    return points


def by_rule_count(args, tmp):
    with_prefilter, without = [], []
    for count in RULE_COUNTS:
        config = rules_config(args.config, count, tmp / "rules")
        report = bench(args.aupctl, config, [args.corpus])
        per_message = 1000 * report["median_pass_seconds"] / report["messages"]
        with_prefilter.append((report["rules"], per_message))
        if count <= 1000:
            report = bench(args.aupctl, config, [args.corpus], ["--no-prefilter"], repeat=1)
            without.append((report["rules"], 1000 * report["median_pass_seconds"] /
                            report["messages"]))
    return {"with prefilter": with_prefilter, "without prefilter": without}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aupctl", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    (out / "rules").mkdir(parents=True, exist_ok=True)
    configs = {count: rules_config(args.config, count, out / "rules") for count in (0, 1000)}
    comparison = rule_count_comparison(args, configs)
    sizes = by_size(args, configs[0], out)
    recipients = by_recipients(args, configs[0], out)
    rule_counts = by_rule_count(args, out)
    results = {"rule_count_comparison": comparison, "size": sizes, "recipients": recipients,
               "rules": rule_counts}
    (out / "scaling.json").write_text(json.dumps(results, indent=1))
    (out / "scaling.svg").write_text(svg_plot.panels([
        ("cost by message size", "message size, KB", "ms per message", sizes),
        ("cost by recipients (50 KB plain)", "envelope recipients", "ms per message",
         {"plain": recipients}),
        ("cost by rule count (benchmark corpus)", "rules", "ms per message", rule_counts)]))
    for kind, points in sizes.items():
        print("engine, %-15s " % kind + "  ".join("%5.0f KB %6.2f ms" % p for p in points))
    print("engine, recipients: " + "  ".join("%d: %.2f ms" % p for p in recipients))
    for name, points in rule_counts.items():
        print("engine, %s: " % name + "  ".join("%d rules %.2f ms" % p for p in points))
    print("engine, shipped policy (%d rules): %.2f decoded MB/s; with 1,000 generated rules "
          "more: %.2f MB/s (without the prefilter %.2f MB/s)" % (
              comparison["shipped_rules"], comparison["shipped_mb_per_s"],
              comparison["thousand_mb_per_s"], comparison["thousand_without_prefilter_mb_per_s"]))
    print("engine cost, 1,000 rules / shipped policy: %.2f (without the prefilter %.2f)" % (
        comparison["cost_ratio"], comparison["cost_ratio_without_prefilter"]))
    print("plot: %s" % (out / "scaling.svg"))


if __name__ == "__main__":
    main()
