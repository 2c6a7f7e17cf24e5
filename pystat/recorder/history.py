"""``pystat history``: choosing what to replay, and the reports built on it.

Each report is the live tool's own code run on a :class:`ReplayHost` per
segment of contiguous samples (see :mod:`pystat.recorder.replay`); a gap
starts a new segment, which the text layouts show as a new header, as if the
tool had been started again.
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

from pystat.commands import until_series_ends
from pystat.errors import PystatError
from pystat.recorder.model import contiguous, format_duration, format_time, parse_duration
from pystat.recorder.replay import ConsolidatedFrames, RawFrames, ReplayHost
from pystat.recorder.store import Slot, Store

WHAT = "history"


class Selection(NamedTuple):
    archive: int
    step: int
    segments: list[list[Slot]]


def choose_archive(store: Store, resolution: str, since: float | None) -> int:
    used = [(a, store.slots(a)) for a in range(len(store.archives))]
    if resolution != "auto":
        step = parse_duration(resolution, f"{WHAT}: --resolution")
        for a, arch in enumerate(store.archives):
            if arch.step == step:
                return a
        have = ", ".join(format_duration(a.step) for a in store.archives)
        raise PystatError(f"{WHAT}: --resolution {resolution}: no such archive in "
                          f"{store.path} (resolutions: {have})")
    with_data = [(a, slots) for a, slots in used if slots]
    if not with_data:
        raise PystatError(f"{WHAT}: {store.path}: nothing recorded yet")
    if since is None:
        return with_data[0][0]
    for a, slots in with_data:
        if min(s.t for s in slots) <= since:
            return a
    return min(with_data, key=lambda x: min(s.t for s in x[1]))[0]


def select(store: Store, resolution: str, since: float | None, until: float | None,
           points: bool = False) -> Selection:
    """The archive to read and its segments of contiguous slots within [since, until].

    Finest archive: a segment is a list of samples whose first one only starts
    the report (rows are the intervals that end at the others, within the
    range).  Consolidated archives: a segment is a list of consecutive slots
    that each cover some time (rows are the slots that end within the range).
    With ``points`` (one-shot reports: the state at a sample), the samples
    within the range, a single one included.
    """
    a = choose_archive(store, resolution, since)
    step = store.archives[a].step
    slots = store.slots(a)
    lo = -float("inf") if since is None else since
    hi = float("inf") if until is None else until
    segments: list[list[Slot]] = []
    if a == 0:
        run: list[Slot] = []
        for s in slots:
            if run and not contiguous(run[-1].t, run[-1].uptime, run[-1].boot,
                                      s.t, s.uptime, s.boot, step):
                segments.append(run)
                run = []
            run.append(s)
        if run:
            segments.append(run)
        out = []
        for seg in segments:
            rows = [i for i in range(0 if points else 1, len(seg)) if lo <= seg[i].t <= hi]
            if rows:
                out.append(seg[rows[0] - (0 if points else 1):rows[-1] + 1])
        segments = out
    else:
        run = []
        for s in slots:
            if not (s.span and s.span > 0) or not lo <= s.t + step <= hi:
                if run:
                    segments.append(run)
                run = []
                continue
            if run and round(s.t / step) != round(run[-1].t / step) + 1:
                segments.append(run)
                run = []
            run.append(s)
        if run:
            segments.append(run)
    if not segments:
        held = ""
        if slots:
            held = (f" ({format_duration(step)} archive: {format_time(slots[0].t)} to "
                    f"{format_time(slots[-1].t)})")
        raise PystatError(f"{WHAT}: nothing recorded between "
                          f"{format_time(since) if since is not None else 'the start'} and "
                          f"{format_time(until) if until is not None else 'the end'}{held}")
    return Selection(a, step, segments)


def complete(store: Store, sel: Selection, groups, sources=(), start=()) -> Selection:
    """``sel`` with each run of samples cut where a sample lacks one of ``groups``, or
    the values of one of ``sources`` (those of the system group; ``start``: needed
    only where a run starts, like vmstat's /proc/meminfo), because the recorder could
    not read that file then: the sample is left out, as a gap, rather than replayed
    as zeros (which the reports would show as counters gone back to 0 and up again)
    or stopping the report at it.  Finest archive only."""
    from pystat.recorder.sources import SOURCES

    if sel.archive != 0:
        return sel
    marks = [_first_series(SOURCES[name]) for name in sources]
    first_marks = marks + [_first_series(SOURCES[name]) for name in start]
    has: dict[tuple[int, bool], bool] = {}   # (system layout id, run start) -> usable

    def usable(rows, first: bool) -> bool:
        for g, r in zip(groups, rows):
            if r is None:
                return False
            if g == "system":
                ok = has.get((r[0], first))
                if ok is None:
                    names = set(store.layout_series(r[0]))
                    ok = has[r[0], first] = all(m in names
                                                for m in (first_marks if first else marks))
                if not ok:
                    return False
        return True

    out = []
    for seg in sel.segments:
        f = RawFrames(store, seg, groups)
        run: list[Slot] = []
        for slot, *rows in zip(seg, *(f._rows(g) for g in groups)):
            if usable(rows, not run):
                run.append(slot)
                continue
            if len(run) > 1:
                out.append(run)
            run = []
        if len(run) > 1:
            out.append(run)
    if not out:
        raise PystatError(f"{WHAT}: no two consecutive samples in the range hold the "
                          f"values of {', '.join(sources + start or groups)}")
    return Selection(sel.archive, sel.step, out)


def _first_series(src):
    names = getattr(src, "total", None) or src.names
    return names["MemTotal"] if isinstance(names, dict) else names[0]


def frames(store: Store, sel: Selection, segment: list[Slot], groups, cf: str):
    if sel.archive == 0:
        return RawFrames(store, segment, groups)
    return ConsolidatedFrames(store, sel.archive, segment, groups, cf)


def hosts(store: Store, sel: Selection, groups, cf: str):
    for seg in sel.segments:
        yield ReplayHost(frames(store, sel, seg, groups, cf), store.meta)


# --------------------------------------------------------------------------
# vmstat

VMSTAT_GROUPS = {
    "vm": ("system",),
    "sum": ("system",),
    "forks": ("system",),
    "disk": ("disk",),
    "disksum": ("disk",),
    "partition": ("disk",),
}


def vmstat(store: Store, sel: Selection, mode: str, o, fmt: str, out, cf: str) -> None:
    from pystat.commands import vmstat as v

    if mode == "slab":
        raise PystatError(f"{WHAT}: vmstat -m: slab caches are not recorded")
    if mode != "vm" and sel.archive != 0:
        raise PystatError(f"{WHAT}: vmstat {_flag(mode)} shows counters since boot: only the "
                          f"finest resolution ({format_duration(store.archives[0].step)}) has them")
    groups = VMSTAT_GROUPS[mode]
    _require(store, groups, f"vmstat {_flag(mode)}".strip())
    if mode == "vm":
        sel = complete(store, sel, groups, ("stat", "vmstat"), start=("meminfo",))
    elif mode in ("disk", "partition"):
        sel = complete(store, sel, groups)
    o.delay = sel.step
    o.infinite = True
    o.count = -1
    reports_fn, text_fn, fields_fn = v.MODES[mode]

    if mode in ("sum", "forks", "disksum"):
        # one-shot reports: the state at the last sample in the range
        last = sel.segments[-1][-1]
        host = ReplayHost(RawFrames(store, [last], groups), store.meta)
        o.start = host.now()
        reports = reports_fn(host, o)
        if fmt == "text":
            text_fn(reports, o, out)
        else:
            from pystat.render import render

            render(fmt, fields_fn(o), reports, out)
        return

    if mode == "vm":
        o.no_first = True   # rows are intervals: the since-boot line has no place here
        kb_per_page = int(store.meta.get("pagesize", 4096)) // 1024
        segments = [frames(store, sel, seg, groups, cf) for seg in sel.segments]
        if fmt == "text":
            for f in segments:
                v.vm_text(vm_rows(f, o, kb_per_page), o, f.times[0], out)
        else:
            from pystat.render import render

            render(fmt, v.vm_fields(o),
                   itertools.chain.from_iterable(vm_rows(f, o, kb_per_page) for f in segments),
                   out)
        return

    def segment_reports(host):
        o.start = host.now()
        reports = until_series_ends(reports_fn(host, o), True, WHAT)
        if mode == "disk" and fmt != "text":
            reports = ([r for r in rows if r["is_disk"]] for rows in reports)
        return reports

    if fmt == "text":
        for host in hosts(store, sel, groups, cf):
            reports = segment_reports(host)
            if mode == "vm":
                v.vm_text(reports, o, host.now(), out)
            else:
                text_fn(reports, o, out)
    else:
        from pystat.render import render

        runs = (segment_reports(h) for h in hosts(store, sel, groups, cf))
        render(fmt, fields_fn(o), itertools.chain.from_iterable(runs), out)


def vm_rows(f, o, kb_per_page: int):
    """``vm_reports`` (interval lines only) over one replayed segment, the records
    built from the recorded values rather than parsed from rendered files: vmstat's
    own ``memory_columns`` and ``interval_row`` do the arithmetic.  (Equal to running
    ``vm_reports`` on a ReplayHost, which tests check; only faster.)"""
    from pystat.commands.vmstat import interval_row, memory_columns
    from pystat.recorder.sources import SOURCES

    from pystat.recorder.sources import vmstat_records

    def records():
        for k, system in enumerate(f.iterate("system")):
            if system is None:
                raise PystatError(f"{WHAT}: vmstat: the sample at {format_time(f.times[k])} "
                                  "lacks /proc/stat values")
            yield system, *vmstat_records(system)

    samples = records()
    # start-up, in vmstat's order: memory is read once
    system, stat, vm = next(samples)
    meminfo = SOURCES["meminfo"].record(system)
    if "MemTotal" not in meminfo.fields:
        raise PystatError(f"{WHAT}: vmstat: no /proc/meminfo values recorded at "
                          f"{format_time(f.times[0])}")
    memory = memory_columns(meminfo, o)
    samples = ((st, v) for _, st, v in samples)
    yield []
    times = iter(f.times[1:])
    debt = [0]
    for (prev_stat, prev_vm), (stat, vm) in itertools.pairwise(
            itertools.chain([(stat, vm)], samples)):
        yield [interval_row(prev_stat, stat, prev_vm, vm, memory, o, kb_per_page, next(times),
                            debt)]


def _flag(mode: str) -> str:
    return {"vm": "", "sum": "-s", "forks": "-f", "disk": "-d", "disksum": "-D",
            "partition": "-p", "slab": "-m"}[mode]


def _require(store: Store, groups, what: str) -> None:
    missing = [g for g in groups if g not in store.groups]
    if missing:
        raise PystatError(f"{WHAT}: {what}: {store.path} has no {', '.join(missing)} data "
                          "recorded")


# --------------------------------------------------------------------------
# iostat and mpstat (sysstat): their own reports() on each run of samples

IOSTAT_GROUPS = ("system", "disk", "cpu")
MPSTAT_GROUPS = ("system", "cpu", "irq")


def _sysstat_json_check(tool: str, sel: Selection, json: bool) -> None:
    if json and len(sel.segments) > 1:
        raise PystatError(f"{WHAT}: {tool} -o JSON: the range holds {len(sel.segments)} runs of "
                          "samples (there are gaps), which would be as many JSON documents; "
                          "use --format json, or --since/--until within one run")


def iostat(store: Store, sel: Selection, args: list[str], fmt: str, out, cf: str) -> None:
    """iostat's interval reports (as ``iostat -y STEP``) over each run of samples."""
    from pystat.commands import iostat as io
    from pystat.commands.sysstat import use_locale_time

    given = io.parse_args(list(args))
    if given.interval or given.count != 1:
        raise PystatError(f"{WHAT}: iostat: no INTERVAL or COUNT: the interval is the "
                          f"recording's ({format_duration(sel.step)} here; see --resolution)")
    if given.devmap:
        raise PystatError(f"{WHAT}: iostat -N: device-mapper names are not recorded")
    _require(store, IOSTAT_GROUPS, "iostat")
    sel = complete(store, sel, ("system", "disk"), ("stat", "uptime"))
    _sysstat_json_check("iostat", sel, given.json)

    def opts():
        return io.parse_args(list(args) + ["-y", str(sel.step)])

    if fmt == "text":
        use_locale_time()
        for host in hosts(store, sel, IOSTAT_GROUPS, cf):
            o = opts()
            io.text(until_series_ends(io.reports(host, o), True, WHAT), o, host, out)
        return
    from pystat.render import render

    o = opts()
    runs = (io.reports(host, o) for host in hosts(store, sel, IOSTAT_GROUPS, cf))
    reports = until_series_ends(itertools.chain.from_iterable(runs), True, WHAT)
    render(fmt, io.fields(o), io.structured_rows(reports, o), out)


def _mpstat_interval_given(args: list[str]) -> bool:
    i = 0
    while i < len(args):
        if args[i] in ("-P", "-I", "-N", "-o"):
            i += 2
            continue
        if args[i].isdigit():
            return True
        i += 1
    return False


def mpstat(store: Store, sel: Selection, args: list[str], fmt: str, out, cf: str) -> None:
    """mpstat's interval reports and Average (as ``mpstat STEP``) over each run."""
    from pystat.commands import mpstat as mp
    from pystat.commands.sysstat import use_locale_time

    if _mpstat_interval_given(args):
        raise PystatError(f"{WHAT}: mpstat: no INTERVAL or COUNT: the interval is the "
                          f"recording's ({format_duration(sel.step)} here; see --resolution)")
    _require(store, MPSTAT_GROUPS, "mpstat")
    sel = complete(store, sel, ("system", "cpu"), ("stat", "uptime"))
    _sysstat_json_check("mpstat", sel, "-o" in args and "JSON" in args)

    def opts():
        o = mp.Opts()
        o.args = list(args) + [str(sel.step)]
        return o

    if fmt == "text":
        use_locale_time()
        for host in hosts(store, sel, MPSTAT_GROUPS, cf):
            o = opts()
            mp.text(until_series_ends(mp.reports(host, o, out), True, WHAT), o, host, out)
        return
    from pystat.render import render

    runs = []
    o = None
    for host in hosts(store, sel, MPSTAT_GROUPS, cf):
        oo = opts()
        reps = until_series_ends(mp.reports(host, oo, out), True, WHAT)
        next(reps, None)  # start-up: the options are parsed (and checked) here
        o = o or oo
        runs.append(reps)
    render(fmt, mp.fields(o), mp.structured_rows(itertools.chain.from_iterable(runs), o), out)


# --------------------------------------------------------------------------
# netstat: -s and -i, from the recorded counters and ioctl answers

def netstat_one_shot(args) -> bool:
    """Whether netstat's flags ask for a state at one sample (-s, or -i without -c)."""
    from pystat.commands import netstat as ns

    try:
        o = ns.parse(list(args))
    except Exception:
        return False    # netstat() says what is wrong with them
    return bool(o.sta or (o.int and not o.cnt))


def netstat(store: Store, sel: Selection, args: list[str], fmt: str, out, cf: str) -> int:
    """``netstat -s`` and ``netstat -i[e]`` as they would have printed at the last
    sample of the range; ``netstat -ic``: the interface table at every sample."""
    from pystat.commands import netstat as ns

    try:
        o = ns.parse(list(args))
    except ns.Exit as e:
        if e.stdout:
            out.write(e.stdout)
        if e.message:
            raise PystatError(f"{WHAT}: netstat: {e.message}", exit_code=e.code) from None
        raise SystemExit(e.code) from None
    except ns.Usage as e:
        raise PystatError(f"{WHAT}: netstat: {e}", exit_code=ns.E_OPTERR) from None
    if not (o.sta or o.int):
        raise PystatError(f"{WHAT}: netstat: only -s and -i are recorded (not socket "
                          "listings, -r, -g or -M); sockets per protocol and state: "
                          "'pystat history series sockets'")
    if sel.archive != 0:
        raise PystatError(f"{WHAT}: netstat shows counters since boot: only the finest "
                          f"resolution ({format_duration(store.archives[0].step)}) has them")
    groups = ("net",) if o.sta else ("netdev",)
    _require(store, groups, "netstat " + ("-s" if o.sta else "-i"))
    if o.int and o.cnt:
        code = 0
        for host in hosts(store, sel, groups, cf):
            code = ns.run(host, o, fmt, out) or code
        return code
    last = sel.segments[-1][-1]
    host = ReplayHost(RawFrames(store, [last], groups), store.meta)
    return ns.run(host, o, fmt, out)
