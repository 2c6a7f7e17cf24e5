"""``pystat record``: a recorder like sysstat's sadc, into round-robin archives."""

from __future__ import annotations

import click


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", metavar="PATH",
              help="The history database [default: $XDG_DATA_HOME/pystat/history.db, "
                   "or ~/.local/share/pystat/history.db].")
@click.option("--step", metavar="DURATION",
              help="Time between samples: the finest archive's resolution [default: 3s; "
                   "under --root SERIES, the series' spacing]. Fixed when the database is created.")
@click.option("--duration", metavar="DURATION",
              help="Stop after this long (e.g. 10m, 24h) [default: until SIGINT or SIGTERM].")
@click.option("--archive", "archives", multiple=True, metavar="RES:SPAN",
              help="An archive: a slot every RES, SPAN long (repeat the option; default "
                   "--archive 3s:24h --archive 1m:7d --archive 5m:30d). Fixed when the "
                   "database is created.")
@click.option("--exclude", "exclude", multiple=True, metavar="SOURCE",
              help="Do not sample this source (repeat the option): stat, uptime, vmstat, "
                   "meminfo, diskstats, cpus, interrupts, softirqs, net-snmp, net-dev, sockets "
                   "(counting sockets costs about 1.3 us of CPU each).")
@click.option("-v", "--verbose", is_flag=True, help="A line on stderr per sample.")
@click.pass_obj
def command(obj, db, step, duration, archives, exclude, verbose):
    """Record every metric pystat's reports show, every step, into a database.

    Samples /proc/stat (CPU time, total and per CPU; interrupts, context
    switches, forks, processes), /proc/uptime, /proc/vmstat (paging,
    swapping), /proc/meminfo, /proc/diskstats, /proc/interrupts,
    /proc/softirqs, /sys/devices/system/cpu, /proc/net/snmp, netstat, snmp6
    and dev (with the interfaces' ioctl answers), and the sockets per
    protocol and state, as raw counters and gauges.
    The newest samples are kept as they are (3 s for 24 h by default); older
    ones as averages, minima and maxima per minute (7 days) and per 5 minutes
    (30 days). Once every archive has wrapped, the file stops growing.
    Runs in the foreground until SIGINT or SIGTERM (or --duration). Read it
    back with 'pystat history'.
    """
    from pystat.recorder.recording import record

    record(obj.host(), db, step, duration, archives, verbose, exclude=exclude)
