#!/usr/bin/env python3
# The Debian package as an administrator meets it, on this machine (root; it installs and purges
# the package for real): lintian, the installed layout and account, the unit, the daemon started
# as its own user with the unit's command line, one message through a real Postfix, then purge,
# after which nothing but the documented state may remain.
#
# Usage: python3 tests/package/package_test.py build/deb/aup-milter_<version>_<arch>.deb
import argparse
import base64
import grp
import json
import os
import pwd
import shlex
import shutil
import signal
import smtplib
import stat
import subprocess
import sys
import tempfile
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "scan"))
import postfix_harness as harness  # noqa: E402
from clamd_fixture import ClamdFixture, clamd_command  # noqa: E402
from postfix_test import make_message, PARTNER, SENDER  # noqa: E402

PACKAGE = "aup-milter"
ACCOUNT = "aup-milter"
SOCKET_GROUP = "aup-milter-socket"  # Postfix's way to the socket, without the quarantine
CONFIG = "/etc/aup-milter/aup.json"
UNIT = "/lib/systemd/system/aup-milter.service"
SOCKET = "/run/aup-milter/milter.sock"
CLAMD_SOCKET = "/run/clamav/clamd.ctl"  # what the installed configuration names
STATE_DIR = "/var/lib/aup-milter"
EICAR = r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"

# Trees a package may leave files in; snapshots compare them before install and after purge.
WATCHED = ("/etc", "/usr", "/lib", "/var/lib", "/run", "/var/spool")
# Other programs' changing state, not the package's.
UNWATCHED = ("/var/lib/dpkg", "/var/lib/apt", "/var/lib/man-db", "/var/lib/ucf", "/run/clamav",
             "/run/systemd", "/var/lib/systemd/deb-systemd-user-helper-enabled/.",
             "/var/spool/postfix", "/var/lib/postfix", "/etc/ld.so.cache")
# What purge leaves on purpose (README, aup-milter(8)): the quarantine with its audit trail, and
# the account (whose adduser backups of the account files may appear).
DOCUMENTED_STATE = (STATE_DIR,)
ACCOUNT_FILE_BACKUPS = ("/etc/passwd-", "/etc/group-", "/etc/shadow-", "/etc/gshadow-")

failures = []


def check(condition, what):
    print(("ok    " if condition else "FAIL  ") + what, flush=True)
    if not condition:
        failures.append(what)
    return condition


def run(*args, user=None, check_rc=True, umask=None):
    """Runs a command (as user, with that user's groups, when given) and returns it."""
    if user is not None:
        args = ("setpriv", "--reuid", user, "--regid", user, "--init-groups", "--") + args
    proc = subprocess.run(list(args), capture_output=True, text=True, timeout=300,
                          preexec_fn=(lambda: os.umask(umask)) if umask is not None else None)
    if check_rc and proc.returncode != 0:
        raise RuntimeError("%s exited %d:\n%s%s" % (" ".join(args), proc.returncode,
                                                    proc.stdout, proc.stderr))
    return proc


def snapshot():
    """Every path under the watched trees, symlinks not followed."""
    paths = set()
    for top in WATCHED:
        for dirpath, dirs, files in os.walk(top):
            if dirpath.startswith(UNWATCHED):
                dirs[:] = []
                continue
            for name in dirs + files:
                path = os.path.join(dirpath, name)
                if not path.startswith(UNWATCHED):
                    paths.add(path)
    return paths


def installed_files():
    listing = run("dpkg-query", "-L", PACKAGE).stdout.split("\n")
    return {path for path in listing if path.startswith("/")}


def conffiles():
    out = run("dpkg-query", "-W", "-f=${Conffiles}", PACKAGE).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}


def mode_owner(path):
    st = os.lstat(path)
    return (stat.S_IMODE(st.st_mode), pwd.getpwuid(st.st_uid).pw_name,
            grp.getgrgid(st.st_gid).gr_name)


