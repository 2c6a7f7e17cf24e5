"""``pystat mpstat``: sysstat 12.6.1 mpstat (as Debian 12 ships it), byte for byte.

What it reads:

* at start-up, the ``cpuN`` directories of /sys/devices/system/cpu (tables
  are sized by the highest N + 1; the banner counts them), /proc/interrupts
  and /proc/softirqs (to size the interrupt tables: 3 spare rows), and each
  ``cpuN`` directory for a ``nodeX`` entry (NUMA placement; if one cannot be
  listed, there are no node reports);
* per sample: /proc/uptime (the interval, in 1/100 s), the ``cpuN`` lines of
  /proc/stat, and as the reports need them the ``intr`` total of /proc/stat
  (read as 32 bits, kept with the per-CPU totals of /proc/interrupts or
  /proc/softirqs in 64-bit counters: their differences wrap at 2**64; each
  interrupt's count is 32 bits and wraps at 2**32), /proc/interrupts, /proc/softirqs and, with ``-T``,
  ``cpuN/topology/{physical_package_id,thread_siblings_list}``.

sysstat's computations are kept, quirks included: CPU "all" is the sum of
the per-CPU lines (the aggregate line only on one-CPU machines); a CPU with
no line is offline (not shown in any report; its CPU times carried on from
the previous sample, its interrupt total read from the file; the counts per interrupt of a
CPU that the interrupts or softirqs file does not name, offline or not, are
those of the previous sample), one that comes back with no
previous values is skipped once; counters that go backwards are clamped as in
``get_per_cpu_interval()``; interval headers carry the previous sample's
time; ``Average:`` is computed against the first sample; with both SUM and
SCPU (``-I ALL``, ``-A``) the per-CPU ``intr/s`` are softirq totals (both
files are summed into the same counters); JSON has no Average.
"""

from __future__ import annotations

import os
import sys
import time

import click

from pystat.commands import FORMAT_OPTION, until_series_ends
from pystat.commands.sysstat import (JSON_END, Pacer, Painter, UsageError, all_digits, atol,
                                     banner, cpu_nr as count_cpus, is_iso, parse_dec, tabs,
                                     use_locale_time)
from pystat.errors import PystatError, SeriesExhausted, SourceError
from pystat.proc.cscan import U32, U64, c_strlen, strtol
from pystat.proc.interrupts import parse_interrupts
from pystat.proc.stat import scan_stat
from pystat.proc.uptime import parse_uptime

NAME = "mpstat"
CPU_DIR = "/sys/devices/system/cpu"
NR_IRQCPU_PREALLOC = 3
NR_IRQS = 1024
INTERRUPTS_LINE = 128

# report types
CPU, IRQ_SUM, IRQ_CPU, SOFTIRQS, NODE = 1, 2, 4, 8, 16
ULL_LIMIT = U64 - 0x7FFFF
#: more CPUs than this (from a cpuN directory) are taken as sysstat's malloc failing
MAX_CPU_NR = 1 << 24

PC_HEADER = ("    %usr   %nice    %sys %iowait    %irq   %soft  %steal  %guest  %gnice   %idle\n")
JSON_PC = ('"usr": %.2f, "nice": %.2f, "sys": %.2f, "iowait": %.2f, "irq": %.2f, "soft": %.2f, '
           '"steal": %.2f, "guest": %.2f, "gnice": %.2f, "idle": %.2f}')
TICKLESS = (0.0,) * 9 + (100.0,)


class Opts:
    def __init__(self):
        self.actflags = 0
        self.json = False
        self.topology = False
        self.option_p = False
        self.option_n = False
        self.option_a = False
        self.dis_hdr = -1
        self.dplaces = -1
        self.interval = -1
        self.count = 0
        self.cpu_bitmap: set[int] = set()   # bit numbers: 0 = all, i + 1 = CPU i
        self.node_bitmap: set[int] = set()
        self.cpu_nr = 0        # highest CPU number + 1
        self.banner_cpus = 0   # cpuN directories
        self.node_nr = -1
        self.cpu2node: list[int] = []
        self.cpu_per_node: list[int] = []
        self.irqcpu_nr = 0
        self.softirqcpu_nr = 0
        self.rows = 86400
        self.start = 0.0


# --------------------------------------------------------------------------
# start-up and the command line

def irqcpu_nr(root, path: str, cpu_nr: int) -> int:
    """get_irqcpu_nr(): lines of ``path`` whose ':' is at 1..15 (0 if unreadable)."""
    try:
        text = root.read(path)
    except SourceError:
        return 0
    return min(parse_interrupts(text, cpu_nr, INTERRUPTS_LINE + 11 * cpu_nr).counted, NR_IRQS)


