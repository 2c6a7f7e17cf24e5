"""pystat record and history: the cost of one sample (against sysstat's sadc), and
reading a day back.

Groups (``python -m benchmarks.ratios`` prints ratios to the ``real ...`` entries):

* ``record: one sample, in process``: collecting every source and writing the
  sample (one transaction, the default archives), on this machine and on the
  64-CPU synthetic fixture.
* ``record: 11 samples 1 s apart, process CPU`` and ``record: start-up and 1
  sample, process CPU``: whole processes, timed in CPU seconds of the child
  (user + system, from rusage) rather than wall time; ``real sadc`` is the
  reference. Only with --benchmark-enable (a round sleeps 10 s).
* ``history vmstat: a day of 3 s samples``: the report over 28,801 samples
  (a 300-sample "day" when benchmarks are disabled, so the suite stays fast).
"""

from __future__ import annotations

import contextlib
import io
import os
import resource
import subprocess
import sys

import pytest

from benchmarks.conftest import fixture_path
from pystat.cli import main
from pystat.reader import Root
from pystat.recorder.model import DEFAULT_ARCHIVES
from pystat.recorder.sources import collect_all
from pystat.recorder.store import Sample, Store, Writer
from tests.helpers import REPO
from tests.synthetic import fill_raw

SADC = "/usr/lib/sysstat/sadc"


def _writer(path: str) -> Writer:
    open(path, "w").close()
    return Writer(Store.open_write(path, list(DEFAULT_ARCHIVES), {"hz": "100"}))


@pytest.mark.parametrize("where", ["live", "synthetic 64 CPUs"])
def test_record_one_sample(benchmark, tmp_path, where):
    root = Root("/" if where == "live" else fixture_path("synthetic", "000000"))
    writer = _writer(str(tmp_path / "h.db"))
    clock = [1_900_000_000.0]

    def one_sample():
        groups = collect_all(root)
        writer.append(Sample(clock[0], None, None, groups))
        clock[0] += 3

    for _ in range(5):
        one_sample()
    benchmark.group = "record: one sample, in process"
    n = sum(len(names) for names, _ in collect_all(root).values())
    benchmark.name = f"pystat collect + write ({where}, {n} series)"
    benchmark(one_sample)
    writer.store.close()


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _command(who: str, path: str, samples: int) -> list[str]:
    if who == "real sadc":
        return [SADC, "1", str(samples), path]
    if who == "real sadc -S XALL":
        return [SADC, "-S", "XALL", "1", str(samples), path]
    return [sys.executable, "-m", "pystat", "record", "--db", path, "--step", "1s",
            "--duration", f"{samples - 1}s"]


@pytest.mark.parametrize("samples", [11, 1], ids=["11 samples", "1 sample"])
@pytest.mark.parametrize("who", ["real sadc", "real sadc -S XALL", "pystat record"])
def test_record_process_cpu(benchmark, tmp_path, who, samples):
    """CPU seconds of whole recorder processes: their difference over 10 samples is
    the cost of a sample; each writes into a new file."""
    if benchmark.disabled:
        pytest.skip("sleeps 10 s a round: run with --benchmark-enable")
    if who.startswith("real") and not os.path.exists(SADC):
        pytest.skip("sysstat's sadc is not installed")
    env = dict(os.environ, PYTHONPATH=REPO)
    n = [0]

    def run():
        n[0] += 1
        path = str(tmp_path / f"{n[0]}.data")
        subprocess.run(_command(who, path, samples), check=True, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    benchmark.group = (f"record: {samples} samples 1 s apart, process CPU" if samples > 1
                       else "record: start-up and 1 sample, process CPU")
    benchmark.name = who
    # time the child's CPU, not the wall clock (which is the sampling interval)
    benchmark._timer = _children_cpu
    benchmark.pedantic(run, rounds=5 if samples == 1 else 3, iterations=1)


@pytest.fixture(scope="module")
def day(request, tmp_path_factory):
    """A database with a day of 3 s samples (a short one when not benchmarking)."""
    config = request.config
    disabled = config.getoption("benchmark_disable") and not config.getoption("benchmark_enable")
    path = str(tmp_path_factory.mktemp("day") / "h.db")
    fill_raw(path, 300 if disabled else 28_801, step=3)
    return path


def _history(argv) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(argv)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_history_vmstat_day(benchmark, day, fmt):
    benchmark.group = "history vmstat: a day of 3 s samples"
    benchmark.name = f"pystat history vmstat --format {fmt}"
    out = benchmark.pedantic(_history, args=(["history", "vmstat", "--db", day, "--format", fmt],),
                             rounds=5, iterations=1)
    assert out.count("\n") > 250
