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
from tests.oracle.cases import FIXTURES

SOCKETS = os.path.join(FIXTURES, "sockets")
OPTIONS = [["-a"], ["-an"], ["-l"], ["-ln"], [], ["-n"], ["-anp"], ["-ae"], ["-anee"],
           ["-ao"], ["-anop"], ["-aW"], ["-anW"], ["--numeric-ports", "-a"], ["-lnp"]]


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    import sys

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "benchmarks"))
    from make_big_sockets import make

    dest = str(tmp_path_factory.mktemp("big") / "root")
    make(dest, v4=2000, v6=500, pids=2)
    return dest


def _listing(root, argv, force_slow, monkeypatch):
    with monkeypatch.context() as m:
        if force_slow:
            m.setattr(sockets._Table, "fast", lambda self, chunk: None)
        m.setattr(sockets, "BLOCK", 4096)          # many chunks, some cut mid-table
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