def node_placement(root, cpu_nr: int):
    """get_node_placement(): (highest node or -1, cpu2node, cpu_per_node)."""
    cpu2node = [-1] * cpu_nr
    per_node = [0] * (cpu_nr + 1)
    per_node[0] = cpu_nr
    hi = -1
    for cpu in range(cpu_nr):
        try:
            names = root.listdir(f"{CPU_DIR}/cpu{cpu}")
        except SourceError:
            return -1, cpu2node, per_node
        for name in names:
            if name.startswith("node") and name[4:5].isdigit() and name[4:5].isascii():
                node, _ = strtol(name, 4)
                node = node if node is not None else 0
                if node >= cpu_nr or node < 0:
                    return -1, cpu2node, per_node
                per_node[node + 1] += 1
                cpu2node[cpu] = node
                hi = max(hi, node)
                break
    return hi, cpu2node, per_node


def parse_values(arg: str, max_val: int, what: str) -> set[int]:
    """sysstat's parse_values(): a set of bitmap positions (0 = "all", i + 1 = i)."""
    if arg == "ALL":
        return set(range(max_val + 1 + 8))
    bits: set[int] = set()
    for t in (x for x in arg.split(",") if x):
        if t == "all":
            bits.add(0)
            continue
        rng = t[:15]
        dash = rng.find("-")
        if dash >= 0:
            low = _valstr(rng[:dash], max_val)
            if low is None or low < 0:
                raise UsageError(NAME, f"invalid {what} list '{arg}'")
            high = _valstr(rng[dash + 1:], max_val)
        else:
            low = high = _valstr(t, max_val)
        if high is None:
            raise UsageError(NAME, f"invalid {what} list '{arg}'")
        if dash >= 0 and high < 0:
            high = max_val - 1
        if (dash < 0 and high < 0) or (dash >= 0 and high < low):
            raise UsageError(NAME, f"invalid {what} list '{arg}'")
        bits.update(range(low + 1, high + 2))
    return bits


def _valstr(s: str, max_val: int) -> int | None:
    if not s:
        return -1
    if not all_digits(s):
        return None
    v = int(s)
    if v >= max_val:
        return None
    return v


def parse_args(args: list[str], o: Opts) -> None:
    actset = False
    i = 0
    n = len(args)
    while i < n:
        a = args[i]
        if (d := parse_dec(a, NAME)) is not None:
            o.dplaces = d
        elif a == "-I":
            i += 1
            if i >= n:
                raise UsageError(NAME, "-I needs SUM, CPU, SCPU or ALL")
            actset = True
            for t in (x for x in args[i].split(",") if x):
                if t == "SUM":
                    o.actflags |= IRQ_SUM
                elif t == "CPU":
                    o.actflags |= IRQ_CPU
                elif t == "SCPU":
                    o.actflags |= SOFTIRQS
                elif t == "ALL":
                    o.actflags |= IRQ_SUM | IRQ_CPU | SOFTIRQS
                else:
                    raise UsageError(NAME, f"-I {args[i]}: SUM, CPU, SCPU or ALL expected")
        elif a == "-o":
            i += 1
            if i >= n or args[i] != "JSON":
                raise UsageError(NAME, "-o takes JSON")
            o.json = True
        elif a == "-N":
            i += 1
            if i >= n:
                raise UsageError(NAME, "-N needs a node list")
            if o.node_nr >= 0:
                o.option_n = True
                o.actflags |= NODE
                actset = True
                o.dis_hdr = 9
                o.node_bitmap |= parse_values(args[i], o.node_nr + 1, "node")
        elif a == "-P":
            i += 1
            if i >= n:
                raise UsageError(NAME, "-P needs a CPU list")
            o.option_p = True
            o.dis_hdr = 9
            o.cpu_bitmap |= parse_values(args[i], o.cpu_nr, "CPU")
        elif a.startswith("-"):
            for c in a[1:]:
                if c == "A":
                    o.option_a = True
                    o.actflags |= CPU | IRQ_SUM | IRQ_CPU | SOFTIRQS
                    if o.node_nr >= 0:
                        o.actflags |= NODE
                    actset = True
                elif c == "n":
                    if o.node_nr >= 0:
                        o.actflags |= NODE
                        actset = True
                elif c == "T":
                    o.topology = True
                elif c == "u":
                    o.actflags |= CPU
                elif c == "V":
                    click.echo("sysstat version 12.6.1 (pystat)")
                    raise click.exceptions.Exit(0)
                else:
                    raise UsageError(NAME, f"invalid option -- '{c}'")
        elif o.interval < 0:
            if not all_digits(a):
                raise UsageError(NAME, f"'{a}': the interval must be a number")
            o.interval = atol(a)
            o.count = -1
        elif o.count <= 0:
            if not all_digits(a) or not o.interval:
                raise UsageError(NAME, "the count must be a number after an interval greater "
                                       "than 0")
            o.count = atol(a)
            if o.count < 1:
                raise UsageError(NAME, "the count must be at least 1")
        else:
            raise UsageError(NAME, f"unexpected argument '{a}'")
        i += 1
    if not actset or (o.option_p and not (o.actflags & ~NODE)):
        o.actflags |= CPU
    if bin(o.actflags).count("1") > 1:
        o.dis_hdr = 9
    if o.option_a:
        if o.node_nr >= 0 and not o.option_n:
            o.node_bitmap = set(range(o.cpu_nr + 1 + 8))
            o.option_n = True
        if not o.option_p:
            o.cpu_bitmap = set(range(o.cpu_nr + 1 + 8))
            o.option_p = True
    if not o.option_p:
        o.cpu_bitmap = {0}
    if not o.option_n:
        o.node_bitmap.add(0)
    if o.dis_hdr < 0:
        o.dis_hdr = 0
    if o.interval < 0:
        o.interval = 0


