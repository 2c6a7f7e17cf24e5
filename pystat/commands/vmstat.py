"""``pystat vmstat``: procps-ng 4.0.2 vmstat (as Debian 12 ships it), byte for byte.

The numbers are computed the way vmstat 4.0.2 computes them, quirks included:

* the since-boot line divides counters by CPU-seconds (all CPUs' jiffies / HZ),
  not by uptime, rounding ``(x*HZ + Div/2) / Div``;
* memory goes through ``unitConvert``, which works in 32-bit floats;
* interval lines divide by the nominal delay, and the memory columns keep the
  values read at start-up (4.0.2 never re-reads /proc/meminfo);
* C integer widths: rates are printed as ``unsigned``, ``in``/``cs`` deltas
  are ``int``, the CPU sums and percentages are ``long long`` (they wrap), a
  number past 2**64 - 1 in a file is 2**64 - 1 (``strtoul``);
* libproc2 drops an interval in which one of its CPU tick sums went down, and
  vmstat carries a negative idle delta ("debt") into the next line;
* /proc/meminfo and /proc/vmstat are read as far as libproc2 reads them (8191
  bytes); a line whose value vmstat would lose or misread is an error;
* ``-d`` keeps devices in first-seen order (a vanished device keeps its last
  values), ``cur`` and ``sec`` are divided by 1000, and so are the last three
  lines of ``-D``.
"""

from __future__ import annotations

import re
import struct
import sys
import time

import click

from pystat import __version__
from pystat.commands import FORMAT_OPTION, until_series_ends
from pystat.errors import ParseError, PystatError, SourceError
from pystat.proc.cscan import U32, U64, signed
from pystat.proc.diskstats import DiskStat, parse_diskstats
from pystat.proc.meminfo import Meminfo, parse_meminfo
from pystat.proc.slabinfo import parse_slabinfo
from pystat.proc.stat import parse_stat
from pystat.proc.vmstat import parse_vmstat

# -S: the unit's first letter -> divisor
UNITS = {"b": 1, "B": 1, "k": 1000, "K": 1024, "m": 1000000, "M": 1048576}

_F32 = struct.Struct("f")


def f32(x: float) -> float:
    """Round to the nearest 32-bit float, as C's ``(float)`` does."""
    return _F32.unpack(_F32.pack(x))[0]


_TWO64 = 18446744073709551616.0


def u64_to_f32(n: int) -> float:
    """C's ``(float)n``: rounded once to 24 bits (``f32(float(n))`` rounds twice
    past 2**53, through a double)."""
    bits = n.bit_length()
    if bits <= 53:
        return f32(float(n))
    shift = bits - 24
    q, r = divmod(n, 1 << shift)
    half = 1 << (shift - 1)
    if r > half or (r == half and q & 1):
        q += 1
    return float(q << shift)


class Opts:
    """The parsed command line."""

    def __init__(self, *, active=False, wide=False, timestamp=False, no_first=False,
                 one_header=False, unit="K", delay=1, count=1, infinite=False,
                 partition=None):
        self.active = active
        self.wide = wide
        self.timestamp = timestamp
        self.no_first = no_first
        self.one_header = one_header
        self.unit_char = unit
        self.unit = UNITS[unit]
        self.delay = delay
        self.count = count          # num_updates; < 0 means forever, as in C
        self.infinite = infinite
        self.partition = partition
        self.start = 0.0            # the clock when the command started

    @property
    def mem_unit(self) -> str:
        """The -S unit's name, for the structured formats."""
        return {"K": "KiB", "M": "MiB", "k": "kB", "m": "MB"}.get(self.unit_char, "B")

    def more(self, i: int) -> bool:
        """Whether loop iteration ``i`` runs (vmstat's ``infinite || i < num_updates``)."""
        return self.infinite or self.count < 0 or i < self.count

    def unit_convert(self, kib: int) -> int:
        """vmstat's unitConvert(): KiB to the -S unit, in float32 arithmetic.

        Its argument is an ``unsigned long`` (a product passed to it wraps); a
        result of 2**64 or more converts to 0 (x86-64's float to unsigned long).
        """
        v = f32(f32(u64_to_f32(kib & U64) / self.unit) * 1024.0)
        return int(v) if v < _TWO64 else 0


#: libproc2 reads /proc/meminfo and /proc/vmstat with one read() of this many
#: bytes: it sees nothing past them (a counter there is 0)
LIBPROC_READ = 8191


def first_read(text: str, sep: str, used: tuple[str, ...]) -> str:
    """The complete lines of what libproc2's read() gets of ``text``.  A line it
    gets part of, if it is one vmstat shows (its name ends at ``sep``), is an
    error: vmstat would read the digits it got."""
    if len(text) <= LIBPROC_READ // 4 or len(data := text.encode("utf-8", "surrogateescape")) \
            <= LIBPROC_READ:
        return text
    head = data[:LIBPROC_READ]
    end = head.rfind(b"\n") + 1
    key, found, _ = head[end:].decode("utf-8", "surrogateescape").partition(sep)
    if found and key in used:
        raise ParseError(f"the {key} line crosses byte {LIBPROC_READ}, "
                         "where vmstat stops reading")
    return head[:end].decode("utf-8", "surrogateescape")


