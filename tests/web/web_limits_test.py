#!/usr/bin/env python3
# `aupctl serve` under attack over real HTTP: slowloris clients, a forged X-Forwarded-For,
# 100,000 header lines, 16 parallel bad sign-ins, and bad filters. Each test gets a fresh
# server so that its peak memory (VmHWM in /proc) is its own; the figures are printed for
# docs/web.md ("Limits"). No Postfix: the milter runs once only to create the quarantine.
#
# Usage: python3 tests/web/web_limits_test.py --milter build/bin/aup-milter \
#            --aupctl build/bin/aupctl --config rules/aup.json [-v]
import argparse
import json
import os
import re
import shutil
import socket
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, HERE)
import postfix_harness as harness  # noqa: E402
from web_test import Client, PASSWORD  # noqa: E402

ARGS = argparse.Namespace()


def memory_kib(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def report(text):
    sys.stderr.write("  [figure] %s\n" % text)


class LimitsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="aup-web-limits-")
        policy = os.path.join(cls.root, "policy")
        shutil.copytree(os.path.dirname(os.path.abspath(ARGS.config)), policy)
        cls.config = os.path.join(policy, os.path.basename(ARGS.config))
        with open(cls.config) as f:
            doc = json.load(f)
        doc["quarantine"] = {"mode": "store", "directory": os.path.join(cls.root, "quarantine")}
        cls.port = harness.free_port()
        doc["web"] = {"listen": "127.0.0.1:%d" % cls.port}
        with open(cls.config, "w") as f:
            json.dump(doc, f, indent=2)
        milter = harness.Milter(cls.root, ARGS.milter, cls.config, harness.free_port())
        milter.start()  # creates the quarantine and its index
        milter.stop()
        cls.aupctl("users", "add", "olivia", "--role", "officer", stdin=PASSWORD + "\n")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.root, ignore_errors=True)

    @classmethod
    def aupctl(cls, *args, stdin=None):
        import subprocess
        proc = subprocess.run([ARGS.aupctl, *args, "--config", cls.config], input=stdin,
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    def setUp(self):
        import subprocess
        self.log = open(os.path.join(self.root, "serve.log"), "ab")
        self.server = subprocess.Popen([ARGS.aupctl, "serve", "--config", self.config],
                                       stdout=self.log, stderr=subprocess.STDOUT)
        if not harness.wait_for(lambda: self.server.poll() is not None
                                or harness.port_open(self.port), 30) \
                or self.server.poll() is not None:
            self.fail("aupctl serve did not start")
        self.base_kib = memory_kib(self.server.pid, "VmRSS")

    def tearDown(self):
        harness.stop_process(self.server)
        self.log.close()

    def peak_growth_mib(self):
        return (memory_kib(self.server.pid, "VmHWM") - self.base_kib) / 1024

    def timed_login(self):
        started = time.monotonic()
        try:
            response, _ = Client(self.port).get("/login")
            status = response.status
        except OSError:
            status = None
        return status, time.monotonic() - started

    # --- (a) slowloris ------------------------------------------------------------------------

    def test_slowloris_clients_do_not_stop_the_pages(self):
        stop = threading.Event()
        refused = []

        def slow_client():
            try:
                s = socket.create_connection(("127.0.0.1", self.port), timeout=30)
                s.sendall(b"GET /login HTTP/1.1\r\nHost: x\r\n")
                while not stop.is_set():  # a header byte every second
                    s.sendall(b"X")
                    stop.wait(1)
                s.close()
            except OSError:
                refused.append(1)  # cut off by the server: what should happen

        attackers = [threading.Thread(target=slow_client) for _ in range(8)]
        for thread in attackers:
            thread.start()
        time.sleep(1)
        latencies = []
        try:
            for _ in range(5):
                status, seconds = self.timed_login()
                self.assertEqual(status, 200, "/login during the attack")
                latencies.append(seconds)
                time.sleep(0.5)
        finally:
            stop.set()
            for thread in attackers:
                thread.join()
        report("slowloris x8: /login worst %.3f s" % max(latencies))
        self.assertLess(max(latencies), 2.0)

    def test_slow_request_is_cut_off_at_the_deadline(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        started = time.monotonic()
        s.sendall(b"GET /login HTTP/1.1\r\n")
        answer = b""
        try:
            while time.monotonic() - started < 20:
                s.sendall(b"X")
                time.sleep(1)
        except OSError:
            pass
        try:
            answer = s.recv(4096)
        except OSError:
            pass
        s.close()
        report("slow request: the client saw the connection end after %.1f s" % (time.monotonic() - started))
        self.assertTrue(answer.startswith(b"HTTP/1.1 408"), answer[:80])
        self.assertLess(time.monotonic() - started, 15)

    # --- (b) forged X-Forwarded-For -----------------------------------------------------------

    def test_forged_forwarded_for_does_not_reset_throttling(self):
        # Password spraying: a new name each time, so only the per-address count can stop it,
        # and each try claims to come from somewhere else. No proxy is configured.
        statuses = []
        for i in range(22):
            client = Client(self.port)
            token = client.csrf("/login")
            response, _ = client.post("/login", {"csrf": token, "name": "forge%d" % i,
                                                 "password": "wrong"},
                                      headers={"X-Forwarded-For": "203.0.113.%d" % i})
            statuses.append(response.status)
        self.assertEqual(statuses[:20], [401] * 20)
        self.assertEqual(statuses[20:], [429, 429], "each forged address was counted apart")

    # --- (c) header flood ---------------------------------------------------------------------

    def test_100000_header_lines_are_refused_with_bounded_memory(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        head = b"GET /login HTTP/1.1\r\nHost: x\r\n" + b"".join(
            b"X-Filler-%d: %s\r\n" % (i, b"y" * 16) for i in range(100000)) + b"\r\n"

        def send():
            try:
                s.sendall(head)
            except OSError:
                pass  # the server stopped reading once it had answered

        sender = threading.Thread(target=send)
        sender.start()
        answer = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                answer += chunk
        except OSError:
            pass
        sender.join()
        s.close()
        growth = self.peak_growth_mib()
        report("100,000 header lines (%.1f MB): %s; peak RSS +%.1f MiB"
               % (len(head) / 1e6, answer.split(b"\r\n")[0].decode(), growth))
        self.assertTrue(answer.startswith(b"HTTP/1.1 431"), answer[:80])
        self.assertLess(growth, 16)
        self.assertEqual(self.timed_login()[0], 200)

    # --- (d) parallel sign-ins ----------------------------------------------------------------

    def test_16_parallel_bad_sign_ins_keep_memory_bounded(self):
        clients = []
        for i in range(16):
            client = Client(self.port)
            clients.append((client, client.csrf("/login"), "olivia" if i % 2 else "nobody%d" % i))
        statuses = []
        started = time.monotonic()

        def sign_in(client, token, name):
            response, _ = client.post("/login", {"csrf": token, "name": name,
                                                 "password": "wrong password"})
            statuses.append(response.status)

        threads = [threading.Thread(target=sign_in, args=entry) for entry in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        growth = self.peak_growth_mib()
        report("16 parallel bad sign-ins: %s in %.1f s; peak RSS +%.1f MiB"
               % (sorted(statuses), time.monotonic() - started, growth))
        self.assertTrue(set(statuses) <= {401, 429, 503}, statuses)
        self.assertLess(growth, 200)  # 2 checks at 64 MiB each, and the decoy's hash

    # --- (e) filters ----------------------------------------------------------------------------

    def test_bad_filters_are_named_and_a_page_past_the_end_is_the_last(self):
        client = Client(self.port)
        self.assertEqual(client.sign_in("olivia")[0].status, 303)
        for query, named in (("status=bogus", 'Status &quot;bogus&quot;'),
                             ("from=2026-13-45", 'From &quot;2026-13-45&quot;'),
                             ("to=yesterday", 'To &quot;yesterday&quot;'),
                             ("page=-1", 'Page &quot;-1&quot;'),
                             ("page=0", 'Page &quot;0&quot;'),
                             ("page=abc", 'Page &quot;abc&quot;')):
            response, page = client.get("/?" + query)
            self.assertEqual(response.status, 400, query)
            self.assertIn(named, page, query)
        response, page = client.get("/audit?page=x")
        self.assertEqual(response.status, 400)
        response, page = client.get("/?page=99")
        self.assertEqual(response.status, 200)
        self.assertIn("There is no page 99: showing the last page, 1.", page)
        response, page = client.get("/audit?page=99")
        self.assertEqual(response.status, 200)
        self.assertIn("There is no page 99", page)
        self.assertEqual(client.get("/?status=released&from=2026-01-01")[0].status, 200)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--milter", required=True)
    ap.add_argument("--aupctl", required=True)
    ap.add_argument("--config", required=True)
    args, rest = ap.parse_known_args()
    ARGS.milter, ARGS.aupctl = args.milter, args.aupctl
    ARGS.config = os.path.abspath(args.config)
    program = unittest.main(argv=[sys.argv[0]] + rest, exit=False)
    sys.exit(0 if program.result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