def win_height(out) -> int:
    """get_win_height(): terminal rows - 2, or 86400 when stdout is not a terminal."""
    try:
        rows = os.get_terminal_size(out.fileno()).lines
    except (OSError, ValueError, AttributeError):
        return 86400
    return rows - 2 if rows > 2 else 86400


# --------------------------------------------------------------------------
# the tables

def sum8(c: list[int]) -> int:
    """user + nice + sys + idle + iowait + irq + softirq + steal (64-bit)."""
    return (c[0] + c[1] + c[2] + c[3] + c[4] + c[5] + c[6] + c[7]) & U64


def per_cpu_interval(scc: list[int], scp: list[int]) -> int:
    """get_per_cpu_interval(): may lower the previous iowait and idle."""
    ishift = 0
    uc, up = (scc[0] - scc[8]) & U64, (scp[0] - scp[8]) & U64
    if uc < up:
        ishift += up - uc
    nc, np_ = (scc[1] - scc[9]) & U64, (scp[1] - scp[9]) & U64
    if nc < np_:
        ishift += np_ - nc
    if scc[4] < scp[4] and scp[4] < ULL_LIMIT:
        scp[4] = scc[4] if (scc[3] > scp[3] or scp[3] >= ULL_LIMIT) else 0
    if scc[3] < scp[3] and scp[3] < ULL_LIMIT:
        scp[3] = 0
    return (sum8(scc) - sum8(scp) + ishift) & U64


def ll_sp_value(a: int, b: int, itv: int) -> float:
    if b < a:
        return 0.0
    return float((b - a) & U64) / itv * 100


def pc_values(c: list[int], p: list[int], itv: int) -> tuple[float, ...]:
    uc, up = (c[0] - c[8]) & U64, (p[0] - p[8]) & U64
    nc, np_ = (c[1] - c[9]) & U64, (p[1] - p[9]) & U64
    return (0.0 if uc < up else ll_sp_value(up, uc, itv),
            0.0 if nc < np_ else ll_sp_value(np_, nc, itv),
            ll_sp_value(p[2], c[2], itv), ll_sp_value(p[4], c[4], itv),
            ll_sp_value(p[5], c[5], itv), ll_sp_value(p[6], c[6], itv),
            ll_sp_value(p[7], c[7], itv), ll_sp_value(p[8], c[8], itv),
            ll_sp_value(p[9], c[9], itv),
            0.0 if c[3] < p[3] else ll_sp_value(p[3], c[3], itv))


def s_value32(prev: int, cur: int, itv: int) -> float:
    """S_VALUE() of two ``unsigned int`` counters (an interrupt's count)."""
    return float((cur - prev) & U32) / itv * 100


def s_value64(prev: int, cur: int, itv: int) -> float:
    """S_VALUE() of two ``unsigned long long`` counters (st_irq's totals)."""
    return float((cur - prev) & U64) / itv * 100


class IrqTable:
    """st_irqcpu / st_softirqcpu of one slot: names (as CPU 0's rows) and counts."""

    def __init__(self, cpu_nr: int, ic_nr: int):
        self.names = [""] * ic_nr
        self.counts = [[0] * ic_nr for _ in range(cpu_nr)]

    def copy(self) -> "IrqTable":
        t = IrqTable.__new__(IrqTable)
        t.names = list(self.names)
        t.counts = [list(r) for r in self.counts]
        return t


