"""What the benchmark harnesses share: a free loopback port, a process's resident memory, a percentile, output."""
import os
import socket
import sys


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mib(pid):
    """VmRSS of a process in MiB (NaN if it has none)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values, fraction):
    """The value at this fraction (0.5: the median) of the sorted values, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def print_log_tail(path, lines=40):
    """The end of a process's log on stderr, when a run failed (nothing if the log is not there)."""
    if os.path.exists(path):
        with open(path) as f:
            print("".join(f.readlines()[-lines:]), file=sys.stderr)


def emit_report(report, out):
    """Prints the report and, when asked, writes it to a file too."""
    print(report)
    if out:
        with open(out, "w") as f:
            f.write(report)
