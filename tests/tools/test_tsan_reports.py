#!/usr/bin/env python3
"""tsan_reports.py decides whether the TSan phase fails: these reports, in the shapes TSan
printed in CI, must be classed as they are here. The build directory lies under the source
tree, as in CI (SOURCE/build-ci-tsan), so a report naming the binary is not thereby ours."""
import pathlib
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
CLASSIFIER = HERE.parent / "tsan_reports.py"
SEPARATOR = "==================\n"


def libmilter_thread_leak(source):
    return f"""WARNING: ThreadSanitizer: thread leak (pid=19599)
  Thread T2 (tid=19603, finished) created by main thread at:
    #0 pthread_create ../../../../src/libsanitizer/tsan/tsan_interceptors_posix.cpp:1001 (libtsan.so.2+0x5e686)
    #1 mi_control_startup <null> ({source}/build-ci-tsan/bin/aup-milter+0x1ce7a3)
    #2 main {source}/milter/daemon/main.cpp:88 ({source}/build-ci-tsan/bin/aup-milter+0x1c0000)
    #3 __libc_start_call_main ../sysdeps/nptl/libc_start_call_main.h:58 (libc.so.6+0x27249)

SUMMARY: ThreadSanitizer: thread leak ({source}/build-ci-tsan/bin/aup-milter+0x1ce7a3) in mi_control_startup
"""


def our_thread_leak(source):
    return f"""WARNING: ThreadSanitizer: thread leak (pid=4242)
  Thread T5 (tid=4250, finished) created by thread T1 at:
    #0 pthread_create ../../../../src/libsanitizer/tsan/tsan_interceptors_posix.cpp:1001 (libtsan.so.2+0x5e686)
    #1 std::thread::_M_start_thread <null> (libstdc++.so.6+0xdc398)
    #2 aup::inspect::start_worker {source}/milter/inspect/workers.cpp:41 ({source}/build-ci-tsan/bin/aup-milter+0x1d0000)

SUMMARY: ThreadSanitizer: thread leak ({source}/build-ci-tsan/bin/aup-milter+0x1d0000) in start_worker
"""


def libmilter_race(source):
    return f"""WARNING: ThreadSanitizer: data race (pid=77)
  Write of size 4 at 0x7b0400000010 by thread T3:
    #0 mi_stop <null> ({source}/build-ci-tsan/bin/aup-milter+0x1cf000)
  Previous read of size 4 at 0x7b0400000010 by main thread:
    #0 mi_listener <null> ({source}/build-ci-tsan/bin/aup-milter+0x1ce000)
  Thread T3 (tid=80, running) created by main thread at:
    #0 pthread_create ../../../../src/libsanitizer/tsan/tsan_interceptors_posix.cpp:1001 (libtsan.so.2+0x5e686)
    #1 main {source}/milter/daemon/main.cpp:88 ({source}/build-ci-tsan/bin/aup-milter+0x1c0000)

SUMMARY: ThreadSanitizer: data race ({source}/build-ci-tsan/bin/aup-milter+0x1cf000) in mi_stop
"""


def our_race(source):
    return f"""WARNING: ThreadSanitizer: data race (pid=78)
  Write of size 8 at 0x7b0400000020 by thread T3:
    #0 aup::quarantine::SqliteIndex::insert {source}/milter/quarantine/sqlite_index.cpp:120 ({source}/build-ci-tsan/bin/aup-milter+0x1e0000)
  Previous read of size 8 at 0x7b0400000020 by thread T4:
    #0 aup::quarantine::SqliteIndex::count {source}/milter/quarantine/sqlite_index.cpp:200 ({source}/build-ci-tsan/bin/aup-milter+0x1e1000)

SUMMARY: ThreadSanitizer: data race {source}/milter/quarantine/sqlite_index.cpp:120 in insert
"""


def classify(source, reports):
    with tempfile.TemporaryDirectory() as scratch:
        log = pathlib.Path(scratch) / "tsan.1"
        log.write_text("".join(SEPARATOR + report for report in reports) + SEPARATOR)
        result = subprocess.run([sys.executable, str(CLASSIFIER), source, str(log)],
                                capture_output=True, text=True, check=False)
    return result.returncode, result.stdout.splitlines()[-1]


def main():
    source = str(HERE.parent.parent)
    cases = [
        ([libmilter_thread_leak(source)] * 3, 0, "0 reports in aup-milter's code, 3 elsewhere"),
        ([libmilter_race(source)], 0, "0 reports in aup-milter's code, 1 elsewhere"),
        ([our_thread_leak(source)], 1, "1 reports in aup-milter's code, 0 elsewhere"),
        ([our_race(source), libmilter_thread_leak(source)], 1,
         "1 reports in aup-milter's code, 1 elsewhere"),
    ]
    failures = 0
    for reports, want_status, want_tail in cases:
        status, tail = classify(source, reports)
        if status != want_status or not tail.endswith(want_tail):
            failures += 1
            print(f"FAIL: wanted exit {want_status} and '{want_tail}', got {status} and '{tail}'")
    print(f"tsan classifier: {len(cases) - failures}/{len(cases)} cases as expected")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
