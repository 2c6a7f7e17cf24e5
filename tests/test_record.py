"""pystat record and pystat history, in process (no sleeping: snapshot series and
the synthetic host of tests/synthetic.py drive the recorder)."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import sqlite3

import pytest

from pystat.recorder.model import U32, counter_delta
from pystat.recorder.recording import record
from tests.helpers import run
from tests.oracle.cases import FIXTURES
from tests.synthetic import Disk, SyntheticHost, State

BUSY = os.path.join(FIXTURES, "busy")
IDLE = os.path.join(FIXTURES, "idle")
SYNTHETIC = os.path.join(FIXTURES, "synthetic")
TINY = ("1s:10s", "2s:20s", "4s:40s")


def ok(argv):
    code, out, err = run(argv)
    assert (code, err) == (0, ""), (argv, err)
    return out


def fail(argv):
    code, out, err = run(argv)
    assert code != 0, (argv, out)
    assert err.startswith("pystat: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def rec(host, db, archives=TINY, **kw):
    err = io.StringIO()
    n = record(host, str(db), kw.get("step"), kw.get("duration"), archives, False, err)
    return n, err.getvalue()


def integrity(db) -> str:
    c = sqlite3.connect(str(db))
    try:
        return c.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        c.close()


def lines_of(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith(("procs", " r ", "--procs",
                                                                       "   r "))]


# --------------------------------------------------------------------------
# The acceptance test: history at the finest resolution is the live vmstat

@pytest.fixture(scope="module")
def busy_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("busy") / "h.db"
    ok(["--root", BUSY, "record", "--db", str(db)])
    return db


@pytest.mark.parametrize("flags", [[], ["-a"], ["-w"], ["-t"], ["-S", "M"], ["-n"],
                                   ["-a", "-w", "-t", "-S", "k"]], ids=" ".join)
def test_history_vmstat_equals_live_vmstat(busy_db, flags):
    live = ok(["--root", BUSY, "vmstat", *flags, "1", "5"]).splitlines()
    hist = ok(["history", "vmstat", "--db", str(busy_db), *flags]).splitlines()
    # the same headers, then the same interval lines; only the since-boot line is not history
    assert hist == live[:2] + live[3:]


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_history_vmstat_formats_equal_live(busy_db, fmt):
    live = ok(["--root", BUSY, "vmstat", "1", "5", "--format", fmt])
    hist = ok(["history", "vmstat", "--db", str(busy_db), "--format", fmt])
    if fmt == "json":
        assert json.loads(hist) == json.loads(live)[1:]
    elif fmt == "csv":
        assert hist.splitlines() == live.splitlines()[:1] + live.splitlines()[2:]
    else:
        lv = live.splitlines()
        assert hist.splitlines()[2:] == lv[:2][:0] + lv[3:]


def test_history_vmstat_synthetic_64_cpus(tmp_path):
    db = tmp_path / "h.db"
    ok(["--root", SYNTHETIC, "record", "--db", str(db)])
    live = ok(["--root", SYNTHETIC, "vmstat", "-w", "1", "3"]).splitlines()
    assert ok(["history", "vmstat", "--db", str(db), "-w"]).splitlines() == live[:2] + live[3:]
    # the per-CPU lines were recorded too, from when each CPU is there: CPU 5 goes
    # offline in the middle sample (no interval has it at both ends), 63 is never online
    def series(*args):
        rows = json.loads(ok(["history", "series", "--db", str(db), *args, "--format", "json"]))
        return [r["value"] for r in rows]

    assert len(series("cpu_ticks", "cpu=62", "mode=user")) == 2
    assert series("cpu_ticks", "cpu=5", "mode=user") == []
    assert "cpu: 0, 1, 10," in fail(["history", "series", "--db", str(db), "cpu_ticks", "cpu=63"])
    # md0's counters are reset in the last sample: counted from 0, not negative
    t = [json.load(open(os.path.join(SYNTHETIC, "%06d" % k, "pystat-snapshot.json")))["time"]
         for k in range(3)]
    assert series("disk_reads", "device=md0") == [(61586058 - 61584064) / (t[1] - t[0]),
                                                   61586 / (t[2] - t[1])]
    # sdb is unplugged in the middle sample, sdc appears in the last: no interval yet
    assert series("disk_reads", "device=sdb") == series("disk_reads", "device=sdc") == []


def test_restart_continues_the_history(tmp_path):
    """Two runs of the recorder over consecutive parts of a series: one history."""
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    for k in range(3):
        os.symlink(os.path.join(BUSY, "%06d" % k), first / ("%06d" % k))
    for k in range(3, 5):
        os.symlink(os.path.join(BUSY, "%06d" % k), second / ("%06d" % (k - 3)))
    db = tmp_path / "h.db"
    ok(["--root", str(first), "record", "--db", str(db), "--step", "1s"])
    ok(["--root", str(second), "record", "--db", str(db)])
    live = ok(["--root", BUSY, "vmstat", "1", "5"]).splitlines()
    assert ok(["history", "vmstat", "--db", str(db)]).splitlines() == live[:2] + live[3:]


def test_history_range(busy_db, tmp_path):
    """A range replays like vmstat started at the range's first sample (memory columns
    included, which vmstat 4.0.2 reads once at start-up)."""
    for k in range(1, 4):
        os.symlink(os.path.join(BUSY, "%06d" % k), tmp_path / ("%06d" % (k - 1)))
    live = ok(["--root", str(tmp_path), "vmstat", "-t", "1", "3"]).splitlines()
    out = ok(["history", "vmstat", "-t", "--db", str(busy_db), "--since", "2026-11-26 22:51:41",
              "--until", "2026-11-26 22:51:42"]).splitlines()
    assert out == live[:2] + live[3:]
    out = ok(["history", "vmstat", "--db", str(busy_db), "--since", "@1795733502"]).splitlines()
    assert len(out) == 2 + 2


def test_record_duration_and_snapshots(tmp_path):
    db = tmp_path / "a.db"
    ok(["--root", BUSY, "record", "--db", str(db), "--duration", "2s"])
    assert len(ok(["history", "vmstat", "--db", str(db)]).splitlines()) == 2 + 2
    # one snapshot does not change: one sample, unless --duration asks for more
    db = tmp_path / "b.db"
    ok(["--root", IDLE, "record", "--db", str(db)])
    assert '"used": 1,' in ok(["history", "info", "--db", str(db), "--format", "json"])
    db = tmp_path / "c.db"
    ok(["--root", IDLE, "record", "--db", str(db), "--duration", "10s", "--step", "1s"])
    info = json.loads(ok(["history", "info", "--db", str(db), "--format", "json"]))
    assert info[0]["used"] == 11 and info[0]["resolution"] == 1


# --------------------------------------------------------------------------
# Consolidation

def test_consolidated_rows_are_exact_average_rates(tmp_path):
    seen = {}

    def on_wait(host):
        seen[host.t] = (host.state.vm["pgpgin"], host.state.ctxt, host.state.running)

    t0 = 1_800_000_000.0
    host = SyntheticHost(61, start=t0, on_wait=on_wait)
    seen[t0] = (host.state.vm["pgpgin"], host.state.ctxt, host.state.running)
    db = tmp_path / "h.db"
    rec(host, db, ("1s:1m", "10s:10m"))
    rows = json.loads(ok(["history", "vmstat", "--db", str(db), "--resolution", "10s",
                          "--format", "json"]))
    # slot k holds the samples at t0+10k .. t0+10k+9, and the intervals that end there;
    # the last one (t0+60) was written, partly filled, when the recorder stopped
    assert len(rows) == 7
    for k, row in enumerate(rows):
        ends = [t for t in sorted(seen) if t0 + 10 * k <= t < t0 + 10 * k + 10]
        starts = [t - 1 for t in ends if t > t0]
        span = len(starts)
        a, b = seen[starts[0]], seen[ends[-1]]
        # vmstat's own rounding of the slot's exact growth over its nominal 10 s
        assert row["bi"] == (round((b[0] - a[0]) / span * 10) + 5) // 10
        assert row["cs"] == (round((b[1] - a[1]) / span * 10) + 5) // 10
        runs = [seen[t][2] for t in ends]
        assert row["r"] == round(sum(runs) / len(runs))
        assert row["timestamp"].endswith(("%02d+00:00" % ((10 * k + 10) % 60)))
    mx = json.loads(ok(["history", "vmstat", "--db", str(db), "--resolution", "10s",
                        "--format", "json", "--cf", "max"]))
    mn = json.loads(ok(["history", "vmstat", "--db", str(db), "--resolution", "10s",
                        "--format", "json", "--cf", "min"]))
    for lo, avg, hi in zip(mn, rows, mx):
        assert lo["r"] <= avg["r"] <= hi["r"]
        assert lo["cs"] <= avg["cs"] <= hi["cs"]


def test_auto_resolution_picks_the_archive_that_holds_since(tmp_path):
    db = tmp_path / "h.db"
    rec(SyntheticHost(100, start=1_800_000_000.0), db, TINY)   # samples at :00 .. 1:39

    def times(*flags):
        out = ok(["history", "vmstat", "--db", str(db), "-t", *flags])
        return [line.split()[-1] for line in lines_of(out)]

    assert times() == ["08:01:%02d" % s for s in range(31, 40)]          # 1s: the last 10 s
    assert times("--since", "@1800000085")[:2] == ["08:01:26", "08:01:28"]  # 2s holds :80-
    assert times("--since", "@1800000070")[:2] == ["08:01:12", "08:01:16"]  # 4s holds :60-
    # nothing holds :40: the archive that goes back furthest
    assert times("--since", "@1800000040")[0] == "08:01:04"


# --------------------------------------------------------------------------
# The file stops growing

def test_file_stops_growing_once_every_archive_wrapped(tmp_path):
    db = tmp_path / "h.db"
    layout = ("1s:30s", "5s:1m", "15s:3m")   # the coarsest wraps every 180 samples
    state = State(4, seed=7)
    t = 1_800_000_000.0
    sizes = []
    for chunk in range(8):
        host = SyntheticHost(90, start=t, state=state)
        if chunk:
            state.advance(1.0)
        rec(host, db, layout)
        t = host.t + 1
        c = sqlite3.connect(str(db))
        pages = c.execute("PRAGMA page_count").fetchone()[0]
        c.close()
        sizes.append((os.path.getsize(db), pages))
        assert not os.path.exists(str(db) + "-wal") or os.path.getsize(str(db) + "-wal") == 0
    # growing while the coarsest archive fills (chunks 0, 1), then not a byte more
    assert sizes[0] < sizes[1]
    assert len(set(sizes[2:])) == 1, sizes
    assert integrity(db) == "ok"


# --------------------------------------------------------------------------
# Real-world counters and clocks

def _vm_rows(db, *flags):
    return json.loads(ok(["history", "vmstat", "--db", str(db), "--format", "json", *flags]))


def test_counter_reset_and_32bit_wrap_give_sane_rates(tmp_path):
    state = State(2, 1)
    state.intr = U32 - 12_000                   # a 32-bit counter about to wrap

    def on_wait(host):
        host.state.intr %= U32
        if host.k == 5:
            host.state.ctxt = 777               # reset: counted from 0

    host = SyntheticHost(10, on_wait=on_wait, state=state)
    db = tmp_path / "h.db"
    rec(host, db, ("1s:1m",))
    rows = _vm_rows(db)
    assert len(rows) == 9
    assert rows[4]["cs"] == 777
    assert all(0 <= r["cs"] <= 20000 for r in rows)
    # every interval, across the wrap too, keeps the real growth (100..5000 a second)
    assert all(100 <= r["in"] <= 5000 for r in rows)
    assert state.intr < 100_000                 # it did wrap


def test_counter_delta_rules():
    assert counter_delta(10, 15) == 5
    assert counter_delta(U32 - 10, 5) == 15          # 32-bit wrap
    assert counter_delta(5_000_000_000, 7) == 7       # a 64-bit counter reset
    assert counter_delta(1000, 10) == 10              # reset of a small counter
    assert counter_delta(U32 - 10, U32 - 20) == U32 - 20


def test_reboot_is_a_gap(tmp_path):
    def on_wait(host):
        if host.k == 5:
            host.state.uptime_cs = 500
            host.state.btime += 3600
            host.state.ctxt = 10
            host.state.intr = 10

    db = tmp_path / "h.db"
    rec(SyntheticHost(10, on_wait=on_wait), db, ("1s:1m",))
    out = ok(["history", "vmstat", "--db", str(db)])
    assert out.count("procs") == 2            # a header per run of samples
    assert len(lines_of(out)) == 4 + 4        # 0..4 and 5..9: no row across the reboot


def test_gap_stays_a_gap(tmp_path):
    db = tmp_path / "h.db"
    state = State(2, 1)
    rec(SyntheticHost(5, start=1_800_000_000.0, state=state), db, ("1s:1m", "10s:10m"))
    state.advance(100.0)
    rec(SyntheticHost(5, start=1_800_000_104.0, state=state), db, ("1s:1m", "10s:10m"))
    rows = _vm_rows(db, "-t")
    assert len(rows) == 8
    out = ok(["history", "vmstat", "--db", str(db)])
    assert out.count("procs") == 2
    # consolidated: the slots with no recorded interval are not invented
    coarse = _vm_rows(db, "--resolution", "10s")
    assert len(coarse) == 2


def test_history_mpstat_at_a_coarser_resolution(tmp_path):
    """A consolidated archive replays its counters from a base that is not 0:
    mpstat takes a CPU whose times are all 0 for an offline one, and printed
    its first interval and its Average: as zeros.  Over the same four
    seconds, the 2 s Average: is the 1 s one."""
    db = tmp_path / "h.db"
    ok(["--root", BUSY, "record", "--db", str(db), "--archive", "1s:10s", "--archive", "2s:20s"])

    def rows(res):
        out = ok(["history", "mpstat", "--db", str(db), "-P", "ALL", "--resolution", res])
        return [line.split()[1:] for line in out.splitlines()[3:] if line.strip()]

    fine, coarse = rows("1s"), rows("2s")
    interval = [r for r in coarse if r[0] != "CPU"]
    assert len(interval) == 2 * 3 + 3                  # two intervals and Average:, all/0/1
    assert all(float(r[-1]) < 100 and any(float(x) for x in r[1:]) for r in interval)
    assert coarse[-3:] == fine[-3:]                    # the Average: lines


def test_clock_stepping_back_does_not_corrupt_the_ring(tmp_path):
    def on_wait(host):
        if host.k == 20:
            host.t -= 45                         # NTP steps the clock back 45 s

    db = tmp_path / "h.db"
    n, err = rec(SyntheticHost(60, on_wait=on_wait), db, TINY)
    assert n == 60 and "clock went back 44.0s" in err
    assert integrity(db) == "ok"
    info = json.loads(ok(["history", "info", "--db", str(db), "--format", "json"]))
    assert [a["used"] for a in info] == [10, 10, 10]
    # every archive still reads back, oldest first by recording order
    for res in ("1s", "2s", "4s"):
        ok(["history", "vmstat", "--db", str(db), "--resolution", res])
    out = ok(["history", "vmstat", "--db", str(db), "--resolution", "4s", "-t"])
    assert all(int(line.split()[2]) >= 0 for line in lines_of(out))


def test_devices_and_cpus_that_come_and_go(tmp_path):
    def on_wait(host):
        st = host.state
        if host.k == 3:
            st.disks["sdb"] = Disk("sdb", 8, 16)
            st.disks["sdb"].c[0] = 1000
        if 3 <= host.k < 6:
            st.disks["sdb"].c[0] += 10
        if host.k == 6:
            del st.disks["sdb"]
        if host.k == 8:                           # back, counters from zero
            st.disks["sdb"] = Disk("sdb", 8, 16)
        if host.k >= 8:
            st.disks["sdb"].c[0] += 10
        if host.k == 4:
            st.cpus.pop(1)                        # cpu1 goes offline...
        if host.k == 7:
            st.cpus[1] = [10_000] * 10            # ...and comes back

    db = tmp_path / "h.db"
    rec(SyntheticHost(12, on_wait=on_wait), db, ("1s:1m", "10s:10m"))
    out = ok(["history", "series", "--db", str(db), "disk_reads", "device=sdb"])
    values = [float(line.split()[-1]) for line in out.splitlines()]
    # rates where sdb was there at both ends of an interval; never negative
    assert values == [10.0] * 2 + [10.0] * 3
    out = ok(["history", "series", "--db", str(db), "cpu_ticks", "cpu=1", "mode=user"])
    assert len(out.splitlines()) == 3 + 4
    # vmstat -d sees sdb from when it appears, and does with it what vmstat does live
    from pystat.commands import vmstat as v

    live = io.StringIO()
    v.run(SyntheticHost(12, on_wait=on_wait), "disk", v.Opts(delay=1, count=12), "json", live)
    hist = json.loads(ok(["history", "vmstat", "-d", "--db", str(db), "--format", "json"]))
    assert hist == json.loads(live.getvalue())
    assert [r["reads"] for r in hist if r["disk"] == "sdb"] == [1010, 1020, 1030, 1030, 1030,
                                                               10, 20, 30, 40]
    assert integrity(db) == "ok"


# --------------------------------------------------------------------------
# info, series

def test_history_info(busy_db):
    out = ok(["history", "info", "--db", str(busy_db)])
    assert "resolution" in out and "1s" in out and "not running" in out
    info = json.loads(ok(["history", "info", "--db", str(busy_db), "--format", "json"]))
    assert [(a["resolution"], a["slots"], a["used"]) for a in info] == [
        (1, 86400, 5), (60, 10080, 1), (300, 8640, 1)]
    assert info[0]["span"] == 5 and info[0]["file_size"] == os.path.getsize(busy_db)


def test_history_series(busy_db):
    out = ok(["history", "series", "--db", str(busy_db)])
    assert 'disk_read_sectors{device="vda"}' in out and "counter" in out
    rows = json.loads(ok(["history", "series", "--db", str(busy_db), "procs_running",
                          "--format", "json"]))
    assert [r["value"] for r in rows] == [2, 3, 3, 3]


# --------------------------------------------------------------------------
# Bad input: one line, non-zero, never a write to a file that is not ours

def _digest(path) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_foreign_files_are_refused_and_left_untouched(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n")
    other = tmp_path / "other.db"
    c = sqlite3.connect(str(other))
    c.execute("CREATE TABLE t (x)")
    c.execute("INSERT INTO t VALUES (1)")
    c.commit()
    c.close()
    for path in (text, other):
        before = _digest(path)
        err = fail(["--root", BUSY, "record", "--db", str(path)])
        assert "not a pystat history database" in err
        err = fail(["history", "vmstat", "--db", str(path)])
        assert "not a pystat history database" in err
        fail(["history", "info", "--db", str(path)])
        assert _digest(path) == before
        assert sorted(os.listdir(tmp_path)) == ["notes.txt", "other.db"]


def test_damaged_database(tmp_path, busy_db):
    db = tmp_path / "h.db"
    with open(busy_db, "rb") as f:
        data = bytearray(f.read())
    data[4096 * 3:4096 * 5] = b"\xa5" * 8192     # garbage over two pages
    db.write_bytes(bytes(data))
    before = _digest(db)
    err = fail(["--root", BUSY, "record", "--db", str(db)])
    assert "damaged" in err or "malformed" in err
    assert _digest(db) == before
    fail(["history", "vmstat", "--db", str(db)])
    # a file cut short
    db.write_bytes(bytes(data[:150]))
    fail(["history", "vmstat", "--db", str(db)])


def test_bad_input_messages(tmp_path, busy_db):
    db = str(busy_db)
    assert "no such database" in fail(["history", "vmstat", "--db", str(tmp_path / "none.db")])
    assert "nothing recorded between" in fail(["history", "vmstat", "--db", db,
                                               "--since", "2030-01-01"])
    assert "before --since" in fail(["history", "vmstat", "--db", db, "--since", "22:00",
                                     "--until", "21:00"])
    assert "no such archive" in fail(["history", "vmstat", "--db", db, "--resolution", "2m"])
    assert "bad time" in fail(["history", "vmstat", "--db", db, "--since", "yesterday-ish"])
    assert "not found" in fail(["history", "vmstat", "--db", db, "-p", "sdz"])
    assert "not recorded" in fail(["history", "vmstat", "--db", db, "-m"])
    assert "finest resolution" in fail(["history", "vmstat", "--db", db, "-d",
                                        "--resolution", "1m"])
    assert "no series named" in fail(["history", "series", "--db", db, "nosuchmetric"])
    assert "device: " in fail(["history", "series", "--db", db, "disk_reads", "device=sdz"])
    assert "is a directory" in fail(["--root", BUSY, "record", "--db", str(tmp_path)])
    assert "no such directory" in fail(["--root", BUSY, "record", "--db",
                                        str(tmp_path / "x" / "h.db")])
    assert "bad duration" in fail(["--root", BUSY, "record", "--db", str(tmp_path / "n.db"),
                                   "--step", "3 parsecs"])
    assert "RESOLUTION:SPAN" in fail(["--root", BUSY, "record", "--db", str(tmp_path / "n.db"),
                                      "--archive", "3s"])
    assert "multiple" in fail(["--root", BUSY, "record", "--db", str(tmp_path / "n.db"),
                               "--archive", "2s:1h", "--archive", "3s:1h"])
    assert not os.path.exists(tmp_path / "n.db") or os.path.getsize(tmp_path / "n.db") == 0


def test_layout_is_fixed_at_creation(tmp_path):
    db = str(tmp_path / "h.db")
    ok(["--root", BUSY, "record", "--db", db, "--archive", "1s:1m"])
    assert "cannot change" in fail(["--root", BUSY, "record", "--db", db, "--archive", "1s:2m"])
    assert "cannot change" in fail(["--root", BUSY, "record", "--db", db, "--step", "2s"])


def test_empty_file_is_a_new_database(tmp_path):
    db = tmp_path / "h.db"
    db.write_bytes(b"")
    assert "nothing recorded yet" in fail(["history", "vmstat", "--db", str(db)])
    ok(["--root", BUSY, "record", "--db", str(db)])
    assert len(lines_of(ok(["history", "vmstat", "--db", str(db)]))) == 4


def test_default_path_follows_xdg(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    ok(["--root", BUSY, "record"])
    assert os.path.exists(tmp_path / "xdg" / "pystat" / "history.db")
    assert len(lines_of(ok(["history", "vmstat"]))) == 4
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    ok(["--root", BUSY, "record"])
    assert os.path.exists(tmp_path / "home" / ".local" / "share" / "pystat" / "history.db")


def test_coarser_archives_fed_by_finer_ones_equal_direct_consolidation(tmp_path):
    """30s slots built from finished 10s slots (hierarchical) hold what 30s slots built
    from every raw sample hold, across restarts (crash: rebuilt from the raw archive)."""
    from pystat.recorder.model import parse_archive
    from pystat.recorder.sources import collect_all
    from pystat.recorder.store import Sample, Store, Writer

    def crash_run(host, db, layout):
        """A recorder killed after its last sample: no clean stop, no partial slots."""
        if not os.path.exists(db):
            open(db, "w").close()
        store = Store.open_write(str(db), [parse_archive(a) for a in layout], {})
        writer = Writer(store)
        while True:
            groups = collect_all(host.root)
            writer.append(Sample(host.now(), None, None, groups))
            try:
                host.wait(1)
            except Exception:
                break
        store.close()

    def run_into(db, layout, crash=False):
        state = State(2, seed=4)
        t = 1_800_000_000.0
        for k, n in enumerate((37, 50, 44)):     # three runs, each stopped mid-slot
            host = SyntheticHost(n, start=t, state=state)
            if crash and k < 2:
                crash_run(host, db, layout)
            else:
                rec(host, db, layout)
            state.advance(1.0)
            t = host.t + 1

    nested, direct, crashed = tmp_path / "nested.db", tmp_path / "direct.db", tmp_path / "c.db"
    run_into(nested, ("1s:10m", "10s:10m", "30s:30m"))
    run_into(direct, ("1s:10m", "30s:30m"))
    run_into(crashed, ("1s:10m", "10s:10m", "30s:30m"), crash=True)
    for db in (nested, crashed):
        assert ok(["history", "series", "--db", str(db), "disk_reads", "device=vda",
                   "--resolution", "10s"]).count("\n") == 14
    for cf, db, name in itertools.product(("average", "min", "max"), (nested, crashed),
                                          ("cpu_ticks", "memory", "disk_read_sectors",
                                           "procs_running")):
        a = json.loads(ok(["history", "series", "--db", str(db), name, "--resolution",
                           "30s", "--cf", cf, "--format", "json"]))
        b = json.loads(ok(["history", "series", "--db", str(direct), name, "--resolution",
                           "30s", "--cf", cf, "--format", "json"]))
        assert len(a) == len(b) > 0
        for x, y in zip(a, b):
            assert (x["timestamp"], x["series"]) == (y["timestamp"], y["series"])
            assert x["value"] == pytest.approx(y["value"], rel=1e-12)


@pytest.mark.parametrize("resolution", ["1s", "10s"])
@pytest.mark.parametrize("flags", [{}, {"active": True, "unit": "M", "wide": True}],
                         ids=["", "-a -S M -w"])
def test_vmstat_fast_path_equals_vm_reports_on_rendered_files(tmp_path, resolution, flags):
    """history vmstat builds vmstat's records straight from recorded values; running
    vmstat's own vm_reports on a ReplayHost (rendered /proc files, parsed by vmstat's
    parsers) must give the same rows, resets and wraps included."""
    from pystat.commands import until_series_ends
    from pystat.commands import vmstat as v
    from pystat.recorder import history as h
    from pystat.recorder.replay import ReplayHost
    from pystat.recorder.store import Store

    state = State(4, seed=9)
    state.intr = U32 - 30_000

    def on_wait(host):
        host.state.intr %= U32
        if host.k == 30:
            host.state.ctxt = 5
        if host.k == 50:
            host.state.cpus[2] = [0] * 10

    db = tmp_path / "h.db"
    rec(SyntheticHost(80, on_wait=on_wait, state=state), db, ("1s:2m", "10s:10m"))
    store = Store.open_read(str(db))
    sel = h.select(store, resolution, None, None)
    for seg in sel.segments:
        o = v.Opts(no_first=True, **flags)
        o.delay, o.infinite = sel.step, True
        fast = list(h.vm_rows(h.frames(store, sel, seg, ("system",), "average"), o, 4))
        host = ReplayHost(h.frames(store, sel, seg, ("system", "cpu"), "average"), store.meta)
        slow = list(until_series_ends(v.vm_reports(host, o), True, "test"))
        assert fast == slow and len(fast) > 2
        assert "/proc/stat" in host.opened and "/proc/meminfo" in host.opened
    store.close()


def test_record_and_history_are_imported_only_when_they_run():
    import subprocess
    import sys

    from tests.helpers import REPO

    code = ("import sys\nfrom pystat.cli import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write(' '.join(sorted(sys.modules)))")
    for argv in (["vmstat"], ["--help"], ["record", "--help"], ["history", "--help"]):
        p = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True,
                           cwd=REPO, env={"PYTHONPATH": REPO, "PATH": "/usr/bin:/bin"})
        modules = set(p.stderr.split())
        assert "sqlite3" not in modules and "pystat.recorder" not in modules, argv
        if argv == ["vmstat"]:
            assert "pystat.commands.record" not in modules


def test_one_history_per_host(tmp_path):
    """A capture (or another machine) is not recorded into a history of this one."""
    from pystat.errors import PystatError

    db = str(tmp_path / "h.db")
    ok(["--root", BUSY, "record", "--db", db])
    with pytest.raises(PystatError, match="holds the history of host vm; this is synthetic"):
        rec(SyntheticHost(3), db, None)
    assert len(lines_of(ok(["history", "vmstat", "--db", db]))) == 4


def test_sources_refuses_record_and_history():
    code, out, err = run(["sources", "record"])
    assert code == 2 and "not a report" in err
    code, out, err = run(["sources", "history", "vmstat"])
    assert code == 2 and "not a report" in err


def test_newer_schema_is_refused_untouched(tmp_path, busy_db):
    db = tmp_path / "h.db"
    db.write_bytes(busy_db.read_bytes())
    c = sqlite3.connect(str(db))
    c.execute("PRAGMA user_version = 2")
    c.commit()
    c.close()
    before = _digest(db)
    assert "newer pystat" in fail(["history", "info", "--db", str(db)])
    assert "newer pystat" in fail(["--root", BUSY, "record", "--db", str(db)])
    assert _digest(db) == before


def test_reading_where_no_shared_memory_file_can_be_made(tmp_path, busy_db, monkeypatch):
    """A reader in a directory it cannot write to reads the file as it is."""
    from pystat.recorder import store as st

    real = sqlite3.connect

    def connect(database, *a, **kw):
        if "immutable=1" not in database:
            raise sqlite3.OperationalError("unable to open database file")
        return real(database, *a, **kw)

    monkeypatch.setattr(st.sqlite3, "connect", connect)
    assert len(lines_of(ok(["history", "vmstat", "--db", str(busy_db)]))) == 4


def test_history_without_a_command_shows_its_help():
    code, out, err = run(["history"])
    assert code == 2 and "Usage: pystat history" in err and "\n  vmstat" in err


# --------------------------------------------------------------------------
# iostat and mpstat history: their own reports over recorded samples

def consistent_copy(fixture: str, dest) -> str:
    """The fixture, with every sysfs block ``stat`` holding its /proc/diskstats line's
    counters: what a live machine shows when both are read at the same moment (the
    capture read them milliseconds apart, and the recorder keeps one of the two)."""
    import shutil

    from pystat.proc.diskstats import parse_diskstats

    shutil.copytree(fixture, dest, symlinks=True)
    subs = sorted(d for d in os.listdir(dest) if d.isdigit()) or [""]
    for sub in subs:
        root = os.path.join(dest, sub)
        with open(os.path.join(root, "proc", "diskstats")) as f:
            stats = {d.name: d for d in parse_diskstats(f.read())}
        block = os.path.join(root, "sys", "block")
        paths = []
        for disk in os.listdir(block):
            paths.append((disk, os.path.join(block, disk, "stat")))
            for part in os.listdir(os.path.join(block, disk)):
                if os.path.isdir(os.path.join(block, disk, part)):
                    paths.append((part, os.path.join(block, disk, part, "stat")))
        for name, path in paths:
            d = stats.get(name.replace("!", "/"))
            if d is None or not os.path.exists(path):
                continue
            nums = [x for x in d[3:] if x is not None]
            text = " ".join("%8d" % x for x in nums) + "\n"
            with open(path, "w") as f:
                f.write(text)
            devpath = os.path.join(root, "sys", "dev", "block", f"{d.major}:{d.minor}", "stat")
            if os.path.exists(devpath):
                with open(devpath, "w") as f:
                    f.write(text)
    return str(dest)


@pytest.fixture(scope="module")
def busy_consistent(tmp_path_factory):
    base = tmp_path_factory.mktemp("consistent")
    root = consistent_copy(BUSY, base / "busy")
    db = base / "h.db"
    ok(["--root", root, "record", "--db", str(db)])
    return root, db


@pytest.fixture(scope="module")
def synthetic_consistent(tmp_path_factory):
    base = tmp_path_factory.mktemp("consistent")
    root = consistent_copy(SYNTHETIC, base / "synthetic")
    db = base / "h.db"
    ok(["--root", root, "record", "--db", str(db)])
    return root, db


IOSTAT_FLAGS = [[], ["-x"], ["-p", "ALL"], ["-d", "-k", "-t"], ["-x", "-p", "vda"],
                ["-x", "-s", "-z"], ["-m", "vda"], ["-o", "JSON"], ["-h"]]


@pytest.mark.parametrize("flags", IOSTAT_FLAGS, ids=" ".join)
def test_history_iostat_equals_live_iostat(busy_consistent, flags):
    root, db = busy_consistent
    live = ok(["--root", root, "iostat", *flags, "-y", "1", "4"])
    assert ok(["history", "iostat", "--db", str(db), *flags]) == live


@pytest.mark.parametrize("flags", [["-x", "-p", "ALL"], [], ["-x", "-z", "-p", "sda,nvme0n1"]],
                         ids=" ".join)
def test_history_iostat_synthetic_devices_that_come_and_go(synthetic_consistent, flags):
    """sdb unplugged and back, sdc new, md0 reset, 4- and 11-counter layouts."""
    root, db = synthetic_consistent
    live = ok(["--root", root, "iostat", *flags, "-y", "1", "2"])
    assert ok(["history", "iostat", "--db", str(db), *flags]) == live


MPSTAT_FLAGS = [[], ["-P", "ALL"], ["-A"], ["-I", "ALL"], ["-I", "SUM"], ["-u", "-T", "-P", "1"],
                ["-n"], ["-o", "JSON"], ["-A", "--dec=0"]]


@pytest.mark.parametrize("flags", MPSTAT_FLAGS, ids=" ".join)
def test_history_mpstat_equals_live_mpstat(busy_db, flags):
    live = ok(["--root", BUSY, "mpstat", *flags, "1", "4"])
    assert ok(["history", "mpstat", "--db", str(busy_db), *flags]) == live


@pytest.mark.parametrize("flags", [["-A"], ["-A", "-T"], ["-I", "CPU", "-P", "0,5,62"]],
                         ids=" ".join)
def test_history_mpstat_synthetic_64_cpus(synthetic_consistent, flags):
    """64 CPUs on 2 nodes, CPU 5 offline in the middle sample, 63 offline, a new IRQ."""
    root, db = synthetic_consistent
    live = ok(["--root", root, "mpstat", *flags, "1", "2"])
    assert ok(["history", "mpstat", "--db", str(db), *flags]) == live


@pytest.mark.parametrize("tool,flags,count", [("iostat", ["-x"], 4), ("mpstat", ["-A"], 4)])
def test_history_sysstat_formats(busy_consistent, tool, flags, count):
    root, db = busy_consistent
    for fmt in ("json", "csv"):
        live = ok(["--root", root, tool, *flags, *(["-y"] if tool == "iostat" else []), "1",
                   str(count), "--format", fmt])
        assert ok(["history", tool, "--db", str(db), *flags, "--format", fmt]) == live


def _unreadable(rel):
    def damage(root):
        path = os.path.join(root, rel)
        if rel == "proc/diskstats":
            os.unlink(path)
        else:
            with open(path, "w") as f:
                f.write("x\n")
    return damage


GAP = ((0, 1), (3, 4))


@pytest.mark.parametrize("rel,k,tool,flags,runs", [
    ("proc/stat", 2, "vmstat", ["-w"], GAP), ("proc/stat", 2, "iostat", ["-x"], GAP),
    ("proc/stat", 2, "mpstat", ["-P", "ALL"], GAP), ("proc/vmstat", 2, "vmstat", ["-t"], GAP),
    ("proc/uptime", 2, "iostat", [], GAP), ("proc/uptime", 2, "mpstat", [], GAP),
    ("proc/diskstats", 2, "vmstat", ["-d"], GAP), ("proc/diskstats", 2, "iostat", ["-d"], GAP),
    # vmstat reads /proc/meminfo once, at start-up: only a run's first sample needs it
    ("proc/meminfo", 2, "vmstat", ["-a"], ((0, 1, 2, 3, 4),)),
    ("proc/meminfo", 0, "vmstat", [], ((1, 2, 3, 4),)),
    ("proc/stat", 0, "mpstat", [], ((1, 2, 3, 4),))],
    ids=lambda x: " ".join(map(str, x)) if isinstance(x, (list, tuple)) else str(x))
def test_a_sample_with_an_unreadable_file_is_a_gap(tmp_path, rel, k, tool, flags, runs):
    """A file the recorder could not read in one sample (it says so, and records the
    others) leaves that sample out of the reports that need it: the samples before and
    after replay as separate runs, each equal to the live tool on that run, instead of
    the missing values replayed as zeros (counters gone to 0 and back: 32-bit-wrapped
    in/cs, since-boot rates) or the report stopping there."""
    root = consistent_copy(BUSY, tmp_path / "busy")
    _unreadable(rel)(os.path.join(root, "%06d" % k))
    db = tmp_path / "h.db"
    code, _, err = run(["--root", root, "record", "--db", str(db)])
    assert code == 0 and err.startswith("pystat: record: ") and err.count("\n") == 1, err
    assert "not recorded" in err
    expected = ""
    for samples in runs:
        part = tmp_path / ("run%d" % samples[0])
        part.mkdir()
        for i, j in enumerate(samples):
            os.symlink(os.path.join(root, "%06d" % j), part / ("%06d" % i))
        n = str(len(samples) - 1)
        if tool == "vmstat":
            live = ok(["--root", str(part), "vmstat", *flags, "1", str(len(samples))])
            live = live.splitlines(True)
            expected += "".join(live if "-d" in flags else live[:2] + live[3:])
        else:
            expected += ok(["--root", str(part), tool, *flags,
                            *(["-y"] if tool == "iostat" else []), "1", n])
    assert ok(["history", tool, "--db", str(db), *flags]) == expected


def test_a_name_that_is_not_utf8_is_recorded(tmp_path):
    """A device name with bytes that are not UTF-8 (read as lone surrogates, which
    SQLite's text refuses: the recorder died with a UnicodeEncodeError) is stored
    escaped and read back as it was: history vmstat -d prints it as the live one."""
    import shutil

    from pystat.recorder.model import format_labels, parse_labels

    root = tmp_path / "busy"
    shutil.copytree(BUSY, root, symlinks=True, ignore=shutil.ignore_patterns("golden"))
    for k in range(5):
        path = root / ("%06d" % k) / "proc" / "diskstats"
        path.write_bytes(path.read_bytes().replace(b" zram0 ", b" zr\xe9m\\x41 "))
        block = os.fsencode(root / ("%06d" % k) / "sys" / "block")
        os.rename(block + b"/zram0", block + b"/zr\xe9m\\x41")   # a whole disk
    db = tmp_path / "h.db"
    ok(["--root", str(root), "record", "--db", str(db)])
    live = ok(["--root", str(root), "vmstat", "-d", "1", "5"])
    assert "zr\udce9m\\x41 " in live
    assert ok(["history", "vmstat", "-d", "--db", str(db)]) == live
    labels = (("device", 'a\udcff"\\x41\n\udc80'), ("z", ""))
    assert format_labels(labels) == 'device="a\\xff\\"\\\\x41\\n\\x80",z=""'
    assert parse_labels(format_labels(labels)) == labels


def test_history_sysstat_bad_input(busy_db):
    db = str(busy_db)
    assert "no INTERVAL" in fail(["history", "iostat", "--db", db, "1", "3"])
    assert "no INTERVAL" in fail(["history", "mpstat", "--db", db, "-P", "ALL", "2"])
    assert "not recorded" in fail(["history", "iostat", "--db", db, "-N"])
    assert "invalid option" in fail(["history", "iostat", "--db", db, "-Q"])
    fail(["history", "mpstat", "--db", db, "-P", "99"])


# --------------------------------------------------------------------------
# netstat history: -s and -i from the recorded files and ioctl answers

SOCKETS = os.path.join(FIXTURES, "sockets")


@pytest.mark.parametrize("flags", [["-s"], ["-s", "-6"], ["-s", "-t"], ["-s", "-uw"], ["-i"],
                                   ["-ie"], ["-ia"], ["-s", "--format", "json"],
                                   ["-i", "--format", "csv"]], ids=" ".join)
def test_history_netstat_equals_live_netstat_at_the_last_sample(busy_db, flags):
    live = ok(["--root", os.path.join(BUSY, "000004"), "netstat", *flags])
    assert ok(["history", "netstat", "--db", str(busy_db), *flags]) == live


def test_history_netstat_ic_is_the_table_at_every_sample(busy_db):
    assert (ok(["history", "netstat", "--db", str(busy_db), "-ic"])
            == ok(["--root", BUSY, "netstat", "-ic"]))


def test_history_netstat_until(busy_db):
    live = ok(["--root", os.path.join(BUSY, "000002"), "netstat", "-s"])
    assert ok(["history", "netstat", "--db", str(busy_db), "-s", "--until",
               "2026-11-26 22:51:41"]) == live


def test_sockets_per_protocol_and_state(tmp_path):
    """The 4,123 sockets of the sockets fixture, counted as netstat lists them."""
    import collections

    db = tmp_path / "h.db"
    ok(["--root", SOCKETS, "record", "--db", str(db)])
    for flags in (["-s"], ["-i"]):
        assert (ok(["history", "netstat", "--db", str(db), *flags])
                == ok(["--root", SOCKETS, "netstat", *flags]))
    listing = ok(["--root", SOCKETS, "netstat", "-antu"]).splitlines()[2:]
    def state(w):
        if w[0].startswith("tcp"):
            return w[5]
        return "ESTABLISHED" if w[5:6] == ["ESTABLISHED"] else "CLOSE"

    want = collections.Counter((w[0], state(w)) for w in map(str.split, listing))
    out = ok(["history", "series", "--db", str(db)])
    assert 'sockets{protocol="tcp",state="LISTEN"}' in out
    from pystat.recorder.store import Store

    store = Store.open_read(str(db))
    names, values = store.decode_raw(*store.data(0, "sockets", 0, 0)[0])
    got = {(s.label("protocol"), s.label("state")): v for s, v in zip(names, values)}
    store.close()
    for (proto, state), n in want.items():
        assert got[(proto, state)] == n, (proto, state)
    assert sum(v for (p, _), v in got.items() if p in ("tcp", "tcp6")) == \
        sum(n for (p, _), n in want.items() if p in ("tcp", "tcp6"))


def test_history_netstat_refuses_what_is_not_recorded(busy_db):
    db = str(busy_db)
    assert "only -s and -i" in fail(["history", "netstat", "--db", db, "-ant"])
    assert "only -s and -i" in fail(["history", "netstat", "--db", db, "-r"])
    assert "finest resolution" in fail(["history", "netstat", "--db", db, "-s",
                                        "--resolution", "1m"])
    code, out, err = run(["history", "netstat", "--db", db, "-Q"])
    assert code == 3 and "invalid option" in err


def test_netlink_socket_counts_equal_the_proc_tables():
    """On the live machine sockets are counted by netlink (cheaper than formatting
    /proc/net/tcp): the same counts as the tables, within what changes between reads."""
    import collections

    from pystat.recorder.sources import _INET_ROW, _diag_counts

    for table in ("tcp", "tcp6", "udp", "udp6"):
        before = _diag_counts(table)
        if before is None:
            pytest.skip("no sock_diag netlink here")
        with open(f"/proc/net/{table}") as f:
            text = collections.Counter(st.upper() for st in _INET_ROW.findall(f.read()))
        after = _diag_counts(table)
        for state in set(before) | set(text) | set(after):
            lo = min(before.get(state, 0), after.get(state, 0))
            hi = max(before.get(state, 0), after.get(state, 0))
            assert lo - 2 <= text.get(state, 0) <= hi + 2, (table, state)


def test_record_exclude(tmp_path):
    db = tmp_path / "h.db"
    ok(["--root", BUSY, "record", "--db", str(db), "--exclude", "sockets",
        "--exclude", "interrupts"])
    names = {line.split("{")[0] for line in ok(["history", "series", "--db", str(db)]).splitlines()}
    assert "sockets" not in names and "irq" not in names and "softirq" in names
    assert "no such source" in fail(["--root", BUSY, "record", "--db", str(db),
                                     "--exclude", "bogus"])


def test_costly_socket_counts_are_spaced_out(monkeypatch):
    """On the live machine a socket count that costs more than COST_LIMIT is made
    again only after as many samples as keep it under COST_TARGET on average."""
    from pystat.reader import Host
    from pystat.recorder.sources import SOURCES, Collected

    src = SOURCES["sockets"]
    monkeypatch.setattr(src, "COST_LIMIT", -1.0)      # every count "too costly"
    monkeypatch.setattr(src, "COST_TARGET", 1e-12)    # skip as many as allowed
    monkeypatch.setattr(src, "_skip", 0)
    host = Host()
    counted = []
    for _ in range(45):
        out = Collected()
        src.collect_host(host, host.root, out)
        counted.append("sockets" in out)
    assert [i for i, c in enumerate(counted) if c] == [0, 20, 40]


def test_a_value_beyond_64_bits_wraps_instead_of_failing(tmp_path):
    from pystat.recorder.model import COUNTER, series
    from pystat.recorder.store import Sample, Store

    db = str(tmp_path / "h.db")
    open(db, "w").close()
    store = Store.open_write(db, None, {})
    s = series("system", "odd", COUNTER, "count")
    store.conn.execute("BEGIN")
    store.write_raw(Sample(1.8e9, None, None, {"system": ([s], [(1 << 64) + 5])}))
    store.conn.execute("COMMIT")
    names, values = store.decode_raw(*store.data(0, "system", 0, 0)[0])
    assert values == (5,)
    store.close()
