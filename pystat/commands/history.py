"""``pystat history``: recorded data read back as the tools' own reports, like ``sar -f``."""

from __future__ import annotations

import contextlib
import functools
import sys

import click

from pystat.commands import FORMAT_OPTION
from pystat.errors import PystatError

CONTEXT = {"help_option_names": ["-h", "--help"]}


def range_options(f):
    """--db, --since, --until, --resolution, --cf: shared by every history report."""
    @click.option("--db", metavar="PATH",
                  help="The history database [default: $XDG_DATA_HOME/pystat/history.db].")
    @click.option("--since", metavar="TIME",
                  help="From TIME: '2026-11-26 22:51[:40]', 22:51 (today), @EPOCH, -1h.")
    @click.option("--until", metavar="TIME", help="Up to TIME (same forms as --since).")
    @click.option("--resolution", default="auto", show_default=True, metavar="auto|RES",
                  help="Which archive: its resolution (3s, 1m, 5m with the default layout), "
                       "or auto: the finest one that holds --since.")
    @click.option("--cf", type=click.Choice(["average", "min", "max"]), default="average",
                  show_default=True,
                  help="In a consolidated archive, what each slot shows: gauges' average, "
                       "minimum or maximum; counters' average, slowest or fastest rate.")
    @functools.wraps(f)
    def wrapper(*args, **kw):
        return f(*args, **kw)

    return wrapper


@contextlib.contextmanager
def open_selection(db, since, until, resolution, points: bool = False):
    """The history database (closed at the end of the block) and the samples
    the range and resolution select: ``with open_selection(...) as (store, sel)``."""
    from pystat.recorder.history import select
    from pystat.recorder.model import parse_time
    from pystat.recorder.store import Store, default_path

    t0 = parse_time(since, "history: --since") if since is not None else None
    t1 = parse_time(until, "history: --until") if until is not None else None
    if t0 is not None and t1 is not None and t1 < t0:
        raise PystatError("history: --until is before --since")
    if t1 is not None and t1 == int(t1):
        t1 += 0.999999   # a time to the second covers that second, as the reports show it
    with Store.open_read(db or default_path()) as store:
        yield store, select(store, resolution, t0, t1, points)


@click.group(context_settings=CONTEXT)
def command():
    """Print what 'pystat record' recorded, as the tools' own reports.

    'pystat history vmstat' (iostat, mpstat, netstat) prints the tool's
    report of the recorded intervals (like 'sar -f' does for sadc's files), in the same
    layout and with the same arithmetic as the live command; '--format
    json|csv|table' as everywhere. A gap in the recording (recorder stopped,
    machine off, clock stepped) starts a new header.
    """


@command.command("vmstat", context_settings=CONTEXT)
@click.option("-a", "--active", is_flag=True,
              help="Active/inactive memory instead of buffers/cache.")
@click.option("-f", "--forks", is_flag=True, help="Forks since boot, at the last sample.")
@click.option("-n", "--one-header", is_flag=True, help="Print the header once per run of samples.")
@click.option("-s", "--stats", is_flag=True, help="Event counters and memory, at the last sample.")
@click.option("-d", "--disk", is_flag=True, help="Disk statistics, each sample.")
@click.option("-D", "--disk-sum", is_flag=True,
              help="Summary of disk statistics, at the last sample.")
@click.option("-p", "--partition", metavar="DEV", help="One partition (or disk), each sample.")
@click.option("-S", "--unit", metavar="UNIT",
              help="Memory unit: k (1000), K (1024, default), m (10^6), M (2^20), b/B (bytes).")
@click.option("-w", "--wide", is_flag=True, help="Wide output.")
@click.option("-t", "--timestamp", is_flag=True, help="Append the time of each line.")
@click.option("-m", "--slabs", is_flag=True, hidden=True)
@click.option("-y", "--no-first", is_flag=True, hidden=True)
@FORMAT_OPTION
@range_options
def vmstat_command(active, forks, one_header, stats, disk, disk_sum, partition, unit, wide,
                   timestamp, slabs, no_first, fmt, db, since, until, resolution, cf):
    """vmstat's report of the recorded intervals (vmstat's own options).

    One line per recorded interval: at the finest resolution these are the
    lines 'vmstat DELAY' would have printed live (the since-boot line aside),
    memory columns included (vmstat 4.0.2 shows them as read at start-up,
    here: at the first sample of each run). At a consolidated resolution,
    one line per slot, from its average rates and levels.
    """
    from pystat.commands import vmstat as v
    from pystat.recorder import history as h

    if unit is not None:
        if not unit or unit[0] not in v.UNITS:
            raise PystatError("history: vmstat: -S requires k, K, m or M (default is KiB)")
        unit = unit[0]
    if partition is not None and partition.startswith("/dev/"):
        partition = partition[5:]
    chosen = [m for m, on in (("forks", forks), ("slab", slabs), ("sum", stats), ("disk", disk),
                              ("disksum", disk_sum), ("partition", partition is not None)) if on]
    if len(chosen) > 1:
        names = {"forks": "-f", "slab": "-m", "sum": "-s", "disk": "-d", "disksum": "-D",
                 "partition": "-p"}
        raise PystatError("history: vmstat: " + " and ".join(names[m] for m in chosen)
                          + " cannot be combined")
    mode = chosen[0] if chosen else "vm"
    o = v.Opts(active=active, wide=wide, timestamp=timestamp, no_first=True,
               one_header=one_header, unit=unit or "K", partition=partition)
    with open_selection(db, since, until, resolution,
                        points=mode in ("sum", "disksum", "forks")) as (store, sel):
        h.vmstat(store, sel, mode, o, fmt, sys.stdout, cf)
    sys.stdout.flush()


