"""Which command lines the golden files cover, per fixture.

The list depends on the fixture: a series gets interval runs over all of its
samples, and ``-p`` is asked for a disk and a partition the fixture has.
"""

from __future__ import annotations

import os

from tests.oracle.oracle import series_samples

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "fixtures", "proc_snapshots")


def fixtures() -> list[str]:
    dirs = (os.path.join(FIXTURES, d) for d in sorted(os.listdir(FIXTURES)))
    return [d for d in dirs if os.path.isdir(os.path.join(d, "proc"))
            or (os.path.isdir(d) and series_samples(d))]


def first_root(fixture: str) -> str:
    samples = series_samples(fixture)
    return os.path.join(fixture, samples[0]) if samples else fixture


def block_devices(fixture: str) -> tuple[str | None, str | None]:
    """(a whole disk with I/O, a partition) named in the fixture's diskstats."""
    root = first_root(fixture)
    disks = set(os.listdir(os.path.join(root, "sys", "block")))
    disk = part = None
    with open(os.path.join(root, "proc", "diskstats")) as f:
        for line in f:
            w = line.split()
            if w[2] in disks:
                if disk is None and int(w[3]) > 0:
                    disk = w[2]
            elif part is None:
                part = w[2]
    return disk, part


SINGLE = [
    [], ["-a"], ["-w"], ["-a", "-w"], ["-t"], ["-w", "-t"], ["-n"],
    ["-S", "k"], ["-S", "K"], ["-S", "m"], ["-S", "M"], ["-S", "b"], ["-a", "-S", "M"],
    ["-s"], ["-s", "-S", "M"], ["-s", "-S", "k"], ["-s", "-S", "B"], ["-f"],
    ["-d"], ["-d", "-w"], ["-d", "-n"], ["-d", "-t"], ["-D"], ["-m"], ["-m", "-n"],
    ["-SM"], ["--unit=m"], ["-an"], ["-s", "1", "2"], ["-D", "1", "2"], ["-f", "1", "2"],
]


def vmstat_cases(fixture: str) -> list[list[str]]:
    disk, part = block_devices(fixture)
    cases = [["vmstat"] + a for a in SINGLE]
    for dev in (disk, part):
        if dev:
            cases.append(["vmstat", "-p", dev])
    if disk:
        cases.append(["vmstat", "-p", "/dev/" + disk])
    n = len(series_samples(fixture))
    if n:
        rate = [str(1), str(n)]
        cases += [["vmstat"] + a + rate for a in
                  ([], ["-a"], ["-w"], ["-t"], ["-S", "M"], ["-n"], ["-d"], ["-d", "-w"],
                   ["-a", "-w", "-t"])]
        cases.append(["vmstat", "-y", "1", str(n - 1)])
        for dev in (disk, part):
            if dev:
                cases.append(["vmstat", "-p", dev, "1", str(n)])
    else:
        cases += [["vmstat", "1", "2"], ["vmstat", "-y", "1", "1"], ["vmstat", "-d", "1", "2"]]
        if os.path.basename(fixture) == "idle":
            # 22 data lines: the header comes again after 21 (stdout not a tty)
            cases += [["vmstat", "1", "23"], ["vmstat", "-n", "1", "23"]]
    return cases


def slug(argv: list[str]) -> str:
    out = "_".join(argv)
    return out.replace("/", "%2F") + ".txt"


def disk_with_partitions(fixture: str) -> str | None:
    """A whole disk of the fixture's sys/block that has partition subdirectories."""
    root = first_root(fixture)
    base = os.path.join(root, "sys", "block")
    for disk in sorted(os.listdir(base)):
        for entry in sorted(os.listdir(os.path.join(base, disk))):
            if os.path.exists(os.path.join(base, disk, entry, "partition")):
                return disk
    return None


