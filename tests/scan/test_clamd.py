"""The clamd client against a real clamd (EICAR-only database) and against fake servers.

    python3 tests/scan/test_clamd.py --probe build/bin/clamd_probe [unittest options]

Skips the real-clamd tests when clamd is not installed (apt-get install clamav-daemon).
"""

import argparse
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from clamd_fixture import ClamdFixture, ClamdUnavailable  # noqa: E402
from staff_mail import zipped  # noqa: E402


def skip_or_fail(error):
    """Without clamd a developer's run skips; CI installs clamd, so there it must be present."""
    if os.environ.get("CI"):
        raise AssertionError(f"clamd is required in CI: {error}")
    raise unittest.SkipTest(str(error))

PROBE = None
TESTFILES = "/usr/share/clamav-testfiles"
# Built from pieces so that this file itself is not the EICAR test file.
EICAR = ("X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-" + "ANTIVIRUS-TEST-FILE!$H+H*").encode()
EICAR_NAME = "Eicar-Test-Signature"


def signature_base(signature):
    """clamd appends ".UNOFFICIAL" to signatures from databases it did not ship."""
    return signature[:-len(".UNOFFICIAL")] if signature.endswith(".UNOFFICIAL") else signature


class ProbeMixin:
    def probe_path(self, address, path, timeout_ms=5000):
        run = subprocess.run([PROBE, address, path, str(timeout_ms)], capture_output=True,
                             text=True, timeout=60)
        line = run.stdout.strip()
        self.assertEqual(len(run.stdout.splitlines()), 1, run.stdout + run.stderr)
        expected = {"clean": 0, "infected": 1, "error": 2}[line.split(" ", 1)[0]]
        self.assertEqual(run.returncode, expected, line)
        return line

    def probe(self, address, data, timeout_ms=5000):
        with tempfile.NamedTemporaryFile(prefix="aup-scan-") as sample:
            sample.write(data)
            sample.flush()
            return self.probe_path(address, sample.name, timeout_ms)

    def assert_infected(self, line):
        self.assertTrue(line.startswith("infected "), line)
        self.assertEqual(signature_base(line.split(" ", 1)[1]), EICAR_NAME, line)

    def assert_error(self, line, *fragments):
        self.assertTrue(line.startswith("error "), line)
        for fragment in fragments:
            self.assertIn(fragment, line)


class RealClamd(ProbeMixin, unittest.TestCase):
    clamd = None

    @classmethod
    def setUpClass(cls):
        try:
            started = time.monotonic()
            cls.clamd = ClamdFixture(tcp=True, stream_max_length="1M").start()
            cls.startup_seconds = time.monotonic() - started
        except ClamdUnavailable as error:
            skip_or_fail(error)

    @classmethod
    def tearDownClass(cls):
        if cls.clamd is not None:
            cls.clamd.cleanup()

    def addresses(self):
        return [self.clamd.unix_address, self.clamd.inet_address,
                "inet:%d@localhost" % self.clamd.tcp_port]

    def test_eicar_alone_is_infected(self):
        for address in self.addresses():
            with self.subTest(address=address):
                self.assert_infected(self.probe(address, EICAR))

    def test_eicar_in_a_zip_is_infected(self):
        self.assert_infected(self.probe(self.clamd.unix_address, zipped({"eicar.com": EICAR})))

    def test_eicar_in_a_zip_in_a_zip_is_infected(self):
        inner = zipped({"eicar.com": EICAR})
        outer = zipped({"inner.zip": inner})
        for address in self.addresses()[:2]:
            with self.subTest(address=address):
                self.assert_infected(self.probe(address, outer))

    def test_clean_text_is_clean(self):
        text = b"Dear colleague,\r\nthe minutes are attached.\r\n" * 100
        for address in self.addresses():
            with self.subTest(address=address):
                self.assertEqual(self.probe(address, text), "clean")

    def test_empty_and_multi_chunk_streams(self):
        self.assertEqual(self.probe(self.clamd.unix_address, b""), "clean")
        # 200 KiB: several 64 KiB chunks, below StreamMaxLength.
        self.assertEqual(self.probe(self.clamd.unix_address, b"a" * 200 * 1024), "clean")

    def test_stream_over_the_limit_is_an_error(self):
        # clamd answers early ("INSTREAM size limit exceeded. ERROR") and stops reading.
        line = self.probe(self.clamd.unix_address, b"b" * (3 * 1024 * 1024))
        self.assert_error(line, "size limit exceeded", self.clamd.unix_address)

    def test_testfiles_detection_count(self):
        if not os.path.isdir(TESTFILES):
            self.skipTest("clamav-testfiles not installed")
        counts = {"clean": 0, "infected": 0, "error": 0}
        for name in sorted(os.listdir(TESTFILES)):
            line = self.probe_path(self.clamd.unix_address, os.path.join(TESTFILES, name))
            counts[line.split(" ", 1)[0]] += 1
        sys.stderr.write("\n  clamav-testfiles with the EICAR-only database: %s\n" % counts)


