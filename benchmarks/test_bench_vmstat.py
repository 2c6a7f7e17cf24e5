"""vmstat's parsers and the command end to end; psutil and the C vmstat as references.

Groups pair what is compared: in each group the entry named ``psutil...`` or
``C vmstat...`` is the reference; ``python -m benchmarks.ratios`` prints the
ratios from a ``--benchmark-json`` file.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys

import psutil
import pytest

from benchmarks.conftest import fixture_path, read
from pystat.cli import main
from pystat.proc.diskstats import parse_diskstats
from pystat.proc.meminfo import parse_meminfo
from pystat.proc.slabinfo import parse_slabinfo
from pystat.proc.stat import parse_stat
from pystat.proc.vmstat import parse_vmstat
from pystat.reader import Root

PARSERS = [
    (parse_stat, "proc/stat"),
    (parse_meminfo, "proc/meminfo"),
    (parse_vmstat, "proc/vmstat"),
    (parse_diskstats, "proc/diskstats"),
    (parse_slabinfo, "proc/slabinfo"),
]


@pytest.mark.parametrize("fixture", ["idle", "synthetic"])
@pytest.mark.parametrize("parser,rel", PARSERS, ids=[p.__name__ for p, _ in PARSERS])
def test_parser(benchmark, parser, rel, fixture):
    text = read(fixture, rel)
    benchmark.group = f"parse {rel} ({fixture})"
    benchmark(parser, text)


# -- the same live data: pystat's read+parse against psutil's call ---------------

LIVE = Root("/")


def _cpu():
    return LIVE.parse("/proc/stat", lambda text: parse_stat(text, percpu=False)).cpu


def _memory():
    return LIVE.parse("/proc/meminfo", parse_meminfo)


def _swap():
    return LIVE.parse("/proc/meminfo", parse_meminfo), LIVE.parse("/proc/vmstat", parse_vmstat)


def _disks():
    return LIVE.parse("/proc/diskstats", parse_diskstats)


LIVE_PAIRS = [
    ("cpu_times", _cpu, psutil.cpu_times),
    ("virtual_memory", _memory, psutil.virtual_memory),
    ("swap_memory", _swap, psutil.swap_memory),
    ("disk_io_counters", _disks, lambda: psutil.disk_io_counters(perdisk=True)),
]


@pytest.mark.parametrize("name,ours,theirs", LIVE_PAIRS, ids=[p[0] for p in LIVE_PAIRS])
@pytest.mark.parametrize("who", ["pystat", "psutil"])
def test_live_against_psutil(benchmark, name, ours, theirs, who):
    benchmark.group = f"live {name}"
    benchmark.name = f"{who} {name}" if who == "psutil" else f"pystat read+parse for {name}"
    benchmark(theirs if who == "psutil" else ours)


# -- the command end to end --------------------------------------------------------

def _pystat(argv):
    with contextlib.redirect_stdout(io.StringIO()) as out:
        main(argv)
    return out.getvalue()


@pytest.mark.parametrize("argv", [[], ["-s"], ["-d"], ["1", "3"]], ids=" ".join)
@pytest.mark.parametrize("fixture", ["idle", "synthetic"])
def test_vmstat_in_process(benchmark, fixture, argv):
    if fixture == "idle" and argv == ["1", "3"]:
        pytest.skip("a single snapshot has no interval data")
    root = fixture_path(fixture)
    benchmark.group = f"vmstat {' '.join(argv)} in process ({fixture})"
    benchmark(_pystat, ["--root", root, "vmstat", *argv])


def _can_unshare():
    from tests.oracle import oracle

    return oracle.available("vmstat")


@pytest.mark.parametrize("argv", [[], ["-d"]], ids=" ".join)
@pytest.mark.parametrize("who", ["pystat", "C vmstat"])
def test_vmstat_process_on_fixture(benchmark, who, argv):
    """Whole processes on the same files: the C tool in a mount namespace with the
    fixture over /proc, pystat with --root (and, for fairness, also in unshare)."""
    if not _can_unshare():
        pytest.skip("needs root and unshare")
    root = fixture_path("synthetic", "000000")
    if who == "pystat":
        cmd = ["unshare", "-m", sys.executable, "-m", "pystat", "--root", root, "vmstat", *argv]
    else:
        cmd = ["unshare", "-m", "sh", "-c",
               f"mount --bind {root}/sys/block /sys/block && mount --bind {root}/proc /proc "
               f"&& exec vmstat {' '.join(argv)}"]
    benchmark.group = f"vmstat {' '.join(argv)} process (synthetic)"
    benchmark.name = who
    benchmark.pedantic(subprocess.run, args=(cmd,), kwargs={"stdout": subprocess.DEVNULL,
                                                            "check": True},
                       rounds=10, iterations=1)


@pytest.mark.parametrize("who", ["pystat vmstat", "python -c 'import click'"])
def test_startup(benchmark, who):
    """Start-up of a one-shot `pystat vmstat`, against importing click alone
    with the same interpreter (target: at most 1.3x)."""
    script = shutil.which("pystat", path=os.path.dirname(sys.executable))
    if who == "pystat vmstat":
        cmd = [script, "vmstat"] if script else [sys.executable, "-m", "pystat", "vmstat"]
    else:
        cmd = [sys.executable, "-c", "import click"]
    benchmark.group = "start-up"
    benchmark.name = who
    benchmark.pedantic(subprocess.run, args=(cmd,), kwargs={"stdout": subprocess.DEVNULL,
                                                            "check": True},
                       rounds=30, iterations=1)