IOSTAT_SINGLE = [
    [], ["-c"], ["-d"], ["-x"], ["-k"], ["-m"], ["-h"], ["-t"], ["-z"], ["-s"], ["-y"],
    ["-x", "-s"], ["-x", "-h"], ["-x", "--pretty"], ["--human"], ["--pretty", "-d"],
    ["-s", "-h"], ["-x", "-s", "-h"], ["--compact", "-x", "-h"], ["-x", "-z"], ["-x", "-k", "-t"],
    ["-m", "-x"], ["--dec=0"], ["--dec=1", "-x"], ["--dec=0", "-h"], ["-p", "ALL"],
    ["-x", "-p", "ALL"], ["-d", "-m", "-p", "ALL"], ["-d", "-p"], ["ALL"], ["-d", "ALL"],
    ["-N"], ["-d", "-N", "-x"], ["-o", "JSON"], ["-x", "-o", "JSON"], ["-o", "JSON", "-t"],
    ["-c", "-o", "JSON"], ["-d", "-o", "JSON", "-p", "ALL"], ["-x", "-s", "-o", "JSON"],
    ["-m", "-o", "JSON"], ["-d", "nosuch"], ["-ctdz"], ["-k", "-m"], ["-d", "1", "0"],
    ["-d", "0"], ["-x", "-y", "-d"],
]


def iostat_cases(fixture: str) -> list[list[str]]:
    disk, part = block_devices(fixture)
    parted = disk_with_partitions(fixture)
    cases = [["iostat"] + a for a in IOSTAT_SINGLE]
    if disk:
        cases += [["iostat", "-d", disk], ["iostat", "-x", disk, "nosuch"],
                  ["iostat", "-d", "/dev/" + disk], ["iostat", "-p", disk]]
    if part:
        cases += [["iostat", "-d", part], ["iostat", "-x", part, disk or part],
                  ["iostat", "-p", f"{disk},{part}"]]
    if parted:
        cases += [["iostat", "-p", parted], ["iostat", "-x", "-d", "-p", parted],
                  ["iostat", "-d", "-p", f"{parted},ALL"]]
    n = len(series_samples(fixture))
    if n:
        rate = ["1", str(n)]
        cases += [["iostat"] + a + rate for a in
                  ([], ["-x"], ["-d", "-z"], ["-t", "-c"], ["-o", "JSON"],
                   ["-x", "-o", "JSON", "-d"], ["-p", "ALL"], ["-x", "-p", "ALL"], ["-d", "-N"],
                   ["-x", "-h"], ["-d", "-m"], ["-s", "-x", "-d"], ["-d", "-p"])]
        cases += [["iostat", "-y", "1", str(n - 1)], ["iostat", "-y", "-o", "JSON", "1", str(n - 1)],
                  ["iostat", "-d", "-y", "-z", "1", str(n - 1)]]
        if part:
            cases.append(["iostat", "-d", part, "1", str(n)])
        if parted:
            cases.append(["iostat", "-x", "-p", parted, "1", str(n)])
    else:
        cases += [["iostat", "1", "2"], ["iostat", "-y", "1", "1"], ["iostat", "-x", "-d", "1", "2"],
                  ["iostat", "-o", "JSON", "1", "2"]]
    return cases


MPSTAT_SINGLE = [
    [], ["-P", "ALL"], ["-P", "0"], ["-P", "1,0"], ["-P", "1-"], ["-P", "all"], ["-P", "all,0"],
    ["-u"], ["-I", "SUM"], ["-I", "CPU"], ["-I", "SCPU"], ["-I", "ALL"], ["-I", "SUM", "-P", "ALL"],
    ["-I", "SUM,CPU"], ["-I", "CPU", "-P", "0"], ["-I", "SCPU", "-P", "1"], ["-A"], ["-n"],
    ["-N", "ALL"], ["-N", "0"], ["-n", "-P", "ALL"], ["-T"], ["-T", "-P", "ALL"], ["-u", "-I", "SUM"],
    ["-o", "JSON"], ["-o", "JSON", "-P", "ALL"], ["-o", "JSON", "-A"], ["-o", "JSON", "-T", "-P", "0"],
    ["-o", "JSON", "-I", "ALL", "-P", "1"], ["--dec=0"], ["--dec=1", "-P", "ALL"],
    ["--dec=0", "-I", "SUM"], ["0"], ["-P", "99"], ["-P", "ON"], ["-I", "foo"], ["-N", "7"],
    ["1", "0"], ["0", "1"], ["-X"], ["1", "2", "3"],
]


