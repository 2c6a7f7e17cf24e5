"""Write docs/formats.md from the fields the commands declare.

    python -m tests.gen_formats          # rewrite docs/formats.md
tests/test_formats.py fails when the file and the code disagree.
"""

from __future__ import annotations

import os
import sys

from tests.helpers import REPO

DOC = os.path.join(REPO, "docs", "formats.md")

HEAD = """# Structured output: `--format json|csv|table`

Every report can be printed as data instead of the tool's text layout. The
rows and numbers are the ones the text layout shows (same model, same
rounding); only the presentation differs.

* `json`: one JSON array of row objects, written a row per line as the
  samples come (so `pystat vmstat 1 --format json` can be read while it
  runs; the array is closed when the run ends, also on Ctrl-C).
* `csv`: a header line of field names, then a line per row.
* `table`: one aligned table (tabulate) of all rows, printed when the run ends.

Every row has `timestamp`: the time of the sample, ISO 8601 in local time with
its UTC offset (under `--root`, the capture time). Field names and units below
are stable; new fields may be added at the end.
"""


def sections() -> list[tuple[str, list]]:
    from pystat.commands import vmstat as v

    k = v.Opts()
    a = v.Opts(active=True)
    return [
        ("vmstat (default; -w, -t, -n, -y, delay/count)", v.vm_fields(k)),
        ("vmstat -a (inact/active replace buff/cache)", v.vm_fields(a)),
        ("vmstat -s", v.sum_fields(k)),
        ("vmstat -f", v.forks_fields(k)),
        ("vmstat -d (one row per disk per sample)", v.disk_fields(k)),
        ("vmstat -D", v.disksum_fields(k)),
        ("vmstat -p DEV", v.partition_fields(k)),
        ("vmstat -m (one row per cache)", v.slab_fields(k)),
        *sysstat_sections(),
        *netstat_sections(),
        *history_sections(),
    ]


def sysstat_sections() -> list[tuple[str, list]]:
    from pystat.commands import iostat as io
    from pystat.commands import mpstat as mp

    def mpstat_opts(flags: int, topology: bool = False):
        o = mp.Opts()
        o.actflags, o.topology = flags, topology
        return o

    return [
        ("iostat (default; -c, -d, -k, -t, -y, -z, -p, devices, interval/count)",
         io.fields(io.parse_args([]))),
        ("iostat -x (extended statistics)", io.fields(io.parse_args(["-x", "-d"]))),
        ("iostat -x -s", io.fields(io.parse_args(["-x", "-s", "-d"]))),
        ("mpstat (default, -u, -P; -T adds core, socket, cpu_node)",
         mp.fields(mpstat_opts(mp.CPU, topology=True))),
        ("mpstat -n / -N (node rows)", mp.fields(mpstat_opts(mp.NODE))),
        ("mpstat -I SUM|CPU|SCPU (one row per CPU, or per CPU and interrupt)",
         mp.fields(mpstat_opts(mp.IRQ_SUM | mp.IRQ_CPU | mp.SOFTIRQS))),
        ("mpstat -A (every section: the union of the fields above)",
         mp.fields(mpstat_opts(mp.CPU | mp.NODE | mp.IRQ_SUM | mp.IRQ_CPU | mp.SOFTIRQS))),
    ]


def netstat_sections() -> list[tuple[str, list]]:
    from pystat.commands import netstat as n
    from pystat.commands.netstat import interfaces, routes, sockets, statistics

    return [
        ("netstat (sockets: default, -t -u -U -w -x -l -a -n -e -o -p -W; one row per socket)",
         sockets.fields(n.parse([]))),
        ("netstat -g (one row per group membership)", sockets.fields(n.parse(["-g"]))),
        ("netstat -s (one row per counter netstat prints)", statistics.fields(n.parse(["-s"]))),
        ("netstat -r (one row per route; -6: IPv6)", routes.fields(n.parse(["-r"]))),
        ("netstat -i, -ie (one row per interface shown)", interfaces.fields(n.parse(["-i"]))),
    ]


def history_sections() -> list[tuple[str, list]]:
    from pystat.recorder import info, query

    return [
        ("history info (one row per archive)", info.info_fields()),
        ("history series (without NAME: one row per series)", query.catalogue_fields()),
        ("history series NAME (one row per sample and series)", query.value_fields()),
    ]


def render() -> str:
    out = [HEAD]
    notes = {
        "vmstat (default; -w, -t, -n, -y, delay/count)":
            "Memory fields are in the `-S` unit (KiB by default; `-S k` kB, `-S m` MB, "
            "`-S M` MiB, `-S b` bytes), like the text layout. "
            "`pystat history vmstat` has the same fields (and so on for its modes; "
            "likewise `history iostat`, `history mpstat` and `history netstat`).",
        "netstat (sockets: default, -t -u -U -w -x -l -a -n -e -o -p -W; one row per socket)":
            "The rows are the sockets the text layout lists, Internet sockets then UNIX "
            "sockets, with the same selection (-l, -a, -t, ...); fields a kind of socket does "
            "not have are null. With -c, every listing adds its rows.",
        "iostat (default; -c, -d, -k, -t, -y, -z, -p, devices, interval/count)":
            "One row per sample for avg-cpu (`section` cpu) and one per device shown "
            "(`section` device); the fields of the other kind are null (empty in csv). "
            "Names are those of sysstat's JSON (`-m`: `MB_read/s`..., `rMB/s`...; "
            "`POSIXLY_CORRECT`: `Blk_read/s`..., `rsec/s`...); `-c` or `-d` leave out the "
            "other kind's fields. Numbers are rounded as the text shows them (`--dec`); `-h` and "
            "`--human` change only the text layout.",
        "mpstat (default, -u, -P; -T adds core, socket, cpu_node)":
            "Every row has `section` (cpu, node, sum, irq or softirq); fields a section "
            "does not have are null. As in sysstat's own JSON, the Average block of an "
            "interval run is not repeated in structured output.",
        "history info (one row per archive)":
            "`timestamp` is the time of the archive's newest slot.",
        "history series (without NAME: one row per series)":
            "`timestamp` is the time of the newest sample.",
    }
    for title, fields in sections():
        out.append(f"\n## {title}\n")
        if title in notes:
            out.append(notes[title] + "\n")
        out.append("\n| field | unit | meaning |\n|---|---|---|\n")
        out.append("| `timestamp` | ISO 8601 | time of the sample |\n")
        for f in fields:
            out.append(f"| `{f.name}` | {f.unit or '-'} | {f.help} |\n")
    return "".join(out)


if __name__ == "__main__":
    with open(DOC, "w") as fh:
        fh.write(render())
    sys.exit(0)