# --- before install -----------------------------------------------------------------------------

def lintian(deb):
    proc = run("lintian", "--fail-on", "error,warning", "--display-info", deb, check_rc=False)
    print(proc.stdout + proc.stderr, end="")
    check(proc.returncode == 0, "lintian: no errors or warnings")


# --- installed layout ---------------------------------------------------------------------------

def check_layout():
    files = installed_files()
    for path in ("/usr/sbin/aup-milter", "/usr/bin/aupctl"):
        check(path in files and mode_owner(path) == (0o755, "root", "root"),
              "%s installed, root-owned, 0755" % path)
    expected_conffiles = {CONFIG} | {os.path.join("/etc/aup-milter/packs", p) for p in (
        "personal.json", "recipients.json", "identity.json", "attachments.json", "content.json")}
    expected_conffiles |= {os.path.join("/etc/aup-milter/lists", n) for n in (
        "disposable-domains.txt", "offensive-allow.txt", "offensive-words.txt")}
    check(expected_conffiles <= conffiles(), "configuration and rule packs are conffiles")
    with open(CONFIG) as f:
        config = json.load(f)
    check(config["clamd"]["enabled"] is True, "installed configuration scans with clamd")
    check(os.path.isfile("/etc/aup-milter/schema/rules.schema.json"),
          "rule files' relative $schema resolves in /etc/aup-milter")
    for sub in ("schema/config.schema.json", "examples/example-policy/aup.json",
                "examples/messages/executable-attachment.eml", "postfix/main.cf.snippet",
                "postfix/master.cf.snippet", "sendmail/aup-milter.mc"):
        check(os.path.isfile(os.path.join("/usr/share/aup-milter", sub)),
              "/usr/share/aup-milter/%s" % sub)
    for page in ("/usr/share/man/man8/aup-milter.8.gz", "/usr/share/man/man1/aupctl.1.gz",
                 "/usr/share/man/man5/aup.json.5.gz"):
        check(page in files, "man page %s" % page)
    for unit in (UNIT, "/lib/systemd/system/aup-milter-purge.service",
                 "/lib/systemd/system/aup-milter-purge.timer", "/usr/lib/tmpfiles.d/aup-milter.conf"):
        check(unit in files, "%s installed" % unit)
    for doc in ("README.md", "quarantine.md"):  # named by the units' Documentation=
        check(os.path.isfile(os.path.join("/usr/share/doc/aup-milter", doc)),
              "/usr/share/doc/aup-milter/%s" % doc)
    check_account()
    check(mode_owner(STATE_DIR) == (0o750, ACCOUNT, ACCOUNT), "%s is aup-milter's, 0750" % STATE_DIR)
    # postinst's systemd-tmpfiles call creates it where systemd is not running the machine.
    # Set-group-ID, so that the socket created in it is of the socket group.
    check(os.path.isdir("/run/aup-milter")
          and mode_owner("/run/aup-milter") == (0o2750, ACCOUNT, SOCKET_GROUP),
          "/run/aup-milter is aup-milter's, group aup-milter-socket, 2750")


def check_account():
    try:
        user = pwd.getpwnam(ACCOUNT)
        group = grp.getgrnam(ACCOUNT)
    except KeyError:
        check(False, "system user and group aup-milter exist")
        return
    check(user.pw_uid < 1000 and user.pw_gid == group.gr_gid
          and user.pw_shell in ("/usr/sbin/nologin", "/bin/false"),
          "aup-milter is a system account with its own group and no login")
    postfix_groups = run("id", "-Gn", "postfix", check_rc=False).stdout.split()
    check(SOCKET_GROUP in postfix_groups and ACCOUNT not in postfix_groups,
          "postfix is in group aup-milter-socket, not in aup-milter (the quarantine's)")


