"""aup-milter as the tests run it: in the foreground on a loopback port (a free one unless the
MTA's configuration names one), its log in a file when one is given, restartable after a stop
or a kill, and stopped without hanging. Import with sys.path.insert(0, <tests>/lib)."""
import os
import pathlib
import signal
import subprocess

from testlib import free_port, start_listening, stop_process, wait_for


class MilterDaemon:
    def __init__(self, binary, config, log=None, port=None, pidfile=None, preexec_fn=None,
                 timeout=10, start=True):
        """`log`: the file the daemon's lines go to (else the test's own output), emptied at
        the first start and appended to by restarts; `port`: the one the MTA is configured
        with; `preexec_fn`: run in the child before exec (resource limits); `start`: False to
        call start() later."""
        self.binary, self.config = str(binary), str(config)
        self.port = port or free_port()
        self.socket = f"inet:{self.port}@127.0.0.1"
        self.log = pathlib.Path(log) if log else None
        self.pidfile = str(pidfile) if pidfile else None
        self.preexec_fn, self.timeout = preexec_fn, timeout
        self.env = None  # extra environment for the next start(), e.g. a fault-injection hook
        self.process = None
        self._log_mode = "wb"
        if start:
            self.start()

    def start(self):
        command = [self.binary, "--config", self.config, "--socket", self.socket, "--foreground"]
        if self.pidfile:
            command += ["--pidfile", self.pidfile]
        output = open(self.log, self._log_mode) if self.log else None
        self._log_mode = "ab"
        try:
            self.process = start_listening(
                command, self.port, timeout=self.timeout, describe=self.log_text,
                stdout=output, stderr=subprocess.STDOUT if output else None,
                stdin=subprocess.DEVNULL, preexec_fn=self.preexec_fn,
                env=dict(os.environ, **(self.env or {})))
        finally:
            if output:
                output.close()  # the child keeps its own descriptor

    def log_text(self):
        try:
            return self.log.read_text(errors="replace") if self.log else ""
        except OSError:
            return ""

    def wait_for_log(self, text, count=1, timeout=30):
        """Until `text` has appeared `count` times in the log (a reload compiles the rules,
        which takes a second or so under the sanitizers)."""
        if not wait_for(lambda: self.log_text().count(text) >= count, timeout, 0.05):
            raise AssertionError(f"no {count}x {text!r} in the daemon's log within {timeout} s:"
                                 f"\n{self.log_text()[-2000:]}")

    def reload(self, outcome="reloaded "):
        """SIGUSR1, then wait until the log reports `outcome` once more."""
        before = self.log_text().count(outcome)
        self.signal(signal.SIGUSR1)
        self.wait_for_log(outcome, before + 1)

    def signal(self, sig):
        self.process.send_signal(sig)

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def kill(self):
        """SIGKILL: the daemon dies without any clean-up, as in a crash."""
        if self.alive():
            self.process.kill()
        if self.process is not None:
            self.process.wait(timeout=10)

    def stop(self):
        stop_process(self.process)
