# A private, throw-away Postfix instance, an smtp-sink and the milter, all on 127.0.0.1, in a temp dir.
# Used by postfix_test.py; needs Debian's postfix package and root (Postfix drops to mail_owner).
import json
import os
import shutil
import signal
import smtplib
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
# Drivers import these from here as well.
from milter_daemon import MilterDaemon  # noqa: E402
from testlib import free_port, port_open, stop_process, wait_for  # noqa: E402,F401

POSTFIX = "/usr/sbin/postfix"
POSTCONF = "/usr/sbin/postconf"
POSTQUEUE = "/usr/sbin/postqueue"
SMTP_SINK = "/usr/sbin/smtp-sink"
MAIL_OWNER = "postfix"
SETGID_GROUP = "postdrop"
QUEUE_DIRS = ("maildrop", "incoming", "active", "deferred", "hold", "corrupt")


class Sink:
    """smtp-sink writing each received message to its own file under DIR."""

    def __init__(self, root, port, name="sink", options=()):
        """options: extra smtp-sink flags, e.g. ("-r", "rcpt") to answer RCPT with a 4xx."""
        self.dir = os.path.join(root, name)
        self.port = port
        self.options = list(options)
        self.log_path = os.path.join(root, name + ".log")
        self.proc = None

    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        shutil.chown(self.dir, MAIL_OWNER)  # smtp-sink drops to -u before writing
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [SMTP_SINK, "-u", MAIL_OWNER, "-d", os.path.join(self.dir, "%Y%m%d%H%M%S."),
             "-h", "sink.test"] + self.options + ["127.0.0.1:%d" % self.port, "100"],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        if not wait_for(lambda: self.proc.poll() is not None or port_open(self.port), 10) \
                or self.proc.poll() is not None:
            raise RuntimeError("smtp-sink did not start; see %s" % self.log_path)

    def stop(self):
        stop_process(self.proc)
        if self.proc is not None:
            self.log.close()

    def messages(self):
        """Raw bytes of every dumped message so far."""
        out = []
        for name in sorted(os.listdir(self.dir)):
            with open(os.path.join(self.dir, name), "rb") as f:
                out.append(f.read())
        return out

    def find(self, token):
        """The dumped message that contains token, or None."""
        found = self.find_all(token)
        return found[0] if found else None

    def find_all(self, token):
        """Every dumped message that contains token."""
        needle = token.encode()
        return [data for data in self.messages() if needle in data]


class Milter(MilterDaemon):
    """The aup-milter daemon under test on the port the Postfix instance is configured with,
    its log and pidfile in `root`; started by start(), restarted by start() after a kill."""

    def __init__(self, root, binary, config, port):
        super().__init__(binary, config, log=os.path.join(root, "aup-milter.log"), port=port,
                         pidfile=os.path.join(root, "aup-milter.pid"), timeout=15, start=False)

    @property
    def proc(self):
        return self.process