_VMSTAT_USED = ("pgpgin", "pgpgout", "pswpin", "pswpout")
_MEMINFO_USED = ("MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "SReclaimable",
                 "Active", "Inactive", "SwapTotal", "SwapFree")


def _parse_first_read(parse, text: str, sep: str, used: tuple[str, ...]):
    head = first_read(text, sep, used)
    try:
        return parse(head)
    except ParseError as e:
        if head is text:
            raise
        raise ParseError(f"{e} (in the first {LIBPROC_READ} bytes, all vmstat reads)") from None


def vmstat_counters(text: str):
    """/proc/vmstat as far as vmstat reads it."""
    return _parse_first_read(parse_vmstat, text, " ", _VMSTAT_USED)


def meminfo(text: str) -> Meminfo:
    """/proc/meminfo as far as vmstat reads it."""
    return _parse_first_read(parse_meminfo, text, ":", _MEMINFO_USED)


def stat_totals(text: str):
    """/proc/stat without the per-CPU lines, which vmstat does not show."""
    return parse_stat(text, percpu=False)


def heading_rows() -> int:
    """vmstat's header period: terminal rows - 3 (24 rows when not a terminal)."""
    import os

    rows = 24
    try:
        r = os.get_terminal_size(sys.stdout.fileno()).lines
        if r > 0:
            rows = r
    except (OSError, ValueError, AttributeError):
        pass
    return rows - 3 if rows - 3 > 0 else 22


# --------------------------------------------------------------------------
# VM mode (default, -a, -w, -t, -S, -n, -y)

def vm_fields(o: Opts):
    from pystat.render import Field

    mem = o.mem_unit
    return [
        Field("r", "processes", "runnable processes (running or waiting for a CPU)"),
        Field("b", "processes", "processes blocked in uninterruptible sleep"),
        Field("swpd", mem, "swap in use"),
        Field("free", mem, "free memory"),
        *((Field("inact", mem, "inactive memory"), Field("active", mem, "active memory"))
          if o.active else
          (Field("buff", mem, "buffer memory"), Field("cache", mem, "page cache + reclaimable slab"))),
        Field("si", mem + "/s", "swapped in from disk"),
        Field("so", mem + "/s", "swapped out to disk"),
        Field("bi", "KiB/s", "read from block devices"),
        Field("bo", "KiB/s", "written to block devices"),
        Field("in", "1/s", "interrupts"),
        Field("cs", "1/s", "context switches"),
        Field("us", "%", "CPU time in user space (guest excluded)"),
        Field("sy", "%", "CPU time in the kernel (irq and softirq included)"),
        Field("id", "%", "CPU time idle"),
        Field("wa", "%", "CPU time waiting for I/O"),
        Field("st", "%", "CPU time stolen by the hypervisor"),
        Field("gu", "%", "CPU time running guests"),
    ]


def memory_columns(mem: Meminfo, o: Opts) -> dict:
    """swpd, free and buff/cache (or inact/active with -a), in the -S unit."""
    uc = o.unit_convert
    swap_used = mem.swap_total - mem.swap_free if mem.swap_free < mem.swap_total else 0
    memory = {"swpd": uc(swap_used), "free": uc(mem.free)}
    if o.active:
        memory["inact"] = uc(mem.inactive)
        memory["active"] = uc(mem.active)
    else:
        memory["buff"] = uc(mem.buffers)
        memory["cache"] = uc(mem.cached + (mem.sreclaimable or 0))
    return memory