class State:
    """mpstat's arrays: three slots (0/1 alternate, 2 keeps the first sample)."""

    def __init__(self, o: Opts):
        n = o.cpu_nr + 1
        self.o = o
        self.cpu = [[[0] * 10 for _ in range(n)] for _ in range(3)]
        self.node = [[[0] * 10 for _ in range(n)] for _ in range(3)]
        self.irq = [[0] * n for _ in range(3)]
        self.irqcpu = [IrqTable(o.cpu_nr, o.irqcpu_nr) for _ in range(3)]
        self.softirqcpu = [IrqTable(o.cpu_nr, o.softirqcpu_nr) for _ in range(3)]
        self.uptime = [0, 0, 0]
        self.tstamp = [0.0, 0.0, 0.0]
        self.topology = [(0, 0)] * o.cpu_nr  # (logical core id, package id)

    def read(self, host, slot: int) -> None:
        o = self.o
        root = host.root
        try:
            self.uptime[slot] = root.parse("/proc/uptime", parse_uptime).centiseconds
        except SourceError:
            raise PystatError(f"{NAME}: Cannot read /proc/uptime", exit_code=2) from None
        scan = _stat(root)
        cpus = self.cpu[slot]
        for n, times in scan.cpus:
            if n is None:
                cpus[0][:] = times
                if o.cpu_nr + 1 == 1:
                    break
            else:
                if n + 2 > o.cpu_nr + 1:
                    break
                if n < -1:
                    # sysstat writes before its array (undefined; no visible
                    # effect with Debian's build): nothing is changed here
                    continue
                cpus[n + 1][:] = times
        if o.actflags & CPU and o.topology:
            self.topology = [_topology(root, c) for c in range(o.cpu_nr)]
        if o.actflags & IRQ_SUM:
            intr = _stat(root).intr  # sysstat reads /proc/stat again for it
            if intr is not None:
                self.irq[slot][0] = intr & U32
        if o.actflags & (IRQ_SUM | IRQ_CPU):
            self._interrupts(root, "/proc/interrupts", self.irqcpu, o.irqcpu_nr, slot)
        if o.actflags & SOFTIRQS:
            self._interrupts(root, "/proc/softirqs", self.softirqcpu, o.softirqcpu_nr, slot)

    def _interrupts(self, root, path: str, tables: list, ic_nr: int, slot: int) -> None:
        """read_interrupts_stat(): per-CPU counts, and per-CPU totals into st_irq.

        A CPU the file's header does not name keeps the counts and the total
        of the previous sample (row by row, whatever the names), as in
        sysstat: one that went offline, or one missing from the file (a file
        without a header names none), does not drop to zero."""
        o = self.o
        table = tables[slot]
        other = tables[slot ^ 1]
        table.counts = [list(r) for r in other.counts]
        totals = self.irq[slot]
        irq = 0
        try:
            text = root.read(path)
        except SourceError:
            text = None
        if text is not None:
            parsed = parse_interrupts(text, o.cpu_nr, INTERRUPTS_LINE + 11 * o.cpu_nr)
            cpus = parsed.cpus
            # the totals of the CPUs the header names start from zero; the
            # others keep those of the previous sample
            before = self.irq[slot ^ 1] if slot < 2 else totals
            for c in range(1, o.cpu_nr + 1):
                totals[c] = before[c]
            for cpu in cpus:
                if 0 <= cpu < o.cpu_nr:
                    totals[cpu + 1] = 0
            for line in parsed.lines:
                if irq >= ic_nr:
                    break
                table.names[irq] = line.name
                for cpu, value in zip(cpus, line.counts):
                    if not 0 <= cpu < o.cpu_nr:
                        continue
                    value &= U32
                    table.counts[cpu][irq] = value
                    totals[cpu + 1] = (totals[cpu + 1] + value) & U64
                irq += 1
        while irq < ic_nr:
            table.names[irq] = ""
            irq += 1

    def snapshot_first(self) -> None:
        """Slot 2 := slot 0 (the reference of the Average)."""
        self.tstamp[2] = self.tstamp[0]
        self.uptime[2] = self.uptime[0]
        self.cpu[2] = [list(c) for c in self.cpu[0]]
        self.node[2] = [list(c) for c in self.node[0]]
        self.irq[2] = list(self.irq[0])
        self.irqcpu[2] = self.irqcpu[0].copy()
        self.softirqcpu[2] = self.softirqcpu[0].copy()


def _stat(root):
    try:
        return root.parse("/proc/stat", scan_stat)
    except SourceError as e:
        reason = str(e).rsplit(": ", 1)[-1]
        raise PystatError(f"{NAME}: Cannot open /proc/stat: {reason}", exit_code=2) from None


def _topology(root, cpu: int) -> tuple[int, int]:
    out = []
    for name in ("thread_siblings_list", "physical_package_id"):
        try:
            text = root.read(f"{CPU_DIR}/cpu{cpu}/topology/{name}")
        except SourceError:
            out.append(0)
            continue
        v, _ = strtol(text)
        out.append(-1 if v is None else (v + (1 << 31)) % (1 << 32) - (1 << 31))
    return out[0], out[1]


# --------------------------------------------------------------------------
# one report (write_stats_core)

class Report(list):
    """One sample: structured rows (the list) and the sections the text needs."""

    def __init__(self, timestamp: float, average: bool, prev_time: str, curr_time: str):
        super().__init__()
        self.timestamp = timestamp
        self.average = average
        self.prev_time = prev_time
        self.curr_time = curr_time
        self.sections: list[tuple] = []
        self.dis = False


