"""aup-milter as the protocol-level tests run it: in the foreground on a free loopback port,
its log in a file when one is given, stopped without hanging. Import with
sys.path.insert(0, <tests>/lib)."""
import pathlib
import signal

from testlib import free_port, start_listening, stop_process, wait_for


class MilterDaemon:
    def __init__(self, binary, config, log=None, preexec_fn=None, timeout=10):
        """`log`: the file the daemon's lines go to (else the test's own output);
        `preexec_fn`: run in the child before exec (resource limits)."""
        self.port = free_port()
        self.socket = f"inet:{self.port}@127.0.0.1"
        self.log = pathlib.Path(log) if log else None
        self.process = start_listening(
            [str(binary), "--config", str(config), "--socket", self.socket, "--foreground"],
            self.port, timeout=timeout, describe=self.log_text,
            stderr=open(self.log, "wb") if self.log else None, preexec_fn=preexec_fn)

    def log_text(self):
        return self.log.read_text(errors="replace") if self.log else ""

    def wait_for_log(self, text, count=1, timeout=30):
        """Until `text` has appeared `count` times in the log (a reload compiles the rules,
        which takes a second or so under the sanitizers)."""
        if not wait_for(lambda: self.log_text().count(text) >= count, timeout, 0.05):
            raise AssertionError(f"no {count}x {text!r} in the daemon's log within {timeout} s:"
                                 f"\n{self.log_text()[-2000:]}")

    def reload(self, outcome="reloaded "):
        """SIGUSR1, then wait until the log reports `outcome` once more."""
        before = self.log_text().count(outcome)
        self.process.send_signal(signal.SIGUSR1)
        self.wait_for_log(outcome, before + 1)

    def alive(self):
        return self.process.poll() is None

    def stop(self):
        stop_process(self.process)