def _c_sdiv(a: int, b: int) -> int:
    """C signed division (truncates toward zero)."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def _cpu_split(t) -> tuple[int, dict]:
    """vmstat's CPU columns from 10 tick values (totals or deltas): (Div, columns).

    In vmstat's types: the sums are ``long long`` (they wrap, and a tick count
    past 2**63 is negative), the percentages are divided as ``long long`` and
    printed as ``unsigned``; Div is returned as that ``long long``.
    """
    use = signed(t[0] + t[1], 64)
    sys_ = signed(t[2] + t[5] + t[6], 64)
    idl, iow, sto = signed(t[3], 64), signed(t[4], 64), signed(t[7], 64)
    gue = signed(t[8] + t[9], 64)
    div = signed(use + sys_ + idl + iow + sto, 64)
    if not div:
        div, idl = 1, 1
    half = (div & U64) // 2      # divo2 = Div / 2UL
    use = signed(use - gue, 64) if use >= gue else 0

    def pct(x: int) -> int:
        return _c_sdiv(signed(signed(100 * x, 64) + half, 64), div) & U32

    return div, {"us": pct(use), "sy": pct(sys_), "id": pct(idl), "wa": pct(iow),
                 "st": pct(sto), "gu": pct(gue)}


def since_boot_row(stat, vm, memory: dict, o: Opts, hz: int, kb_per_page: int,
                   now: float) -> dict:
    """vmstat's first line: averages since boot, divided by CPU-seconds (4.0.2)."""
    div, cpu = _cpu_split(stat.cpu)
    div &= U64  # the counters are unsigned long: Div is converted
    half = div // 2
    uc = o.unit_convert

    def per_sec(x: int) -> int:  # (unsigned)((x * hz + Div/2) / Div), in u64
        return ((((x * hz) & U64) + half) & U64) // div & U32

    return {
        "timestamp": now,
        "r": stat.procs_running, "b": stat.procs_blocked, **memory,
        "si": per_sec(uc(vm.pswpin * kb_per_page)),
        "so": per_sec(uc(vm.pswpout * kb_per_page)),
        "bi": per_sec(vm.pgpgin), "bo": per_sec(vm.pgpgout),
        "in": per_sec(stat.intr), "cs": per_sec(stat.ctxt),
        **cpu,
    }


def _tick_sums(t) -> tuple[int, ...]:
    """libproc2's sums of the tick counters (unsigned long long): user, system,
    idle, busy, total."""
    xusr = (t[0] + t[1]) & U64
    xsys = (t[2] + t[5] + t[6]) & U64
    xidl = (t[3] + t[4]) & U64
    xtot = (xusr + xsys + xidl + t[7] + t[8] + t[9]) & U64
    return xusr, xsys, xidl, (xtot - xidl) & U64, xtot


def tick_deltas(prev, cur) -> list[int]:
    """The tick deltas libproc2 gives vmstat: each a long clamped at 0, and all 0
    when any of its sums went down (it then takes the new values as the old:
    "don't distort deltas when cpus are taken offline")."""
    if any(n < p for n, p in zip(_tick_sums(cur), _tick_sums(prev))):
        return [0] * 10
    return [max(signed(a - b, 64), 0) for a, b in zip(cur, prev)]


def interval_row(prev_stat, stat, prev_vm, vm, memory: dict, o: Opts, kb_per_page: int,
                 now: float, debt: list[int] | None = None) -> dict:
    """An interval line: deltas divided by the nominal delay ``o.delay``.

    ``stat``/``vm`` need only the fields vmstat shows (``cpu``, ``intr``,
    ``ctxt``, ``procs_running``, ``procs_blocked``; ``pgpgin``, ``pgpgout``,
    ``pswpin``, ``pswpout``), so recorded samples can be replayed through it.
    ``debt`` (a one-item list, kept from line to line) is vmstat's idle "debt":
    an idle delta that is negative as an ``int`` is shown as 0 and subtracted
    from the next one.
    """
    delay = o.delay
    half_delay = delay // 2
    uc = o.unit_convert

    def rate(delta: int) -> int:  # unsigned long arithmetic
        return (((delta & U64) + half_delay) & U64) // delay & U32

    def rate_int(delta: int) -> int:  # an int delta, in unsigned int arithmetic
        return (((delta & U32) + half_delay) & U32) // delay & U32

    ticks = tick_deltas(prev_stat.cpu, stat.cpu)
    if debt is not None:  # "idle can run backwards for a moment"
        if debt[0]:
            ticks[3] = signed(signed(ticks[3], 32) + debt[0], 32)
            debt[0] = 0
        if signed(ticks[3], 32) < 0:
            debt[0] = signed(ticks[3], 32)
            ticks[3] = 0
    _, cpu = _cpu_split(ticks)
    return {
        "timestamp": now,
        "r": stat.procs_running, "b": stat.procs_blocked, **memory,
        "si": rate(uc(((vm.pswpin - prev_vm.pswpin) & U64) * kb_per_page)),
        "so": rate(uc(((vm.pswpout - prev_vm.pswpout) & U64) * kb_per_page)),
        "bi": rate(vm.pgpgin - prev_vm.pgpgin),
        "bo": rate(vm.pgpgout - prev_vm.pgpgout),
        "in": rate_int(stat.intr - prev_stat.intr),
        "cs": rate_int(stat.ctxt - prev_stat.ctxt),
        **cpu,
    }


