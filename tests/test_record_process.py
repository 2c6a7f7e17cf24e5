"""The recorder as a real process on the live machine: killed at random moments,
stopped by signals, locked against a second recorder, read while it records.

libfaketime runs its clock (and its sleeps) 50 times faster, so a 1 s step is
20 ms of real time and nothing here sleeps for long.
"""

from __future__ import annotations

import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.helpers import REPO, run

LIBFAKETIME = next((p for p in ("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
                                 "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
                                 "/usr/lib/faketime/libfaketime.so.1") if os.path.exists(p)), None)
pytestmark = pytest.mark.skipif(LIBFAKETIME is None, reason="needs libfaketime")

SPEED = 50


@pytest.fixture(autouse=True)
def _no_stale_faketime_shm():
    """libfaketime leaves /dev/shm/faketime_shm_PID behind a killed recorder: remove
    those this test made (a stale one can make a later faketime with that PID fail)."""
    before = set(os.listdir("/dev/shm")) if os.path.isdir("/dev/shm") else set()
    yield
    if before or os.path.isdir("/dev/shm"):
        for name in set(os.listdir("/dev/shm")) - before:
            if name.startswith(("faketime_shm_", "sem.faketime_sem_")):
                try:
                    os.unlink(os.path.join("/dev/shm", name))
                except OSError:
                    pass


def start(db, t0: float, *extra, speed: int = SPEED):
    """The recorder, its clock starting at t0 and running ``speed`` times faster (libfaketime
    preloaded into the recorder itself, so that signals reach it and not a wrapper)."""
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t0))
    env = dict(os.environ, PYTHONPATH=REPO, TZ="UTC", LD_PRELOAD=LIBFAKETIME,
               FAKETIME=f"@{stamp} x{speed}", FAKETIME_DONT_RESET="1")
    return subprocess.Popen(
        [sys.executable, "-m", "pystat", "record", "--db", str(db), "--step", "1s", "-v", *extra],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)


def read_until(proc, pred, timeout=20.0) -> list[str]:
    """stderr lines up to the first that satisfies pred (or the process's end)."""
    lines = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r, _, _ = select.select([proc.stderr], [], [], 0.1)
        if r:
            line = proc.stderr.readline()
            if not line:
                break
            lines.append(line)
            if pred(line):
                return lines
        elif proc.poll() is not None:
            break
    return lines


def committed(lines) -> int:
    """The last sample number the recorder said it had committed."""
    nums = [int(line.split()[3]) for line in lines if " sample " in line]
    return nums[-1] if nums else 0


def db_state(db):
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        check = c.execute("PRAGMA integrity_check").fetchone()[0]
        nxt = c.execute("SELECT next_seq FROM archive WHERE id = 0").fetchone()[0]
        slots = c.execute("SELECT count(*) FROM slot WHERE id < 4294967296").fetchone()[0]
        last = c.execute("SELECT max(t) FROM slot WHERE id < 4294967296").fetchone()[0]
        recorder = c.execute("SELECT count(*) FROM recorder").fetchone()[0]
    finally:
        c.close()
    return check, nxt, slots, last, recorder


