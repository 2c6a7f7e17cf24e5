"""Series the fixtures do not hold, built on the fly, against the real vmstat:
devices that vanish, come back or appear between samples, and counters that go
backwards (a reset) or wrap. Needs the oracle (root, unshare, faketime)."""

from __future__ import annotations

import os
import re
import shutil

import pytest

from tests.helpers import run
from tests.oracle import oracle
from tests.oracle.cases import FIXTURES

IDLE = os.path.join(FIXTURES, "idle")

pytestmark = pytest.mark.skipif(not oracle.available("vmstat"),
                                reason="needs the oracle (root, unshare, faketime, vmstat)")


def series(tmp_path, edits) -> str:
    """A series of len(edits) samples of the idle fixture, edits[k](root) applied to sample k."""
    dest = tmp_path / "series"
    for k, edit in enumerate(edits):
        root = dest / ("%06d" % k)
        shutil.copytree(IDLE, root, symlinks=True, ignore=shutil.ignore_patterns("golden"))
        meta = root / "pystat-snapshot.json"
        meta.write_text(re.sub(r'"time": ([0-9.]+)',
                               lambda m: f'"time": {float(m.group(1)) + k}', meta.read_text()))
        if edit:
            edit(root)
    return str(dest)


def edit_file(rel, func):
    def apply(root):
        path = root / rel
        path.write_text(func(path.read_text()))
    return apply


def drop_line(name):
    return edit_file("proc/diskstats",
                     lambda t: "".join(l for l in t.splitlines(True) if f" {name} " not in l))


def add_disk(line):
    def apply(root):
        edit_file("proc/diskstats", lambda t: t + line)(root)
    return apply


def scale_counters(factor_num, factor_den):
    def stat(t):
        out = []
        for line in t.splitlines():
            w = line.split()
            if w and w[0] in ("cpu", "intr", "ctxt"):
                w = [w[0]] + [str(int(x) * factor_num // factor_den) for x in w[1:]]
                line = " ".join(w)
            out.append(line)
        return "\n".join(out) + "\n"

    def vm(t):
        return re.sub(r"^(pgpgin|pgpgout|pswpin|pswpout) (\d+)$",
                      lambda m: f"{m.group(1)} {int(m.group(2)) * factor_num // factor_den}",
                      t, flags=re.M)

    def apply(root):
        edit_file("proc/stat", stat)(root)
        edit_file("proc/vmstat", vm)(root)
    return apply


def bump(root):
    """Every counter of the idle fixture +10% (activity)."""
    scale_counters(11, 10)(root)


def compare(fixture, argv):
    rc, expected, err = oracle.run(fixture, argv)
    code, out, my_err = run(["--root", fixture, *argv])
    assert (code, out) == (rc, expected), (err, my_err)


@pytest.mark.parametrize("argv", [["vmstat", "-d", "1", "4"], ["vmstat", "-D"],
                                  ["vmstat", "-p", "zram0", "1", "4"]])
def test_device_vanishes_and_comes_back(tmp_path, argv):
    # zram0 is missing from samples 1 and 2 (stale, then moved to the end on return)
    fixture = series(tmp_path, [None, drop_line("zram0"), drop_line("zram0"), bump])
    compare(fixture, argv)


def test_device_appears(tmp_path):
    def with_sdz(root):
        (root / "sys/block/sdz").mkdir()
        (root / "sys/block/sdz/stat").write_text("0\n")
    fixture = series(tmp_path, [with_sdz, lambda r: (with_sdz(r), add_disk(
        "   8     240 sdz 5 0 40 1 7 0 56 2 0 3 3 0 0 0 0 0 0\n")(r))])
    compare(fixture, ["vmstat", "-d", "1", "2"])


@pytest.mark.parametrize("argv", [["vmstat", "1", "3"], ["vmstat", "-w", "1", "3"],
                                  ["vmstat", "-S", "M", "1", "3"]])
def test_counters_go_backwards(tmp_path, argv):
    # sample 1 halves every counter (a reset), sample 2 goes back up
    fixture = series(tmp_path, [None, scale_counters(1, 2), bump])
    compare(fixture, argv)


@pytest.mark.parametrize("argv", [["vmstat", "-S", "m", "1", "2"], ["vmstat", "-S", "k", "1", "2"]])
def test_swap_counters_go_backwards(tmp_path, argv):
    # pswpin/pswpout reset: the unsigned long delta, times 4 KiB, wraps before
    # unitConvert (vmstat prints si 2147483648 with -S m)
    def reset(t):
        return re.sub(r"^(pswpin|pswpout) \d+$", r"\1 0", t, flags=re.M)
    fixture = series(tmp_path, [edit_file("proc/vmstat", lambda t: re.sub(
        r"^(pswpin|pswpout) \d+$", r"\1 1234567", t, flags=re.M)),
        edit_file("proc/vmstat", reset)])
    compare(fixture, argv)


def cpu_line(**changes):
    """/proc/stat's aggregate cpu line with columns (by index) moved by the given amounts."""
    def stat(t):
        lines = t.split("\n")
        w = lines[0].split()
        for k, v in changes.items():
            w[1 + int(k[1:])] = str(int(w[1 + int(k[1:])]) + v)
        lines[0] = "cpu  " + " ".join(w[1:])
        return "\n".join(lines)
    return edit_file("proc/stat", stat)


@pytest.mark.parametrize("argv", [["vmstat", "-w", "1", "2"], ["vmstat", "-y", "1", "1"]])
def test_one_tick_counter_goes_backwards(tmp_path, argv):
    # user -10, system +100: one of libproc2's sums went down, so it drops the
    # interval (all deltas 0: vmstat shows 0 0 100), where a per-column clamp
    # would show sy 100
    fixture = series(tmp_path, [None, cpu_line(c0=-10, c2=100)])
    compare(fixture, argv)


def test_idle_debt(tmp_path):
    # an idle delta past 2**31 is negative as vmstat's int: shown as 0, and
    # carried into the next line
    fixture = series(tmp_path, [None, cpu_line(c3=2**31 + 7),
                                cpu_line(c3=2**31 + 3007, c0=1000),
                                cpu_line(c3=2**32 + 3007, c0=2000)])
    compare(fixture, ["vmstat", "-w", "1", "4"])
