#!/usr/bin/env python3
"""Soak: sends COUNT messages through a running aup-milter with aup-loadgen while SIGUSR1
reloads the policy every RELOAD seconds, and checks that the daemon holds steady. Prints,
last: resident memory growth between the first and last 10 % of the run, open file
descriptors before and after, and the verdicts that differ from the engine's (`aupctl check`
on the same file with the same envelope, matched by queue id through the daemon's audit
log). Fails when growth reaches --max-growth (5 %), a descriptor leaked, a verdict differs,
or a message got no answer."""
import argparse
import concurrent.futures
import json
import os
import pathlib
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "lib"))
from milter_daemon import MilterDaemon  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
SENDER = "jo.bloggs@medway.gov.uk"
RECIPIENT = "someone@example.org"
LOGIN = "jo.bloggs"
WARM_UP_RELOADS = 3


def write_config(config, tmp):
    """The shipped configuration, storing held mail and the audit log under `tmp`."""
    rules = pathlib.Path(config).resolve().parent
    settings = json.loads(pathlib.Path(config).read_text())
    settings["rule_files"] = [str(rules / name) for name in settings["rule_files"]]
    settings["quarantine"] = {"directory": str(tmp / "quarantine")}
    settings.setdefault("daemon", {})["audit_file"] = str(tmp / "audit.jsonl")
    path = tmp / "aup.json"
    path.write_text(json.dumps(settings))
    return path


def rss_kib(pid):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def engine_verdicts(aupctl, config, files):
    """Each file's action from the engine alone, with the envelope the load generator sends."""
    def check(path):
        run = subprocess.run([aupctl, "check", "--config", str(config), "--sender", SENDER,
                              "--rcpt", RECIPIENT, "--auth-user", LOGIN, str(path)],
                             capture_output=True, text=True, check=True)
        return json.loads(run.stdout)["action"]
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        return list(pool.map(check, files))


def load(loadgen, port, corpus, connections, count):
    run = subprocess.run([loadgen, "--socket", f"inet:{port}@127.0.0.1", "--messages",
                          str(corpus), "--connections", str(connections), "--count", str(count),
                          "--sender", SENDER, "--rcpt", RECIPIENT, "--auth-user", LOGIN,
                          "--json"], capture_output=True, text=True, check=True)
    return json.loads(run.stdout)


class Sampler(threading.Thread):
    """Resident memory every `interval` seconds once `warm_up` messages are decided (counted in
    the audit log as it grows) and three reloads are done, and a SIGUSR1 every `reload` seconds.
    The first reloads raise the allocator's high-water marks once (old and new policy live side
    by side while messages in flight finish): measuring from before them would count that step
    as growth."""

    def __init__(self, pid, audit, warm_up, interval, reload):
        super().__init__(daemon=True)
        self.pid, self.audit, self.warm_up = pid, audit, warm_up
        self.interval, self.reload = interval, reload
        self.samples, self.reloads, self.decided, self.read = [], 0, 0, 0
        self.done = threading.Event()

    def count_decisions(self):
        if not self.audit.exists():
            return
        with open(self.audit, "rb") as log:
            log.seek(self.read)
            chunk = log.read()
        self.read += len(chunk)
        self.decided += chunk.count(b"\n")

    def run(self):
        next_reload = time.monotonic() + self.reload
        while not self.done.wait(self.interval):
            self.count_decisions()
            if self.decided >= self.warm_up and self.reloads >= WARM_UP_RELOADS:
                self.samples.append(rss_kib(self.pid))
            if time.monotonic() >= next_reload:
                os.kill(self.pid, signal.SIGUSR1)
                self.reloads += 1
                next_reload += self.reload