def vm_reports(host, o: Opts):
    """One report (a single row) per line vmstat prints."""
    kb_per_page = host.pagesize // 1024
    root = host.root
    # Start-up, in vmstat's order: /proc/vmstat, /proc/stat (a priming read),
    # /proc/meminfo.  The memory columns are never read again.
    vm = root.parse("/proc/vmstat", vmstat_counters)
    stat = root.parse("/proc/stat", stat_totals)
    memory = memory_columns(root.parse("/proc/meminfo", meminfo), o)
    # An empty report: start-up is done (the text layout prints its header now).
    yield []
    num_updates = o.count
    if not o.no_first:
        yield [since_boot_row(stat, vm, memory, o, host.hz, kb_per_page, host.now())]
    elif num_updates >= 0:
        num_updates += 1
    i = 1
    debt = [0]
    while o.infinite or num_updates < 0 or i < num_updates:
        host.wait(o.delay)
        prev_stat, prev_vm = stat, vm
        stat = host.root.parse("/proc/stat", stat_totals)
        vm = host.root.parse("/proc/vmstat", vmstat_counters)
        yield [interval_row(prev_stat, stat, prev_vm, vm, memory, o, kb_per_page, host.now(),
                            debt)]
        i += 1


VM_HEADER = "procs -----------memory---------- ---swap-- -----io---- -system-- ------cpu-----"
VM_HEADER_WIDE = ("--procs-- -----------------------memory---------------------- ---swap-- "
                  "-----io---- -system-- ----------cpu----------")
TIMESTAMP_HEADER = " -----timestamp-----"
# The non-wide format has 17 conversions for 18 values: "gu" is never printed.
VM_FORMAT = "%2s %2s %6s %6s %6s %6s %4s %4s %5s %5s %4s %4s %2s %2s %2s %2s %2s"
VM_FORMAT_WIDE = "%4s %4s %12s %12s %12s %12s %4s %4s %5s %5s %4s %4s %3s %3s %3s %3s %3s %3s"
VM_COLUMNS = ("r", "b", "swpd", "free", "buff", "cache", "si", "so", "bi", "bo",
              "in", "cs", "us", "sy", "id", "wa", "st", "gu")


def _zone(epoch: float) -> str:
    """The header's `` %19s`` of strftime("%Z")."""
    return " %19s" % time.strftime("%Z", time.localtime(epoch))[:19]


def _stamp(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(epoch))


def vm_text(reports, o: Opts, start: float, out) -> None:
    fmt = VM_FORMAT_WIDE if o.wide else VM_FORMAT
    ncols = fmt.count("%")
    labels = list(VM_COLUMNS)
    if o.active:
        labels[4:6] = ["inact", "active"]
    keys = labels[:ncols]
    top = (VM_HEADER_WIDE if o.wide else VM_HEADER) + (TIMESTAMP_HEADER if o.timestamp else "")

    def header(epoch: float) -> str:
        return top + "\n" + (fmt % tuple(labels[:ncols])) + (_zone(epoch) if o.timestamp else "") + "\n"

    height = None if o.one_header else heading_rows()
    reports = iter(reports)
    next(reports, None)  # start-up: vmstat reads its files before the header
    out.write(header(start))
    out.flush()
    i = 1 if o.no_first else 0
    for (row,) in reports:
        text = ""
        if i and height and i % height == 0:
            text = header(row["timestamp"])
        text += fmt % tuple(row[k] for k in keys)
        if o.timestamp:
            text += " " + _stamp(row["timestamp"])
        out.write(text + "\n")
        out.flush()
        i += 1


# --------------------------------------------------------------------------
# -s (event counters) and -f (forks)

SUM_LINES = (
    # (field, label, is memory in the -S unit)
    ("total_memory", "total memory", True),
    ("used_memory", "used memory", True),
    ("active_memory", "active memory", True),
    ("inactive_memory", "inactive memory", True),
    ("free_memory", "free memory", True),
    ("buffer_memory", "buffer memory", True),
    ("swap_cache", "swap cache", True),
    ("total_swap", "total swap", True),
    ("used_swap", "used swap", True),
    ("free_swap", "free swap", True),
    ("user_ticks", "non-nice user cpu ticks", False),
    ("nice_ticks", "nice user cpu ticks", False),
    ("system_ticks", "system cpu ticks", False),
    ("idle_ticks", "idle cpu ticks", False),
    ("iowait_ticks", "IO-wait cpu ticks", False),
    ("irq_ticks", "IRQ cpu ticks", False),
    ("softirq_ticks", "softirq cpu ticks", False),
    ("steal_ticks", "stolen cpu ticks", False),
    ("guest_ticks", "non-nice guest cpu ticks", False),
    ("guest_nice_ticks", "nice guest cpu ticks", False),
    ("paged_in", "K paged in", False),
    ("paged_out", "K paged out", False),
    ("pages_swapped_in", "pages swapped in", False),
    ("pages_swapped_out", "pages swapped out", False),
    ("interrupts", "interrupts", False),
    ("context_switches", "CPU context switches", False),
    ("boot_time", "boot time", False),
    ("forks", "forks", False),
)


