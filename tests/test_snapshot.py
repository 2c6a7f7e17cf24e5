"""pystat snapshot: captures what the commands read; a series; refuses to overwrite."""

from __future__ import annotations

import json
import os

from tests.helpers import run


def test_snapshot_then_root_reproduces_the_capture(tmp_path):
    dest = tmp_path / "snap"
    code, out, err = run(["snapshot", str(dest)])
    assert (code, err) == (0, "")
    for rel in ("proc/stat", "proc/meminfo", "proc/vmstat", "proc/diskstats", "proc/uptime",
                "proc/interrupts", "proc/softirqs", "proc/net/tcp", "proc/net/dev",
                "proc/sys/kernel/hostname", "proc/sys/kernel/osrelease",
                "proc/sys/kernel/arch", "sys/block", "sys/devices/system/cpu/cpu0",
                "sys/class/net/lo/mtu", "etc/services"):
        assert os.path.exists(dest / rel), rel
    assert not os.path.islink(dest / "proc/net") and (dest / "proc/net").is_dir()
    meta = json.loads((dest / "pystat-snapshot.json").read_text())
    assert {"time", "hz", "pagesize", "uname"} <= set(meta)
    code, out, err = run(["--root", str(dest), "vmstat", "-s"])
    assert code == 0 and "total memory" in out
    # the capture's /sys/block entries are plain directories with a stat file
    for dev in os.listdir(dest / "sys/block"):
        assert (dest / "sys/block" / dev / "stat").is_file()


def test_snapshot_series(tmp_path):
    dest = tmp_path / "series"
    code, out, err = run(["snapshot", str(dest), "--interval", "0.2", "--count", "3"])
    assert (code, err) == (0, "")
    assert sorted(os.listdir(dest)) == ["000000", "000001", "000002"]
    times = [json.loads((dest / s / "pystat-snapshot.json").read_text())["time"]
             for s in ("000000", "000001", "000002")]
    assert [round(b - a, 3) for a, b in zip(times, times[1:])] == [0.2, 0.2]
    code, out, err = run(["--root", str(dest), "vmstat", "1", "3"])
    assert code == 0, err
    assert len(out.splitlines()) == 5


def test_snapshot_refuses_a_non_empty_directory(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    code, out, err = run(["snapshot", str(tmp_path)])
    assert code == 1 and "not an empty directory" in err
    assert (tmp_path / "keep.txt").read_text() == "mine"
