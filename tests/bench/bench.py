#!/usr/bin/env python3
"""Runs the null milter, the parsing null milter (the null milter that also parses each
message as aup-milter does, and nothing more) and aup-milter side by side under aup-loadgen
and prints a table of medians over repetitions (the whole corpus at 1 and 8 connections, and
its messages up to 100 KB at 1 connection), then `aup/null throughput ratio: R` for 8
connections."""
import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "lib"))
from testlib import free_port, start_listening  # noqa: E402

REPETITIONS = 5
SMALL = 100_000  # the latency target is for messages up to this size
MILTERS = ("null", "parse", "aup")


def start(command, port):
    return start_listening(command, port, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def load(loadgen, port, corpus, connections, count):
    run = subprocess.run([loadgen, "--socket", "inet:%d@127.0.0.1" % port, "--messages",
                          str(corpus), "--connections", str(connections), "--count", str(count),
                          "--auth-user", "jo.bloggs", "--json"],
                         capture_output=True, text=True, check=True)
    return json.loads(run.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--messages", type=int, default=200)
    args = ap.parse_args()
    bin_dir = pathlib.Path(args.build) / "bin"
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="aup-bench-"))
    corpus = tmp / "corpus"
    subprocess.run([sys.executable, str(pathlib.Path(__file__).with_name("make_corpus.py")),
                    str(corpus), str(args.messages)], check=True)
    rules = pathlib.Path(args.config).resolve().parent
    config = json.loads(pathlib.Path(args.config).read_text())
    config["rule_files"] = [str(rules / f) for f in config["rule_files"]]
    config["quarantine"] = {"directory": str(tmp / "quarantine")}
    (tmp / "aup.json").write_text(json.dumps(config))
    ports = {name: free_port() for name in MILTERS}
    milters = [start([str(bin_dir / "aup-null-milter"), "inet:%d@127.0.0.1" % ports["null"]],
                     ports["null"]),
               start([str(bin_dir / "aup-null-milter"), "--parse",
                      "inet:%d@127.0.0.1" % ports["parse"]], ports["parse"]),
               start([str(bin_dir / "aup-milter"), "--config", str(tmp / "aup.json"), "--socket",
                      "inet:%d@127.0.0.1" % ports["aup"], "--foreground"], ports["aup"])]
    small = tmp / "small"
    small.mkdir()
    for message in corpus.iterdir():
        if message.stat().st_size <= SMALL:
            (small / message.name).symlink_to(message)
    small_count = len(list(small.iterdir()))
    # The small messages three times over in each run, so that each run's p99 rests on some
    # 500 latencies rather than on the second slowest of 173.
    runs = [("all", corpus, 1, args.messages), ("all", corpus, 8, args.messages * 2),
            ("<=100KB", small, 1, small_count * 3)]
    results = {}
    try:
        for label, messages, connections, count in runs:
            for _ in range(REPETITIONS):
                for name in MILTERS:  # alternating, so drift hits all alike
                    report = load(str(bin_dir / "aup-loadgen"), ports[name], messages,
                                  connections, count)
                    results.setdefault((label, connections, name), []).append(report)
    finally:
        for process in milters:
            process.terminate()
            process.wait(timeout=30)
    print("%-7s %-6s %5s %10s %9s %9s %9s %9s" % ("corpus", "milter", "conns", "msg/s",
                                                   "p50 ms", "p90 ms", "p99 ms", "max ms"))
    medians = {}
    for key in [(label, connections, name) for label, _, connections, _ in runs
                for name in MILTERS]:
        reports = results[key]
        row = [statistics.median(r["messages_per_second"] for r in reports)] + [
            statistics.median(r["latency_ms"][k] for r in reports)
            for k in ("p50", "p90", "p99", "max")]
        medians[key] = row
        print("%-7s %-6s %5d %10.1f %9.2f %9.2f %9.2f %9.2f" % (key[0], key[2], key[1], *row))
    print("medians of %d alternating runs; %d messages from %s (%d of them up to 100 KB, sent "
          "three times in each of their runs)" % (REPETITIONS, args.messages, corpus, small_count))
    print("p99 added over the null milter, messages up to 100 KB, 1 connection: %.2f ms" % (
        medians[("<=100KB", 1, "aup")][3] - medians[("<=100KB", 1, "null")][3]))

    def throughput(name):  # at 8 connections, the whole corpus
        return medians[("all", 8, name)][0]

    print("parse/null throughput ratio: %.3f (the most a milter that parses every message "
          "as aup-milter does could reach)" % (throughput("parse") / throughput("null")))
    print("aup/parse throughput ratio: %.3f" % (throughput("aup") / throughput("parse")))
    print("aup/null throughput ratio: %.3f" % (throughput("aup") / throughput("null")))


if __name__ == "__main__":
    main()