MASTER_CF = """\
# Private test instance: every service unchrooted, smtpd on loopback only.
127.0.0.1:{smtpd_port} inet n - n - - smtpd
# The quarantine's release relay: a loopback smtpd without milters (packaging/postfix).
127.0.0.1:{release_port} inet n - n - - smtpd
  -o smtpd_milters=
  -o non_smtpd_milters=
  -o smtpd_authorized_xclient_hosts=
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


class Postfix:
    """A private Postfix instance: config, queue and data directories all under root."""

    def __init__(self, root, smtpd_port, sink_port, milter_port, release_port):
        self.root = root
        self.config_dir = os.path.join(root, "etc")
        self.queue_dir = os.path.join(root, "queue")
        self.data_dir = os.path.join(root, "data")
        self.log_dir = os.path.join(root, "log")
        self.maillog = os.path.join(self.log_dir, "maillog")
        self.smtpd_port = smtpd_port
        self.settings = {
            "compatibility_level": "3.6",
            "config_directory": self.config_dir,
            "queue_directory": self.queue_dir,
            "data_directory": self.data_dir,
            "mail_owner": MAIL_OWNER,
            "setgid_group": SETGID_GROUP,
            "import_environment": "MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C",
            "syslog_name": "postfix-aup-test",
            "maillog_file": self.maillog,
            "maillog_file_prefixes": self.log_dir,
            "myhostname": "mta.aup-test.invalid",
            "mydomain": "aup-test.invalid",
            "myorigin": "$myhostname",
            "mydestination": "",
            "local_recipient_maps": "",
            "local_transport": "error:no local delivery in the test instance",
            "alias_maps": "",
            "alias_database": "",
            "inet_interfaces": "loopback-only",
            "inet_protocols": "ipv4",
            "mynetworks": "127.0.0.0/8",
            "relayhost": "[127.0.0.1]:%d" % sink_port,
            "default_transport": "smtp",
            "relay_transport": "smtp",
            "smtpd_relay_restrictions": "check_client_access static:OK, reject_unauth_destination",
            "smtpd_recipient_restrictions": "",
            "smtpd_authorized_xclient_hosts": "127.0.0.0/8",
            "smtpd_peername_lookup": "no",
            "smtp_host_lookup": "native",
            "smtp_tls_security_level": "none",
            "smtpd_tls_security_level": "none",
            "smtpd_milters": "inet:127.0.0.1:%d" % milter_port,
            "milter_default_action": "tempfail",
            "milter_protocol": "6",
            "milter_connect_timeout": "5s",
            "milter_command_timeout": "10s",
            "milter_content_timeout": "30s",
            "milter_mail_macros": "i {auth_type} {auth_authen} {auth_author} {mail_addr} "
                                  "{mail_host} {mail_mailer}",
            "non_smtpd_milters": "",
            "notify_classes": "",
            "biff": "no",
            "queue_run_delay": "1s",
            "minimal_backoff_time": "1s",
            "maximal_backoff_time": "2s",
            "delay_warning_time": "0",
            "bounce_queue_lifetime": "1h",
            "maximal_queue_lifetime": "1h",
            "smtp_connect_timeout": "5s",
            "message_size_limit": "20480000",
        }
        self.master_cf = MASTER_CF.format(smtpd_port=smtpd_port, release_port=release_port)

    def _run(self, *args, check=True):
        proc = subprocess.run(list(args), capture_output=True, text=True, timeout=60)
        if check and proc.returncode != 0:
            raise RuntimeError("%s failed (%d):\n%s%s\nmaillog:\n%s" % (
                " ".join(args), proc.returncode, proc.stdout, proc.stderr, self.log_text()))
        return proc

    def write_config(self):
        for d in (self.config_dir, self.queue_dir, self.data_dir, self.log_dir):
            os.makedirs(d, exist_ok=True)
        # Postfix insists that the queue directory's ancestors are not writable by others
        # only for some checks; the temp dir from mkdtemp is 0700 root, which is fine.
        os.chmod(self.root, 0o755)
        shutil.chown(self.data_dir, MAIL_OWNER)
        with open(os.path.join(self.config_dir, "main.cf"), "w") as f:
            f.write("# Private aup-milter integration-test instance.\n")
            for key, value in self.settings.items():
                f.write("%s = %s\n" % (key, value))
        with open(os.path.join(self.config_dir, "master.cf"), "w") as f:
            f.write(self.master_cf)

    def start(self, write_config=True):
        """write_config=False starts from the files as they are (edited after write_config())."""
        if write_config:
            self.write_config()
        # 'postfix check' also creates the queue directories with the right owners.
        self._run(POSTFIX, "-c", self.config_dir, "check")
        self._run(POSTFIX, "-c", self.config_dir, "start")
        if not wait_for(lambda: "fatal:" in self.log_text() or self._smtpd_ready(), 20, 0.2) \
                or "fatal:" in self.log_text():
            raise RuntimeError("Postfix smtpd did not answer on port %d; maillog:\n%s"
                               % (self.smtpd_port, self.log_text()))

    def _smtpd_ready(self):
        try:
            with smtplib.SMTP("127.0.0.1", self.smtpd_port, timeout=5) as s:
                s.noop()
            return True
        except (OSError, smtplib.SMTPException):
            return False

    def master_pid(self):
        try:
            with open(os.path.join(self.queue_dir, "pid", "master.pid")) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def stop(self):
        pid = self.master_pid()
        self._run(POSTFIX, "-c", self.config_dir, "stop", check=False)
        if pid is None:
            return

        def gone():
            try:
                os.kill(pid, 0)
                return False
            except ProcessLookupError:
                return True
        if not wait_for(gone, 15, 0.2):
            # master stops its children on SIGTERM; SIGKILL only as a last resort.
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def queue_ids(self, queue):
        """Queue ids of the files in one queue (hold, deferred, ...), read from the spool."""
        ids = []
        top = os.path.join(self.queue_dir, queue)
        for dirpath, _dirs, files in os.walk(top):
            ids.extend(files)
        return sorted(ids)

    def queued_messages(self):
        """postqueue -j: one dict per queued message (queue_name, queue_id, sender, ...)."""
        proc = self._run(POSTQUEUE, "-c", self.config_dir, "-j")
        return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]

    def postcat(self, queue_id):
        return self._run("/usr/sbin/postcat", "-c", self.config_dir, "-q", queue_id).stdout

    def log_text(self):
        try:
            with open(self.maillog, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""