def compute(st: State, prev: int, curr: int, o: Opts, report: Report) -> None:
    """write_stats_core(): the numbers of every active report, in order."""
    offline = set()
    itv_all = _global_cpu(st, prev, curr, offline, o)
    itv = (st.uptime[curr] - st.uptime[prev]) & U64 or 1
    sections = report.sections
    if o.actflags & CPU:
        sections.append(("cpu", _cpu_section(st, prev, curr, itv_all or 1, offline, o)))
    if o.actflags & NODE:
        _set_node_stats(st, prev, curr, o)
        sections.append(("node", _node_section(st, prev, curr, itv_all or 1, o)))
    if o.actflags & IRQ_SUM:
        sections.append(("sum", _sum_section(st, prev, curr, itv, offline, o)))
    if o.actflags & IRQ_CPU:
        sections.append(("irq",) + _irq_section(st.irqcpu, o.irqcpu_nr, st, prev, curr, itv,
                                                offline, o, report.dis))
    if o.actflags & SOFTIRQS:
        sections.append(("softirq",) + _irq_section(st.softirqcpu, o.softirqcpu_nr, st, prev,
                                                    curr, itv, offline, o, report.dis))


def _global_cpu(st: State, prev: int, curr: int, offline: set, o: Opts) -> int:
    """get_global_cpu_mpstats(): CPU "all" as the sum of the online CPUs."""
    scc_all, scp_all = st.cpu[curr][0], st.cpu[prev][0]
    if o.cpu_nr <= 1:
        return per_cpu_interval(scc_all, scp_all)
    scc_all[:] = [0] * 10
    scp_all[:] = [0] * 10
    deltot = 0
    for i in range(1, o.cpu_nr + 1):
        scc, scp = st.cpu[curr][i], st.cpu[prev][i]
        if sum8(scc) == 0:
            # offline: its CPU times carry on from the previous sample (so
            # that they do not jump from zero when it is back); its interrupt
            # total and counts per interrupt do not: they are what the
            # interrupts and softirqs files hold for it
            scc[:] = scp
            offline.add(i)
        if sum8(scp) == 0 and o.interval:
            offline.add(i)
            continue
        deltot = (deltot + per_cpu_interval(scc, scp)) & U64
        for k in range(10):
            scc_all[k] = (scc_all[k] + scc[k]) & U64
            scp_all[k] = (scp_all[k] + scp[k]) & U64
    return deltot


def _cpu_section(st, prev, curr, deltot, offline, o: Opts) -> list:
    out = []
    for i in range(o.cpu_nr + 1):
        if i not in o.cpu_bitmap or i in offline:
            continue
        scc, scp = st.cpu[curr][i], st.cpu[prev][i]
        itv = deltot
        if i == 0:
            out.append(("all", None, pc_values(scc, scp, itv)))
            continue
        topo = (st.topology[i - 1][0], st.topology[i - 1][1], o.cpu2node[i - 1])
        itv = per_cpu_interval(scc, scp)
        out.append((i - 1, topo, pc_values(scc, scp, itv) if itv else None))
    return out


def _set_node_stats(st, prev, curr, o: Opts) -> None:
    n = o.cpu_nr + 1
    st.node[prev] = [[0] * 10 for _ in range(n)]
    st.node[curr] = [[0] * 10 for _ in range(n)]
    st.node[prev][0] = list(st.cpu[prev][0])
    st.node[curr][0] = list(st.cpu[curr][0])
    for cpu in range(o.cpu_nr):
        scc, scp = st.cpu[curr][cpu + 1], st.cpu[prev][cpu + 1]
        if sum8(scp) == 0 and o.interval:
            continue
        snp, snc = st.node[prev][o.cpu2node[cpu] + 1], st.node[curr][o.cpu2node[cpu] + 1]
        for k in range(10):
            snp[k] = (snp[k] + scp[k]) & U64
            snc[k] = (snc[k] + scc[k]) & U64


def _node_section(st, prev, curr, deltot, o: Opts) -> list:
    out = []
    for node in range(o.node_nr + 2):
        snc, snp = st.node[curr][node], st.node[prev][node]
        if node not in o.node_bitmap or not o.cpu_per_node[node]:
            continue
        if node == 0:
            out.append(("all", pc_values(snc, snp, deltot)))
            continue
        itv = 0
        for cpu in range(1, o.cpu_nr + 1):
            scc, scp = st.cpu[curr][cpu], st.cpu[prev][cpu]
            if sum8(scp) == 0 and o.interval:
                continue
            if o.cpu2node[cpu - 1] == node - 1:
                itv = (itv + per_cpu_interval(scc, scp)) & U64
        out.append((node - 1, pc_values(snc, snp, itv) if itv else None))
    return out


def _sum_section(st, prev, curr, itv, offline, o: Opts) -> list:
    """("all" | cpu, value) rows; (cpu, None) marks an offline CPU (not shown)."""
    out = []
    if 0 in o.cpu_bitmap:
        out.append(("all", s_value64(st.irq[prev][0], st.irq[curr][0], itv)))
    for cpu in range(1, o.cpu_nr + 1):
        if cpu not in o.cpu_bitmap:
            continue
        scc, scp = st.cpu[curr][cpu], st.cpu[prev][cpu]
        if cpu in offline:
            out.append((cpu - 1, None))
            continue
        pc_itv = per_cpu_interval(scc, scp)
        value = s_value64(st.irq[prev][cpu], st.irq[curr][cpu], itv) if pc_itv else 0.0
        out.append((cpu - 1, value))
    return out


