"""A real clamd in a temporary directory, for tests (stdlib only).

Its database is one line: EICAR's MD5 and size (test.hdb), so it needs no freshclam and no
network. It listens on a unix socket and, optionally, on 127.0.0.1 at a free TCP port.

    with ClamdFixture() as clamd:
        clamd.unix_address    # "unix:/tmp/.../clamd.sock"
        clamd.inet_address    # "inet:PORT@127.0.0.1" (None when tcp=False)

clamd reports signatures from non-official databases with a ".UNOFFICIAL" suffix, so the
EICAR hash signature comes back as "Eicar-Test-Signature.UNOFFICIAL".
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time

EICAR_HDB = "44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n"


class ClamdUnavailable(Exception):
    """clamd is not installed, or did not come up."""


def free_tcp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clamd_command(path, command, timeout=2.0):
    """Sends one z-command (e.g. b"PING") to the unix socket; returns the reply or None."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(timeout)
            conn.connect(path)
            conn.sendall(b"z" + command + b"\0")
            reply = b""
            while not reply.endswith(b"\0"):
                data = conn.recv(4096)
                if not data:
                    break
                reply += data
            return reply.rstrip(b"\0").decode("ascii", "replace")
    except OSError:
        return None


class ClamdFixture:
    def __init__(self, tcp=True, stream_max_length="25M", startup_timeout=60.0,
                 clamd_binary=None, extra_config=(), extra_signatures=(), local_socket=None):
        """local_socket: listen there (mode 0666, for clients of other users) instead of in
        the temporary directory, e.g. at the address an installed configuration names."""
        self.tcp = tcp
        self.local_socket = local_socket
        self.stream_max_length = stream_max_length
        self.startup_timeout = startup_timeout
        self.clamd_binary = clamd_binary or shutil.which("clamd") or "/usr/sbin/clamd"
        self.extra_config = list(extra_config)
        self.extra_signatures = list(extra_signatures)  # more test.hdb lines (MD5:size:name)
        self.tmpdir = None
        self.process = None
        self.tcp_port = None

    # Paths and addresses, valid after start().
    @property
    def socket_path(self):
        return self.local_socket or os.path.join(self.tmpdir, "clamd.sock")

    @property
    def log_path(self):
        return os.path.join(self.tmpdir, "clamd.log")

    @property
    def unix_address(self):
        return "unix:" + self.socket_path

    @property
    def inet_address(self):
        return None if self.tcp_port is None else "inet:%d@127.0.0.1" % self.tcp_port

    def _write_config(self):
        db = os.path.join(self.tmpdir, "db")
        os.mkdir(db)
        with open(os.path.join(db, "test.hdb"), "w") as hdb:
            hdb.write(EICAR_HDB)
            for line in self.extra_signatures:
                hdb.write(line.rstrip("\n") + "\n")
        lines = [
            "LocalSocket " + self.socket_path,
            "FixStaleSocket true",
            "DatabaseDirectory " + db,
            "Foreground true",
            "LogFile " + self.log_path,
            "LogTime true",
            "PidFile " + os.path.join(self.tmpdir, "clamd.pid"),
            "StreamMaxLength " + self.stream_max_length,
            "MaxThreads 4",
            "SelfCheck 3600",
            "ReadTimeout 10",
            "CommandReadTimeout 5",
        ]
        if self.local_socket:
            lines.append("LocalSocketMode 666")
        if self.tcp:
            self.tcp_port = free_tcp_port()
            lines += ["TCPSocket %d" % self.tcp_port, "TCPAddr 127.0.0.1"]
        lines += self.extra_config
        path = os.path.join(self.tmpdir, "clamd.conf")
        with open(path, "w") as conf:
            conf.write("\n".join(lines) + "\n")
        return path

    def start(self):
        if not os.path.exists(self.clamd_binary):
            raise ClamdUnavailable("clamd not installed (apt-get install clamav-daemon)")
        self.tmpdir = tempfile.mkdtemp(prefix="aup-clamd-")
        self._launch(self._write_config())
        return self

    def restart(self):
        """Starts clamd again after stop(), on the same socket and database."""
        self._launch(os.path.join(self.tmpdir, "clamd.conf"))
        return self

    def _launch(self, config):
        with open(os.path.join(self.tmpdir, "clamd.out"), "ab") as out:
            self.process = subprocess.Popen(
                [self.clamd_binary, "--config-file=" + config],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                cwd=self.tmpdir, start_new_session=True)
        self._wait_until_ready()

    def _wait_until_ready(self):
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ClamdUnavailable("clamd exited with %d:\n%s"
                                       % (self.process.returncode, self.log_tail()))
            if clamd_command(self.socket_path, b"PING", 1.0) == "PONG" and self._tcp_ready():
                return
            time.sleep(0.1)
        self.stop()
        raise ClamdUnavailable("clamd did not answer PING within %.0f s:\n%s"
                               % (self.startup_timeout, self.log_tail()))

    def _tcp_ready(self):
        if self.tcp_port is None:
            return True
        try:
            socket.create_connection(("127.0.0.1", self.tcp_port), timeout=1.0).close()
            return True
        except OSError:
            return False

    def log_tail(self, lines=30):
        text = ""
        for name in ("clamd.log", "clamd.out"):
            try:
                with open(os.path.join(self.tmpdir, name), errors="replace") as log:
                    text += "".join(log.readlines()[-lines:])
            except OSError:
                pass
        return text

    def stop(self):
        """Stops clamd (SIGTERM, then SIGKILL); the temporary directory stays until cleanup()."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def cleanup(self):
        self.stop()
        if self.tmpdir is not None:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.cleanup()
        return False
