"""Round-robin archives in one SQLite file.

Layout (schema 1; ``PRAGMA application_id`` = 0x50595354 "PYST",
``user_version`` = 1):

* ``meta(key, value)``: ``format``, ``created``, ``hz``, ``pagesize``,
  ``uname`` (JSON) of the recorded machine.
* ``archive(id, step, slots, next_seq)``: archive 0 is the finest (one raw
  sample per slot, ``step`` = the sampling step); the others consolidate it
  into ``step``-second slots aligned on the clock.  ``next_seq`` counts what
  was ever written: slot positions are ``seq % slots``, so each ring is
  strictly first-in first-out and a clock that steps backwards can relabel
  samples but never corrupt the ring.
* ``grp(id, name)``, ``series(id, grp, name, labels, kind, unit)``: the
  catalogue (see :mod:`pystat.recorder.model`); ``layout(id, series)``: a
  packed list of series ids, the order of the values in a data row.
* ``slot(id, t, uptime, boot, span, samples)`` with ``id = archive << 32 |
  position``: the sample time (for a consolidated slot, the start of the
  slot), the machine's uptime and boot time, and for a consolidated slot the
  seconds of contiguous intervals it covers and how many samples it holds.
* ``data(id, layout, vals)`` with ``id = archive << 48 | grp << 32 |
  position``: one row per group per slot; ``vals`` is zlib of the values
  (raw: little-endian u64 each, zlib level 6, or 1 for rows of 4 KiB or more
  since one is written every sample; consolidated: float64 averages, then
  minima, then maxima), padded with zeros to the group's ``capacity``.

Padding makes every rewrite of a slot the same size, which is why the file
stops growing once every archive has wrapped: a row is rewritten in place.
A capacity only grows (when a group gets more series, or its values
compress worse than ever before), with 1/8 and 8 bytes of headroom.

Every sample is one transaction (WAL, synchronous=NORMAL): a process killed
at any moment loses at most the sample it was writing.  The partly filled
consolidated slots live in memory and are rebuilt from the finest archive
when the recorder starts again.
"""

from __future__ import annotations

import contextlib
import math
import operator
import os
import sqlite3
import struct
import time
import zlib
from typing import NamedTuple

from pystat.errors import PystatError
from pystat.recorder.model import (DEFAULT_ARCHIVES, GAUGE, Archive, Series, contiguous,
                                   counter_delta, format_labels, parse_labels)

APPLICATION_ID = 0x50595354   # "PYST"
SCHEMA_VERSION = 1
SQLITE_MAGIC = b"SQLite format 3\0"

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE archive (id INTEGER PRIMARY KEY, step INTEGER NOT NULL, slots INTEGER NOT NULL,
                      next_seq INTEGER NOT NULL);