def systemd_verify():
    proc = run("systemd-analyze", "verify", UNIT, "/lib/systemd/system/aup-milter-purge.service",
               "/lib/systemd/system/aup-milter-purge.timer",
               "/lib/systemd/system/aup-milter-web.service", check_rc=False)
    print(proc.stdout + proc.stderr, end="")
    check(proc.returncode == 0, "systemd-analyze verify accepts the units")


# --- the daemon, as the unit starts it ----------------------------------------------------------

def unit_commands(key):
    """The unit's ExecStart= or ExecStartPre= command lines, each as a list."""
    with open(UNIT) as f:
        commands = [shlex.split(line.split("=", 1)[1]) for line in f
                    if line.startswith(key + "=")]
    if not commands:
        raise RuntimeError("%s has no %s=" % (UNIT, key))
    return commands


def unit_setting(key):
    with open(UNIT) as f:
        for line in f:
            if line.startswith(key + "="):
                return line.split("=", 1)[1].strip()
    raise RuntimeError("%s has no %s=" % (UNIT, key))


def start_daemon(log_path):
    """The daemon as the unit runs it: under systemd the package has started it; elsewhere the
    unit's command lines run as its User= with its UMask=. Returns (pid, stop)."""
    check(unit_setting("User") == ACCOUNT, "the unit runs the daemon as aup-milter")
    if os.path.isdir("/run/systemd/system"):
        active = run("systemctl", "is-active", "aup-milter", check_rc=False).stdout.strip()
        check(active == "active", "the package started aup-milter.service (%s)" % active)
        pid = int(run("systemctl", "show", "-P", "MainPID", "aup-milter").stdout)
        return pid, lambda: run("systemctl", "stop", "aup-milter", check_rc=False)
    umask = int(unit_setting("UMask"), 8)
    for command in unit_commands("ExecStartPre"):
        privileged = command[0].startswith("+")  # systemd runs these as root, unsandboxed
        command[0] = command[0].lstrip("+")
        pre = run(*command, user=None if privileged else ACCOUNT, umask=umask, check_rc=False)
        check(pre.returncode == 0, "ExecStartPre %s passes%s: %s" % (
            " ".join(command), "" if privileged else " as aup-milter",
            pre.stderr.strip() or "ok"))
    log = open(log_path, "ab")
    daemon = subprocess.Popen(
        ["setpriv", "--reuid", ACCOUNT, "--regid", ACCOUNT, "--init-groups", "--"]
        + unit_commands("ExecStart")[0], stdout=log, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, preexec_fn=lambda: os.umask(umask))
    up = harness.wait_for(lambda: daemon.poll() is not None or os.path.exists(SOCKET), 60)
    if not check(up and daemon.poll() is None, "daemon started as aup-milter, socket %s" % SOCKET):
        with open(log_path, errors="replace") as f:
            print(f.read()[-3000:])
        return None, lambda: harness.stop_process(daemon)
    return daemon.pid, lambda: harness.stop_process(daemon)


def check_daemon_identity(pid):
    with open("/proc/%d/status" % pid) as f:
        status = dict(line.split(":", 1) for line in f if ":" in line)
    uid = int(status["Uid"].split()[0])
    check(pwd.getpwuid(uid).pw_name == ACCOUNT, "daemon process runs as aup-milter")
    mode, owner, group = mode_owner(SOCKET)
    check((owner, group) == (ACCOUNT, SOCKET_GROUP) and mode & 0o060 == 0o060 and mode & 0o007 == 0,
          "socket read-write for group aup-milter-socket, nothing for others (%o %s:%s)"
          % (mode, owner, group))


def start_clamd():
    """A clamd at the address the installed configuration names, unless one already answers."""
    if clamd_command(CLAMD_SOCKET, b"PING", 1.0) == "PONG":
        return None
    os.makedirs(os.path.dirname(CLAMD_SOCKET), exist_ok=True)
    return ClamdFixture(tcp=False, local_socket=CLAMD_SOCKET).start()


