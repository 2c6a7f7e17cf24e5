"""The socket tables' fast path (whole chunks of kernel-format lines cut at
fixed offsets) prints exactly what the exact path (a regular expression per
line, sscanf emulation for anything else) prints, for every option set."""

from __future__ import annotations

import io
import os
import random
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pystat.commands.netstat import parse, sockets
from pystat.reader import open_host
from tests.oracle import oracle
from tests.oracle.cases import FIXTURES

SOCKETS = os.path.join(FIXTURES, "sockets")
OPTIONS = [["-a"], ["-an"], ["-l"], ["-ln"], [], ["-n"], ["-anp"], ["-ae"], ["-anee"],
           ["-ao"], ["-anop"], ["-aW"], ["-anW"], ["--numeric-ports", "-a"], ["-lnp"]]


def _make_big(dest: str, **sizes) -> str:
    """A synthetic socket table (benchmarks/make_big_sockets.py) at ``dest``."""
    import sys

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "benchmarks"))
    from make_big_sockets import make

    return make(dest, **sizes)


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    dest = str(tmp_path_factory.mktemp("big") / "root")
    _make_big(dest, v4=2000, v6=500, pids=2)
    return dest


def _listing(root, argv, force_slow, monkeypatch, block=4096):
    with monkeypatch.context() as m:
        if force_slow:
            m.setattr(sockets._Table, "fast", lambda self, chunk: None)
        m.setattr(sockets, "BLOCK", block)         # many chunks, some cut mid-table
        out = io.StringIO()
        warnings = []
        code = sockets._text(open_host(root), parse(argv), out, warnings.append)
    return code, out.getvalue(), warnings


@pytest.mark.parametrize("argv", OPTIONS, ids=" ".join)
@pytest.mark.parametrize("which", ["sockets", "big"])
def test_fast_path_equals_exact_path(which, argv, big, monkeypatch):
    root = SOCKETS if which == "sockets" else big
    fast = _listing(root, argv + ["-t", "-u", "-w"], False, monkeypatch)
    slow = _listing(root, argv + ["-t", "-u", "-w"], True, monkeypatch)
    assert fast == slow


@st.composite
def damaged_tables(draw):
    with open(os.path.join(SOCKETS, "proc/net/tcp")) as f:
        lines = f.read().splitlines(keepends=True)
    head, body = lines[0], lines[1:]
    rng = random.Random(draw(st.integers(0, 2**32)))
    picked = rng.sample(body, draw(st.integers(1, 60)))
    for _ in range(draw(st.integers(0, 4))):
        i = rng.randrange(len(picked))
        line = picked[i]
        how = draw(st.sampled_from(["cut", "splice", "lower", "blank"]))
        if how == "cut":
            picked[i] = line[:rng.randrange(len(line))] + "\n"
        elif how == "splice":
            j = rng.randrange(len(line))
            picked[i] = line[:j] + draw(st.text("0123456789abcdefABCDEF: x-\t", max_size=6)) \
                + line[j:]
        elif how == "lower":
            picked[i] = line.lower()
        else:
            picked[i] = "\n"
    return head + "".join(picked)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    root = tmp_path_factory.mktemp("dmg") / "root"
    shutil.copytree(SOCKETS, root, symlinks=True, ignore=shutil.ignore_patterns("golden"))
    return root


def test_fast_path_equals_exact_path_on_damaged_tables(scratch):
    @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
    @given(damaged_tables(), st.sampled_from(OPTIONS))
    def check(table, argv):
        (scratch / "proc/net/tcp").write_text(table)
        mp = pytest.MonkeyPatch()
        try:
            fast = _listing(str(scratch), argv + ["-t"], False, mp)
            slow = _listing(str(scratch), argv + ["-t"], True, mp)
        finally:
            mp.undo()
        assert fast == slow

    check()


def _renumber(line: str, sl: int) -> str:
    """A kernel line given another "sl" number ("%4d: ", wider past 9999)."""
    return "%4d:" % sl + line[line.index(":") + 1:]


