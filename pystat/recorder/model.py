"""The sample model, shared rules, and the command line's durations and times.

A *series* is one number that changes over time, named like a Prometheus
metric: ``cpu_ticks{cpu="0",mode="user"}``, ``disk_read_sectors{device="vda"}``.
Its *kind* is ``counter`` (only goes up, except when reset: rates are what
matter) or ``gauge`` (a level: averages, minima and maxima are what matter);
its *unit* is the unit of the raw value as the kernel gives it (``jiffies``,
``KiB``, ``sectors``, ``ms``, ``cs``, ``count``...).  Values are recorded raw,
as non-negative integers, so that history can redo each tool's own arithmetic.

An exporter maps a series directly: Prometheus ``pystat_<name>[_total]`` with
the labels as labels and the kind as the TYPE; InfluxDB measurement
``pystat_<group>``, the labels as tags, ``<name>`` as the field.
"""

from __future__ import annotations

import math
import re
import time
from typing import NamedTuple

from pystat.errors import PystatError

COUNTER = "counter"
GAUGE = "gauge"

U32 = 1 << 32


class Series(NamedTuple):
    name: str                           # [a-z_][a-z0-9_]*
    labels: tuple[tuple[str, str], ...]  # sorted by key
    kind: str                           # COUNTER or GAUGE
    unit: str
    group: str                          # the storage group (one data row per sample)

    @property
    def key(self) -> tuple[str, str]:
        return self.name, format_labels(self.labels)

    def label(self, key: str, default: str | None = None) -> str | None:
        for k, v in self.labels:
            if k == key:
                return v
        return default

    def __str__(self) -> str:
        return self.name + ("{" + format_labels(self.labels) + "}" if self.labels else "")


def series(group: str, name: str, kind: str, unit: str, **labels: str) -> Series:
    return Series(name, tuple(sorted(labels.items())), kind, unit, group)


def format_labels(labels: tuple[tuple[str, str], ...]) -> str:
    """``cpu="0",mode="user"``: the Prometheus text form (also the key in the database)."""
    return ",".join(f'{k}="{_escape(v)}"' for k, v in labels)


def _escape(v: str) -> str:
    v = v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    # a byte that is not UTF-8 (read as a lone surrogate, which SQLite's text cannot
    # hold): \xNN
    return _UNDECODED.sub(lambda m: "\\x%02x" % (ord(m.group()) - 0xDC00), v)


_UNDECODED = re.compile("[\udc80-\udcff]")
_UNESCAPE = re.compile(r"\\(x[0-9a-f]{2}|.)", re.S)


def _unescape(m) -> str:
    c = m.group(1)
    return "\n" if c == "n" else chr(0xDC00 + int(c[1:], 16)) if len(c) == 3 else c


_LABEL = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)')


def parse_labels(text: str) -> tuple[tuple[str, str], ...]:
    out = []
    pos = 0
    while pos < len(text):
        m = _LABEL.match(text, pos)
        if not m:
            raise ValueError(f"bad labels {text!r}")
        value = _UNESCAPE.sub(_unescape, m.group(2))
        out.append((m.group(1), value))
        pos = m.end()
    return tuple(sorted(out))


# --------------------------------------------------------------------------
# The two rules shared by the recorder (consolidation) and history (replay)

def counter_delta(old: int, new: int) -> int:
    """How much a counter grew from ``old`` to ``new``; never negative.

    A counter that went down either wrapped at 32 bits (the old value fits in
    32 bits and the wrapped growth is less than half the 32-bit range) or
    was reset (reboot, device removed and added again): then it is taken to
    have restarted from 0, so it grew by ``new``.
    """
    if new >= old:
        return new - old
    if old < U32:
        wrapped = new + U32 - old
        if wrapped < U32 // 2:
            return wrapped
    return new


def contiguous(t0: float, up0: float | None, boot0: float | None,
               t1: float, up1: float | None, boot1: float | None, step: float) -> bool:
    """Whether the interval between two samples is one the reports may show.

    Not when the wall clock went backwards or stood still, when more than two
    steps passed (the recorder was stopped, the machine was off or
    suspended), or when the machine rebooted in between (its uptime went
    down, or its boot time moved by more than a few seconds).
    """
    dt = t1 - t0
    if not 0 < dt <= 2 * step:
        return False
    if up0 is not None and up1 is not None and up1 < up0:
        return False
    if boot0 is not None and boot1 is not None and abs(boot1 - boot0) > 5:
        return False
    return True


# --------------------------------------------------------------------------
# Durations and times on the command line

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION = re.compile(r"(\d+)([smhdw]?)")


