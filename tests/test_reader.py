"""The root-bound reader and the host: --root, series, clock and uname rules."""

from __future__ import annotations

import json
import os
import shutil
import time

import pytest

from pystat.errors import SeriesExhausted, SourceError
from pystat.reader import Host, Root, SeriesHost, SnapshotHost, open_host
from tests.helpers import run
from tests.oracle.cases import FIXTURES

IDLE = os.path.join(FIXTURES, "idle")
BUSY = os.path.join(FIXTURES, "busy")


def test_live_host_reads_the_machine():
    h = open_host(None)
    assert type(h) is Host and h.live
    assert h.root.read("/proc/stat").startswith("cpu ")
    u = os.uname()
    assert h.uname() == (u.sysname, u.nodename, u.release, u.machine)
    assert abs(h.now() - time.time()) < 5
    assert "/proc/stat" in h.opened


def test_root_records_every_path_in_order(tmp_path):
    (tmp_path / "proc").mkdir()
    (tmp_path / "proc" / "a").write_text("x\n")
    r = Root(str(tmp_path))
    assert r.read("/proc/a") == "x\n"
    assert r.listdir("/proc") == ["a"]
    assert not r.exists("/proc/b")
    with pytest.raises(SourceError, match="cannot read /proc/b: No such file"):
        r.read("/proc/b")
    assert list(r.opened) == ["/proc/a", "/proc/", "/proc/b"]


def test_snapshot_host_takes_uname_and_clock_from_the_capture():
    h = open_host(IDLE)
    assert isinstance(h, SnapshotHost) and not h.live
    with open(os.path.join(IDLE, "pystat-snapshot.json")) as f:
        meta = json.load(f)
    assert h.now() == meta["time"]
    with open(os.path.join(IDLE, "proc/sys/kernel/hostname")) as f:
        host = f.read().strip()
    assert h.uname() == ("Linux", host, open(os.path.join(IDLE, "proc/sys/kernel/osrelease"))
                         .read().strip(), "x86_64")
    # a single snapshot does not change, but its clock moves with the samples
    before = h.now()
    h.wait(5)
    assert h.now() == before + 5
    # reading uname and the clock does not count as reading the system
    assert h.opened == {}


def test_clock_without_capture_time_is_boot_time_plus_uptime(tmp_path):
    root = tmp_path / "r"
    shutil.copytree(IDLE, root, ignore=shutil.ignore_patterns("golden"))
    (root / "pystat-snapshot.json").unlink()
    (root / "proc/stat").write_text("cpu  1 2 3 4 5 6 7 8 0 0\nintr 1\nctxt 2\nbtime 1700000000\n"
                                    "processes 3\nprocs_running 1\nprocs_blocked 0\n")
    (root / "proc/uptime").write_text("12345.67 100.00\n")
    h = open_host(str(root))
    assert h.now() == 1700000000 + 12345
    assert h.hz == 100 and h.pagesize == 4096
    code, out, err = run(["--root", str(root), "vmstat", "-t"])
    assert code == 0, err
    assert out.splitlines()[2].endswith(time.strftime("%Y-%m-%d %H:%M:%S",
                                                      time.localtime(1700012345)))


def test_series_steps_through_samples_then_ends():
    h = open_host(BUSY)
    assert isinstance(h, SeriesHost)
    stats = [h.root.read("/proc/stat")]
    times = [h.now()]
    for _ in range(4):
        h.wait(1)
        stats.append(h.root.read("/proc/stat"))
        times.append(h.now())
    assert len(set(stats)) == 5
    assert times == sorted(times) and times[-1] - times[0] == pytest.approx(4, abs=0.2)
    with pytest.raises(SeriesExhausted):
        h.wait(1)
    assert list(h.opened) == ["/proc/stat"]


def test_pystat_root_environment_variable(monkeypatch):
    monkeypatch.setenv("PYSTAT_ROOT", IDLE)
    env_out = run(["vmstat", "-s"])
    monkeypatch.delenv("PYSTAT_ROOT")
    assert env_out == run(["--root", IDLE, "vmstat", "-s"])


def test_root_of_slash_is_the_live_machine():
    assert type(open_host("/")) is Host
