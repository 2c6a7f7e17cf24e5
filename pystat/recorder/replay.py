"""Recorded samples as a :class:`~pystat.reader.Host`, for ``pystat history``.

History does not reimplement the tools: it runs their own report code
(``vm_reports`` and friends) on a host whose root serves /proc files
rendered from the recorded values (see ``Source.render``) and whose
``wait()`` steps to the next recorded sample, like a snapshot series.  The
numbers therefore go through exactly the arithmetic of the live command.

A replayed *segment* is a run of contiguous samples (a gap, a reboot or a
clock step ends one).  Within a segment a counter present at both ends of an
interval is made monotonic: where it went down (a reset, a 32-bit wrap;
:func:`model.counter_delta`) the replayed value continues from the previous
one, so no report sees it go backwards.  A series that appears, or comes back
after missing samples (a device plugged in again), is replayed as recorded,
as the live tool would have seen it (and handles it: sysstat and procps have
their own rules for devices that come back).

Consolidated archives replay as virtual samples at the slot boundaries:
gauges take the slot's average (or minimum, or maximum), counters start at 0
and grow by the slot's average rate times the slot length, so a tool's rate
over a slot is the exact average rate over it.
"""

from __future__ import annotations

import math
import operator
import os

from pystat.errors import SeriesExhausted, SourceError
from pystat.reader import Host, Root
from pystat.recorder import sources as _sources
from pystat.recorder.model import COUNTER, GAUGE, counter_delta
from pystat.recorder.store import Slot, Store

CHUNK = 512


class RawFrames:
    """The samples of one segment of the finest archive."""

    def __init__(self, store: Store, slots: list[Slot], groups):
        self.store = store
        self.slots = slots
        self.groups = set(groups)
        self.times = [s.t for s in slots]
        self._cursors: dict[str, list] = {}   # group -> [generator, index, last value]

    def __len__(self) -> int:
        return len(self.slots)

    def iterate(self, group: str):
        """(series, values) of ``group`` in each sample in turn (None where the
        group is missing), counters made monotonic within the segment."""
        if group not in self.groups:
            for _ in self.slots:
                yield None
            return
        decode = self.store.decode_raw
        store = self.store
        pnames = praw = pv = None         # the previous sample's series, raw, values
        for r in self._rows(group):
            if r is None:
                pnames = praw = pv = None
                yield None
                continue
            names, raw = decode(*r)
            if names is not pnames:
                counters = _counters(store, names)
            if pnames is None or (names is pnames and pv is praw
                                  and all(map(operator.ge, counters(raw), counters(praw)))):
                v = raw
            else:
                # a counter went down (a reset, a 32-bit wrap) or the series changed: a
                # counter there at both ends continues; one new or back is as recorded
                prev = dict(zip(pnames, zip(praw, pv)))
                out = []
                for sr, x in zip(names, raw):
                    p = prev.get(sr)
                    out.append(x if p is None or sr.kind != COUNTER
                               else p[1] + counter_delta(p[0], x))
                v = tuple(out)
                if v == raw:
                    v = raw
            pnames, praw, pv = names, raw, v
            yield names, v

    def _rows(self, group: str):
        """The group's (layout, blob) in each sample, fetched a chunk at a time."""
        slots = self.slots
        for c in range(0, len(slots), CHUNK):
            rows = {}
            for first, last in _runs(sorted(s.pos for s in slots[c:c + CHUNK])):
                rows.update(self.store.data(0, group, first, last))
            get = rows.get
            for s in slots[c:c + CHUNK]:
                yield get(s.pos)

    def values(self, k: int, group: str):
        """(series, values) of group in sample k, counters made monotonic."""
        cur = self._cursors.get(group)
        if cur is None or cur[1] > k:
            cur = self._cursors[group] = [self.iterate(group), -1, None]
        gen = cur[0]
        while cur[1] < k:
            cur[2] = next(gen)
            cur[1] += 1
        return cur[2]


def _counters(store: Store, names):
    """A function picking the counters out of a layout's values."""
    index = store.__dict__.setdefault("_counter_index", {})
    get = index.get(id(names))   # the store keeps its layouts' tuples: ids are stable
    if get is None:
        idx = [i for i, s in enumerate(names) if s.kind == COUNTER]
        get = (lambda v: ()) if not idx else (
            (lambda v, i=idx[0]: (v[i],)) if len(idx) == 1 else operator.itemgetter(*idx))
        index[id(names)] = get
    return get


def _runs(positions: list[int]):
    """Contiguous runs of sorted positions, as (first, last)."""
    if not positions:
        return
    first = last = positions[0]
    for p in positions[1:]:
        if p != last + 1:
            yield first, last
            first = p
        last = p
    yield first, last


