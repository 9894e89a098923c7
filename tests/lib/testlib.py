"""What the Python test drivers share: a free loopback port, polling with a deadline, a
process started and waited for until it listens, and a process stopped without hanging.
Import with sys.path.insert(0, <tests>/lib)."""
import signal
import socket
import subprocess
import time


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago (the server binds it later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout, interval=0.1):
    """Polls predicate until it returns something true; returns that, or None on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


def port_open(port):
    """True when something accepts connections on 127.0.0.1:port."""
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def stop_process(proc, sig=signal.SIGTERM, timeout=10):
    """Sends sig, waits up to timeout, then kills: never leaves a test hanging."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


def start_listening(command, port, timeout=10, describe=lambda: "", **popen):
    """Starts command (Popen keyword arguments in popen) and returns the process once port
    accepts connections. Raises RuntimeError, with describe()'s text (a log, say), when it
    exits first or does not listen within timeout; the process is then stopped."""
    process = subprocess.Popen(command, **popen)
    if wait_for(lambda: process.poll() is not None or port_open(port), timeout, 0.05) \
            and process.poll() is None:
        return process
    stop_process(process)
    raise RuntimeError(f"{command[0]} did not start listening on port {port} "
                       f"(exit {process.poll()}) {describe()}")
