#!/usr/bin/env python3
"""Every log line of the daemon goes through daemon/log_line (LogLine, log_text), which
escapes what came from outside: no other file under milter/ may call syslog() itself.
Usage: check_log_calls.py SOURCE_DIR"""
import pathlib
import re
import sys

ALLOWED = {"milter/daemon/log_line.cpp"}
CALL = re.compile(r"\bv?syslog\s*\(")


def main():
    root = pathlib.Path(sys.argv[1]).resolve()
    offenders = []
    for path in sorted((root / "milter").rglob("*.[ch]pp")):
        relative = path.relative_to(root).as_posix()
        if relative in ALLOWED:
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            code = line.split("//", 1)[0]
            if CALL.search(code):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    for offender in offenders:
        print(f"raw syslog call (use daemon::LogLine): {offender}")
    print(f"log calls: {len(offenders)} raw syslog call(s) outside daemon/log_line.cpp")
    return 1 if offenders else 0


if __name__ == "__main__":
    sys.exit(main())