class ConsolidatedFrames:
    """One segment of a consolidated archive, as virtual samples at the slot
    boundaries: frame 0 at the start of the first slot, frame k at the end of slot k-1."""

    def __init__(self, store: Store, archive: int, slots: list[Slot], groups, cf: str = "average"):
        self.store = store
        self.archive = archive
        self.step = store.archives[archive].step
        self.slots = slots
        self.groups = set(groups)
        self.which = {"average": 1, "min": 2, "max": 3}[cf]
        self.times = [slots[0].t] + [s.t + self.step for s in slots]
        self._data: dict[str, dict] = {}
        self._state: dict[str, tuple[int, dict]] = {}
        self._cache: dict[tuple[int, str], tuple] = {}

    def __len__(self) -> int:
        return len(self.slots) + 1

    def _decoded(self, i: int, group: str):
        rows = self._data.get(group)
        if rows is None:
            rows = {}
            for first, last in _runs(sorted(s.pos for s in self.slots)):
                rows.update(self.store.data(self.archive, group, first, last))
            self._data[group] = rows
        row = rows.get(self.slots[i].pos)
        if row is None:
            return None
        d = self.store.decode_consolidated(*row)
        return d[0], d[self.which]

    def values(self, k: int, group: str):
        if group not in self.groups:
            return None
        hit = self._cache.get((k, group))
        if hit is not None:
            return hit
        st = self._state.get(group)
        if st is None or st[0] >= k:
            st = (-1, {})
        j, acc = st
        out = None
        for j in range(j + 1, k + 1):
            out, acc = self._frame(j, group, acc)
        self._state[group] = (k, acc)
        if len(self._cache) > 64:
            self._cache.clear()
        self._cache[(k, group)] = out
        return out

    def iterate(self, group: str):
        """values(k, group) for k = 0, 1, ..."""
        for k in range(len(self)):
            yield self.values(k, group)

    def _frame(self, j: int, group: str, acc: dict):
        d = self._decoded(max(j - 1, 0), group)
        if d is None:
            return None, acc
        names, vals = d
        out_names, out_values = [], []
        new_acc = dict(acc)   # a counter missing from a slot resumes where it was
        for s, x in zip(names, vals):
            if math.isnan(x):
                continue
            if s.kind == GAUGE:
                v = int(round(x))
            elif j == 0:
                # a counter starts one slot's increase above 0: not 0, which
                # mpstat takes for an offline CPU (the deltas are the same)
                v = max(int(round(x * self.step)), 0)
            else:
                v = acc.get(s, 0) + max(int(round(x * self.step)), 0)
            new_acc[s] = v
            out_names.append(s)
            out_values.append(v)
        return (tuple(out_names), tuple(out_values)), new_acc


class ReplayRoot(Root):
    """A root whose /proc files are rendered from one replayed sample."""

    __slots__ = ("frames", "k", "_texts")
    origin = " (as recorded)"

    def __init__(self, frames, k: int, opened: dict):
        super().__init__("/", opened)
        self.path = "(history)"
        self.frames = frames
        self.k = k
        self._texts: dict[str, object] = {}

    def _render(self, path: str):
        if path in self._texts:
            return self._texts[path]
        text = _sources.render(path, lambda g: self.frames.values(self.k, g))
        self._texts[path] = text
        return text

    def real(self, path: str) -> str:
        return "(history)" + path

    def read(self, path: str) -> str:
        self.opened[path] = None
        text = self._render(path)
        if not isinstance(text, str):
            raise SourceError(f"cannot read {path}: not recorded")
        return text

    def listdir(self, path: str) -> list[str]:
        self.opened[path + "/"] = None
        entries = self._render(path + "/")
        if not isinstance(entries, list):
            raise SourceError(f"cannot list {path}: not recorded")
        return list(entries)

    def exists(self, path: str) -> bool:
        self.opened[path] = None
        return self._render(path) is not None or isinstance(self._render(path + "/"), list)

    def readlink(self, path: str) -> str:
        self.opened[path] = None
        raise SourceError(f"cannot resolve {path}: not recorded")

    def stat(self, path: str):
        """What ``os.stat()`` says of a rendered file (a regular file) or directory."""
        import stat as st

        path = path.rstrip("/") or "/"
        if isinstance(self._render(path + "/"), list):
            return os.stat_result((st.S_IFDIR | 0o555, 0, 0, 2, 0, 0, 0, 0, 0, 0))
        text = self._render(path)
        if isinstance(text, str):
            return os.stat_result((st.S_IFREG | 0o444, 0, 0, 1, 0, 0, len(text), 0, 0, 0))
        return None


class ReplayHost(Host):
    """A segment of recorded samples, stepped through like a snapshot series."""

    live = False

    def __init__(self, frames, meta: dict):
        self.opened = {}
        self.frames = frames
        self.index = 0
        self.meta = meta
        self.root = ReplayRoot(frames, 0, self.opened)

    def now(self) -> float:
        return self.frames.times[self.index]

    def wait(self, seconds: float) -> None:
        if self.index + 1 >= len(self.frames):
            raise SeriesExhausted("end of the recorded samples")
        self.index += 1
        self.root = ReplayRoot(self.frames, self.index, self.opened)

    def uname(self) -> tuple[str, str, str, str]:
        import json

        try:
            u = json.loads(self.meta.get("uname", "[]"))
            if len(u) == 4:
                return tuple(u)
        except ValueError:
            pass
        return ("Linux", "(none)", "unknown", "unknown")

    # -- what netstat asks by ioctl: the recorded answers
    def _interfaces(self) -> dict:
        from pystat.recorder.sources import NetDevSource

        return NetDevSource.interfaces(self.frames.values(self.index, "netdev"))

    def ifconf(self) -> list[str]:
        return [name for name, labels in self._interfaces().items() if labels["ifconf"] == "1"]

    def ifinfo(self, name: str) -> dict:
        import errno

        from pystat.recorder.sources import NetDevSource

        labels = self._interfaces().get(name)
        return {"error": errno.ENODEV} if labels is None else NetDevSource.ifinfo(labels)

    @property
    def hz(self) -> int:
        return int(self.meta.get("hz", 100))

    @property
    def pagesize(self) -> int:
        return int(self.meta.get("pagesize", 4096))