def sum_fields(o: Opts):
    from pystat.render import Field

    mem = o.mem_unit
    units = {"paged_in": "KiB", "paged_out": "KiB", "pages_swapped_in": "pages",
             "pages_swapped_out": "pages", "boot_time": "s since epoch"}
    return [Field(name, mem if is_mem else units.get(name, "jiffies" if name.endswith("_ticks") else "count"),
                  label) for name, label, is_mem in SUM_LINES]


def used_memory(mem: Meminfo) -> int:
    """libproc2's MEMINFO_MEM_USED: total - available, with its fallbacks."""
    avail = mem.available or mem.free
    if avail > mem.total:
        avail = mem.free
    used = signed(mem.total - avail, 64)  # a signed long
    if used < 0:
        used = mem.total - mem.free
    return used & U64


def sum_reports(host, o: Opts):
    root = host.root
    stat = root.parse("/proc/stat", stat_totals)
    vm = root.parse("/proc/vmstat", vmstat_counters)
    mem = root.parse("/proc/meminfo", meminfo)
    uc = o.unit_convert
    c = stat.cpu
    swap_used = mem.swap_total - mem.swap_free if mem.swap_free < mem.swap_total else 0
    values = [
        uc(mem.total), uc(used_memory(mem)), uc(mem.active), uc(mem.inactive), uc(mem.free),
        uc(mem.buffers), uc(mem.cached + (mem.sreclaimable or 0)),
        uc(mem.swap_total), uc(swap_used), uc(mem.swap_free),
        c.user, c.nice, c.system, c.idle, c.iowait, c.irq, c.softirq, c.steal, c.guest,
        c.guest_nice, vm.pgpgin, vm.pgpgout, vm.pswpin, vm.pswpout,
        stat.intr, stat.ctxt, stat.btime, stat.processes,
    ]
    row = {"timestamp": host.now()}
    row.update(zip((name for name, _, _ in SUM_LINES), values))
    yield [row]


def sum_text(reports, o: Opts, out) -> None:
    for (row,) in reports:
        lines = []
        for name, label, is_mem in SUM_LINES:
            if is_mem:
                lines.append("%13d %s %s\n" % (row[name], o.unit_char, label))
            elif name.endswith("_ticks"):  # printed with %lld: past 2**63 is negative
                lines.append("%13d %s\n" % (signed(row[name], 64), label))
            else:
                lines.append("%13d %s\n" % (row[name], label))
        out.write("".join(lines))


def forks_reports(host, o: Opts):
    stat = host.root.parse("/proc/stat", stat_totals)
    yield [{"timestamp": host.now(), "forks": stat.processes}]


def forks_fields(o: Opts):
    from pystat.render import Field

    return [Field("forks", "count", "processes created since boot")]


def forks_text(reports, o: Opts, out) -> None:
    for (row,) in reports:
        out.write("%13d forks\n" % row["forks"])


# --------------------------------------------------------------------------
# Disks: -d, -D, -p

class DiskTable:
    """libproc2's device list: devices in first-seen order, classified once.

    A device missing from the file keeps its last values; one that comes back
    after missing a read is treated as new (moved to the end, re-classified),
    and one looked up by name after missing a read is not found.
    """

    def __init__(self):
        self.nodes: dict[str, list] = {}   # name -> [DiskStat, is_disk, last_read]
        self.reads = 0

    def update(self, root) -> list[tuple[DiskStat, bool]]:
        self.reads += 1
        stats = root.parse("/proc/diskstats", parse_diskstats)
        block = None
        for d in stats:
            if not d.full:
                raise SourceError(
                    f"/proc/diskstats: {d.name}: old 4-counter partition line "
                    "(vmstat needs 11 counters per device)")
            node = self.lookup(d.name)
            if node is None:
                if block is None:
                    block = _block_devices(root)
                self.nodes[d.name] = [d, block is True or d.name in block, self.reads]
            else:
                node[0] = d
                node[2] = self.reads
        return [(n[0], n[1]) for n in self.nodes.values()]

    def lookup(self, name: str) -> list | None:
        """libproc2's node_get(): a node not seen in the last two reads is dropped."""
        node = self.nodes.get(name)
        if node is not None and node[2] < self.reads - 1:
            del self.nodes[name]     # stale: pretend it was never found
            return None
        return node


def _block_devices(root):
    """Names in /sys/block (the disks); True when it cannot be listed (all are disks)."""
    try:
        return set(root.listdir("/sys/block"))
    except SourceError:
        return True


DISK_KEYS = ("reads", "reads_merged", "read_sectors", "read_ms", "writes", "writes_merged",
             "write_sectors", "write_ms", "cur", "sec")