CREATE TABLE grp (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE series (id INTEGER PRIMARY KEY, grp INTEGER NOT NULL, name TEXT NOT NULL,
                     labels TEXT NOT NULL, kind TEXT NOT NULL, unit TEXT NOT NULL,
                     UNIQUE (name, labels));
CREATE TABLE layout (id INTEGER PRIMARY KEY, series BLOB NOT NULL);
CREATE TABLE capacity (archive INTEGER NOT NULL, grp INTEGER NOT NULL, bytes INTEGER NOT NULL,
                       PRIMARY KEY (archive, grp));
CREATE TABLE recorder (id INTEGER PRIMARY KEY CHECK (id = 0), pid INTEGER, started REAL);
-- untyped columns: a float is always stored in 8 bytes, so rewrites keep the size
CREATE TABLE slot (id INTEGER PRIMARY KEY, t, uptime, boot, span, samples);
CREATE TABLE data (id INTEGER PRIMARY KEY, layout INTEGER NOT NULL, vals BLOB NOT NULL);
"""

TABLES = {"meta", "archive", "grp", "series", "layout", "capacity", "recorder", "slot", "data"}


def slot_id(archive: int, pos: int) -> int:
    return archive << 32 | pos


def data_id(archive: int, grp: int, pos: int) -> int:
    return archive << 48 | grp << 32 | pos


class Sample(NamedTuple):
    t: float
    uptime: float | None      # seconds
    boot: float | None        # boot time, seconds since the epoch
    groups: dict              # group -> (list[Series], list[int])


class Slot(NamedTuple):
    pos: int
    seq: int
    t: float
    uptime: float | None
    boot: float | None
    span: float | None        # consolidated: seconds of intervals covered
    samples: float | None     # consolidated: raw samples in the slot


class DatabaseError(PystatError):
    pass


def default_path() -> str:
    base = (os.environ.get("XDG_DATA_HOME")
            or os.path.join(os.path.expanduser("~"), ".local", "share"))
    return os.path.join(base, "pystat", "history.db")


def _header(path: str, what: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(100)
    except IsADirectoryError:
        raise DatabaseError(f"{what}: {path} is a directory") from None
    except OSError as e:
        raise DatabaseError(f"{what}: cannot open {path}: {e.strerror or e}") from None


def check_ours(path: str, what: str, header: bytes | None = None) -> bool:
    """True if ``path`` is a pystat history database, False if it is empty;
    anything else (another SQLite database, another kind of file) is an error,
    raised before anything opens the file for writing."""
    head = _header(path, what) if header is None else header
    if not head:
        if os.path.exists(path + "-wal") and os.path.getsize(path + "-wal"):
            raise DatabaseError(f"{what}: {path} is empty but has a write-ahead log: "
                                "not a pystat history database")
        return False
    if not head.startswith(SQLITE_MAGIC) or len(head) < 100:
        raise DatabaseError(f"{what}: {path} is not a pystat history database "
                            "(not an SQLite file)")
    app_id = struct.unpack(">I", head[68:72])[0]
    if app_id != APPLICATION_ID:
        raise DatabaseError(f"{what}: {path} is not a pystat history database "
                            f"(SQLite application id {app_id:#x})")
    return True


def _pack_ids(ids) -> bytes:
    return struct.pack("<%dI" % len(ids), *ids)


def _unpack_ids(blob: bytes) -> tuple[int, ...]:
    return struct.unpack("<%dI" % (len(blob) // 4), blob)


class Store:
    """An open history database (see the module docstring for the layout)."""

    def __init__(self, conn: sqlite3.Connection, path: str, writable: bool, what: str):
        self.conn = conn
        self.path = path
        self.writable = writable
        self.what = what
        self._load()

    # -- opening ------------------------------------------------------------
    @classmethod
    def open_read(cls, path: str, what: str = "history") -> "Store":
        if not os.path.exists(path):
            raise DatabaseError(f"{what}: {path}: no such database "
                                "(record one with 'pystat record')")
        if not check_ours(path, what):
            raise DatabaseError(f"{what}: {path} is empty: nothing recorded yet")
        from urllib.parse import quote

        uri = f"file:{quote(os.path.abspath(path))}?mode=ro"
        try:
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA query_only = 1")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as e:
            # a directory we may not write to (no -shm can be made): read the file as it
            # is, if no recorder is writing to it (no write-ahead log)
            if os.path.exists(path + "-wal") and os.path.getsize(path + "-wal"):
                raise DatabaseError(f"{what}: {path}: {e}") from None
            try:
                conn = sqlite3.connect(uri + "&immutable=1", uri=True, isolation_level=None,
                                       check_same_thread=False)
            except sqlite3.Error as e2:
                raise DatabaseError(f"{what}: {path}: {e2}") from None
        except sqlite3.Error as e:
            raise DatabaseError(f"{what}: {path}: {e}") from None
        return cls._opened(conn, path, False, what)

    @classmethod
    def _opened(cls, conn, path: str, writable: bool, what: str) -> "Store":
        try:
            return cls(conn, path, writable, what)
        except BaseException:
            conn.close()
            raise

    @classmethod
    def open_write(cls, path: str, archives: list[Archive] | None, meta: dict,
                   what: str = "record") -> "Store":
        """Open (creating it if new or empty) for the recorder, which holds the lock.
        Nothing is written to an existing file before it proved to be a sound
        pystat history database."""
        exists = check_ours(path, what)
        try:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as e:
            raise DatabaseError(f"{what}: {path}: {e}") from None
        try:
            if exists:
                _quick_check(conn, path, what)
            else:
                _create(conn, list(archives or DEFAULT_ARCHIVES), meta)
            store = cls._opened(conn, path, True, what)
            if exists and archives is not None and list(archives) != store.archives:
                have = " ".join(f"--archive {a}" for a in store.archives)
                raise DatabaseError(f"{what}: {path} was created with {have}; "
                                    "its archives cannot change (use another --db)")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA journal_size_limit = 4194304")
            return store
        except sqlite3.Error as e:
            conn.close()
            raise DatabaseError(f"{what}: {path}: {e}") from None
        except BaseException:
            conn.close()
            raise

    def _load(self) -> None:
        c = self.conn
        try:
            app_id = c.execute("PRAGMA application_id").fetchone()[0]
            version = c.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.Error as e:
            raise DatabaseError(f"{self.what}: {self.path}: {e}") from None
        if app_id != APPLICATION_ID:
            raise DatabaseError(f"{self.what}: {self.path} is not a pystat history database")
        if version > SCHEMA_VERSION:
            raise DatabaseError(f"{self.what}: {self.path} was written by a newer pystat "
                                f"(schema {version}; this one knows {SCHEMA_VERSION})")
        if version < 1 or not TABLES <= tables:
            raise DatabaseError(f"{self.what}: {self.path}: damaged pystat history database "
                                f"(missing tables: {', '.join(sorted(TABLES - tables))})")
        try:
            self.meta = dict(c.execute("SELECT key, value FROM meta"))
            rows = c.execute("SELECT id, step, slots, next_seq FROM archive ORDER BY id").fetchall()
            self.archives = [Archive(step, slots) for _, step, slots, _ in rows]
            self.next_seq = [n for _, _, _, n in rows]
            if [r[0] for r in rows] != list(range(len(rows))) or not rows:
                raise DatabaseError(f"{self.what}: {self.path}: damaged archive table")
            self.groups = {name: gid for gid, name in c.execute("SELECT id, name FROM grp")}
            self.series_by_id: dict[int, Series] = {}
            self.series_ids: dict[Series, int] = {}
            gname = {gid: name for name, gid in self.groups.items()}
            for sid, gid, name, labels, kind, unit in c.execute(
                    "SELECT id, grp, name, labels, kind, unit FROM series"):
                s = Series(name, parse_labels(labels), kind, unit, gname[gid])
                self.series_by_id[sid] = s
                self.series_ids[s] = sid
            self.layouts = {lid: _unpack_ids(blob)
                            for lid, blob in c.execute("SELECT id, series FROM layout")}
            self.layout_ids = {ids: lid for lid, ids in self.layouts.items()}
            self.capacity = {(a, g): b for a, g, b in c.execute(
                "SELECT archive, grp, bytes FROM capacity")}
        except (sqlite3.Error, KeyError, ValueError, struct.error) as e:
            raise DatabaseError(f"{self.what}: {self.path}: damaged pystat history database "
                                f"({e})") from None
        self._layout_series: dict[int, tuple[Series, ...]] = {}
        self._raw_decoders: dict[int, tuple] = {}
        self._slots: dict[int, list] = {}
        self._last_layout: dict[tuple[int, str], tuple[list, int]] = {}

    def close(self) -> None:
        try:
            self.conn.close()
        except sqlite3.Error:
            pass

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- catalogue ------------------------------------------------------------
    def layout_series(self, lid: int) -> tuple[Series, ...]:
        s = self._layout_series.get(lid)
        if s is None:
            try:
                s = tuple(self.series_by_id[i] for i in self.layouts[lid])
            except KeyError:
                raise DatabaseError(f"{self.what}: {self.path}: damaged data "
                                    f"(unknown layout or series in layout {lid})") from None
            self._layout_series[lid] = s
        return s

    def _group_id(self, name: str) -> int:
        gid = self.groups.get(name)
        if gid is None:
            gid = self.conn.execute("INSERT INTO grp (name) VALUES (?)", (name,)).lastrowid
            self.groups[name] = gid
        return gid

    def _layout(self, archive: int, group: str, names: list[Series]) -> int:
        last = self._last_layout.get((archive, group))
        if last is not None and last[0] == names:
            return last[1]
        ids = []
        for s in names:
            sid = self.series_ids.get(s)
            if sid is None:
                sid = self.conn.execute(
                    "INSERT INTO series (grp, name, labels, kind, unit) VALUES (?, ?, ?, ?, ?)",
                    (self._group_id(s.group), s.name, format_labels(s.labels), s.kind,
                     s.unit)).lastrowid
                self.series_ids[s] = sid
                self.series_by_id[sid] = s
            ids.append(sid)
        ids = tuple(ids)
        lid = self.layout_ids.get(ids)
        if lid is None:
            lid = self.conn.execute("INSERT INTO layout (series) VALUES (?)",
                                    (_pack_ids(ids),)).lastrowid
            self.layouts[lid] = ids
            self.layout_ids[ids] = lid
        self._last_layout[(archive, group)] = (list(names), lid)
        return lid

    def _pad(self, archive: int, gid: int, blob: bytes) -> bytes:
        cap = self.capacity.get((archive, gid), 0)
        if len(blob) > cap:
            cap = (len(blob) * 9 // 8 + 8 + 7) // 8 * 8
            self.conn.execute("INSERT OR REPLACE INTO capacity VALUES (?, ?, ?)",
                              (archive, gid, cap))
            self.capacity[(archive, gid)] = cap
        return blob + bytes(cap - len(blob))

    # -- writing ------------------------------------------------------------
    def _put_slot(self, archive: int, pos: int, t, uptime, boot, span, samples) -> None:
        self.conn.execute(
            "INSERT INTO slot VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
            "t = excluded.t, uptime = excluded.uptime, boot = excluded.boot, "
            "span = excluded.span, samples = excluded.samples",
            (slot_id(archive, pos), float(t), _f(uptime), _f(boot), _f(span), _f(samples)))

    def _put_data(self, archive: int, pos: int, rows: dict[str, tuple[int, bytes]]) -> None:
        c = self.conn
        for group, gid in self.groups.items():
            if group not in rows:
                c.execute("DELETE FROM data WHERE id = ?", (data_id(archive, gid, pos),))
        for group, (lid, blob) in rows.items():
            gid = self._group_id(group)
            c.execute("INSERT INTO data VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                      "layout = excluded.layout, vals = excluded.vals",
                      (data_id(archive, gid, pos), lid, self._pad(archive, gid, blob)))

    def write_raw(self, sample: Sample) -> None:
        rows = {}
        for group, (names, values) in sample.groups.items():
            lid = self._layout(0, group, names)
            try:
                raw = struct.pack("<%dQ" % len(values), *values)
            except struct.error:   # out of u64: wrapped, as the kernel's unsigned counters
                raw = struct.pack("<%dQ" % len(values), *(v & 0xFFFFFFFFFFFFFFFF for v in values))
            # level 6 costs little on small rows, and saves a tenth; big ones (many
            # CPUs' interrupts) would cost milliseconds a sample: level 1
            rows[group] = (lid, zlib.compress(raw, 6 if len(raw) < 4096 else 1))
        seq = self.next_seq[0]
        pos = seq % self.archives[0].slots
        self._put_slot(0, pos, sample.t, sample.uptime, sample.boot, None, None)
        self._put_data(0, pos, rows)
        self.next_seq[0] = seq + 1
        self.conn.execute("UPDATE archive SET next_seq = ? WHERE id = 0", (seq + 1,))

    def write_consolidated(self, archive: int, slot: "Bucket", overwrite: bool) -> None:
        """Write a consolidated slot: into the newest position when ``overwrite``
        (the same slot written again), else into the next one."""
        step = self.archives[archive].step
        rows = {}
        for group, (names, avg, lo, hi) in slot.values().items():
            lid = self._layout(archive, group, names)
            n = len(avg)
            rows[group] = (lid, zlib.compress(struct.pack("<%dd" % (3 * n), *avg, *lo, *hi), 6))
        seq = self.next_seq[archive]
        if overwrite and seq:
            seq -= 1
        pos = seq % self.archives[archive].slots
        self._put_slot(archive, pos, slot.bucket * step, slot.uptime, slot.boot, slot.span,
                       slot.samples)
        self._put_data(archive, pos, rows)
        if seq + 1 != self.next_seq[archive]:
            self.next_seq[archive] = seq + 1
            self.conn.execute("UPDATE archive SET next_seq = ? WHERE id = ?", (seq + 1, archive))

    def set_meta(self, values: dict) -> None:
        for k, v in values.items():
            if self.meta.get(k) != v:
                self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (k, v))
                self.meta[k] = v

    # -- reading ------------------------------------------------------------
    def slots(self, archive: int) -> list[Slot]:
        """The archive's slots, oldest first (first in, first out)."""
        if not self.writable and archive in self._slots:
            return self._slots[archive]
        out = self._read_slots(archive)
        if not self.writable:
            self._slots[archive] = out
        return out

    def _read_slots(self, archive: int) -> list[Slot]:
        a = self.archives[archive]
        nxt = self.next_seq[archive]
        lo, hi = slot_id(archive, 0), slot_id(archive, a.slots - 1)
        rows = self.conn.execute(
            "SELECT id, t, uptime, boot, span, samples FROM slot WHERE id BETWEEN ? AND ?",
            (lo, hi)).fetchall()
        out = []
        for sid, t, up, boot, span, samples in rows:
            pos = sid - lo
            # the newest seq that landed on pos
            seq = nxt - 1 - ((nxt - 1 - pos) % a.slots)
            if seq < 0 or t is None:
                continue
            out.append(Slot(pos, seq, t, up, boot, span, samples))
        out.sort(key=lambda s: s.seq)
        return out

    def data(self, archive: int, group: str, first: int, last: int):
        """{position: (layout id, blob)} of a group for positions first..last."""
        gid = self.groups.get(group)
        if gid is None:
            return {}
        lo = data_id(archive, gid, 0)
        return {i - lo: (lid, vals) for i, lid, vals in self.conn.execute(
            "SELECT id, layout, vals FROM data WHERE id BETWEEN ? AND ?",
            (data_id(archive, gid, first), data_id(archive, gid, last)))}

    def decode_raw(self, lid: int, blob: bytes) -> tuple[tuple[Series, ...], tuple[int, ...]]:
        dec = self._raw_decoders.get(lid)
        if dec is None:
            names = self.layout_series(lid)
            dec = self._raw_decoders[lid] = (names, struct.Struct("<%dQ" % len(names)).unpack_from)
        try:
            return dec[0], dec[1](zlib.decompress(blob, 0))   # 0: the stream's own window
        except (zlib.error, struct.error) as e:
            raise DatabaseError(f"{self.what}: {self.path}: damaged data ({e})") from None

    def decode_consolidated(self, lid: int, blob: bytes):
        names = self.layout_series(lid)
        n = len(names)
        try:
            v = struct.unpack_from("<%dd" % (3 * n), zlib.decompress(blob, 0))
        except (zlib.error, struct.error) as e:
            raise DatabaseError(f"{self.what}: {self.path}: damaged data ({e})") from None
        return names, v[:n], v[n:2 * n], v[2 * n:]

    def file_size(self) -> int:
        size = 0
        for suffix in ("", "-wal"):
            try:
                size += os.path.getsize(self.path + suffix)
            except OSError:
                pass
        return size


def _quick_check(conn: sqlite3.Connection, path: str, what: str) -> None:
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.Error as e:
        rows = [(str(e),)]
    if rows != [("ok",)]:
        problem = rows[0][0] if rows else "?"
        raise DatabaseError(f"{what}: {path} is damaged ({problem}); "
                            "move it away to start a new history")


def _runs(positions: list[int]) -> list[tuple[int, int]]:
    """Contiguous runs of sorted positions, as (first, last)."""
    out: list[tuple[int, int]] = []
    for p in positions:
        if out and p == out[-1][1] + 1:
            out[-1] = (out[-1][0], p)
        else:
            out.append((p, p))
    return out


def _f(x):
    return None if x is None else float(x)


@contextlib.contextmanager
def immediate(conn: sqlite3.Connection):
    """One write transaction (BEGIN IMMEDIATE: the write lock at once), committed
    at the end of the block, rolled back if it raises."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        raise


def _create(conn: sqlite3.Connection, archives: list[Archive], meta: dict) -> None:
    """The schema, in rollback-journal mode, so that the main file carries the
    application id before any write-ahead log exists."""
    conn.execute("PRAGMA journal_mode = DELETE")
    with immediate(conn):
        for stmt in SCHEMA.split(";"):
            if stmt.strip():
                conn.execute(stmt)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        for i, a in enumerate(archives):
            conn.execute("INSERT INTO archive VALUES (?, ?, ?, 0)", (i, a.step, a.slots))
        conn.executemany("INSERT INTO meta VALUES (?, ?)",
                         [("format", "pystat history"), ("created", repr(time.time()))]
                         + sorted(meta.items()))


# --------------------------------------------------------------------------
# Consolidation

class Layout:
    """Where the gauges and the counters are in a group's list of series."""

    __slots__ = ("names", "gauges", "counters", "gget", "cget")

    def __init__(self, names: list[Series]):
        self.names = names
        self.gauges = [i for i, s in enumerate(names) if s.kind == GAUGE]
        self.counters = [i for i, s in enumerate(names) if s.kind != GAUGE]
        self.gget = _getter(self.gauges)
        self.cget = _getter(self.counters)


def _getter(idx: list[int]):
    if not idx:
        return lambda v: ()
    if len(idx) == 1:
        return lambda v, i=idx[0]: (v[i],)
    return operator.itemgetter(*idx)


class _Run:
    """A group's consolidation while its layout stays the same: one list per
    statistic, updated a whole list at a time."""

    __slots__ = ("layout", "n", "gsum", "gmin", "gmax", "dsum", "dt", "dt_all", "rmin", "rmax")

    def __init__(self, layout: Layout, values):
        self.layout = layout
        g = layout.gget(values)
        self.n = 1
        self.gsum, self.gmin, self.gmax = list(g), list(g), list(g)
        k = len(layout.counters)
        self.dsum = [0] * k
        self.dt_all = 0.0      # seconds every counter was there for
        self.dt = None         # seconds only some were there for (rare: a layout change)
        self.rmin = [math.inf] * k
        self.rmax = [-math.inf] * k

    def add(self, values) -> None:
        g = self.layout.gget(values)
        self.n += 1
        self.gsum = list(map(operator.add, self.gsum, g))
        self.gmin = list(map(min, self.gmin, g))
        self.gmax = list(map(max, self.gmax, g))

    def intervals(self, d: list, dt: float) -> None:
        """Counter growth over an interval of dt seconds (aligned to the counters;
        None where a counter has no previous value)."""
        if None in d:
            if self.dt is None:
                self.dt = [0.0] * len(d)
            for i, x in enumerate(d):
                if x is not None:
                    r = x / dt
                    self.dsum[i] += x
                    self.dt[i] += dt
                    if r < self.rmin[i]:
                        self.rmin[i] = r
                    if r > self.rmax[i]:
                        self.rmax[i] = r
            return
        rates = [x / dt for x in d]
        self.dsum = list(map(operator.add, self.dsum, d))
        self.dt_all += dt
        self.rmin = list(map(min, self.rmin, rates))
        self.rmax = list(map(max, self.rmax, rates))

    def states(self):
        """(series, state) per series: gauges [n, sum, min, max], counters [growth,
        seconds, slowest rate, fastest rate]."""
        names = self.layout.names
        for j, i in enumerate(self.layout.gauges):
            yield names[i], [self.n, self.gsum[j], self.gmin[j], self.gmax[j]]
        dt = self.dt or [0.0] * len(self.dsum)
        for j, i in enumerate(self.layout.counters):
            yield names[i], [self.dsum[j], self.dt_all + dt[j], self.rmin[j], self.rmax[j]]


def _merge(a: list, b: list) -> list:
    return [a[0] + b[0], a[1] + b[1], min(a[2], b[2]), max(a[3], b[3])]


class Bucket:
    """A consolidated slot being filled: per series, gauges' count/sum/min/max and
    counters' growth, covered seconds, and slowest/fastest interval rate."""

    __slots__ = ("bucket", "runs", "done", "span", "samples", "uptime", "boot")

    def __init__(self, bucket: int):
        self.bucket = bucket
        self.runs: dict[str, _Run] = {}
        self.done: dict[str, dict[Series, list]] = {}   # runs of earlier layouts
        self.span = 0.0
        self.samples = 0
        self.uptime = None
        self.boot = None

    def add(self, sample: Sample, layouts: dict, deltas: dict | None, dt: float) -> None:
        """One raw sample; ``deltas[group]`` is the growth of each counter since the
        previous sample (None: no contiguous previous sample), ``dt`` the interval."""
        self.samples += 1
        self.uptime, self.boot = sample.uptime, sample.boot
        if deltas is not None:
            self.span += dt
        for group, (names, values) in sample.groups.items():
            layout = layouts[group]
            run = self.runs.get(group)
            if run is None or run.layout is not layout:
                if run is not None:
                    self._retire(group, run)
                run = self.runs[group] = _Run(layout, values)
            else:
                run.add(values)
            d = deltas.get(group) if deltas is not None else None
            if d is not None:
                run.intervals(d, dt)

    def absorb(self, other: "Bucket") -> None:
        """Merge a finer archive's finished slot into this one (the same sums,
        minima and maxima as adding its samples one by one)."""
        self.samples += other.samples
        self.span += other.span
        self.uptime, self.boot = other.uptime, other.boot
        for group, run in other.runs.items():
            self._retire(group, run)
        for group, states in other.done.items():
            done = self.done.setdefault(group, {})
            for s, st in states.items():
                old = done.get(s)
                done[s] = list(st) if old is None else _merge(old, st)

    def _retire(self, group: str, run: _Run) -> None:
        done = self.done.setdefault(group, {})
        for s, st in run.states():
            old = done.get(s)
            done[s] = st if old is None else _merge(old, st)

    def values(self) -> dict[str, tuple[list, list, list, list]]:
        """Per group: series, averages, minima, maxima (counters: rates per second;
        NaN where a counter has no interval in the slot)."""
        out = {}
        nan = math.nan
        for group in list(self.runs) + [g for g in self.done if g not in self.runs]:
            states: dict[Series, list] = {}
            run = self.runs.get(group)
            if run is not None:
                states.update(run.states())
            for s, st in self.done.get(group, {}).items():
                old = states.get(s)
                states[s] = st if old is None else _merge(old, st)
            names, avg, lo, hi = [], [], [], []
            for s, e in states.items():
                names.append(s)
                if s.kind == GAUGE:
                    avg.append(e[1] / e[0])
                    lo.append(float(e[2]))
                    hi.append(float(e[3]))
                elif e[1] > 0:
                    avg.append(e[0] / e[1])
                    lo.append(e[2])
                    hi.append(e[3])
                else:
                    avg.append(nan)
                    lo.append(nan)
                    hi.append(nan)
            out[group] = (names, avg, lo, hi)
        return out


class Deltas:
    """Counter growth between consecutive samples, per group, aligned to the layout's
    counters; layouts are recognised by their list of series (compared by identity of
    its items, which the sources reuse)."""

    def __init__(self):
        self.layouts: dict[str, Layout] = {}

    def layouts_of(self, sample: Sample) -> dict[str, Layout]:
        out = {}
        for group, (names, _) in sample.groups.items():
            lay = self.layouts.get(group)
            if lay is None or lay.names != names:
                lay = self.layouts[group] = Layout(names)
            out[group] = lay
        return out

    @staticmethod
    def between(prev: Sample, prev_layouts: dict, cur: Sample, layouts: dict) -> dict[str, list]:
        out = {}
        for group, (names, values) in cur.groups.items():
            p = prev.groups.get(group)
            if p is None:
                continue
            lay, play = layouts[group], prev_layouts[group]
            if lay is play:
                new, old = lay.cget(values), lay.cget(p[1])
                d = list(map(operator.sub, new, old))
                if d and min(d) < 0:
                    d = [counter_delta(a, b) for a, b in zip(old, new)]
            else:
                before = dict(zip(p[0], p[1]))
                d = []
                for i in lay.counters:
                    a = before.get(names[i])
                    d.append(None if a is None else counter_delta(a, values[i]))
            out[group] = d
        return out


class Writer:
    """The recorder's side: appends samples to every archive, one transaction each."""

    def __init__(self, store: Store):
        self.store = store
        self.raw_step = store.archives[0].step
        self.prev: Sample | None = None
        self.deltas = Deltas()
        self.prev_layouts: dict[str, Layout] = {}
        self.buckets: list[Bucket | None] = [None] * len(store.archives)
        # an archive whose resolution is a multiple of a finer consolidated one's is
        # fed that one's finished slots instead of every raw sample
        self.parent: list[int | None] = [None] * len(store.archives)
        self.children: list[list[int]] = [[] for _ in store.archives]
        for a in range(2, len(store.archives)):
            for f in range(a - 1, 0, -1):
                if store.archives[a].step % store.archives[f].step == 0:
                    self.parent[a] = f
                    self.children[f].append(a)
                    break
        # the bucket each consolidated archive wrote last (rewritten while current)
        self.last_written: list[int | None] = [None] * len(store.archives)
        for a in range(1, len(store.archives)):
            nxt = store.next_seq[a]
            if nxt:
                row = store.conn.execute(
                    "SELECT t FROM slot WHERE id = ?",
                    (slot_id(a, (nxt - 1) % store.archives[a].slots),)).fetchone()
                if row and row[0] is not None:
                    self.last_written[a] = round(row[0] / store.archives[a].step)
        self._rebuild()

    def _rebuild(self) -> None:
        """Refill the consolidated slots in progress from the finest archive."""
        store = self.store
        if not store.next_seq[0] or len(store.archives) == 1:
            if store.next_seq[0]:
                self.prev = self._read_raw(store.slots(0)[-1:])[-1]
            return
        slots = store.slots(0)
        newest = slots[-1].t
        # the slots in progress began at the earliest of the archives' current slot starts
        earliest = min((newest // a.step) * a.step for a in store.archives[1:])
        start = len(slots) - 1
        while (start > 0 and earliest <= slots[start - 1].t <= slots[start].t):
            start -= 1
        # and the one before, only as the start of the first interval
        samples = self._read_raw(slots[max(start - 1, 0):])
        prev = None
        if start > 0:
            prev = samples.pop(0)
            self.prev_layouts = self.deltas.layouts_of(prev)
        for s in samples:
            self._consolidate(s, prev, rebuild=True)
            prev = s
        self.prev = prev

    def _read_raw(self, slots: list[Slot]) -> list[Sample]:
        store = self.store
        if not slots:
            return []
        runs = _runs(sorted(s.pos for s in slots))
        data = {g: {} for g in store.groups}
        for first, last in runs:
            for g in store.groups:
                data[g].update(store.data(0, g, first, last))
        out = []
        for sl in slots:
            groups = {}
            for g, rows in data.items():
                row = rows.get(sl.pos)
                if row is not None:
                    names, values = store.decode_raw(*row)
                    groups[g] = (list(names), list(values))
            out.append(Sample(sl.t, sl.uptime, sl.boot, groups))
        return out

    def _consolidate(self, sample: Sample, prev: Sample | None, rebuild: bool = False) -> None:
        if len(self.store.archives) == 1:
            return
        layouts = self.deltas.layouts_of(sample)
        deltas, dt = None, 0.0
        if prev is not None and contiguous(prev.t, prev.uptime, prev.boot, sample.t,
                                           sample.uptime, sample.boot, self.raw_step):
            dt = sample.t - prev.t
            deltas = Deltas.between(prev, self.prev_layouts, sample, layouts)
        self.prev_layouts = layouts
        for a in range(1, len(self.store.archives)):
            if self.parent[a] is not None:
                continue
            b = int(sample.t // self.store.archives[a].step)
            cur = self.buckets[a]
            if cur is not None and cur.bucket != b:
                self._finish(a, rebuild)
                cur = None
            if cur is None:
                cur = self.buckets[a] = Bucket(b)
            cur.add(sample, layouts, deltas, dt)
        # a slot fed by a finer archive is done as soon as a sample falls past it
        # (finest first: it has just received its last part from the finer one)
        for a in range(2, len(self.store.archives)):
            cur = self.buckets[a]
            if (self.parent[a] is not None and cur is not None
                    and cur.bucket != int(sample.t // self.store.archives[a].step)):
                self._finish(a, rebuild)

    def _finish(self, a: int, rebuild: bool) -> None:
        """Archive a's slot is done: write it (not when rebuilding) and pass it on to
        the coarser archives it feeds."""
        done = self.buckets[a]
        self.buckets[a] = None
        if done is None:
            return
        if not rebuild:
            self._write(a, done)
        for c in self.children[a]:
            b = done.bucket * self.store.archives[a].step // self.store.archives[c].step
            cur = self.buckets[c]
            if cur is not None and cur.bucket != b:
                self._finish(c, rebuild)
                cur = None
            if cur is None:
                cur = self.buckets[c] = Bucket(b)
            cur.absorb(done)

    def _write(self, a: int, bucket: Bucket) -> None:
        self.store.write_consolidated(a, bucket, overwrite=self.last_written[a] == bucket.bucket)
        self.last_written[a] = bucket.bucket

    def append(self, sample: Sample) -> None:
        """Record one sample (and any consolidated slot it completes), atomically."""
        with immediate(self.store.conn):
            self._consolidate(sample, self.prev)
            self.store.write_raw(sample)
        self.prev = sample

    def finish(self) -> None:
        """At a clean stop: write the consolidated slots in progress, finest first so
        that each reaches the coarser ones (a restart in the same slot rewrites them)."""
        with immediate(self.store.conn):
            for a in range(1, len(self.store.archives)):
                self._finish(a, rebuild=False)