def _irq_section(tables, ic_nr, st, prev, curr, itv, offline, o: Opts, dis: bool):
    """(header wanted, names, column widths, [(cpu, values)])."""
    cur_t, prev_t = tables[curr], tables[prev]
    changed = False
    if not dis and o.interval:
        changed = any(cur_t.names[j] != prev_t.names[j] for j in range(ic_nr))
    names = []
    for j in range(ic_nr):
        if cur_t.names[j] == "":
            break
        names.append(cur_t.names[j])
    widths = [max(c_strlen(cur_t.names[j]) + 2, 10) for j in range(ic_nr)]
    rows = []
    for cpu in range(1, o.cpu_nr + 1):
        if cpu not in o.cpu_bitmap and o.option_p:
            continue
        if cpu in offline:
            continue
        values = []
        for j, name in enumerate(names):
            offset = j
            q0 = prev_t.names[j]
            if name != q0 and o.interval:
                for offset in range(ic_nr):
                    q0 = prev_t.names[offset]
                    if name == q0:
                        break
                else:
                    offset = ic_nr
            p = cur_t.counts[cpu - 1][j]
            if name == q0 or not o.interval:
                q = prev_t.counts[cpu - 1][offset]
                values.append(s_value32(q, p, itv))
            else:
                values.append(s_value32(0, p, itv))
        rows.append((cpu - 1, values))
    return dis or changed, names, widths, rows


# --------------------------------------------------------------------------
# the samples

def _clock(epoch: float) -> str:
    return time.strftime("%H:%M:%S" if is_iso() else "%X", time.localtime(epoch))


def reports(host, o: Opts, out=None):
    """An empty list at start-up, then one Report per output block (interval
    reports, then the Average; or the single since-boot report)."""
    root = host.root
    o.cpu_nr = count_cpus(root, NAME, highest=True)
    if o.cpu_nr > MAX_CPU_NR:
        # a cpuN directory with an absurd N: sysstat's tables do not fit in
        # memory (malloc fails: exit 4) or its stack overflows (a crash)
        raise PystatError(f"{NAME}: malloc: Cannot allocate memory", exit_code=4)
    o.irqcpu_nr = irqcpu_nr(root, "/proc/interrupts", o.cpu_nr) + NR_IRQCPU_PREALLOC
    o.softirqcpu_nr = irqcpu_nr(root, "/proc/softirqs", o.cpu_nr) + NR_IRQCPU_PREALLOC
    o.node_nr, o.cpu2node, o.cpu_per_node = node_placement(root, o.cpu_nr)
    parse_args(o.args, o)
    if not o.dis_hdr:
        o.rows = win_height(out if out is not None else sys.stdout)
    st = State(o)
    st.tstamp[0] = host.now()
    o.start = st.tstamp[0]
    o.banner_cpus = count_cpus(root, NAME, highest=False)
    yield []
    st.read(host, 0)
    if o.cpu_nr > 1:
        total = [0] * 10
        for c in st.cpu[0][1:]:
            for k in range(10):
                total[k] = (total[k] + c[k]) & U64
        st.cpu[0][0] = total
    if not o.interval:
        st.tstamp[1] = st.tstamp[0]
        t = _clock(st.tstamp[0])
        r = Report(st.tstamp[0], False, t, t)
        r.dis = True
        compute(st, 1, 0, o, r)
        _rows(r)
        yield r
        return
    st.snapshot_first()
    pacer = Pacer(host, o.interval)
    try:
        if not pacer.wait():
            return  # interrupted during the first interval: sysstat exits at once
    except SeriesExhausted:
        if o.count >= 0:
            raise
        return
    curr = 1
    count = o.count
    lines = o.rows
    dis = True
    while True:
        st.cpu[curr] = [[0] * 10 for _ in range(o.cpu_nr + 1)]
        st.tstamp[curr] = host.now()
        st.read(host, curr)
        if not o.dis_hdr:
            dis = lines // o.rows > 0
            if dis:
                lines %= o.rows
            lines += 1
        r = Report(st.tstamp[curr], False, _clock(st.tstamp[curr ^ 1]), _clock(st.tstamp[curr]))
        r.dis = bool(dis)
        compute(st, curr ^ 1, curr, o, r)
        _rows(r)
        yield r
        if count > 0:
            count -= 1
        if not count:
            break
        try:
            if not pacer.wait():
                break  # ^C: the Average follows
        except SeriesExhausted:
            if o.count >= 0:
                raise
            break  # the end of a series without a count: as on ^C, the Average follows
        curr ^= 1
    if not o.json:
        avg = Report(st.tstamp[curr], True, "Average:", "Average:")
        avg.dis = bool(o.dis_hdr)
        compute(st, 2, curr, o, avg)
        yield avg