def disk_fields(o: Opts):
    from pystat.render import Field

    return [
        Field("disk", "", "device name"),
        Field("reads", "count", "reads completed since boot"),
        Field("reads_merged", "count", "adjacent reads merged"),
        Field("read_sectors", "sectors", "512-byte sectors read"),
        Field("read_ms", "ms", "time spent reading"),
        Field("writes", "count", "writes completed since boot"),
        Field("writes_merged", "count", "adjacent writes merged"),
        Field("write_sectors", "sectors", "512-byte sectors written"),
        Field("write_ms", "ms", "time spent writing"),
        Field("cur", "count/1000", "I/Os in progress, divided by 1000 (as vmstat prints it)"),
        Field("sec", "s", "time spent doing I/O (ms / 1000)"),
    ]


def _c_div(a: int, b: int) -> int:
    """C integer division (truncates toward zero)."""
    q = abs(a) // b
    return q if a >= 0 else -q


def disk_reports(host, o: Opts):
    table = DiskTable()
    i = 0
    while True:
        devices = table.update(host.root)
        now = host.now()
        yield [{
            "timestamp": now, "disk": d.name, "is_disk": is_disk,
            "reads": d.reads, "reads_merged": d.reads_merged, "read_sectors": d.read_sectors,
            "read_ms": d.read_ms, "writes": d.writes, "writes_merged": d.writes_merged,
            "write_sectors": d.write_sectors, "write_ms": d.write_ms,
            "cur": _c_div(signed(d.in_flight, 32), 1000), "sec": d.io_ms // 1000,
        } for d, is_disk in devices]
        i += 1
        if not o.more(i):
            return
        host.wait(o.delay)


DISK_HEADER = "disk- ------------reads------------ ------------writes----------- -----IO------"
DISK_HEADER_WIDE = ("disk- -------------------reads------------------- "
                    "-------------------writes------------------ ------IO-------")
DISK_LABELS = (" ", "total", "merged", "sectors", "ms", "total", "merged", "sectors", "ms",
               "cur", "sec")


def disk_text(reports, o: Opts, out) -> None:
    if o.wide:
        hfmt = "%5s %9s %9s %11s %11s %9s %9s %11s %11s %7s %7s"
        rfmt = "%-5s %9d %9d %11d %11d %9d %9d %11d %11d %7d %7d"
    else:
        hfmt = "%5s %6s %6s %7s %7s %6s %6s %7s %7s %6s %6s"
        rfmt = "%-5s %6d %6d %7d %7d %6d %6d %7d %7d %6d %6d"
    top = (DISK_HEADER_WIDE if o.wide else DISK_HEADER) + (TIMESTAMP_HEADER if o.timestamp else "")

    def header(epoch: float) -> str:
        return top + "\n" + (hfmt % DISK_LABELS) + (_zone(epoch) if o.timestamp else "") + "\n"

    height = None if o.one_header else heading_rows()
    if height is None:
        out.write(header(o.start))
    for rows in reports:
        parts = []
        for j, row in enumerate(rows):
            if not row["is_disk"]:
                continue
            if height and j % height == 0:
                parts.append(header(row["timestamp"]))
            line = rfmt % ((row["disk"],) + tuple(row[k] for k in DISK_KEYS))
            if o.timestamp:
                line += " " + _stamp(row["timestamp"])
            parts.append(line + "\n")
        out.write("".join(parts))
        out.flush()


def disksum_fields(o: Opts):
    from pystat.render import Field

    return [
        Field("disks", "count", "whole disks (names in /sys/block)"),
        Field("partitions", "count", "other devices"),
        Field("total_reads", "count", "reads completed, all disks"),
        Field("merged_reads", "count", "reads merged"),
        Field("read_sectors", "sectors", "512-byte sectors read"),
        Field("milli_reading", "ms", "time spent reading"),
        Field("writes", "count", "writes completed"),
        Field("merged_writes", "count", "writes merged"),
        Field("written_sectors", "sectors", "512-byte sectors written"),
        Field("milli_writing", "ms", "time spent writing"),
        Field("inprogress_io", "count/1000", "I/Os in progress, each disk's divided by 1000"),
        Field("milli_spent_io", "s", "time doing I/O, each disk's ms divided by 1000"),
        Field("milli_weighted_io", "s", "weighted I/O time, each disk's ms divided by 1000"),
    ]


DISKSUM_LINES = (
    ("disks", "disks"), ("partitions", "partitions"), ("total_reads", "total reads"),
    ("merged_reads", "merged reads"), ("read_sectors", "read sectors"),
    ("milli_reading", "milli reading"), ("writes", "writes"), ("merged_writes", "merged writes"),
    ("written_sectors", "written sectors"), ("milli_writing", "milli writing"),
    ("inprogress_io", "inprogress IO"), ("milli_spent_io", "milli spent IO"),
    ("milli_weighted_io", "milli weighted IO"),
)


