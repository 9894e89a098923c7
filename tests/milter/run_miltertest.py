#!/usr/bin/env python3
"""Runs the miltertest Lua scripts against a real aup-milter daemon, and a concurrency test:
16 miltertest clients at once, several rounds, with SIGUSR1 reloads during traffic."""
import argparse
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = pathlib.Path(__file__).resolve().parent
ARGS = None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    def __init__(self, binary, config):
        self.port = free_port()
        self.socket = f"inet:{self.port}@127.0.0.1"
        self.process = subprocess.Popen([binary, "--config", config, "--socket", self.socket,
                                         "--foreground"])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("aup-milter did not start listening")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def config_copy(directory, edit=lambda text: text):
    """A copy of the configuration in `directory` (rule files still found), passed through edit."""
    rules = pathlib.Path(ARGS.config).resolve().parent
    text = pathlib.Path(ARGS.config).read_text().replace('"packs/', f'"{rules}/packs/')
    path = pathlib.Path(directory) / "aup.json"
    path.write_text(edit(text))
    return path


def miltertest(daemon, script, **extra):
    env = dict(os.environ, AUP_MILTER_SOCKET=daemon.socket, AUP_MILTER_SCRIPTS=str(HERE), **extra)
    return subprocess.run(["miltertest", "-s", str(script)], env=env, capture_output=True,
                          text=True, timeout=120)


class MilterProtocol(unittest.TestCase):
    def setUp(self):
        self.daemon = Daemon(ARGS.milter, ARGS.config)
        self.addCleanup(self.daemon.stop)

    def run_script(self, name):
        run = miltertest(self.daemon, HERE / name)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)

    def test_verdicts_on_one_connection(self):
        self.run_script("verdicts.lua")

    def test_protocol_edge_cases(self):
        self.run_script("protocol.lua")

    def test_sixteen_connections_with_reloads(self):
        stop = threading.Event()

        def reload_repeatedly():
            while not stop.is_set():
                self.daemon.process.send_signal(signal.SIGUSR1)
                time.sleep(0.05)

        reloader = threading.Thread(target=reload_repeatedly)
        reloader.start()
        failures = []
        try:
            for _ in range(3):
                runs = [subprocess.Popen(
                    ["miltertest", "-s", str(HERE / "verdicts.lua")],
                    env=dict(os.environ, AUP_MILTER_SOCKET=self.daemon.socket,
                             AUP_MILTER_SCRIPTS=str(HERE)),
                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                    for _ in range(16)]
                for run in runs:
                    output, _ = run.communicate(timeout=120)
                    if run.returncode != 0:
                        failures.append(output)
        finally:
            stop.set()
            reloader.join()
        self.assertEqual(failures, [])
        self.assertIsNone(self.daemon.process.poll(), "daemon died during reloads")

    def test_audit_file_has_one_json_line_per_message(self):
        with tempfile.TemporaryDirectory() as tmp:
            audit = pathlib.Path(tmp) / "audit.jsonl"
            config = config_copy(tmp, lambda text: text.replace(
                '"limits": {', f'"daemon": {{"audit_file": "{audit}"}},\n  "limits": {{', 1))
            daemon = Daemon(ARGS.milter, str(config))
            self.addCleanup(daemon.stop)
            run = miltertest(daemon, HERE / "verdicts.lua")
            self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
            lines = [json.loads(line) for line in audit.read_text().splitlines()]
            self.assertEqual([line["action"] for line in lines],
                             ["accept", "tag", "quarantine", "reject"])
            self.assertEqual(lines[3]["rules"], "all-staff-restricted")
            self.assertEqual(lines[3]["clauses"], "4.4")
            self.assertEqual(lines[0]["sender"], "jo.bloggs@medway.gov.uk")
            self.assertEqual(lines[0]["recipients"], 1)

    def test_oversized_message_is_refused(self):
        with tempfile.TemporaryDirectory() as tmp:
            config = config_copy(tmp, lambda text: text.replace(
                '"limits": {', '"daemon": {"max_message_bytes": 1024},\n  "limits": {', 1))
            daemon = Daemon(ARGS.milter, str(config))
            self.addCleanup(daemon.stop)
            run = miltertest(daemon, HERE / "size_limit.lua")
            self.assertEqual(run.returncode, 0, run.stdout + run.stderr)

    def test_reload_swaps_policy_and_a_broken_file_keeps_the_old_one(self):
        with tempfile.TemporaryDirectory() as tmp:
            config = config_copy(tmp)
            original = config.read_text()
            daemon = Daemon(ARGS.milter, str(config))
            self.addCleanup(daemon.stop)

            def expect(verdict):
                run = miltertest(daemon, HERE / "allstaff.lua", AUP_EXPECT=verdict)
                self.assertEqual(run.returncode, 0, run.stdout + run.stderr)

            def reload_with(text):
                config.write_text(text)
                daemon.process.send_signal(signal.SIGUSR1)
                time.sleep(0.5)

            expect("reject")
            reload_with(original.replace('"ict.servicedesk@medway.gov.uk"',
                                         '"ict.servicedesk@medway.gov.uk", "jo.bloggs@medway.gov.uk"'))
            expect("accept")
            reload_with('{"rule_files": [')  # broken JSON: the last good policy stays
            expect("accept")
            self.assertIsNone(daemon.process.poll())


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--milter", required=True)
    parser.add_argument("--config", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], "-v", *rest])


if __name__ == "__main__":
    main()