def test_sigkill_at_any_moment_loses_at_most_the_sample_in_flight(tmp_path):
    db = tmp_path / "h.db"
    rng = random.Random(5)
    t0 = 1_900_000_000.0
    total = 0
    for round_ in range(12):
        proc = start(db, t0)
        if round_ % 4 == 3:
            # during start-up
            lines = read_until(proc, lambda line: False, timeout=rng.uniform(0.0, 0.3))
        else:
            # once it records, 0..0.5 s later (up to 25 samples), wherever it is then
            lines = read_until(proc, lambda line: " sample " in line)
            lines += read_until(proc, lambda line: False, timeout=rng.uniform(0.0, 0.5))
        proc.kill()
        _, rest = proc.communicate()
        lines += rest.splitlines()
        assert "Traceback" not in "".join(lines)
        check, nxt, slots, last, _ = db_state(db) if db.exists() and db.stat().st_size else (
            "ok", 0, 0, None, 0)
        assert check == "ok"
        said = committed(lines)
        # everything it said was committed is there; at most one more (committed, not said)
        assert said <= nxt <= max(said, total) + 1
        assert nxt >= total and slots == nxt
        total = nxt
        if last is not None:
            t0 = last + 3
        # readers can use it right after (a write-ahead log left by the kill included)
        if nxt > 1:
            code, out, err = run(["history", "vmstat", "--db", str(db)])
            assert code == 0 and err == "", err
    assert total > 9
    # a restart continues the same history, and a clean stop flushes the coarser archives
    # (a slower clock: at x50 a 1 s step is 20 ms, and a busy machine that delays
    # the recorder that long makes it skip a step, as it should)
    proc = start(db, t0, "--duration", "5s", speed=5)
    lines = read_until(proc, lambda line: "stopped" in line)
    assert proc.wait(20) == 0
    assert committed(lines) == total + 6
    check, nxt, _, _, recorder = db_state(db)
    assert (check, nxt, recorder) == ("ok", total + 6, 0)
    code, out, _ = run(["history", "info", "--db", str(db), "--format", "json"])
    assert code == 0 and '"used": 0' not in out


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_one_recorder_per_database_and_clean_stop(tmp_path, sig):
    db = tmp_path / "h.db"
    first = start(db, 1_900_000_000.0)
    try:
        lines = read_until(first, lambda line: " sample 3 " in line)
        assert any(" sample 3 " in line for line in lines), lines
        # a second recorder is refused, naming the first
        second = start(db, 1_900_001_000.0)
        _, err = second.communicate(timeout=20)
        assert second.returncode == 1
        assert f"is already being recorded by pid {first.pid}" in err
        assert err.count("\n") == 1
        # readers work while it records
        code, out, err = run(["history", "info", "--db", str(db)])
        assert code == 0 and "recording now" in out
        code, out, err = run(["history", "vmstat", "--db", str(db)])
        assert code == 0 and err == "" and len(out.splitlines()) >= 4
        first.send_signal(sig)
        _, rest = first.communicate(timeout=20)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, rest
    assert "stopped after" in rest and "Traceback" not in rest
    check, nxt, slots, _, recorder = db_state(db)
    assert check == "ok" and recorder == 0 and nxt == slots >= 3
    code, out, _ = run(["history", "info", "--db", str(db)])
    assert "not running" in out and " 1 (0%)" in out     # the 1m slot, flushed at the stop


def test_sigkill_while_writing(tmp_path):
    """A recorder that never sleeps (one snapshot, a long --duration: its clock moves
    without waiting) spends its time in transactions: kill it there."""
    from tests.oracle.cases import FIXTURES

    idle = os.path.join(FIXTURES, "idle")
    db = tmp_path / "h.db"
    rng = random.Random(3)
    total = 0
    for round_ in range(10):
        proc = subprocess.Popen(
            [sys.executable, "-m", "pystat", "--root", idle, "record", "--db", str(db),
             "--step", "1s", "--duration", "1000d", "-v"],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
            env=dict(os.environ, PYTHONPATH=REPO))
        lines = read_until(proc, lambda line: " sample " in line)
        lines += read_until(proc, lambda line: False, timeout=rng.uniform(0.0, 0.3))
        proc.kill()
        _, rest = proc.communicate()
        lines += rest.splitlines()
        check, nxt, slots, _, _ = db_state(db)
        said = committed(lines)
        assert check == "ok"
        assert said <= nxt <= max(said, total) + 1 and slots == nxt
        assert nxt > total, "each run got to record (a restart stays quick)"
        total = nxt
    code, out, err = run(["history", "info", "--db", str(db)])
    assert code == 0, err