@command.command("info", context_settings=CONTEXT)
@click.option("--db", metavar="PATH",
              help="The history database [default: $XDG_DATA_HOME/pystat/history.db].")
@FORMAT_OPTION
def info_command(db, fmt):
    """Each archive's resolution, span covered, slots used, and the file's size."""
    from pystat.recorder.info import info
    from pystat.recorder.store import Store, default_path

    with Store.open_read(db or default_path()) as store:
        info(store, fmt, sys.stdout)


@command.command("series", context_settings=CONTEXT)
@click.argument("name", required=False)
@click.argument("labels", nargs=-1, metavar="[LABEL=VALUE]...")
@FORMAT_OPTION
@range_options
def series_command(name, labels, fmt, db, since, until, resolution, cf):
    """The recorded series, or the values of one (NAME, filtered by LABEL=VALUE).

    Without NAME, lists every series: name{labels}, kind, unit, group. With
    NAME (e.g. 'disk_read_sectors device=vda'), one line per sample and
    series: a gauge's value, a counter's rate per second.
    """
    from pystat.recorder import query
    from pystat.recorder.store import Store, default_path

    if name is None:
        if labels:
            raise PystatError("history: series: LABEL=VALUE needs a NAME")
        with Store.open_read(db or default_path()) as store:
            rows = query.catalogue_rows(store)
        if fmt == "text":
            query.text_catalogue(rows, sys.stdout)
        else:
            from pystat.render import render

            render(fmt, query.catalogue_fields(), [rows], sys.stdout)
        return
    with open_selection(db, since, until, resolution) as (store, sel):
        wanted = query.match(store, name, labels)
        reports = query.value_rows(store, sel, wanted, cf)
        if fmt == "text":
            query.text_values(reports, sys.stdout)
        else:
            from pystat.render import render

            render(fmt, query.value_fields(), reports, sys.stdout)


SYSSTAT_CONTEXT = {"help_option_names": ["--help"], "ignore_unknown_options": True,
                   "allow_interspersed_args": True}


@command.command("iostat", context_settings=SYSSTAT_CONTEXT)
@FORMAT_OPTION
@range_options
@click.argument("args", nargs=-1, type=click.UNPROCESSED, metavar="[IOSTAT OPTIONS] [DEVICE]...")
def iostat_command(fmt, args, db, since, until, resolution, cf):
    """iostat's reports of the recorded intervals (iostat's own options).

    One report per recorded interval, as 'iostat -y STEP' would have printed
    them live: avg-cpu and the devices, -x, -p, -k/-m, -z, -t, -o JSON...
    (not -N: device-mapper names are not recorded). A gap starts a new run,
    with a new banner.
    """
    from pystat.recorder import history as h

    with open_selection(db, since, until, resolution) as (store, sel):
        h.iostat(store, sel, list(args), fmt, sys.stdout, cf)


@command.command("mpstat", context_settings=SYSSTAT_CONTEXT)
@FORMAT_OPTION
@range_options
@click.argument("args", nargs=-1, type=click.UNPROCESSED, metavar="[MPSTAT OPTIONS]")
def mpstat_command(fmt, args, db, since, until, resolution, cf):
    """mpstat's reports of the recorded intervals (mpstat's own options).

    One report per recorded interval and the Average of each run of samples,
    as 'mpstat STEP' would have printed them live: -P, -I SUM|CPU|SCPU|ALL,
    -n/-N, -A, -T, -o JSON... A gap starts a new run, with a new banner.
    """
    from pystat.recorder import history as h

    with open_selection(db, since, until, resolution) as (store, sel):
        h.mpstat(store, sel, list(args), fmt, sys.stdout, cf)


@command.command("netstat", context_settings=SYSSTAT_CONTEXT)
@FORMAT_OPTION
@range_options
@click.argument("args", nargs=-1, type=click.UNPROCESSED, metavar="-s|-i [NETSTAT FLAGS]...")
def netstat_command(fmt, args, db, since, until, resolution, cf):
    """netstat -s and -i as they printed at the last recorded sample (-ic: at each).

    Protocol statistics (-s, with -t, -u, -w, -6) and the interface table
    (-i, -ie, -a) from the recorded /proc/net files and ioctl answers. Socket
    listings, -r and -g are not recorded ('pystat history series sockets' has
    the sockets per protocol and state).
    """
    from pystat.recorder import history as h

    with open_selection(db, since, until, resolution,
                        points=h.netstat_one_shot(args)) as (store, sel):
        code = h.netstat(store, sel, list(args), fmt, sys.stdout, cf)
    sys.stdout.flush()
    if code:
        raise SystemExit(code & 0xFF)