def _rows(r: Report) -> None:
    """The structured rows of a report (its list contents)."""
    ts = r.timestamp
    for kind, *data in r.sections:
        if kind == "cpu":
            for cpu, topo, values in data[0]:
                row = _pc_row(ts, "cpu", cpu, None, values)
                if topo is not None:
                    row["core"], row["socket"], row["cpu_node"] = topo
                r.append(row)
        elif kind == "node":
            for node, values in data[0]:
                r.append(_pc_row(ts, "node", None, node, values))
        elif kind == "sum":
            for cpu, value in data[0]:
                if value is not None:
                    r.append({"timestamp": ts, "section": "sum", "cpu": str(cpu), "intr": value})
        else:
            _header, names, _widths, rows = data
            for cpu, values in rows:
                for name, value in zip(names, values):
                    r.append({"timestamp": ts, "section": kind, "cpu": str(cpu),
                              "interrupt": name, "intr": value})


PC_KEYS = ("usr", "nice", "sys", "iowait", "irq", "soft", "steal", "guest", "gnice", "idle")


def _pc_row(ts, section, cpu, node, values) -> dict:
    row = {"timestamp": ts, "section": section,
           "cpu": None if cpu is None else str(cpu), "node": None if node is None else str(node)}
    row.update(zip(PC_KEYS, values if values is not None else TICKLESS))
    return row


# --------------------------------------------------------------------------
# text layouts

def _pcs(p: Painter, values) -> str:
    return "".join(p.pc(v, 7) for v in (values if values is not None else TICKLESS))


def plain_report(r: Report, o: Opts, p: Painter) -> str:
    parts = []
    prev_s, curr_s = r.prev_time, r.curr_time
    for kind, *data in r.sections:
        if kind == "cpu":
            if r.dis:
                parts.append("\n%-11s  CPU%s%s" % (prev_s, " CORE SOCK NODE" if o.topology else "",
                                                  PC_HEADER))
            for cpu, topo, values in data[0]:
                line = "%-11s" % curr_s
                if cpu == "all":
                    line += p.name(" %s", " all") + (" " * 15 if o.topology else "")
                else:
                    line += p.name(" %4d", cpu)
                    if o.topology:
                        line += "".join(p.name(" %4d", x) for x in topo)
                parts.append(line + _pcs(p, values) + "\n")
        elif kind == "node":
            if r.dis:
                parts.append("\n%-11s NODE%s" % (prev_s, PC_HEADER))
            for node, values in data[0]:
                line = "%-11s" % curr_s + (p.name(" %s", " all") if node == "all"
                                           else p.name(" %4d", node))
                parts.append(line + _pcs(p, values) + "\n")
        elif kind == "sum":
            if r.dis:
                parts.append("\n%-11s  CPU    intr/s\n" % prev_s)
            for cpu, value in data[0]:
                if value is None:
                    continue
                name = p.name(" %s", " all") if cpu == "all" else p.name(" %4d", cpu)
                parts.append("%-11s" % curr_s + name + p.f(value, 9) + "\n")
        else:
            header, names, widths, rows = data
            if header:
                parts.append("\n%-11s  CPU" % prev_s
                             + "".join(" " * (9 - min(c_strlen(n), 8)) + n + "/s" for n in names)
                             + "\n")
            for cpu, values in rows:
                parts.append("%-11s" % curr_s + p.name("  %3d", cpu)
                             + "".join(p.f(v, widths[j]) for j, v in enumerate(values)) + "\n")
    return "".join(parts)


def json_report(r: Report, o: Opts) -> str:
    t5, t6, t7 = tabs(5), tabs(6), tabs(7)
    sections = []
    for kind, *data in r.sections:
        if kind == "cpu":
            body = t5 + '"cpu-load": [\n'
            sep = ""
            for cpu, topo, values in data[0]:
                if cpu == "all":
                    topology = (', "core": "", "socket": "", "node": ""'
                                if o.topology else "")
                else:
                    topology = (', "core": "%d", "socket": "%d", "node": "%d"' % topo
                                if o.topology else "")
                body += sep + t6 + '{"cpu": "%s"%s, ' % (cpu, topology)
                body += JSON_PC % (values if values is not None else TICKLESS)
                if values is None and cpu != "all":
                    body += "\n"  # sysstat ends a tickless CPU's entry with a newline
                sep = ",\n"
            sections.append(body + "\n" + t5 + "]")
        elif kind == "node":
            body = t5 + '"node-load": [\n'
            sep = ""
            for node, values in data[0]:
                body += sep + t6 + '{"node": "%s", ' % node
                body += JSON_PC % (values if values is not None else TICKLESS)
                sep = ",\n"
            sections.append(body + "\n" + t5 + "]")
        elif kind == "sum":
            body = t5 + '"sum-interrupts": [\n'
            sep = ""
            for cpu, value in data[0]:
                if value is None:
                    continue  # an offline CPU
                body += sep + t6 + '{"cpu": "%s", "intr": %.2f}' % (cpu, value)
                sep = ",\n"
            sections.append(body + "\n" + t5 + "]")
        else:
            _header, names, _widths, rows = data
            title = "individual-interrupts" if kind == "irq" else "soft-interrupts"
            body = t5 + '"%s": [\n' % title
            cpus = []
            for cpu, values in rows:
                entries = ",\n".join(t7 + '{"name": "%s", "value": %.2f}' % (n, v)
                                      for n, v in zip(names, values))
                cpus.append(t6 + '{"cpu": "%d", "intr": [\n' % cpu + entries + "\n" + t6 + "] }")
            sections.append(body + ",\n".join(cpus) + "\n" + t5 + "]")
    return (tabs(4) + "{\n" + t5 + '"timestamp": "%s",\n' % r.curr_time + ",\n".join(sections)
            + "\n" + tabs(4) + "}")


