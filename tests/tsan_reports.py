#!/usr/bin/env python3
"""Reads ThreadSanitizer report files (TSAN_OPTIONS log_path) and fails if any report involves
this project's code: a frame in a source file under the project. Reports made only of frames
in libraries built without TSan (libmilter's own start-up and shut-down threads) where the
accesses happen are counted
and listed by summary, not failed: TSan cannot see their synchronisation, and they are not
ours to fix. Usage: tsan_reports.py SOURCE_DIR REPORT_FILE..."""
import pathlib
import re
import sys


def reports_in(text):
    parts = re.split(r"^==================\n", text, flags=re.M)
    return [part for part in parts if "WARNING: ThreadSanitizer" in part]


# Sections of a report that say where something came from, not what went wrong: threads
# created (our main() starts libmilter's), mutexes made, memory allocated.
ORIGIN = re.compile(r"^  (Thread T\d+ .*created by|Mutex M\d+ .*created at|Location is )")


# A frame's module and offset, "(aup-milter+0x1ce7a3)": it names the binary, whose path lies
# under the source tree when the build directory does (CI builds in SOURCE/build-ci-tsan), so
# it says nothing about whose code the frame is. Only a frame's source file does.
MODULE = re.compile(r"\([^()\s]*\+0x[0-9a-f]+\)")
FRAME = re.compile(r"^\s+#(\d+) ")


# Frames of std::thread's own machinery, between pthread_create and the code that asked.
STD_THREAD = re.compile(r"libstdc\+\+|/usr/include/c\+\+/|std::thread::")


def thread_creator(report):
    """A leaked thread's fault is the code that created it and never joined it: the first
    frame past pthread_create and std::thread (libmilter's mi_control_startup for its
    control thread, which our main() only calls)."""
    frames = [line for line in report.splitlines() if FRAME.match(line)]
    starts = [index for index, line in enumerate(frames) if "pthread_create" in line]
    for line in frames[starts[0] + 1:] if starts else []:
        if not STD_THREAD.search(line):
            return line
    return report


def fault_sections(report):
    """The report without its origin sections: the racing accesses, the lock-order cycle's
    acquisitions; for a leaked thread, the frame that created it. Module paths and the
    SUMMARY line (which names the binary) are left out."""
    if "ThreadSanitizer: thread leak" in report:
        return MODULE.sub("", thread_creator(report))
    kept, keep = [], True
    for line in report.splitlines():
        if line.startswith("  ") and not line.startswith("   "):
            keep = not ORIGIN.match(line)
        if keep and not line.startswith("SUMMARY:"):
            kept.append(MODULE.sub("", line))
    return "\n".join(kept)


def main():
    source = str(pathlib.Path(sys.argv[1]).resolve()) + "/"
    ours, others = [], {}
    for name in sys.argv[2:]:
        for report in reports_in(pathlib.Path(name).read_text(errors="replace")):
            if source in fault_sections(report):
                ours.append(report)
            else:
                summary = re.search(r"^SUMMARY: (.*)$", report, flags=re.M)
                key = summary.group(1) if summary else report.splitlines()[0]
                others[key] = others.get(key, 0) + 1
    for key, count in sorted(others.items(), key=lambda item: -item[1]):
        print(f"tsan: not ours ({count}x): {key}")
    for report in ours:
        print(report)
    print(f"tsan: {len(ours)} reports in aup-milter's code, {sum(others.values())} elsewhere")
    return 1 if ours else 0


if __name__ == "__main__":
    sys.exit(main())