def submit(port, message):
    """One SMTP transaction from 127.0.0.1 (an internal network: originating mail)."""
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as s:
        s.ehlo("client.aup-test.invalid")
        s.mail(SENDER)
        s.rcpt(PARTNER)
        try:
            code, text = s.data(message)
        except smtplib.SMTPDataError as e:
            code, text = e.smtp_code, e.smtp_error
        return code, text.decode(errors="replace")


def mail_through_postfix(root):
    sink = harness.Sink(root, harness.free_port())
    postfix = harness.Postfix(root, harness.free_port(), sink.port, harness.free_port(),
                              harness.free_port())
    postfix.settings["smtpd_milters"] = "unix:" + SOCKET
    try:
        sink.start()
        postfix.start()
        token = "aup-" + uuid.uuid4().hex
        code, text = submit(postfix.smtpd_port, make_message(token))
        check(code == 250, "a business message is accepted through Postfix (%d %s)" % (code, text))
        delivered = harness.wait_for(lambda: sink.find(token), 30)
        check(delivered is not None and b"Medway Council e-mail disclaimer:" in delivered,
              "it reaches the sink with the corporate footer the milter adds")
        virus = make_message("aup-" + uuid.uuid4().hex, attachment=(
            "notes.txt", base64.b64encode(EICAR.encode()).decode()))
        code, text = submit(postfix.smtpd_port, virus)
        check(code == 550 and "4.8.1" in text,
              "a message carrying the EICAR test file is refused citing clause 4.8.1, so clamd "
              "scanned it (%d %s)" % (code, text))
        if failures:
            print("--- maillog ---\n" + postfix.log_text()[-4000:])
    finally:
        postfix.stop()
        sink.stop()


# --- the README's Postfix lines on Debian's own master.cf ---------------------------------------

README = os.path.join(HERE, "..", "..", "README.md")
DEBIAN_MASTER_CF = "/usr/share/postfix/master.cf.dist"  # what Debian installs: chroot "y"


def readme_install_commands():
    """The shell lines of the README's "Install from the Debian package" block."""
    with open(README) as f:
        text = f.read()
    section = text[text.index("## Install from the Debian package"):]
    block = section[section.index("```sh\n") + 6:]
    return block[:block.index("```")].strip().splitlines()


def for_private_instance(command, config_dir):
    """A README line, run on the private instance's files instead of /etc/postfix (None: the
    package is installed already, or Postfix is started by the test)."""
    command = command.removeprefix("sudo ")
    if command.startswith(("apt install", "systemctl restart postfix")):
        return None
    command = command.replace("/etc/postfix/", config_dir + "/")
    return command.replace("postconf ", "postconf -c %s " % config_dir)


def apply_readme_lines(postfix):
    postfix.write_config()
    with open(DEBIAN_MASTER_CF) as stock, \
            open(os.path.join(postfix.config_dir, "master.cf"), "w") as master:
        master.write(stock.read())
    for line in readme_install_commands():
        command = for_private_instance(line, postfix.config_dir)
        if command is not None:
            subprocess.run(command, shell=True, check=True, timeout=60)
    postconf = lambda *a: run("postconf", "-c", postfix.config_dir, *a).stdout.split()
    check(postconf("-Fh", "submission/inet/chroot", "cleanup/unix/chroot") == ["n", "n"],
          "README lines: submission and cleanup run outside Debian's chroot")
    check(postconf("-Ph", "submission/inet/smtpd_milters") == ["unix:" + SOCKET],
          "README lines: the submission service uses the milter, and nothing that is not there")
    check(postconf("-h", "non_smtpd_milters") == ["unix:" + SOCKET],
          "README lines: mail from sendmail(1) goes through the milter")


