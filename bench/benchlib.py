"""What the benchmark harnesses share: a free loopback port, a process's resident memory, a percentile, output."""
import os
import socket
import sys


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_mib(pid, field):
    """A kB field of /proc/<pid>/status (VmRSS, RssAnon, ...) in MiB (NaN if the process has none)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def rss_mib(pid):
    """VmRSS of a process in MiB (NaN if it has none)."""
    return status_mib(pid, "VmRSS")


def anon_rss_mib(pid):
    """RssAnon in MiB: the process's private memory. The rest of RSS (RssFile) is clean pages of files mapped
    read-only (libjvm.so, the JDK's CDS archive, the AOT cache), which the kernel can drop and page back in, and which
    every pod on a node running the same image layer shares."""
    return status_mib(pid, "RssAnon")


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
