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