def mpstat_cases(fixture: str) -> list[list[str]]:
    cases = [["mpstat"] + a for a in MPSTAT_SINGLE]
    n = len(series_samples(fixture))
    if n:
        # mpstat reads once before its first interval: n samples make n - 1 reports
        rate = ["1", str(n - 1)]
        cases += [["mpstat"] + a + rate for a in
                  ([], ["-P", "ALL"], ["-A"], ["-I", "ALL"], ["-I", "SUM", "-P", "ALL"],
                   ["-I", "CPU"], ["-o", "JSON"], ["-o", "JSON", "-A"], ["-n"], ["-N", "ALL"],
                   ["-T", "-P", "ALL"], ["-u", "-I", "SUM"], ["-P", "0", "-I", "SCPU"])]
        cases.append(["mpstat", "-P", "ALL", "1", str(n - 2)])
    else:
        cases += [["mpstat", "1", "2"], ["mpstat", "-P", "ALL", "1", "2"], ["mpstat", "-A", "1", "1"],
                  ["mpstat", "-o", "JSON", "1", "2"]]
    return cases


# --------------------------------------------------------------------------
# netstat

NETSTAT_SOCKETS = [
    [], ["-a"], ["-l"], ["-n"], ["-an"], ["-ant"], ["-anu"], ["-antu"], ["-tuln"], ["-tulnp"],
    ["-antp"], ["-anp"], ["-anup"], ["-ap"], ["-lp"], ["-t"], ["-u"], ["-w"], ["-aw"],
    ["-anw"], ["-x"], ["-ax"], ["-anx"], ["-lx"], ["-anxp"], ["-e"], ["-ae"], ["-ante"],
    ["-antee"], ["-anue"], ["-ao"], ["-anto"], ["-anuo"], ["-anwo"], ["-antop"], ["-aope"],
    ["-W"], ["-aW"], ["-antW"], ["-an4"], ["-an6"], ["-ant6"], ["-anu6"], ["-an", "-A", "inet6"],
    ["-an", "-A", "inet"], ["-an", "-A", "inet,inet6"], ["-a", "-A", "unix"], ["-at", "-l"],
    ["-tle"], ["--numeric-hosts", "-at"], ["--numeric-ports", "-at"],
    ["--numeric-users", "-ate"], ["-aU"], ["-anU"], ["--tcp", "--listening", "--numeric"],
    ["-g"], ["-gn"], ["-ng6"],
]
NETSTAT_STATISTICS = [
    ["-s"], ["-st"], ["-su"], ["-sw"], ["-stu"], ["-s", "-6"], ["-s6t"], ["-s6u"], ["-s6w"],
    ["-s", "-A", "inet6"], ["-s", "-A", "inet,inet6"], ["-sx"], ["-cs"],
]
NETSTAT_ROUTES = [
    ["-r"], ["-rn"], ["-re"], ["-rne"], ["-rnee"], ["-rneee"], ["-r", "-6"], ["-rn6"],
    ["-rn", "-A", "inet,inet6"], ["-rC"], ["-rnC"], ["-rn6C"], ["-rx"], ["-rN"],
]
NETSTAT_ERRORS = [["-M"], ["-ir"], ["-A", "foo"], ["-Z"], ["-z"], ["--num"], ["-S"], ["-V"]]
#: what netstat gets by ioctl comes from the live kernel, so these run only on a
#: capture of the machine the tests run on (tests/test_oracle_live.py), never
#: on the stored fixtures
NETSTAT_INTERFACES = [["-i"], ["-ia"], ["-ie"], ["-iea"], ["-in"], ["-iW"]]


def is_stored_fixture(fixture: str) -> bool:
    """A fixture of fixtures/proc_snapshots (not a fresh capture of this machine)."""
    return os.path.dirname(os.path.abspath(fixture)) == os.path.abspath(FIXTURES)


def netstat_cases(fixture: str) -> list[list[str]]:
    cases = [["netstat"] + a for a in NETSTAT_SOCKETS + NETSTAT_STATISTICS + NETSTAT_ROUTES
             + NETSTAT_ERRORS]
    if not is_stored_fixture(fixture):
        cases += [["netstat"] + a for a in NETSTAT_INTERFACES]
    n = len(series_samples(fixture))
    if n:
        # -c never ends: stopped half a second after its last sample's listing
        stop = ["timeout", "-s", "INT", "%g" % (n - 0.5)]
        cases += [stop + ["netstat", "-c", "-ant"], stop + ["netstat", "-c", "-rn"]]
    return cases