def listen_on_free_ports(postfix):
    """The stock smtp (25), the snippet's submission (587) and release relay (10026) services
    moved to free loopback ports, so that a Postfix already running here is not in the way.
    Returns the submission service's port; the test client has no SASL or TLS, so that service
    trusts loopback instead, as it would an authenticated client."""
    master_cf = os.path.join(postfix.config_dir, "master.cf")
    with open(master_cf) as f:
        lines = f.read().splitlines()
    ports = {"smtp": harness.free_port(), "submission": harness.free_port(),
             "127.0.0.1:10026": harness.free_port()}
    for i, line in enumerate(lines):
        fields = line.split()
        if len(fields) > 1 and fields[1] == "inet" and fields[0] in ports:
            lines[i] = "127.0.0.1:%d %s" % (ports[fields[0]], line[len(fields[0]):].lstrip())
    with open(master_cf, "w") as f:
        f.write("\n".join(lines) + "\n")
    submission = "127.0.0.1:%d/inet" % ports["submission"]
    run("postconf", "-c", postfix.config_dir, "-P",
        submission + "/smtpd_tls_security_level=none",
        submission + "/smtpd_sasl_auth_enable=no",
        submission + "/smtpd_client_restrictions=permit_mynetworks,reject")
    postfix.smtpd_port = ports["smtp"]
    return ports["submission"]


def sendmail(postfix, message):
    subprocess.run(["/usr/sbin/sendmail", "-C", postfix.config_dir, "-f", SENDER, PARTNER],
                   input=message, check=True, timeout=60)


def mail_through_readme_postfix(root):
    """Debian's stock master.cf (chrooted services) with the README's lines applied: mail on
    the submission service and mail from sendmail(1) (through cleanup) reach the milter."""
    sink = harness.Sink(root, harness.free_port(), name="readme-sink")
    postfix = harness.Postfix(os.path.join(root, "readme"), harness.free_port(), sink.port,
                              harness.free_port(), harness.free_port())
    postfix.settings["smtpd_milters"] = ""
    try:
        sink.start()
        apply_readme_lines(postfix)
        submission_port = listen_on_free_ports(postfix)
        postfix.start(write_config=False)
        token = "aup-" + uuid.uuid4().hex
        code, text = submit(submission_port, make_message(token))
        delivered = harness.wait_for(lambda: sink.find(token), 30)
        check(code == 250 and delivered is not None
              and b"Medway Council e-mail disclaimer:" in delivered,
              "README's Postfix: the submission service runs the milter (%d %s)" % (code, text))
        token = "aup-" + uuid.uuid4().hex
        sendmail(postfix, make_message(token))
        delivered = harness.wait_for(lambda: sink.find(token), 30)
        check(delivered is not None and b"Medway Council e-mail disclaimer:" in delivered,
              "README's Postfix: mail from sendmail(1) is footered by the milter and delivered")
        # And the reason for the chroot line: chrooted, cleanup cannot see the socket.
        run("postconf", "-c", postfix.config_dir, "-F", "cleanup/unix/chroot = y")
        run("postfix", "-c", postfix.config_dir, "reload")
        token = "aup-" + uuid.uuid4().hex
        sendmail(postfix, make_message(token))
        refused = harness.wait_for(
            lambda: "Milter service unix:%s" % SOCKET in postfix.log_text(), 30)
        check(refused and sink.find(token) is None,
              "with cleanup chrooted (Debian's default) the milter is unreachable, mail waits")
        if failures:
            print("--- maillog ---\n" + postfix.log_text()[-4000:])
    finally:
        postfix.stop()
        sink.stop()


# --- purge --------------------------------------------------------------------------------------

def check_reinstall_keeps_edits(deb):
    """An administrator's edit to a conffile survives the package being installed again, and
    the maintainer scripts run a second time without complaint."""
    with open(CONFIG) as f:
        original = f.read()
    edited = original.replace('"organisation": "Medway Council"',
                              '"organisation": "Medway Council (edited here)"')
    with open(CONFIG, "w") as f:
        f.write(edited)
    again = run("dpkg", "-i", "--force-confold", deb, check_rc=False)
    check(again.returncode == 0, "installing the package again succeeds%s"
          % ("" if again.returncode == 0 else ":\n" + again.stdout + again.stderr))
    with open(CONFIG) as f:
        check(f.read() == edited, "an edited aup.json is kept across a reinstall")
    check_account()


