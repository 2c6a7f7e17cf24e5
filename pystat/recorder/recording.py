"""``pystat record``: sample every source each step into the archives.

The first sample at once, then one every step (on the monotonic clock, so
that a wall clock that jumps does not disturb the pace; a sample that runs
late skips the steps it missed); each sample is one transaction.  Runs until
SIGINT or SIGTERM, the end
of ``--duration``, or the end of a snapshot series under ``--root``.  The
database file is locked (flock) while recording: a second recorder on the
same file is refused, and the lock goes away with the process, however it
ends.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import stat
import sys
import time

from pystat.errors import PystatError, SeriesExhausted
from pystat.recorder import sources as _sources
from pystat.recorder.model import (DEFAULT_ARCHIVES, Archive, check_layout, format_duration,
                                   format_time, parse_archive, parse_duration)
from pystat.recorder.store import (DatabaseError, Sample, Store, Writer, check_ours,
                                   default_path, immediate)

WHAT = "record"

UPTIME = ("uptime", ())
BOOT = ("boot_time", ())


class _Interrupted(Exception):
    pass


class Stop:
    """SIGINT/SIGTERM: finish the sample in progress, then stop; a signal that
    arrives while sleeping ends the sleep at once."""

    def __init__(self):
        self.requested = False
        self.sleeping = False
        self._old = {}

    def _handler(self, signum, frame):
        self.requested = True
        if self.sleeping:
            self.sleeping = False
            raise _Interrupted

    def install(self):
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._old[sig] = signal.signal(sig, self._handler)

    def restore(self):
        for sig, old in self._old.items():
            signal.signal(sig, old)

    def wait(self, fn, *args) -> None:
        if self.requested:
            return
        self.sleeping = True
        try:
            fn(*args)
        except _Interrupted:
            pass
        finally:
            self.sleeping = False


def layout_from_options(step: str | None, archives: tuple[str, ...],
                        default_step: int | None) -> list[Archive] | None:
    """The archives asked for on the command line (None: the database's, or the defaults)."""
    if archives:
        layout = check_layout([parse_archive(a) for a in archives])
        if step is not None and parse_duration(step, "record: --step") != layout[0].step:
            raise PystatError(f"record: --step {step} differs from the finest --archive "
                              f"({layout[0]}): the step is the finest resolution")
        return layout
    if step is None and default_step is None:
        return None
    s = parse_duration(step, "record: --step") if step is not None else default_step
    if s < 1:
        raise PystatError("record: --step must be at least 1s")
    raw = Archive(s, -(-86400 // s))
    coarse = [a for a in DEFAULT_ARCHIVES[1:] if a.step > s]
    bad = [a for a in coarse if a.step % s]
    if bad:
        raise PystatError(f"record: --step {format_duration(s)} does not divide the default "
                          f"archives' {format_duration(bad[0].step)}: "
                          "give the layout with --archive")
    return check_layout([raw] + coarse)


def series_step(host) -> int | None:
    """The spacing of a snapshot series, in whole seconds (the default step under --root)."""
    from pystat.reader import SeriesHost, _read_meta

    if not isinstance(host, SeriesHost) or len(host.samples) < 2:
        return None
    try:
        t1 = _read_meta(os.path.join(host.path, host.samples[1])).get("time")
    except PystatError:
        return None
    if t1 is None:
        return None
    return max(1, int(round(t1 - host.now())))


def lock(path: str, what: str = WHAT) -> int:
    """Open ``path`` (creating it empty if new) and take its recorder lock."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as e:
        raise DatabaseError(f"{what}: cannot open {path}: {e.strerror or e}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        who = _recorder_of(path)
        raise PystatError(f"{what}: {path} is already being recorded{who}; "
                          "one recorder per database") from None
    return fd


def _recorder_of(path: str) -> str:
    try:
        store = Store.open_read(path, WHAT)
    except PystatError:
        return ""
    try:
        row = store.conn.execute("SELECT pid, started FROM recorder").fetchone()
    except Exception:
        row = None
    finally:
        store.close()
    if not row or row[0] is None:
        return ""
    return f" by pid {row[0]} (since {format_time(row[1])})"


def resolve_path(db: str | None) -> str:
    if db is None:
        path = default_path()
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
        except OSError as e:
            raise DatabaseError(f"{WHAT}: cannot create {os.path.dirname(path)}: "
                                f"{e.strerror or e}") from None
        return path
    if not db:
        raise PystatError(f"{WHAT}: --db: empty path")
    parent = os.path.dirname(os.path.abspath(db))
    if not os.path.isdir(parent):
        raise DatabaseError(f"{WHAT}: --db {db}: no such directory {parent}")
    return db


def check_file(path: str, what: str = WHAT) -> None:
    """Refuse what is not a regular file, and any file that is not ours, before opening it
    for writing."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as e:
        raise DatabaseError(f"{what}: {path}: {e.strerror or e}") from None
    if stat.S_ISDIR(st.st_mode):
        raise DatabaseError(f"{what}: {path} is a directory")
    if not stat.S_ISREG(st.st_mode):
        raise DatabaseError(f"{what}: {path} is not a regular file")
    check_ours(path, what)


def record(host, db: str | None, step: str | None, duration: str | None,
           archives: tuple[str, ...], verbose: bool, err=None, exclude=()) -> int:
    """Run the recorder; returns the number of samples written."""
    err = err or sys.stderr
    unknown = [x for x in exclude if x not in _sources.SOURCES]
    if unknown:
        raise PystatError(f"{WHAT}: --exclude {unknown[0]}: no such source (sources: "
                          + ", ".join(_sources.SOURCES) + ")")
    sources = [src for name, src in _sources.SOURCES.items() if name not in exclude]
    path = resolve_path(db)
    layout = layout_from_options(step, archives, None if step or archives else series_step(host))
    dur = parse_duration(duration, f"{WHAT}: --duration") if duration is not None else None

    check_file(path)
    fd = lock(path)
    store = None
    stop = Stop()
    n = 0
    try:
        check_file(path)   # again, now that we hold the lock
        uname = host.uname()
        meta = {"hz": str(host.hz), "pagesize": str(host.pagesize),
                "uname": json.dumps(list(uname))}
        existing = os.path.getsize(path) > 0
        store = Store.open_write(path, layout if not existing or archives else None, meta)
        have = store.archives[0].step
        if existing and layout is not None and not archives and layout[0].step != have:
            raise DatabaseError(f"{WHAT}: {path} records every {format_duration(have)}; "
                                "--step cannot change it (use another --db)")
        recorded = _nodename(store.meta.get("uname"))
        if existing and recorded is not None and recorded != uname[1]:
            raise DatabaseError(f"{WHAT}: {path} holds the history of host {recorded}; this is "
                                f"{uname[1]} (use another --db)")
        c = store.conn
        with immediate(c):
            store.set_meta(meta)
            c.execute("INSERT OR REPLACE INTO recorder VALUES (0, ?, ?)",
                      (os.getpid(), time.time()))
        writer = Writer(store)
        step_s = store.archives[0].step
        if verbose:
            err.write(f"pystat: record: {path}: every {format_duration(step_s)}, archives "
                      + " ".join(str(a) for a in store.archives) + "\n")
            err.flush()
        stop.install()
        n = _loop(host, writer, step_s, dur, stop, verbose, err, sources)
        writer.finish()
        c.execute("DELETE FROM recorder")
    except DatabaseError:
        raise
    except PystatError:
        raise
    except Exception as e:  # sqlite3 errors, a full disk...
        import sqlite3

        if isinstance(e, (sqlite3.Error, OSError)):
            raise DatabaseError(f"{WHAT}: {path}: {e}") from None
        raise
    finally:
        stop.restore()
        if store is not None:
            store.close()
        os.close(fd)
    if verbose:
        err.write(f"pystat: record: stopped after {n} samples\n")
    return n


def _loop(host, writer: Writer, step: int, duration: int | None, stop: Stop, verbose, err,
          sources=None) -> int:
    from pystat.reader import SeriesHost, SnapshotHost

    live = host.live
    single = isinstance(host, SnapshotHost) and not isinstance(host, SeriesHost)
    m0 = time.monotonic()     # live: sample k is due at m0 + k * step (the wall clock may jump)
    k = 0
    t0 = host.now()
    warned: dict[str, str] = {}
    n = 0
    last_t = None
    while True:
        t = host.now()
        errors: dict[str, str] = {}
        groups = _sources.collect_all(host.root, sources, errors=errors, host=host)
        for name, msg in errors.items():
            if warned.get(name) != msg:
                err.write(f"pystat: record: {msg} (not recorded)\n")
                err.flush()
                warned[name] = msg
        if not groups:
            raise PystatError(f"{WHAT}: nothing could be read: " + "; ".join(errors.values()))
        if last_t is not None and t <= last_t:
            err.write(f"pystat: record: the clock went back {last_t - t:.1f}s "
                      f"(to {format_time(t)}): a gap in the reports\n")
            err.flush()
        sample = Sample(t, _value(groups, "system", "uptime", 100.0),
                        _value(groups, "system", "boot_time", 1), groups)
        writer.append(sample)
        n += 1
        last_t = t
        if verbose:
            err.write(f"pystat: record: sample {writer.store.next_seq[0]} at {format_time(t)}\n")
            err.flush()
        if stop.requested:
            break
        if live:
            k += 1
            late = int((time.monotonic() - m0) // step)
            if late >= k:         # a sample took longer than a step: skip the missed ones
                k = late + 1
            if duration is not None and k * step > duration + step / 2:
                break
            stop.wait(_sleep_until, m0 + k * step)
            if stop.requested:
                break
        else:
            if duration is None and single:
                break   # one snapshot does not change: one sample unless --duration
            if duration is not None and t + step > t0 + duration + step / 2:
                break
            try:
                stop.wait(host.wait, step)
            except SeriesExhausted:
                break
            if stop.requested:
                break
    return n


def _nodename(uname_json: str | None) -> str | None:
    try:
        return json.loads(uname_json)[1] if uname_json else None
    except (ValueError, IndexError, TypeError):
        return None


def _value(groups, group: str, name: str, scale: float):
    entry = groups.get(group)
    if entry is None:
        return None
    for s, v in zip(*entry):
        if s.name == name and not s.labels:
            return v / scale
    return None


def _sleep_until(when: float) -> None:
    """Sleep until the monotonic clock reads ``when``."""
    while True:
        left = when - time.monotonic()
        if left <= 0:
            return
        time.sleep(left)
