"""Benchmarks: the sysstat parsers and iostat/mpstat end to end, psutil as reference.

    python -m pytest benchmarks/test_bench_sysstat.py --benchmark-enable

The normal test run executes each once, as a test (``--benchmark-disable``);
no test here asserts a time.  Each parser is measured on the text of a file
(``parse``) and with the file read (``read``, what psutil's calls do), on the
64-CPU synthetic machine and on the real idle capture.  psutil reads the same
files (``psutil.PROCFS_PATH`` set to the fixture's /proc):

* ``disk_io_counters(perdisk=True)`` returns what ``scan_diskstats`` does;
* ``cpu_times(percpu=True)`` returns what ``scan_stat`` does, and is the
  per-CPU reference for ``parse_interrupts``/``parse_softirqs`` (psutil has
  no per-CPU interrupt call).

Ratios are in benchmarks/README.md (``python benchmarks/test_bench_sysstat.py``
prints them; ``python -m benchmarks.ratios`` on ``--benchmark-json`` output
gives the same comparisons by median).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import timeit

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
if REPO not in sys.path:
    sys.path.insert(0, REPO)

from pystat.cli import main  # noqa: E402
from pystat.proc.diskstats import scan_diskstats  # noqa: E402
from pystat.proc.interrupts import parse_interrupts, parse_softirqs  # noqa: E402
from pystat.proc.stat import scan_stat  # noqa: E402

FIXTURES = os.path.join(REPO, "fixtures", "proc_snapshots")
ROOTS = {"synthetic": os.path.join(FIXTURES, "synthetic", "000000"),
         "idle": os.path.join(FIXTURES, "idle")}

PARSERS = {
    "diskstats": (scan_diskstats, "diskstats"),
    "stat": (scan_stat, "stat"),
    "interrupts": (parse_interrupts, "interrupts"),
    "softirqs": (parse_softirqs, "softirqs"),
}


def _read(path: str) -> str:
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "surrogateescape")


@contextlib.contextmanager
def procfs(root: str):
    import psutil

    old = psutil.PROCFS_PATH
    psutil.PROCFS_PATH = os.path.join(root, "proc")
    try:
        yield psutil
    finally:
        psutil.PROCFS_PATH = old


def psutil_call(name: str):
    import psutil

    if name == "diskstats":
        return lambda: psutil.disk_io_counters(perdisk=True)
    return lambda: psutil.cpu_times(percpu=True)


# Groups for benchmarks/ratios.py: "sysstat <file> <fixture>", psutil the reference.

@pytest.mark.parametrize("where", list(ROOTS))
@pytest.mark.parametrize("name", list(PARSERS))
def test_parse(benchmark, name, where):
    parser, rel = PARSERS[name]
    text = _read(os.path.join(ROOTS[where], "proc", rel))
    benchmark.group = f"sysstat {name} {where}"
    benchmark.name = f"pystat parse {name}"
    benchmark(parser, text)


@pytest.mark.parametrize("where", list(ROOTS))
@pytest.mark.parametrize("name", list(PARSERS))
def test_read_and_parse(benchmark, name, where):
    parser, rel = PARSERS[name]
    path = os.path.join(ROOTS[where], "proc", rel)
    benchmark.group = f"sysstat {name} {where}"
    benchmark.name = f"pystat read+parse {name}"
    benchmark(lambda: parser(_read(path)))


@pytest.mark.parametrize("where", list(ROOTS))
@pytest.mark.parametrize("name", list(PARSERS))
def test_psutil(benchmark, name, where):
    benchmark.group = f"sysstat {name} {where}"
    benchmark.name = ("psutil disk_io_counters(perdisk=True)" if name == "diskstats"
                      else "psutil cpu_times(percpu=True)")
    with procfs(ROOTS[where]):
        benchmark(psutil_call(name))


def _pystat(argv):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            main(argv)
        except SystemExit:
            pass


COMMANDS = [["iostat"], ["iostat", "-x"], ["iostat", "-x", "-p", "ALL"], ["mpstat"],
            ["mpstat", "-P", "ALL"], ["mpstat", "-A"], ["mpstat", "-A", "-o", "JSON"]]


@pytest.mark.parametrize("where", list(ROOTS))
@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_command(benchmark, argv, where):
    benchmark.group = f"sysstat commands {where}"
    benchmark(_pystat, ["--root", ROOTS[where], *argv])


def _numbers(name: str, text: str) -> int:
    """How many numbers a parser converts (psutil: those its call returns)."""
    if name == "diskstats":
        return sum(len(r) - 3 + 2 for r in scan_diskstats(text))
    if name == "stat":
        return 10 * len(scan_stat(text).cpus)
    return sum(len(line.counts) for line in parse_interrupts(text).lines)


def ratios(number: int = 100, repeat: int = 25) -> str:
    """A markdown table: best time per call (the machine is shared: the best of
    many runs), and psutil's time / ours."""

    def best(func) -> float:
        return min(timeit.repeat(func, number=number, repeat=repeat)) / number * 1e6

    lines = ["| parser | fixture | numbers | parse (µs) | read + parse (µs) | psutil call "
             "(numbers) | psutil (µs) | psutil / read + parse | per number |",
             "|---|---|---:|---:|---:|---|---:|---:|---:|"]
    for name, (parser, rel) in PARSERS.items():
        for where, root in ROOTS.items():
            path = os.path.join(root, "proc", rel)
            text = _read(path)
            parse = best(lambda: parser(text))
            both = best(lambda: parser(_read(path)))
            with procfs(root):
                ref = best(psutil_call(name))
                got = psutil_call(name)()
            theirs = (9 * len(got) if name == "diskstats" else 10 * len(got))
            ours = _numbers(name, text)
            call = ("disk_io_counters(perdisk=True)" if name == "diskstats"
                    else "cpu_times(percpu=True)")
            lines.append(f"| {name} | {where} | {ours} | {parse:.1f} | {both:.1f} | {call} "
                         f"({theirs}) | {ref:.1f} | {ref / both:.1f}x "
                         f"| {(ref / theirs) / (both / ours):.1f}x |")
    lines += ["", "| command | fixture | ms per run |", "|---|---|---:|"]
    for argv in COMMANDS:
        for where, root in ROOTS.items():
            t = min(timeit.repeat(lambda: _pystat(["--root", root, *argv]), number=5,
                                  repeat=3)) / 5 * 1e3
            lines.append(f"| `pystat {' '.join(argv)}` | {where} | {t:.1f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(ratios())