def parse_duration(text: str, what: str) -> int:
    """``3s``, ``1m``, ``24h``, ``7d``, ``1h30m``, ``90`` (seconds) -> whole seconds."""
    s = text.strip().lower()
    pos, total = 0, 0
    while pos < len(s):
        m = _DURATION.match(s, pos)
        if not m or (not m.group(2) and m.end() != len(s)):
            raise PystatError(f"{what}: bad duration {text!r} (examples: 3s, 1m, 24h, 7d, 1h30m)")
        total += int(m.group(1)) * _UNITS[m.group(2) or "s"]
        pos = m.end()
    if not s:
        raise PystatError(f"{what}: bad duration {text!r} (examples: 3s, 1m, 24h, 7d, 1h30m)")
    return total


def format_duration(seconds: float) -> str:
    """The shortest exact spelling: 3s, 1m, 24h, 7d, 90s -> 1m30s."""
    if not math.isfinite(seconds):
        return str(seconds)
    s = int(round(seconds))
    if s == 0:
        return "0s"
    out = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if s >= size:
            out.append(f"{s // size}{unit}")
            s %= size
    return "".join(out)


_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S",
                 "%Y-%m-%dT%H:%M", "%Y-%m-%d")


def parse_time(text: str, what: str, now: float | None = None) -> float:
    """A point in time, in local time unless it says otherwise:

    ``2026-11-26 22:51:40`` (also with ``T``, without seconds, or a date
    alone), ISO 8601 with an offset (``2026-11-26T22:51:40+00:00``),
    ``22:51[:40]`` (today), ``@1795733500`` (seconds since the epoch), or
    ``-1h`` / ``-30m`` (that long before now).
    """
    import datetime

    s = text.strip()
    now = time.time() if now is None else now
    try:
        if s.startswith("@"):
            return float(s[1:])
        if s.startswith("-") and s[1:2].isdigit():
            return now - parse_duration(s[1:], what)
        if re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", s):
            parts = [int(p) for p in s.split(":")] + [0]
            today = datetime.datetime.fromtimestamp(now)
            return today.replace(hour=parts[0], minute=parts[1], second=parts[2],
                                 microsecond=0).timestamp()
        for fmt in _TIME_FORMATS:
            try:
                return datetime.datetime.strptime(s, fmt).timestamp()
            except ValueError:
                pass
        return datetime.datetime.fromisoformat(s).timestamp()
    except (ValueError, OverflowError, OSError, PystatError):
        raise PystatError(
            f"{what}: bad time {text!r} (examples: '2026-11-26 22:51', 22:51, "
            "@1795733500, -1h)") from None


def format_time(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(epoch))


class Archive(NamedTuple):
    """One ring: a sample (or a consolidated slot) every ``step`` seconds, ``slots`` of them."""

    step: int
    slots: int

    @property
    def span(self) -> int:
        return self.step * self.slots

    def __str__(self) -> str:
        return f"{format_duration(self.step)}:{format_duration(self.span)}"


DEFAULT_ARCHIVES = (Archive(3, 28800), Archive(60, 10080), Archive(300, 8640))


def parse_archive(text: str) -> Archive:
    """``RES:SPAN`` such as ``3s:24h``."""
    res, sep, span = text.partition(":")
    if not sep:
        raise PystatError(f"record: --archive {text!r}: expected RESOLUTION:SPAN, like 3s:24h")
    step = parse_duration(res, f"record: --archive {text}")
    total = parse_duration(span, f"record: --archive {text}")
    if step < 1:
        raise PystatError(f"record: --archive {text}: the resolution must be at least 1s")
    if total % step or total // step < 2:
        raise PystatError(f"record: --archive {text}: the span must be a multiple of the "
                          "resolution, at least twice it")
    return Archive(step, total // step)


def check_layout(archives: list[Archive]) -> list[Archive]:
    """Sorted finest first; each coarser resolution a multiple of the finest, which must
    hold at least one slot of every coarser archive (to rebuild it after a crash)."""
    archives = sorted(archives)
    if not archives:
        raise PystatError("record: no archive")
    raw = archives[0]
    steps = [a.step for a in archives]
    if len(set(steps)) != len(steps):
        raise PystatError("record: two archives with the same resolution")
    for a in archives[1:]:
        if a.step % raw.step:
            raise PystatError(f"record: --archive {a}: the resolution must be a multiple of "
                              f"the finest one ({format_duration(raw.step)})")
        if raw.span < a.step:
            raise PystatError(f"record: --archive {raw}: the finest archive must span at "
                              f"least one slot of every other ({format_duration(a.step)})")
    if len(archives) > 16:
        raise PystatError("record: at most 16 archives")
    return archives
