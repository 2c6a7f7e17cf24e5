"""``pystat history series``: the recorded series themselves.

Without a name: the catalogue (name, labels, kind, unit, group).  With one:
its values over the range, one row per sample (or consolidated slot) and
series: a gauge's value, a counter's rate per second over the interval that
ends there (see :func:`model.counter_delta` for resets and wraps); in a
consolidated archive, the slot's average (or --cf min/max).
"""

from __future__ import annotations

from pystat.errors import PystatError
from pystat.recorder.model import COUNTER, Series, counter_delta
from pystat.recorder.store import Store

WHAT = "history"


def catalogue_fields():
    from pystat.render import Field

    return [Field("series", "", "name{labels}"), Field("kind", "", "counter or gauge"),
            Field("unit", "", "unit of the raw value"), Field("group", "", "storage group")]


def value_fields():
    from pystat.render import Field

    return [Field("series", "", "name{labels}"),
            Field("value", "", "a gauge's value; a counter's rate (unit per second)")]


def match(store: Store, name: str, filters: tuple[str, ...]) -> list[Series]:
    wanted = []
    for f in filters:
        key, sep, value = f.partition("=")
        if not sep or not key:
            raise PystatError(f"{WHAT}: series: expected LABEL=VALUE, got {f!r}")
        wanted.append((key, value))
    named = [s for s in store.series_by_id.values() if s.name == name]
    if not named:
        raise PystatError(f"{WHAT}: no series named {name!r} in {store.path} "
                          "(list them with 'pystat history series')")
    found = [s for s in named if all(s.label(k) == v for k, v in wanted)]
    if not found:
        k, v = next((k, v) for k, v in wanted if not any(s.label(k) == v for s in named))
        known = sorted({s.label(k) for s in named if s.label(k) is not None})
        hint = f" ({k}: {', '.join(known)})" if known else f" ({name} has no label {k!r})"
        raise PystatError(f"{WHAT}: no {name} series with {k}={v}{hint}")
    return sorted(found, key=str)


def catalogue_rows(store: Store) -> list[dict]:
    slots = store.slots(0)
    t = slots[-1].t if slots else 0.0
    return [{"timestamp": t, "series": str(s), "kind": s.kind, "unit": s.unit, "group": s.group}
            for s in sorted(store.series_by_id.values(), key=lambda s: (s.group, str(s)))]


def value_rows(store: Store, sel, wanted: list[Series], cf: str):
    """One report per sample (or slot): rows of the wanted series present in it."""
    groups = sorted({s.group for s in wanted})
    keep = set(wanted)
    labels = {s: str(s) for s in wanted}
    which = {"average": 1, "min": 2, "max": 3}[cf]
    for seg in sel.segments:
        first, last = seg[0].pos, seg[-1].pos
        if sel.archive == 0:
            lo, hi = (first, last) if first <= last else (0, store.archives[0].slots - 1)
            data = {g: store.data(0, g, lo, hi) for g in groups}
            prev = None
            for k, sl in enumerate(seg):
                cur = {}
                for g in groups:
                    row = data[g].get(sl.pos)
                    if row is not None:
                        cur.update(zip(*store.decode_raw(*row)))
                if k:
                    dt = sl.t - seg[k - 1].t
                    rows = []
                    for s in wanted:
                        v = cur.get(s)
                        if v is None:
                            continue
                        if s.kind == COUNTER:
                            p = prev.get(s)
                            if p is None:
                                continue
                            v = counter_delta(p, v) / dt
                        rows.append({"timestamp": sl.t, "series": labels[s], "value": v})
                    yield rows
                prev = cur
        else:
            a = sel.archive
            data = {g: store.data(a, g, 0, store.archives[a].slots - 1) for g in groups}
            for sl in seg:
                rows = []
                for g in groups:
                    row = data[g].get(sl.pos)
                    if row is None:
                        continue
                    d = store.decode_consolidated(*row)
                    for s, v in zip(d[0], d[which]):
                        if s in keep and v == v:
                            rows.append({"timestamp": sl.t + sel.step, "series": labels[s],
                                         "value": v})
                rows.sort(key=lambda r: r["series"])
                yield rows


def text_values(reports, out) -> None:
    import time

    for rows in reports:
        for r in rows:
            v = r["value"]
            if isinstance(v, int) or v.is_integer():
                value = "%d" % v
            else:
                value = "%.2f" % v
            out.write("%s  %s %s\n" % (time.strftime("%Y-%m-%d %H:%M:%S",
                                                     time.localtime(r["timestamp"])),
                                       r["series"], value))


def text_catalogue(rows, out) -> None:
    width = max((len(r["series"]) for r in rows), default=6)
    out.write("%-*s %-7s %-9s %s\n" % (width, "series", "kind", "unit", "group"))
    for r in rows:
        out.write("%-*s %-7s %-9s %s\n" % (width, r["series"], r["kind"], r["unit"] or "-",
                                           r["group"]))