def differences(audit, files, expected):
    """Queue ids LG<k> name message k % len(files), the load generator's sorted order."""
    differ, seen = [], 0
    for line in audit.read_text().splitlines():
        decision = json.loads(line)
        queue_id = decision.get("queue_id", "")
        if not queue_id.startswith("LG"):
            continue
        seen += 1
        index = int(queue_id[2:], 16) % len(files)
        if decision["action"] != expected[index]:
            differ.append((files[index].name, expected[index], decision["action"]))
    return differ, seen


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bin", required=True, help="directory with aup-milter, aupctl, aup-loadgen")
    ap.add_argument("--config", default=str(ROOT / "rules/aup.json"))
    ap.add_argument("--count", type=int, default=100_000)
    ap.add_argument("--warm-up", type=int, default=2_000, help="messages sent before measuring")
    ap.add_argument("--reload", type=float, default=5.0, help="seconds between reloads")
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--corpus-size", type=int, default=120)
    ap.add_argument("--max-growth", type=float, default=5.0,
                    help="resident memory growth, in percent, that fails the run")
    args = ap.parse_args()
    bin_dir = pathlib.Path(args.bin)

    with tempfile.TemporaryDirectory(prefix="aup-soak-") as name:
        tmp = pathlib.Path(name)
        corpus = tmp / "corpus"
        subprocess.run([sys.executable, str(ROOT / "tests/bench/make_corpus.py"), str(corpus),
                        str(args.corpus_size)], check=True, stdout=subprocess.DEVNULL)
        # The policy's own test messages too: rejected, held and tagged mail, not only clean.
        for message in sorted((ROOT / "tests/corpus/policy").glob("*.eml")):
            (corpus / f"policy-{message.name}").write_bytes(message.read_bytes())
        files = sorted(corpus.glob("*.eml"))
        config = write_config(args.config, tmp)
        expected = engine_verdicts(bin_dir / "aupctl", config, files)
        daemon = MilterDaemon(bin_dir / "aup-milter", config, log=tmp / "daemon.log", timeout=20)
        port = daemon.port
        try:
            # A first few messages open what the daemon opens lazily (audit log, index); then,
            # with no connection open, the baseline to compare the end of the run with.
            primed = min(args.warm_up, 200)
            load(bin_dir / "aup-loadgen", port, corpus, 1, primed)
            time.sleep(0.5)
            fds_before = open_fds(daemon.process.pid)
            sampler = Sampler(daemon.process.pid, tmp / "audit.jsonl", primed + args.warm_up, 0.25,
                              args.reload)
            sampler.start()
            started = time.monotonic()
            # One run: the warm-up messages first, then the measured ones, connections kept.
            report = load(bin_dir / "aup-loadgen", port, corpus, args.connections,
                          args.warm_up + args.count)
            elapsed = time.monotonic() - started
            sampler.done.set()
            sampler.join()
            time.sleep(1)  # a reload in progress finishes
            fds_after = open_fds(daemon.process.pid)
            alive = daemon.alive()
        finally:
            daemon.stop()
        differ, decided = differences(tmp / "audit.jsonl", files, expected)

    samples = sampler.samples
    if len(samples) < 10:
        print(f"soak: too short to measure memory ({len(samples)} samples after the warm-up and "
              f"{WARM_UP_RELOADS} reloads); send more messages")
        return 1
    tenth = len(samples) // 10
    # Medians: a reload doubles the policy in memory for a moment, and a window that happens to
    # catch more of those moments is not a leak.
    first, last = statistics.median(samples[:tenth]), statistics.median(samples[-tenth:])
    growth = 100.0 * (last - first) / first
    answered = sum(report.get("verdicts", {}).values()) - args.warm_up
    errors = sum(report.get("errors", {}).values())
    print(f"soak: {args.count} messages ({args.warm_up} more to warm up) in {elapsed:.0f} s, "
          f"{args.connections} connections, {sampler.reloads} reloads, "
          f"{len(files)} distinct messages; verdicts {report.get('verdicts')}")
    for name, want, got in differ[:20]:
        print(f"soak: {name}: engine {want}, daemon {got}")
    print(f"answered: {answered} of {args.count}; errors: {errors}; daemon alive: {alive}")
    deciles = [statistics.median(samples[i * tenth:(i + 1) * tenth]) / 1024 for i in range(10)]
    print("resident memory by tenth of the run, medians (MiB): "
          + " ".join(f"{m:.1f}" for m in deciles))
    print(f"resident memory (medians): first 10 % {first / 1024:.1f} MiB, "
          f"last 10 % {last / 1024:.1f} MiB, "
          f"growth {growth:+.2f} %")
    print(f"open file descriptors: before {fds_before}, after {fds_after}")
    print(f"verdicts differing from the engine: {len(differ)} of {decided}")
    ok = (growth < args.max_growth and fds_after <= fds_before and not differ and alive
          and answered == args.count and errors == 0 and decided >= args.count + args.warm_up)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
