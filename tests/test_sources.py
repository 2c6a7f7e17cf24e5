"""The /proc and /sys files pystat opens are the ones the real tool opens.

Both run under ``strace -f -e trace=openat,open,openat2`` on the live
machine; the sets of /proc and /sys paths they open (files and directories)
must be equal, except for the documented, justified differences in
EXCEPTIONS. Also checks that ``pystat sources`` lists what pystat opens.
Skipped where strace or the real tool is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.helpers import REPO, run

# tool -> argument lists (DISK is replaced by a disk of the machine)
CASES = {
    "vmstat": [[], ["-a"], ["-w", "-t"], ["-s"], ["-f"], ["-d"], ["-D"], ["-p", "DISK"],
               ["-m"], ["1", "2"], ["-y", "1", "1"]],
    # numeric only: names would go to the resolver (DNS), which opens no /proc file
    # but can take minutes here
    "netstat": [["-ant"], ["-anu"], ["-tuln"], ["-an"], ["-anx"], ["-anw"], ["-anU"],
                ["-ant6"], ["-an", "-A", "inet6"], ["-an", "-A", "unix"], ["-antp"],
                ["-anp"], ["-tulnp"], ["-s"], ["-st"], ["-s", "-6"], ["-rn"], ["-rn6"],
                ["-rnC"], ["-i"], ["-ie"], ["-gn"]],
    "iostat": [[], ["-x"], ["-c"], ["-d", "-k", "-t"], ["-p", "ALL"], ["-x", "-p", "ALL"],
               ["-p", "DISK"], ["-d", "DISK"], ["-d", "PART"], ["-x", "1", "2"], ["-y", "1", "1"],
               ["-N", "-d"], ["-o", "JSON"], ["-d", "ALL"]],
    "mpstat": [[], ["-P", "ALL"], ["-u"], ["-I", "SUM"], ["-I", "CPU"], ["-I", "SCPU"],
               ["-I", "ALL", "-P", "0"], ["-A"], ["-T", "-P", "ALL"], ["-n"], ["1", "2"],
               ["-o", "JSON", "-A"]],
}

# tool -> {path pattern: why the real tool opens it and pystat need not}
EXCEPTIONS = {
    "vmstat": {
        r"/proc/self/status|/sys/devices/system/node(/.*)?|/sys/devices/system/cpu/possible":
            "libnuma, which libproc2 loads with dlopen, discovers NUMA nodes; "
            "vmstat never shows per-node data",
        r"/proc/cpuinfo":
            "libproc2's stat module maps CPUs to cores when it starts; vmstat shows only "
            "the totals of /proc/stat",
    },
    "netstat": {
        r"/proc/filesystems":
            "libselinux (Debian builds netstat with SELinux) looks for selinuxfs at start-up",
        r"/proc/PID/attr/current":
            "-p: getpidcon() reads each process's SELinux context, shown only with -Z, "
            "which needs SELinux",
    },
}

# tool -> (pattern, replacement) applied to both sets before comparing: with -p
# both tools scan every process, and processes come and go between the two runs
# (the tools themselves, strace, other work on the machine), so what is compared
# is which files of a process are opened (its fd/ directory, its cmdline), not
# which processes there were
NORMALIZE = {
    "netstat": (r"/proc/[0-9]+/", "/proc/PID/"),
}

_OPEN = re.compile(r'^\d+\s+(?:openat|open|openat2)\((?:AT_FDCWD, )?"([^"]+)"')


def opened(argv: list[str], env=None) -> set[str]:
    """The /proc and /sys paths ``argv`` opens (successfully or not)."""
    trace = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"pystat-strace-{os.getpid()}.txt")
    try:
        subprocess.run(["strace", "-f", "-qq", "-e", "trace=openat,open,openat2", "-o", trace,
                        *argv], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env=env, timeout=60, check=False)
        with open(trace) as f:
            paths = {m.group(1) for m in map(_OPEN.match, f) if m}
    finally:
        if os.path.exists(trace):
            os.unlink(trace)
    return {p.rstrip("/") for p in paths if p.startswith(("/proc/", "/sys/"))}


def a_disk() -> str:
    disks = set(os.listdir("/sys/block"))
    with open("/proc/diskstats") as f:
        for line in f:
            name = line.split()[2]
            if name in disks:
                return name
    pytest.skip("no disk on this machine")


def a_partition() -> str:
    disks = set(os.listdir("/sys/block"))
    with open("/proc/diskstats") as f:
        for line in f:
            name = line.split()[2]
            if name not in disks and os.path.exists("/dev/" + name):
                return name
    pytest.skip("no partition on this machine")


def cases():
    for tool, argvs in CASES.items():
        for argv in argvs:
            yield pytest.param(tool, argv, id=" ".join([tool, *argv]))


def _resolve(argv):
    return [a_disk() if a == "DISK" else a_partition() if a == "PART" else a for a in argv]


@pytest.mark.parametrize("tool,argv", list(cases()))
def test_pystat_opens_what_the_real_tool_opens(tool, argv):
    if not shutil.which("strace") or not shutil.which(tool):
        pytest.skip(f"needs strace and the real {tool}")
    if tool == "vmstat" and "-m" in argv and os.geteuid() != 0:
        pytest.skip("slabinfo needs root")
    argv = _resolve(argv)
    real = opened([tool, *argv])
    mine = opened([sys.executable, "-m", "pystat", tool, *argv],
                  env=dict(os.environ, PYTHONPATH=REPO))
    assert real, "strace saw nothing: is ptrace allowed here?"
    if tool in NORMALIZE:
        rx, to = NORMALIZE[tool]
        real = {re.sub(rx, to, p) for p in real}
        mine = {re.sub(rx, to, p) for p in mine}
    for pattern in EXCEPTIONS.get(tool, {}):
        rx = re.compile(pattern + r"\Z")
        real = {p for p in real if not rx.match(p)}
    assert mine == real


@pytest.mark.parametrize("tool,argv", list(cases()))
def test_sources_lists_what_pystat_opens(tool, argv):
    if not shutil.which("strace"):
        pytest.skip("needs strace")
    if tool == "vmstat" and "-m" in argv and os.geteuid() != 0:
        pytest.skip("slabinfo needs root")
    argv = _resolve(argv)
    code, out, err = run(["sources", tool, *argv])
    assert code == 0, err
    listed = {line.rstrip("/") for line in out.splitlines()}
    listed = {p for p in listed if p.startswith(("/proc/", "/sys/"))}  # as opened() keeps
    mine = opened([sys.executable, "-m", "pystat", tool, *argv],
                  env=dict(os.environ, PYTHONPATH=REPO))
    if tool in NORMALIZE:
        rx, to = NORMALIZE[tool]
        listed = {re.sub(rx, to, p) for p in listed}
        mine = {re.sub(rx, to, p) for p in mine}
    assert listed == mine