def text(reps, o: Opts, host, out) -> None:
    reps = iter(reps)
    next(reps, None)  # start-up: the command line is checked, the CPUs counted
    p = Painter(not o.json and Painter.wanted(out), o.dplaces)
    out.write(banner(host.uname(), o.start, o.banner_cpus, o.json))
    out.flush()
    first = True
    for r in reps:
        if o.json:
            out.write(("" if first else ",\n") + json_report(r, o))
        else:
            out.write(plain_report(r, o, p))
        out.flush()
        first = False
    if o.json:
        out.write("\n" + JSON_END)
    out.flush()


# --------------------------------------------------------------------------
# structured output

def fields(o: Opts):
    from pystat.render import Field

    out = [Field("section", "", "cpu, node, sum (interrupts per CPU), irq or softirq")]
    if o.actflags & (CPU | IRQ_SUM | IRQ_CPU | SOFTIRQS):
        out.append(Field("cpu", "", 'CPU number, or "all"'))
    if o.actflags & NODE:
        out.append(Field("node", "", 'NUMA node, or "all"'))
    if o.actflags & CPU and o.topology:
        out += [Field("core", "", "logical core (first of the CPU's thread siblings)"),
                Field("socket", "", "physical package"),
                Field("cpu_node", "", "NUMA node of the CPU")]
    if o.actflags & (CPU | NODE):
        helps = ("user time (guest excluded)", "user time at low priority (guest excluded)",
                 "kernel time (irq and softirq excluded)", "idle time with I/O outstanding",
                 "hard interrupt time", "soft interrupt time", "time stolen by the hypervisor",
                 "time running a guest", "time running a niced guest", "idle time")
        out += [Field(k, "%", h) for k, h in zip(PC_KEYS, helps)]
    if o.actflags & (IRQ_CPU | SOFTIRQS):
        out.append(Field("interrupt", "", "interrupt name (irq and softirq rows)"))
    if o.actflags & (IRQ_SUM | IRQ_CPU | SOFTIRQS):
        out.append(Field("intr", "1/s", "interrupts per second"))
    return out


def structured_rows(reps, o: Opts):
    dp = 2 if o.dplaces < 0 else o.dplaces
    names = None
    for r in reps:
        if names is None:
            names = [f.name for f in fields(o)]
        if getattr(r, "average", False):
            continue  # as sysstat's JSON: no Average
        rows = []
        for row in r:
            out = dict.fromkeys(names)
            for k, v in row.items():
                if k in out or k == "timestamp":
                    out[k] = float("%.*f" % (dp, v)) if isinstance(v, float) else v
            rows.append(out)
        yield rows


# --------------------------------------------------------------------------
# the command

@click.command(context_settings={"help_option_names": ["--help", "-h"],
                                 "ignore_unknown_options": True,
                                 "allow_interspersed_args": True})
@FORMAT_OPTION
@click.argument("args", nargs=-1, type=click.UNPROCESSED, metavar="[INTERVAL [COUNT]]")
@click.pass_obj
def command(obj, fmt, args):
    """Per-processor statistics, like sysstat 12.6.1 mpstat.

    \b
    Options are mpstat's:
      -u               CPU utilization (the default)
      -P {LIST|ALL}    these CPUs (0,2,4-7,12-; "all" is the average)
      -I {SUM|CPU|SCPU|ALL}  interrupts: total per CPU, each IRQ, each softirq
      -n, -N {LIST|ALL}  per NUMA node
      -A               -u -I ALL -n -P ALL -N ALL
      -T               CORE, SOCK and NODE columns
      --dec=N          N decimal places (0, 1 or 2)
      -o JSON          sysstat's JSON
    With INTERVAL, repeat every INTERVAL seconds (COUNT times, or forever)
    and end with the Average; without, one report since boot.
    """
    o = Opts()
    o.args = list(args)
    host = obj.host()
    run(host, o, fmt, sys.stdout)


def run(host, o: Opts, fmt: str, out) -> None:
    reps = until_series_ends(reports(host, o, out), False, NAME)
    if fmt == "text":
        use_locale_time()
        text(reps, o, host, out)
        return
    from pystat.render import render

    reps = iter(reps)
    next(reps, None)  # start-up: the options are parsed
    render(fmt, fields(o), structured_rows(reps, o), out)