def disksum_reports(host, o: Opts):
    devices = DiskTable().update(host.root)
    row = dict.fromkeys((k for k, _ in DISKSUM_LINES), 0)
    row["timestamp"] = host.now()
    for d, is_disk in devices:
        if not is_disk:
            row["partitions"] += 1
            continue
        row["disks"] += 1
        row["total_reads"] += d.reads
        row["merged_reads"] += d.reads_merged
        row["read_sectors"] += d.read_sectors
        row["milli_reading"] += d.read_ms
        row["writes"] += d.writes
        row["merged_writes"] += d.writes_merged
        row["written_sectors"] += d.write_sectors
        row["milli_writing"] += d.write_ms
        row["inprogress_io"] += _c_div(signed(d.in_flight, 32), 1000)
        row["milli_spent_io"] += d.io_ms // 1000
        row["milli_weighted_io"] += d.weighted_ms // 1000
    for k in row:
        if k not in ("timestamp", "disks", "partitions"):
            row[k] &= U64
    yield [row]


def disksum_text(reports, o: Opts, out) -> None:
    for (row,) in reports:
        out.write("".join("%13d %s\n" % (row[k], label) for k, label in DISKSUM_LINES))


def partition_fields(o: Opts):
    from pystat.render import Field

    return [
        Field("device", "", "the partition (or disk) asked for"),
        Field("reads", "count", "reads completed since boot"),
        Field("read_sectors", "sectors", "512-byte sectors read"),
        Field("writes", "count", "writes completed since boot"),
        Field("requested_writes", "sectors", "512-byte sectors written"),
    ]


def partition_reports(host, o: Opts):
    table = DiskTable()
    name = o.partition

    def find():
        table.update(host.root)
        node = table.lookup(name)
        if node is None:
            raise PystatError(f"vmstat: Disk/Partition {name} not found")
        return node[0]

    d = find()
    yield []  # the device exists: the text layout prints its header now
    i = 0
    while o.more(i):
        if i:
            d = find()
        yield [{"timestamp": host.now(), "device": name, "reads": d.reads,
                "read_sectors": d.read_sectors, "writes": d.writes,
                "requested_writes": d.write_sectors}]
        i += 1
        if o.more(i):
            host.wait(o.delay)


def partition_text(reports, o: Opts, out) -> None:
    reports = iter(reports)
    next(reports, None)
    out.write("%-10s %10s  %16s  %10s  %16s\n"
              % (o.partition, "reads", "read sectors", "writes", "requested writes"))
    for (row,) in reports:
        out.write("%21d  %16d  %10d  %16d\n" % (row["reads"], row["read_sectors"],
                                                 row["writes"], row["requested_writes"]))
        out.flush()


# --------------------------------------------------------------------------
# -m (slabinfo)

def slab_fields(o: Opts):
    from pystat.render import Field

    return [
        Field("cache", "", "slab cache name"),
        Field("num", "objects", "objects in use"),
        Field("total", "objects", "objects allocated"),
        Field("size", "bytes", "size of one object"),
        Field("pages", "objects", "objects per slab (vmstat labels it Pages)"),
    ]


def slab_reports(host, o: Opts):
    i = 0
    while True:
        try:
            slabs = host.root.parse("/proc/slabinfo", parse_slabinfo)
        except SourceError as e:
            if "ermission denied" in str(e):
                raise PystatError("vmstat -m: cannot read /proc/slabinfo: "
                                  "permission denied (run as root)") from None
            raise
        now = host.now()
        yield [{"timestamp": now, "cache": s.name, "num": s.active_objs & U32,
                "total": s.num_objs & U32, "size": s.objsize & U32,
                "pages": s.objperslab & U32}
               for s in sorted(slabs, key=lambda s: s.name.encode("utf-8", "surrogateescape"))]
        i += 1
        if not o.more(i):
            return
        host.wait(o.delay)


def slab_text(reports, o: Opts, out) -> None:
    header = "%-24s %6s %6s %6s %6s\n" % ("Cache", "Num", "Total", "Size", "Pages")
    height = None if o.one_header else heading_rows()
    if height is None:
        out.write(header)
    for rows in reports:
        parts = []
        for j, row in enumerate(rows):
            if height and j % height == 0:
                parts.append(header)
            parts.append("%-24.24s %6d %6d %6d %6d\n"
                         % (row["cache"], row["num"], row["total"], row["size"], row["pages"]))
        out.write("".join(parts))
        out.flush()


# --------------------------------------------------------------------------
# The command

MODES = {
    # mode: (reports, text layout, fields)
    "vm": (vm_reports, None, vm_fields),
    "sum": (sum_reports, sum_text, sum_fields),
    "forks": (forks_reports, forks_text, forks_fields),
    "disk": (disk_reports, disk_text, disk_fields),
    "disksum": (disksum_reports, disksum_text, disksum_fields),
    "partition": (partition_reports, partition_text, partition_fields),
    "slab": (slab_reports, slab_text, slab_fields),
}

_C_LONG = re.compile(r"\s*[+-]?[0-9]+\Z")