def check_remove_keeps_configuration():
    run("dpkg", "--remove", PACKAGE)
    status = package_status()
    check(status == "config-files", "remove leaves the configuration (status %r)" % status)
    check(not os.path.exists("/usr/sbin/aup-milter") and os.path.isfile(CONFIG),
          "remove takes the programs and keeps /etc/aup-milter")


def check_purge(before):
    purge = run("dpkg", "--purge", PACKAGE, check_rc=False)
    print(purge.stdout + purge.stderr, end="")
    check(package_status() in ("", "not-installed"), "package purged (%r)" % package_status())
    after = snapshot()
    left = sorted(p for p in after - before
                  if not p.startswith(DOCUMENTED_STATE) and p not in ACCOUNT_FILE_BACKUPS)
    check(not left, "purge leaves nothing but the documented state%s"
          % "".join("\n        " + p for p in left))
    gone = sorted(before - after)
    check(not gone, "install and purge removed nothing that was there before%s"
          % "".join("\n        " + p for p in gone))
    check(os.path.isdir(STATE_DIR), "%s (the quarantine) is kept, as documented" % STATE_DIR)
    check_account()  # kept, as documented


def package_status():
    return run("dpkg-query", "-W", "-f=${db:Status-Status}", PACKAGE, check_rc=False).stdout


def exercise_installed_package(args, root):
    """Everything between install and removal; the caller always removes and purges."""
    run("dpkg", "-i", args.deb)
    check_layout()
    systemd_verify()
    clamd = start_clamd()
    stop_daemon = None
    try:
        check(run("aup-milter", "--config", CONFIG, "--check-config", user=ACCOUNT,
                  check_rc=False).returncode == 0,
              "aup-milter --check-config passes on the installed configuration")
        sample = run("aupctl", "check", "/usr/share/aup-milter/examples/messages/"
                     "executable-attachment.eml", check_rc=False)
        check(sample.returncode == 0 and json.loads(sample.stdout)["action"] == "reject",
              "aupctl check uses the installed configuration by default")
        pid, stop_daemon = start_daemon(os.path.join(root, "aup-milter.log"))
        if pid is not None:
            check_daemon_identity(pid)
            mail_through_postfix(root)
            mail_through_readme_postfix(root)
    finally:
        if stop_daemon is not None:
            stop_daemon()
        if clamd is not None:
            clamd.stop()
            clamd.cleanup()
    check_reinstall_keeps_edits(args.deb)
    check_remove_keeps_configuration()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("deb")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("package_test: must run as root (it installs the package)")
    if package_status() not in ("", "not-installed"):
        sys.exit("package_test: aup-milter is %s here; purge it first (dpkg --purge aup-milter)"
                 % package_status())
    lintian(args.deb)
    # A CI timeout sends SIGTERM: unwind through the finally below, which purges.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("package_test: terminated"))
    clamd_dir_existed = os.path.isdir(os.path.dirname(CLAMD_SOCKET))
    before = snapshot()
    root = tempfile.mkdtemp(prefix="aup-package-test-")
    os.chmod(root, 0o755)
    try:
        exercise_installed_package(args, root)
    except Exception as error:  # reported, then the package is purged all the same
        check(False, "no unexpected error: %r" % error)
        raise
    finally:
        check_purge(before)
        shutil.rmtree(root, ignore_errors=True)
        if not clamd_dir_existed:
            shutil.rmtree(os.path.dirname(CLAMD_SOCKET), ignore_errors=True)
        print("package_test: %s" % ("%d failed" % len(failures) if failures else "all passed"))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