class StoppedClamd(ProbeMixin, unittest.TestCase):
    def test_stopped_clamd_is_an_error(self):
        try:
            clamd = ClamdFixture(tcp=True).start()
        except ClamdUnavailable as error:
            skip_or_fail(error)
        try:
            self.assert_infected(self.probe(clamd.unix_address, EICAR))
            clamd.stop()
            self.assert_error(self.probe(clamd.unix_address, EICAR), clamd.unix_address,
                              "cannot connect")
            self.assert_error(self.probe(clamd.inet_address, EICAR), clamd.inet_address,
                              "cannot connect")
        finally:
            clamd.cleanup()


def read_instream(conn):
    """Reads a zINSTREAM request up to its zero-length chunk; returns the streamed bytes."""
    def exactly(count):
        data = b""
        while len(data) < count:
            more = conn.recv(count - len(data))
            if not more:
                raise EOFError
            data += more
        return data
    assert exactly(10) == b"zINSTREAM\0"
    body = b""
    while True:
        (length,) = struct.unpack("!I", exactly(4))
        if length == 0:
            return body
        body += exactly(length)


class FakeServer:
    """A one-behaviour server on 127.0.0.1 (family "inet") or a unix socket."""

    def __init__(self, behaviour, family="inet"):
        self.behaviour = behaviour
        self.tmpdir = tempfile.mkdtemp(prefix="aup-fake-clamd-")
        if family == "inet":
            self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.listener.bind(("127.0.0.1", 0))
            self.address = "inet:%d@127.0.0.1" % self.listener.getsockname()[1]
        else:
            path = os.path.join(self.tmpdir, "fake.sock")
            self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.listener.bind(path)
            self.address = "unix:" + path
        self.listener.listen(8)
        self.stopping = threading.Event()
        self.connections = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        self.listener.settimeout(0.1)
        while not self.stopping.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                continue
            self.connections.append(conn)
            try:
                self.behaviour(conn, self.stopping)
            except (OSError, EOFError, AssertionError):
                pass

    def close(self):
        self.stopping.set()
        self.thread.join(5)
        for conn in self.connections:
            conn.close()
        self.listener.close()
        for name in os.listdir(self.tmpdir):
            os.unlink(os.path.join(self.tmpdir, name))
        os.rmdir(self.tmpdir)


def never_answer(conn, stopping):
    conn.settimeout(0.1)
    while not stopping.is_set():
        try:
            if not conn.recv(65536):
                return
        except socket.timeout:
            pass


def answer(reply, close=True):
    def behaviour(conn, stopping):
        read_instream(conn)
        conn.sendall(reply)
        if close:
            conn.close()
    return behaviour


def close_at_once(conn, stopping):
    conn.close()


class FakeServers(ProbeMixin, unittest.TestCase):
    def serve(self, behaviour, family="inet"):
        server = FakeServer(behaviour, family)
        self.addCleanup(server.close)
        return server

    def test_silent_server_times_out(self):
        for family in ("inet", "unix"):
            with self.subTest(family=family):
                server = self.serve(never_answer, family)
                started = time.monotonic()
                line = self.probe(server.address, EICAR, timeout_ms=500)
                elapsed = time.monotonic() - started
                self.assert_error(line, server.address, "timed out")
                self.assertGreaterEqual(elapsed, 0.45)
                self.assertLess(elapsed, 2.0)

    def test_silent_server_times_out_while_sending_a_large_stream(self):
        server = self.serve(lambda conn, stopping: stopping.wait(), "unix")  # never reads
        started = time.monotonic()
        line = self.probe(server.address, b"c" * (8 * 1024 * 1024), timeout_ms=500)
        self.assert_error(line, server.address, "timed out")
        self.assertLess(time.monotonic() - started, 2.0)

    def test_garbage_reply_is_an_error(self):
        for reply in (b"HELLO \x01\xff garbage\0", b"stream: FOUND\0", b"stream: OKAY\0",
                      b"Eicar FOUND\0", b"UNKNOWN COMMAND\n"):
            with self.subTest(reply=reply):
                server = self.serve(answer(reply), "unix")
                self.assert_error(self.probe(server.address, EICAR), server.address, "replied")

    def test_well_formed_fake_replies(self):
        server = self.serve(answer(b"stream: Some.Sig-1 FOUND\0"))
        self.assertEqual(self.probe(server.address, EICAR), "infected Some.Sig-1")
        server = self.serve(answer(b"stream: OK\0"))
        self.assertEqual(self.probe(server.address, EICAR), "clean")

    def test_closed_without_reply_is_an_error(self):
        server = self.serve(answer(b""), "unix")
        self.assert_error(self.probe(server.address, EICAR), server.address, "without a reply")
        server = self.serve(close_at_once)
        self.assert_error(self.probe(server.address, b"d" * (1024 * 1024)), server.address)

    def test_unreachable_and_bad_addresses(self):
        self.assert_error(self.probe("unix:/nonexistent/clamd.ctl", EICAR), "cannot connect")
        for address in ("", "unix:", "inet:3310", "inet:0@127.0.0.1", "inet:65536@127.0.0.1",
                        "inet:3310@example.com", "inet:x@127.0.0.1", "tcp:3310@127.0.0.1",
                        "/run/clamav/clamd.ctl"):
            with self.subTest(address=address):
                self.assert_error(self.probe(address, EICAR), "not a clamd address")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--probe", required=True)
    options, rest = parser.parse_known_args()
    PROBE = os.path.abspath(options.probe)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