def _c_long(text: str) -> int:
    """util-linux strtol_or_err(): a whole decimal long, or an error."""
    if not _C_LONG.match(text):
        raise PystatError(f"vmstat: failed to parse argument: '{text}'")
    v = int(text)
    if not -(1 << 63) <= v < (1 << 63):
        raise PystatError(f"vmstat: failed to parse argument: '{text}'")
    return v


def parse_args(args: tuple[str, ...]) -> tuple[int, int, bool]:
    """delay [count] -> (delay, num_updates, infinite), with vmstat's rules."""
    delay, count, infinite = 1, 1, False
    if len(args) > 2:
        raise PystatError(f"vmstat: unexpected argument '{args[2]}' (usage: vmstat [options] [delay [count]])")
    if args:
        d = _c_long(args[0])
        if d < 1:
            raise PystatError("vmstat: delay must be positive integer")
        if d > U32:
            raise PystatError("vmstat: too large delay value")
        delay, infinite = d, True
    if len(args) > 1:
        count, infinite = _c_long(args[1]), False
    return delay, count, infinite


def run(host, mode: str, o: Opts, fmt: str, out) -> None:
    reports_fn, text_fn, fields_fn = MODES[mode]
    reports = until_series_ends(reports_fn(host, o), o.infinite, "vmstat")
    if fmt != "text":
        from pystat.render import render

        fields = fields_fn(o)
        if mode == "disk":
            reports = ([r for r in rows if r["is_disk"]] for rows in reports)
        render(fmt, fields, reports, out)
    elif mode == "vm":
        vm_text(reports, o, host.now(), out)
    else:
        text_fn(reports, o, out)
    out.flush()


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-a", "--active", is_flag=True, help="Show active/inactive memory instead of buffers/cache.")
@click.option("-f", "--forks", is_flag=True, help="Number of forks since boot, then exit.")
@click.option("-m", "--slabs", is_flag=True, help="Slab caches (/proc/slabinfo; needs root).")
@click.option("-n", "--one-header", is_flag=True, help="Print the header once, not every screenful.")
@click.option("-s", "--stats", is_flag=True, help="Event counters and memory statistics.")
@click.option("-d", "--disk", is_flag=True, help="Disk statistics (cumulative).")
@click.option("-D", "--disk-sum", is_flag=True, help="Summary of disk statistics.")
@click.option("-p", "--partition", metavar="DEV", help="Statistics of one partition (or disk).")
@click.option("-S", "--unit", metavar="UNIT",
              help="Memory unit: k (1000), K (1024, default), m (10^6), M (2^20), b/B (bytes).")
@click.option("-w", "--wide", is_flag=True, help="Wide output.")
@click.option("-t", "--timestamp", is_flag=True, help="Append a timestamp to each line.")
@click.option("-y", "--no-first", is_flag=True, help="Skip the first report (averages since boot).")
@FORMAT_OPTION
@click.version_option(__version__, "-V", "--version",
                      message="pystat vmstat %(version)s (procps-ng vmstat 4.0.2 compatible)")
@click.argument("args", nargs=-1, metavar="[DELAY [COUNT]]")
@click.pass_obj
def command(obj, active, forks, slabs, one_header, stats, disk, disk_sum, partition, unit,
            wide, timestamp, no_first, fmt, args):
    """Virtual memory, processes, paging, I/O and CPU, like procps-ng vmstat 4.0.2.

    With DELAY, repeat every DELAY seconds (COUNT times, or forever): the
    first report covers the time since boot, each later one the interval
    before it. Output is byte-identical to vmstat's on the same /proc.
    """
    if unit is not None:
        if not unit or unit[0] not in UNITS:
            raise PystatError("vmstat: -S requires k, K, m or M (default is KiB)")
        unit = unit[0]
    host = obj.host()
    if forks:  # vmstat prints forks and exits as soon as it meets -f
        o = Opts()
        run(host, "forks", o, fmt, sys.stdout)
        return
    if partition is not None and partition.startswith("/dev/"):
        partition = partition[5:]
    chosen = [m for m, on in (("slab", slabs), ("sum", stats), ("disk", disk),
                              ("disksum", disk_sum), ("partition", partition is not None)) if on]
    if len(chosen) > 1:
        names = {"slab": "-m", "sum": "-s", "disk": "-d", "disksum": "-D", "partition": "-p"}
        raise PystatError("vmstat: " + " and ".join(names[m] for m in chosen)
                          + " cannot be combined")
    mode = chosen[0] if chosen else "vm"
    delay, count, infinite = parse_args(args)
    o = Opts(active=active, wide=wide, timestamp=timestamp, no_first=no_first,
             one_header=one_header, unit=unit or "K", delay=delay, count=count,
             infinite=infinite, partition=partition)
    o.start = host.now()
    run(host, mode, o, fmt, sys.stdout)
