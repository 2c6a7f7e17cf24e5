"""``pystat history info``: what a history database holds."""

from __future__ import annotations

import fcntl
import json
import os

from pystat.recorder.model import format_duration, format_time
from pystat.recorder.store import Store


def info_fields():
    from pystat.render import Field

    return [
        Field("archive", "", "archive number (0: the raw samples)"),
        Field("resolution", "s", "time between samples (slots)"),
        Field("slots", "count", "slots in the ring"),
        Field("used", "count", "slots holding data"),
        Field("oldest", "ISO 8601", "time of the oldest slot"),
        Field("newest", "ISO 8601", "time of the newest slot"),
        Field("span", "s", "time from the oldest slot to the end of the newest"),
        Field("file_size", "bytes", "size of the database file and its write-ahead log"),
    ]


def recording(path: str) -> bool:
    """Whether a recorder holds the database's lock (tested without writing)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def rows(store: Store) -> list[dict]:
    from pystat.render import iso_time

    size = store.file_size()
    out = []
    for a, arch in enumerate(store.archives):
        slots = store.slots(a)
        row = {"timestamp": slots[-1].t if slots else 0.0, "archive": a,
               "resolution": arch.step, "slots": arch.slots, "used": len(slots),
               "oldest": None, "newest": None, "span": 0, "file_size": size}
        if slots:
            first = min(s.t for s in slots)
            last = max(s.t for s in slots)
            row["oldest"] = iso_time(first)
            row["newest"] = iso_time(last)
            row["span"] = int(round(last + arch.step - first))
        out.append(row)
    return out


def info(store: Store, fmt: str, out) -> None:
    table = rows(store)
    if fmt != "text":
        from pystat.render import render

        render(fmt, info_fields(), [table], out)
        return
    meta = store.meta
    try:
        sysname, node, release, machine = json.loads(meta.get("uname", "[]"))
        host = f"{node} ({sysname} {release} {machine})"
    except ValueError:
        host = "?"
    size = store.file_size()
    groups = {}
    for s in store.series_by_id.values():
        groups[s.group] = groups.get(s.group, 0) + 1
    lines = [
        f"database:  {store.path} ({_size(size)})",
        f"host:      {host}",
        f"recorder:  {'recording now' if recording(store.path) else 'not running'}",
        f"series:    {len(store.series_by_id)} ("
        + ", ".join(f"{g} {n}" for g, n in groups.items()) + ")",
        "",
        "%-10s %6s %13s  %-19s  %-19s  %s" % ("resolution", "slots", "used", "oldest", "newest",
                                              "span"),
    ]
    for a, arch in enumerate(store.archives):
        slots = store.slots(a)
        used = f"{len(slots)} ({100 * len(slots) // arch.slots}%)"
        if slots:
            first = min(s.t for s in slots)
            last = max(s.t for s in slots)
            lines.append("%-10s %6d %13s  %-19s  %-19s  %s" % (
                format_duration(arch.step), arch.slots, used, format_time(first),
                format_time(last), format_duration(last + arch.step - first)))
        else:
            lines.append("%-10s %6d %13s  %-19s  %-19s  %s" % (
                format_duration(arch.step), arch.slots, used, "-", "-", "-"))
    out.write("\n".join(lines) + "\n")


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)  # pragma: no cover