@st.composite
def renumbered_tables(draw):
    """Tables whose "sl" numbers get wider inside a chunk (the first ':' moves:
    the fast path cuts each run of lines at its own offsets), some lines
    damaged before, in or after the number."""
    name = draw(st.sampled_from(["tcp", "tcp6", "udp"]))
    with open(os.path.join(SOCKETS, "proc/net", name)) as f:
        lines = f.read().splitlines(keepends=True)
    head, body = lines[0], lines[1:]
    rng = random.Random(draw(st.integers(0, 2**32)))
    start = draw(st.sampled_from([0, 9950, 99970, 999990]))
    count = draw(st.integers(1, 120))
    if draw(st.booleans()):     # sl not monotonic: runs that come back
        sls = sorted(rng.sample(range(start, start + 200), count))
        sls = sls[count // 2:] + sls[:count // 2]
    else:
        sls = list(range(start, start + count))
    picked = [_renumber(rng.choice(body), sl) for sl in sls]
    for _ in range(draw(st.integers(0, 3))):
        i = rng.randrange(len(picked))
        line = picked[i]
        if ":" not in line:     # cut before its ':' by an earlier damage
            continue
        colon = line.index(":")
        how = draw(st.sampled_from(["sl", "blank-in-sl", "hex-sl", "cut", "splice"]))
        if how == "sl":
            picked[i] = draw(st.sampled_from(["", " ", "x", "1 ", "-1", "+1", "\t1", "01"])) \
                + line[colon:]
        elif how == "blank-in-sl":
            picked[i] = line[:colon - 1] + " " + line[colon:]
        elif how == "hex-sl":
            picked[i] = line[:colon - 1] + "A" + line[colon:]
        elif how == "cut":
            picked[i] = line[:rng.randrange(colon, len(line))] + "\n"
        else:
            j = rng.randrange(len(line))
            picked[i] = line[:j] + draw(st.text("0123456789aAfF: \t", max_size=3)) + line[j:]
    return name, head + "".join(picked)


def test_fast_path_equals_exact_path_on_renumbered_tables(scratch):
    @settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
    @given(renumbered_tables(), st.sampled_from(OPTIONS), st.sampled_from([512, 4096, 65536]))
    def check(table, argv, block):
        name, text = table
        for other in ("tcp", "tcp6", "udp"):
            (scratch / "proc/net" / other).write_text(text if other == name else
                                                       "  sl  local_address\n")
        mp = pytest.MonkeyPatch()
        try:
            fast = _listing(str(scratch), argv + ["-t", "-u"], False, mp, block)
            slow = _listing(str(scratch), argv + ["-t", "-u"], True, mp, block)
        finally:
            mp.undo()
        assert fast == slow

    check()


@pytest.mark.parametrize("name", [b"/usr/bin/tab\there", b"cr\rname", b"plain", "n\u00e9".encode()])
def test_fast_path_equals_exact_path_with_odd_program_names(name, tmp_path, monkeypatch):
    """-p: program names with a tab, a carriage return or non-ASCII."""
    root = _make_big(str(tmp_path / "root"), v4=300, v6=50, pids=2)
    with open(os.path.join(root, "proc/1000/cmdline"), "wb") as f:
        f.write(name + b"\0--flag\0")
    for argv in (["-antp"], ["-ntp"], ["-lntp"]):
        fast = _listing(root, argv, False, monkeypatch)
        slow = _listing(root, argv, True, monkeypatch)
        assert fast == slow


@pytest.mark.parametrize("after", [":237", "x", ".5", "-1"])
def test_an_inode_run_into_other_text(after, tmp_path, monkeypatch):
    """An inode field like "8162:237": netstat reads 8162 (sscanf's %lu stops at the
    ':'); the fast paths of -e and -p once took the field whole and crashed."""
    root = tmp_path / "root"
    shutil.copytree(SOCKETS, root, symlinks=True, ignore=shutil.ignore_patterns("golden"))
    path = root / "proc/net/tcp"
    lines = path.read_text().split("\n")
    fields = lines[1].split(" ")
    inode = lines[1].split()[9]
    fields[fields.index(inode)] = inode + after
    lines[1] = " ".join(fields)
    path.write_text("\n".join(lines))
    for argv in (["-ante"], ["-antp"], ["-anteep"]):
        fast = _listing(str(root), argv, False, monkeypatch)
        slow = _listing(str(root), argv, True, monkeypatch)
        assert fast == slow
        if oracle.available("netstat"):
            assert oracle.run(str(root), ["netstat", *argv])[1] == fast[1]


@pytest.mark.parametrize("argv", [["-ant"], ["-anteeo"], ["-antp"], ["-at"]], ids=" ".join)
def test_an_sl_wider_than_the_next_line(argv, tmp_path, monkeypatch):
    """An "sl" of 200 digits (the kernel never prints one, but netstat's %d
    reads it) moves the first ':' past the end of the shorter line after it:
    the fast path, which looks for the ':' where the line before had it,
    once raised IndexError there."""
    root = tmp_path / "root"
    shutil.copytree(SOCKETS, root, symlinks=True, ignore=shutil.ignore_patterns("golden"))
    for name in ("tcp", "tcp6"):
        path = root / "proc/net" / name
        lines = path.read_text().split("\n")
        lines[5] = "1" * 200 + lines[5][lines[5].index(":"):]
        path.write_text("\n".join(lines))
    fast = _listing(str(root), argv, False, monkeypatch)
    slow = _listing(str(root), argv, True, monkeypatch)
    assert fast == slow
    if oracle.available("netstat"):
        assert oracle.run(str(root), ["netstat", *argv])[1] == fast[1]
