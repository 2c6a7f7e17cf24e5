"""What ``pystat record`` samples: a registry of sources, one per /proc file.

A source reads its file through the host's root with the project's own
parser, and adds its values to a :class:`Collected` under one or more
*groups* (the unit of storage: one row per group per sample, so that a
report reads only the groups it needs).  It can also *render* recorded
values back into the text of its file: history replays the tools' own code
(``vm_reports`` and friends) over a root made of such files, so recorded
data goes through exactly the arithmetic of the live command.

Adding a source is a class with ``name``, ``groups``, ``paths``,
``collect(root, out)`` and ``render(path, values)``, decorated with
``@register``.
"""

from __future__ import annotations

import collections
import itertools
import operator
import re
from typing import Callable

from pystat.errors import SourceError
from pystat.proc.cscan import plain
from pystat.proc.diskstats import parse_diskstats
from pystat.proc.interrupts import parse_interrupts
from pystat.proc.meminfo import Meminfo, parse_meminfo
from pystat.proc.netdev import STAT_NAMES, parse_if_inet6, parse_net_dev
from pystat.proc.snmp import parse_snmp, parse_snmp6
from pystat.proc.stat import CpuTimes, Stat, parse_stat
from pystat.proc.uptime import parse_uptime_idle
from pystat.proc.vmstat import VmCounters, parse_vmstat
from pystat.recorder.model import COUNTER, GAUGE, Series, series

#: group name -> the values of one sample: (series, values) in file order
GroupValues = tuple[list[Series], list[int]]


class Collected(dict):
    """The values of one sample, by group."""

    def add(self, group: str, names, values) -> None:
        entry = self.get(group)
        if entry is None:
            self[group] = (list(names), list(values))
        else:
            entry[0].extend(names)
            entry[1].extend(values)


class Source:
    name: str = ""
    #: the storage groups it fills
    groups: tuple[str, ...] = ()
    #: the files it reads (and can render back); directories end with "/"
    paths: tuple[str, ...] = ()
    #: and everything under these directories
    prefixes: tuple[str, ...] = ()
    #: collects with ``collect_host(host, root, out)`` (it asks the host, not only files)
    needs_host = False

    def owns(self, path: str) -> bool:
        return path in self.paths or path.startswith(self.prefixes or ("\0",))

    def collect(self, root, out: Collected) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def render(self, path: str,
               values: Callable[[str], GroupValues | None]) -> str | list[str] | None:
        """The text of ``path`` (or the entries of a directory) from the recorded
        values of this sample; ``values(group)`` is None for a group that was not
        recorded (or that the report does not need)."""
        raise NotImplementedError  # pragma: no cover - abstract


SOURCES: dict[str, Source] = {}

#: (id(a layout's tuple of series), id(the wanted list)) -> (that tuple, a getter)
_INDEX: dict[tuple[int, int], tuple] = {}


def _pick(values: GroupValues, wanted: list[Series]) -> tuple:
    """The values of the wanted series (0 for those missing), fast for a layout seen before."""
    names, vals = values
    key = (id(names), id(wanted))
    hit = _INDEX.get(key)
    if hit is None or hit[0] is not names:
        pos = {s: i for i, s in enumerate(names)}
        if all(s in pos for s in wanted):
            get = operator.itemgetter(*(pos[s] for s in wanted))
        else:
            idx = [pos.get(s) for s in wanted]
            get = lambda v: tuple(0 if i is None else v[i] for i in idx)  # noqa: E731
        hit = _INDEX[key] = (names, get)   # holding names keeps its id from being reused
    return hit[1](vals)


def register(cls):
    SOURCES[cls.name] = cls()
    return cls


def collect_all(root, sources=None, errors: dict | None = None, host=None) -> Collected:
    """One sample of every source; a source that cannot be read is left out
    (its error goes to ``errors``, by source name).  Sources that ask the kernel
    more than files (``needs_host``: netstat's ioctls) run only with a host."""
    out = Collected()
    for src in (sources or SOURCES.values()):
        try:
            if src.needs_host:
                if host is not None:
                    src.collect_host(host, root, out)
            else:
                src.collect(root, out)
        except SourceError as e:
            if errors is not None:
                errors[src.name] = str(e)
    return out


def render(path: str, values: Callable[[str], GroupValues | None]):
    """The text of ``path`` (or, for ``dir/``, its entries) rendered from one sample's
    values; None where no source recorded it."""
    for src in SOURCES.values():
        if src.owns(path):
            out = src.render(path, values)
            if out is not None:
                return out
    return None


# --------------------------------------------------------------------------
# /proc/stat: CPU time (total and per CPU), interrupts, context switches, forks, procs

CPU_MODES = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal",
             "guest", "guest_nice")


@register
class StatSource(Source):
    name = "stat"
    groups = ("system", "cpu")
    paths = ("/proc/stat",)

    def __init__(self):
        self.total = [series("system", "cpu_ticks", COUNTER, "jiffies", cpu="all", mode=m)
                      for m in CPU_MODES]
        self.system = [
            series("system", "interrupts", COUNTER, "count"),
            series("system", "context_switches", COUNTER, "count"),
            series("system", "forks", COUNTER, "count"),
            series("system", "procs_running", GAUGE, "processes"),
            series("system", "procs_blocked", GAUGE, "processes"),
            series("system", "boot_time", GAUGE, "s"),
        ]
        self.wanted = self.total + self.system
        self._cpus: dict[int, list[Series]] = {}

    def cpu(self, n: int) -> list[Series]:
        s = self._cpus.get(n)
        if s is None:
            s = self._cpus[n] = [series("cpu", "cpu_ticks", COUNTER, "jiffies", cpu=str(n), mode=m)
                                 for m in CPU_MODES]
        return s

    def collect(self, root, out: Collected) -> None:
        st = root.parse("/proc/stat", parse_stat)
        out.add("system", self.total, st.cpu)
        out.add("system", self.system, (st.intr, st.ctxt, st.processes, st.procs_running,
                                        st.procs_blocked, st.btime))
        if st.cpus:
            names, values = [], []
            for n, times in st.cpus.items():
                names.extend(self.cpu(n))
                values.extend(times)
            out.add("cpu", names, values)

    def record(self, system: GroupValues):
        """What ``parse_stat(text, percpu=False)`` returns for the rendered file."""
        v = _pick(system, self.wanted)
        intr, ctxt, forks, running, blocked, btime = v[10:]
        return Stat(CpuTimes(*v[:10]), {}, intr, ctxt, btime, forks, running, blocked)

    def render(self, path, values):
        system = values("system")
        if system is None:
            return None
        v = dict(zip(system[0], system[1]))
        total = [v.get(s, 0) for s in self.total]
        lines = ["cpu  " + " ".join(map(str, total))]
        cpus = values("cpu")
        if cpus is not None:
            per: dict[str, list[int]] = {}
            for s, x in zip(*cpus):
                if s.name == "cpu_ticks":
                    per.setdefault(s.labels[0][1], [0] * 10)[CPU_MODES.index(s.labels[1][1])] = x
            for n, times in per.items():
                lines.append(f"cpu{n} " + " ".join(map(str, times)))
        intr, ctxt, forks, running, blocked, btime = (v.get(s, 0) for s in self.system)
        lines.append(f"intr {intr}\nctxt {ctxt}\nbtime {btime}\nprocesses {forks}\n"
                     f"procs_running {running}\nprocs_blocked {blocked}\n")
        return "\n".join(lines)


_VMSTAT_WANTED = None


def vmstat_records(system: GroupValues):
    """``StatSource.record`` and ``VmstatSource.record`` at once, for replaying a
    long run of samples (one pick, tuples built without NamedTuple's __new__)."""
    global _VMSTAT_WANTED
    if _VMSTAT_WANTED is None:
        _VMSTAT_WANTED = SOURCES["stat"].wanted + SOURCES["vmstat"].names
    v = _pick(system, _VMSTAT_WANTED)
    new = tuple.__new__
    return (new(Stat, (new(CpuTimes, v[:10]), {}, v[10], v[11], v[15], v[12], v[13], v[14])),
            new(VmCounters, v[16:] + ("",)))


# --------------------------------------------------------------------------
# /proc/uptime

@register
class UptimeSource(Source):
    name = "uptime"
    groups = ("system",)
    paths = ("/proc/uptime",)

    def __init__(self):
        self.names = [series("system", "uptime", COUNTER, "cs"),
                      series("system", "idle_time", COUNTER, "cs")]

    def collect(self, root, out: Collected) -> None:
        out.add("system", self.names, root.parse("/proc/uptime", parse_uptime_idle))

    def render(self, path, values):
        system = values("system")
        if system is None:
            return None
        v = dict(zip(*system))
        if self.names[0] not in v:
            return None
        up, idle = (v.get(s, 0) for s in self.names)
        return "%d.%02d %d.%02d\n" % (up // 100, up % 100, idle // 100, idle % 100)


# --------------------------------------------------------------------------
# /proc/vmstat: the paging and swapping counters the reports show

@register
class VmstatSource(Source):
    name = "vmstat"
    groups = ("system",)
    paths = ("/proc/vmstat",)
    FIELDS = (("pgpgin", "KiB"), ("pgpgout", "KiB"), ("pswpin", "pages"), ("pswpout", "pages"))

    def __init__(self):
        self.names = [series("system", "vm_" + f, COUNTER, unit) for f, unit in self.FIELDS]

    def collect(self, root, out: Collected) -> None:
        vm = root.parse("/proc/vmstat", parse_vmstat)
        out.add("system", self.names, vm[:4])

    def record(self, system: GroupValues):
        """What ``parse_vmstat`` returns for the rendered file (without its text)."""
        return VmCounters(*_pick(system, self.names), "")

    def render(self, path, values):
        system = values("system")
        if system is None:
            return None
        v = dict(zip(*system))
        if self.names[0] not in v:
            return None
        return "".join(f"{f} {v.get(s, 0)}\n" for (f, _), s in zip(self.FIELDS, self.names))


# --------------------------------------------------------------------------
# /proc/meminfo: the lines the reports use

@register
class MeminfoSource(Source):
    name = "meminfo"
    groups = ("system",)
    paths = ("/proc/meminfo",)
    FIELDS = ("MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "SwapCached",
              "Active", "Inactive", "SwapTotal", "SwapFree", "SReclaimable")

    def __init__(self):
        self.names = {f: series("system", "memory", GAUGE, "KiB", field=f) for f in self.FIELDS}

    def collect(self, root, out: Collected) -> None:
        fields = root.parse("/proc/meminfo", parse_meminfo).fields
        present = [f for f in self.FIELDS if f in fields]
        out.add("system", [self.names[f] for f in present], [fields[f] for f in present])

    def record(self, system: GroupValues):
        """What ``parse_meminfo`` returns for the rendered file."""
        f = {s.labels[0][1]: x for s, x in zip(*system) if s.name == "memory"}
        g = f.get
        return Meminfo(g("MemTotal", 0), g("MemFree", 0), g("MemAvailable"), g("Buffers", 0),
                       g("Cached", 0), g("SReclaimable"), g("Active", 0), g("Inactive", 0),
                       g("SwapTotal", 0), g("SwapFree", 0), f)

    def render(self, path, values):
        system = values("system")
        if system is None:
            return None
        lines = ["%-15s %8d kB\n" % (s.labels[0][1] + ":", x) for s, x in zip(*system)
                 if s.name == "memory"]
        return "".join(lines) or None


# --------------------------------------------------------------------------
# /proc/diskstats (+ which devices are whole disks: the names in /sys/block)

DISK_FIELDS = (
    # DiskStat field, kind, unit
    ("reads", COUNTER, "count"), ("reads_merged", COUNTER, "count"),
    ("read_sectors", COUNTER, "sectors"), ("read_ms", COUNTER, "ms"),
    ("writes", COUNTER, "count"), ("writes_merged", COUNTER, "count"),
    ("write_sectors", COUNTER, "sectors"), ("write_ms", COUNTER, "ms"),
    ("in_flight", GAUGE, "count"), ("io_ms", COUNTER, "ms"), ("weighted_ms", COUNTER, "ms"),
    ("discards", COUNTER, "count"), ("discards_merged", COUNTER, "count"),
    ("discard_sectors", COUNTER, "sectors"), ("discard_ms", COUNTER, "ms"),
    ("flushes", COUNTER, "count"), ("flush_ms", COUNTER, "ms"),
)


@register
class DiskstatsSource(Source):
    """Per device: ``disk_info{device,major,minor,whole,parent}`` = 1 (an info metric:
    its labels say what the device is; ``parent`` is the disk a partition belongs
    to, as /sys/block/DISK/PART shows it) and one series per counter of the line."""

    name = "diskstats"
    groups = ("disk",)
    paths = ("/proc/diskstats",)
    # /sys/block/DISK[/PART]/{stat,dev} and /sys/dev/block/MAJ:MIN/{stat,dev}: the
    # kernel's same counters (iostat reads them there), rendered from the lines
    prefixes = ("/sys/block/", "/sys/dev/block/")

    def __init__(self):
        self._devices: dict[tuple, tuple[Series, list[Series]]] = {}
        self._topology: tuple | None = None   # (names, disks) -> {partition: disk}
        self._parents: dict[str, str] = {}

    def device(self, name: str, major: int, minor: int, whole: bool, parent: str):
        key = (name, major, minor, whole, parent)
        d = self._devices.get(key)
        if d is None:
            info = series("disk", "disk_info", GAUGE, "", device=name, major=str(major),
                          minor=str(minor), whole="1" if whole else "0", parent=parent)
            counters = [series("disk", "disk_" + f, kind, unit, device=name)
                        for f, kind, unit in DISK_FIELDS]
            d = self._devices[key] = (info, counters)
        return d

    def parents(self, root, names: tuple[str, ...], block) -> dict[str, str]:
        """Partition -> its disk, from the listings of /sys/block/DISK (read again only
        when the devices change)."""
        key = (names, None if block is None else tuple(sorted(block)))
        if key != self._topology:
            parents = {}
            wanted = {n.replace("/", "!"): n for n in names}
            for disk in sorted(block or ()):
                try:
                    entries = root.listdir(f"/sys/block/{disk}")
                except SourceError:
                    continue
                for e in entries:
                    if e in wanted and e != disk:
                        parents[wanted[e]] = disk.replace("!", "/")
            self._topology, self._parents = key, parents
        return self._parents

    def collect(self, root, out: Collected) -> None:
        stats = root.parse("/proc/diskstats", parse_diskstats)
        try:
            block = set(root.listdir("/sys/block"))
        except SourceError:
            block = None   # vmstat then counts every device as a disk
        parents = self.parents(root, tuple(d.name for d in stats), block)
        names, values = [], []
        for d in stats:
            whole = block is None or d.name.replace("/", "!") in block
            info, counters = self.device(d.name, d.major, d.minor, whole,
                                         parents.get(d.name, ""))
            names.append(info)
            values.append(1)
            nums = d[3:]
            if nums[-1] is None:        # fewer than 17 counters: the kernel's layout
                n = next(i for i, x in enumerate(nums) if x is None)
                if n == 1:              # an old 4-counter partition line
                    idx = (0, 2, 4, 6)
                    names.extend(counters[i] for i in idx)
                    values.extend(nums[i] for i in idx)
                    continue
                names.extend(counters[:n])
                values.extend(nums[:n])
            else:
                names.extend(counters)
                values.extend(nums)
        out.add("disk", names, values)

    def _devices_of(self, disk: GroupValues) -> dict:
        """{device: [info labels, {counter: value}]} of one sample (the last one cached)."""
        cached = getattr(self, "_index", None)
        if cached is not None and cached[0] is disk:
            return cached[1]
        devices: dict[str, list] = {}
        for s, x in zip(*disk):
            entry = devices.setdefault(s.labels[0][1], [None, {}])
            if s.name == "disk_info":
                entry[0] = dict(s.labels)
            else:
                entry[1][s.name[5:]] = x
        devices = {d: e for d, e in devices.items() if e[0] is not None}
        self._index = (disk, devices)
        return devices

    @staticmethod
    def _counters(fields: dict) -> list[int]:
        if "reads_merged" not in fields:        # an old 4-counter partition line
            return [fields.get(f, 0) for f in ("reads", "read_sectors", "writes",
                                                "write_sectors")]
        return [fields[f] for f, _, _ in DISK_FIELDS if f in fields]

    def render(self, path, values):
        disk = values("disk")
        if disk is None:
            return None
        devices = self._devices_of(disk)
        if path == "/proc/diskstats":
            return "".join("%4s %7s %s %s\n" % (i["major"], i["minor"], dev,
                                                 " ".join(map(str, self._counters(f))))
                           for dev, (i, f) in devices.items())
        sysname = {dev.replace("/", "!"): dev for dev in devices}
        parts = path.split("/")[1:]             # ['sys', 'block' | 'dev', ...]
        if parts[1] == "dev":                   # /sys/dev/block/MAJ:MIN[/file]
            by_number = {f"{i['major']}:{i['minor']}": d for d, (i, _) in devices.items()}
            if path == "/sys/dev/block/":
                return list(by_number)
            if len(parts) < 4 or parts[3] not in by_number:
                return None
            dev, rest = by_number[parts[3]], parts[4:]
        else:                                   # /sys/block/DISK[/PART][/file]
            if path == "/sys/block/":
                return [n for n, d in sysname.items() if devices[d][0]["whole"] == "1"]
            rest = parts[2:]
            dev = sysname.get(rest.pop(0))
            if dev is None or devices[dev][0]["whole"] != "1":
                return None
            if rest and rest[0] in sysname and devices[sysname[rest[0]]][0]["parent"] == dev:
                dev = sysname[rest.pop(0)]
        info, fields = devices[dev]
        if rest in ([], [""]):
            if not path.endswith("/"):
                return None
            subs = [n for n, d in sysname.items() if devices[d][0]["parent"] == dev]
            return ["dev", "stat"] + (subs if parts[1] == "block" else [])
        if rest == ["stat"]:
            return " ".join("%8d" % x for x in self._counters(fields)) + "\n"
        if rest == ["dev"]:
            return f"{info['major']}:{info['minor']}\n"
        return None


# --------------------------------------------------------------------------
# /sys/devices/system/cpu: which CPUs there are, their NUMA node and topology

CPU_DIR = "/sys/devices/system/cpu"


@register
class CpusSource(Source):
    """``cpu_info{cpu,node,siblings,package}`` = 1 for each cpuN directory: its
    nodeN entry and its topology/{thread_siblings_list,physical_package_id}
    ("" where missing), read again only when the CPUs or their online state
    change."""

    name = "cpus"
    groups = ("cpu",)
    prefixes = (CPU_DIR + "/",)

    def __init__(self):
        self._key = None
        self._names: list[Series] = []

    def collect(self, root, out: Collected) -> None:
        entries = root.listdir(CPU_DIR)
        cpus = [e for e in entries if e[:3] == "cpu" and e[3:].isdigit()]
        try:
            online = root.read(CPU_DIR + "/online")
        except SourceError:
            online = None
        key = (tuple(cpus), online)
        if key != self._key:
            names = []
            for cpu in cpus:
                base = f"{CPU_DIR}/{cpu}"
                try:
                    node = next((e[4:] for e in root.listdir(base)
                                 if e[:4] == "node" and e[4:].isdigit()), "")
                except SourceError:
                    continue                    # not a directory
                topo = []
                for f in ("thread_siblings_list", "physical_package_id"):
                    try:
                        topo.append(root.read(f"{base}/topology/{f}").strip())
                    except SourceError:
                        topo.append("")
                names.append(series("cpu", "cpu_info", GAUGE, "", cpu=cpu[3:], node=node,
                                     siblings=topo[0], package=topo[1]))
            self._key, self._names = key, names
        out.add("cpu", self._names, [1] * len(self._names))

    def render(self, path, values):
        cpus = values("cpu")
        if cpus is None:
            return None
        info = {dict(s.labels)["cpu"]: dict(s.labels) for s in cpus[0] if s.name == "cpu_info"}
        if not info:
            return None
        rest = path[len(CPU_DIR) + 1:].split("/")
        if path == CPU_DIR + "/":
            return ["cpu" + c for c in info]
        cpu = rest[0][3:] if rest[0][:3] == "cpu" else None
        if cpu not in info:
            return None
        i = info[cpu]
        if rest[1:] == [""]:
            return ([f"node{i['node']}"] if i["node"] else []) + (
                ["topology"] if i["siblings"] or i["package"] else [])
        if rest[1:] == ["topology", ""]:
            return [f for f, k in (("thread_siblings_list", "siblings"),
                                   ("physical_package_id", "package")) if i[k]]
        if rest[1:2] == ["topology"] and len(rest) == 3:
            k = {"thread_siblings_list": "siblings", "physical_package_id": "package"}.get(rest[2])
            return i[k] + "\n" if k and i[k] else None
        return None


# --------------------------------------------------------------------------
# /proc/interrupts and /proc/softirqs: per interrupt and CPU

class _PerCpuCounts(Source):
    label = ""

    def __init__(self):
        self._series: dict[tuple[str, int], Series] = {}
        self._layout: tuple = (None, [])     # (header CPUs, interrupt names) -> series

    def collect(self, root, out: Collected) -> None:
        parsed = parse_interrupts(root.read(self.paths[0]))
        key = (parsed.cpus, [line.name for line in parsed.lines])
        if key != self._layout[0]:
            names = []
            group, label = self.groups[0], self.label
            for line in parsed.lines:
                for cpu in parsed.cpus:
                    s = self._series.get((line.name, cpu))
                    if s is None:
                        s = self._series[(line.name, cpu)] = series(
                            group, label, COUNTER, "count", cpu=str(cpu), **{label: line.name})
                    names.append(s)
            self._layout = (key, names)
        out.add(self.groups[0], self._layout[1],
                itertools.chain.from_iterable(line.counts for line in parsed.lines))

    def render(self, path, values):
        got = values(self.groups[0])
        if got is None:
            return None
        lines: dict[str, list] = {}
        cpus: list[str] = []
        for s, v in zip(*got):
            if s.name != self.label:
                continue
            lab = dict(s.labels)
            counts = lines.setdefault(lab[self.label], [])
            if len(lines) == 1:
                cpus.append(lab["cpu"])
            counts.append(v)
        if not lines:
            return None
        width = max([3] + [len(n) for n in lines])
        out = [" " * (width + 2) + "".join("CPU%-8s" % c for c in cpus)]
        for name, counts in lines.items():
            out.append("%*s:" % (width, name) + "".join(" %10d" % v for v in counts))
        return "\n".join(out) + "\n"


@register
class InterruptsSource(_PerCpuCounts):
    name = "interrupts"
    groups = ("irq",)
    paths = ("/proc/interrupts",)
    label = "irq"


@register
class SoftirqsSource(_PerCpuCounts):
    name = "softirqs"
    groups = ("irq",)
    paths = ("/proc/softirqs",)
    label = "softirq"


# --------------------------------------------------------------------------
# /proc/net/snmp, /proc/net/netstat, /proc/net/snmp6: netstat -s

#: the values of /proc/net/snmp that are levels, not counts
SNMP_GAUGES = {("Ip", "Forwarding"), ("Ip", "DefaultTTL"), ("Tcp", "RtoAlgorithm"),
               ("Tcp", "RtoMin"), ("Tcp", "RtoMax"), ("Tcp", "MaxConn"), ("Tcp", "CurrEstab")}


@register
class NetSnmpSource(Source):
    """``snmp{section,counter}`` and ``netstat{section,counter}`` (the header/value
    line pairs of /proc/net/snmp and /proc/net/netstat, in file order) and
    ``snmp6{counter}``; values as netstat reads them (strtoull: -1 is 2^64-1)."""

    name = "net-snmp"
    groups = ("net",)
    paths = ("/proc/net/snmp", "/proc/net/netstat", "/proc/net/snmp6")

    def __init__(self):
        self._series: dict[tuple, Series] = {}
        self._layouts: dict[str, tuple] = {}

    def _s(self, metric: str, section: str, counter: str) -> Series:
        key = (metric, section, counter)
        s = self._series.get(key)
        if s is None:
            kind = GAUGE if (section, counter) in SNMP_GAUGES else COUNTER
            labels = {"section": section} if section else {}
            s = self._series[key] = series("net", metric, kind, "count", counter=counter,
                                           **labels)
        return s

    def collect(self, root, out: Collected) -> None:
        names, values = [], []
        for metric in ("snmp", "netstat"):
            try:
                parsed = root.parse(f"/proc/net/{metric}", fast_snmp)
            except SourceError:
                if metric == "snmp":
                    raise
                continue
            key = [(sec.title, [c for c, _ in sec.counters]) for sec in parsed.sections]
            cached = self._layouts.get(metric)
            if cached is None or cached[0] != key:
                cached = self._layouts[metric] = (key, [
                    self._s(metric, sec.title, c) for sec in parsed.sections
                    for c, _ in sec.counters])
            names.extend(cached[1])
            values.extend(v for sec in parsed.sections for _, v in sec.counters)
        try:
            snmp6 = root.parse("/proc/net/snmp6", fast_snmp6)
        except SourceError:
            snmp6 = None
        if snmp6 is not None:
            key = [c for c, _ in snmp6]
            cached = self._layouts.get("snmp6")
            if cached is None or cached[0] != key:
                cached = self._layouts["snmp6"] = (key, [self._s("snmp6", "", c) for c in key])
            names.extend(cached[1])
            values.extend(v & U64_MAX for _, v in snmp6)
        out.add("net", names, values)

    def render(self, path, values):
        net = values("net")
        if net is None:
            return None
        metric = path.rsplit("/", 1)[1]
        if metric == "snmp6":
            lines = ["%-32s\t%d\n" % (s.labels[0][1], x) for s, x in zip(*net)
                     if s.name == "snmp6"]
            return "".join(lines) or None
        sections: dict[str, list] = {}
        for s, x in zip(*net):
            if s.name == metric:
                lab = dict(s.labels)
                sections.setdefault(lab["section"], []).append((lab["counter"], x))
        if not sections:
            return None
        return "".join(f"{t}: {' '.join(c for c, _ in cs)}\n{t}: {' '.join(str(v) for _, v in cs)}\n"
                       for t, cs in sections.items())


U64_MAX = (1 << 64) - 1
_INTEGER = re.compile(r"-?[0-9]+\Z")


def _splits_as_c(text: str) -> bool:
    """True if str.split() splits ``text`` where netstat does: ASCII without NULs,
    \\x1c-\\x1f (no white space to C) or \\r, \\v, \\f (none to strtok(" \\t\\n"))."""
    return (text.isascii() and plain(text) and "\0" not in text
            and not ("\r" in text or "\v" in text or "\f" in text))


def fast_snmp(text: str):
    """parse_snmp() for the usual file (pairs of lines of plain integers), by split;
    anything else goes to parse_snmp itself."""
    from pystat.proc.snmp import Section, SnmpFile

    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if len(lines) % 2 or not text.endswith("\n") or not _splits_as_c(text):
        return parse_snmp(text)
    sections = []
    for head, vals in zip(lines[::2], lines[1::2]):
        h, v = head.split(), vals.split()
        if (len(h) != len(v) or not h or h[0] != v[0] or h[0][-1:] != ":"
                or head.find(":") != len(h[0]) - 1      # the title is all before it
                or not all(map(_INTEGER.match, v[1:])) or max(map(len, v)) > 19):
            return parse_snmp(text)
        sections.append(Section(h[0][:-1], [(n, int(x) & U64_MAX) for n, x in zip(h[1:], v[1:])]))
    return SnmpFile(sections, False)


def fast_snmp6(text: str):
    """parse_snmp6() for the usual file ("Name value" lines of plain numbers)."""
    words = text.split()
    if (not text.endswith("\n") or len(words) != 2 * text.count("\n")
            or not _splits_as_c(text) or not all(w.isdigit() for w in words[1::2])
            or max(map(len, words[1::2]), default=0) > 19):
        return parse_snmp6(text)
    return list(zip(words[::2], map(int, words[1::2])))


def fast_net_dev(text: str):
    """parse_net_dev() for the usual file (version 3 header, "name: 16 numbers"), by
    split; anything else goes to parse_net_dev itself."""
    from pystat.proc.netdev import NetDev

    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if (len(lines) < 2 or "compressed" not in lines[1] or "multicast" not in lines[1]
            or not _splits_as_c(text)
            or max(map(len, lines)) >= 511):  # netstat's fgets pieces
        return parse_net_dev(text)
    out = []
    for line in lines[2:]:
        name, sep, rest = line.partition(":")
        words = rest.split()
        name = name.lstrip()
        if (not sep or name.split() != [name] or len(words) != 16
                or not all(w.isdigit() for w in words) or ":" in rest
                or max(map(len, words)) > 19):
            return parse_net_dev(text)
        out.append(NetDev(name, dict(zip(STAT_NAMES, map(int, words)))))
    return out


# --------------------------------------------------------------------------
# /proc/net/dev, what netstat -i asks by ioctl, /proc/net/if_inet6

NETIF_KEYS = ("flags", "hwtype", "hwaddr", "mtu", "map", "txqlen", "addr", "dstaddr",
              "broadaddr", "netmask", "error")


@register
class NetDevSource(Source):
    """``netdev_<counter>{interface}`` (the 16 counters of /proc/net/dev);
    ``netif_info{interface,ifconf,flags,mtu,...}`` = 1: the kernel's answers to
    netstat's ioctls (``ifconf`` "1": listed by SIOCGIFCONF, which adds alias
    labels); ``inet6_addr{...}`` = 1 per line of /proc/net/if_inet6."""

    name = "net-dev"
    groups = ("netdev",)
    paths = ("/proc/net/dev", "/proc/net/if_inet6")
    needs_host = True

    def __init__(self):
        self._counters: dict[str, list[Series]] = {}
        self._info: dict[tuple, Series] = {}
        self._inet6: tuple = (None, [])

    def collect_host(self, host, root, out: Collected) -> None:
        devs = root.parse("/proc/net/dev", fast_net_dev)
        names, values = [], []
        for dev in devs:
            s = self._counters.get(dev.name)
            if s is None:
                s = self._counters[dev.name] = [
                    series("netdev", "netdev_" + k, COUNTER, "bytes" if "bytes" in k else "count",
                           interface=dev.name) for k in STAT_NAMES]
            names.extend(s)
            values.extend(dev.stats[k] & U64_MAX for k in STAT_NAMES)
        listed = host.ifconf()
        seen = set()
        for name in [d.name for d in devs] + listed:
            if name in seen:
                continue
            seen.add(name)
            info = host.ifinfo(name)
            labels = tuple(_label(info.get(k)) for k in NETIF_KEYS)
            key = (name, name in listed, labels)
            s = self._info.get(key)
            if s is None:
                s = self._info[key] = series("netdev", "netif_info", GAUGE, "", interface=name,
                                             ifconf="1" if name in listed else "0",
                                             **dict(zip(NETIF_KEYS, labels)))
            names.append(s)
            values.append(1)
        try:
            text = root.read("/proc/net/if_inet6")
        except SourceError:
            text = None
        if text is not None:
            if text != self._inet6[0]:
                self._inet6 = (text, [
                    series("netdev", "inet6_addr", GAUGE, "", address=a.address,
                           ifindex=str(a.ifindex), prefixlen=str(a.prefixlen),
                           scope=str(a.scope), flags=str(a.flags), device=a.device)
                    for a in parse_if_inet6(text)])
            names.extend(self._inet6[1])
            values.extend([1] * len(self._inet6[1]))
        out.add("netdev", names, values)

    def render(self, path, values):
        netdev = values("netdev")
        if netdev is None:
            return None
        if path == "/proc/net/if_inet6":
            lines = []
            for s in netdev[0]:
                if s.name == "inet6_addr":
                    a = dict(s.labels)
                    lines.append("%s %02x %02x %02x %02x %8s\n" % (
                        a["address"].replace(":", ""), int(a["ifindex"]), int(a["prefixlen"]),
                        int(a["scope"]), int(a["flags"]), a["device"]))
            return "".join(lines)
        devs: dict[str, dict] = {}
        for s, x in zip(*netdev):
            if s.name.startswith("netdev_"):
                devs.setdefault(s.labels[0][1], {})[s.name[7:]] = x
        if not devs:
            return None
        out = ["Inter-|   Receive                                                |  Transmit\n",
               " face |bytes    packets errs drop fifo frame compressed multicast|"
               "bytes    packets errs drop fifo colls carrier compressed\n"]
        for name, st in devs.items():
            out.append("%6s: %s\n" % (name, " ".join(str(st.get(k, 0)) for k in STAT_NAMES)))
        return "".join(out)

    @staticmethod
    def interfaces(netdev: GroupValues | None) -> dict[str, dict]:
        """{interface: its netif_info labels} of one sample, in recorded order."""
        if netdev is None:
            return {}
        return {dict(s.labels)["interface"]: dict(s.labels) for s in netdev[0]
                if s.name == "netif_info"}

    @staticmethod
    def ifinfo(labels: dict) -> dict:
        """netstat's ioctl record (pystat.netif.fetch) from netif_info labels."""
        if labels.get("error"):
            return {"error": int(labels["error"])}
        out = {}
        for k in NETIF_KEYS[:-1]:
            v = labels.get(k, "")
            if v == "":
                out[k] = None
            elif k in ("flags", "hwtype", "mtu", "txqlen"):
                out[k] = int(v)
            elif k == "map":
                out[k] = [int(x) for x in v.split(",")]
            else:
                out[k] = v
        return out


def _label(v) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return ",".join(map(str, v))
    return str(v)


# --------------------------------------------------------------------------
# sockets per protocol and state (/proc/net/{tcp,udp,raw,...}[6], unix)

TCP_STATES = ("ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
              "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV")
UNIX_TYPES = {1: "stream", 2: "dgram", 5: "seqpacket"}
UNIX_STATES = ("FREE", "UNCONNECTED", "CONNECTING", "CONNECTED", "DISCONNECTING")
_INET_ROW = re.compile(r"^ *[0-9]+: [0-9A-Fa-f]+:[0-9A-Fa-f]+ [0-9A-Fa-f]+:[0-9A-Fa-f]+ "
                       r"([0-9A-Fa-f]{2}) ", re.M)
_UNIX_ROW = re.compile(r"^[0-9A-Fa-f]+: [0-9A-Fa-f]+ [0-9A-Fa-f]+ ([0-9A-Fa-f]+) "
                       r"([0-9A-Fa-f]+) ([0-9A-Fa-f]+)", re.M)
INET_TABLES = ("tcp", "tcp6", "udp", "udp6", "udplite", "udplite6", "raw", "raw6")


@register
class SocketsSource(Source):
    """``sockets{protocol,state}``: how many sockets each table lists in each
    state (TCP's states; for UDP and raw sockets ESTABLISHED means connected,
    CLOSE unconnected); UNIX sockets as ``unix_stream`` ..., LISTENING where
    netstat shows it. Every state of a protocol is recorded, 0 included.

    With thousands of sockets counting them costs the kernel milliseconds: on
    the live machine the count is then made every few samples only (see
    COST_LIMIT); the samples in between have no socket series."""

    name = "sockets"
    groups = ("sockets",)
    paths = ()
    #: on the live machine, a count that took longer than this (CPU seconds; the
    #: kernel's work grows with the sockets, ~2 us each) is not made again for
    #: as many samples as keep its average under COST_TARGET, at most MAX_SKIP
    COST_LIMIT = 0.002
    COST_TARGET = 0.001
    MAX_SKIP = 19

    def __init__(self):
        self._series: dict[tuple[str, str], Series] = {}
        self._skip = 0

    def _s(self, protocol: str, state: str) -> Series:
        s = self._series.get((protocol, state))
        if s is None:
            s = self._series[(protocol, state)] = series("sockets", "sockets", GAUGE, "sockets",
                                                         protocol=protocol, state=state)
        return s

    needs_host = True

    def collect_host(self, host, root, out: Collected) -> None:
        import time

        live = host.live and root.path == "/"
        if live and self._skip:
            self._skip -= 1
            return
        started = time.process_time()
        self._count(live, root, out)
        cost = time.process_time() - started
        if live and cost > self.COST_LIMIT:
            self._skip = min(int(cost / self.COST_TARGET), self.MAX_SKIP)

    def _count(self, live: bool, root, out: Collected) -> None:
        names, values = [], []
        for table in INET_TABLES:
            counts = _diag_counts(table) if live else None
            if counts is None:
                try:
                    text = root.read("/proc/net/" + table)
                except SourceError:
                    continue
                counts = collections.Counter(st.upper() for st in _INET_ROW.findall(text))
            tcp = table.startswith("tcp")
            for i, state in enumerate(TCP_STATES if tcp else ("ESTABLISHED", "CLOSE")):
                code = "%02X" % (i + 1 if tcp else (1 if state == "ESTABLISHED" else 7))
                names.append(self._s(table, state))
                values.append(counts.get(code, 0))
        try:
            text = root.read("/proc/net/unix")
        except SourceError:
            text = None
        if text is not None:
            counts = collections.Counter()
            for flags, typ, st in _UNIX_ROW.findall(text):
                t = UNIX_TYPES.get(int(typ, 16))
                if t is None:
                    continue
                st = int(st, 16)
                state = "LISTENING" if int(flags, 16) & 0x10000 else (
                    UNIX_STATES[st] if st < len(UNIX_STATES) else "UNKNOWN")
                counts[(t, state)] += 1
            for t in UNIX_TYPES.values():
                for state in UNIX_STATES[1:] + ("LISTENING",):
                    names.append(self._s("unix_" + t, state))
                    values.append(counts.get((t, state), 0))
        if names:
            out.add("sockets", names, values)

    def render(self, path, values):
        return None


# The live kernel's sockets by state through netlink (NETLINK_SOCK_DIAG, what ss(8)
# uses): the same sockets as /proc/net/{tcp,udp,...}[6] list, without formatting
# them as text (several times cheaper with thousands of sockets).  Only the state
# byte of each answer is read.

_DIAG_PROTOCOLS = {"tcp": (2, 6), "tcp6": (10, 6), "udp": (2, 17), "udp6": (10, 17),
                   "udplite": (2, 136), "udplite6": (10, 136)}
_DIAG_BROKEN: set[str] = set()


def _diag_counts(table: str) -> dict[str, int] | None:
    """{"0A": n, ...} like the st column of /proc/net/TABLE; None where netlink
    cannot answer (raw sockets, a kernel or sandbox without sock_diag)."""
    import socket
    import struct

    proto = _DIAG_PROTOCOLS.get(table)
    if proto is None or table in _DIAG_BROKEN:
        return None
    family, protocol = proto
    counts = [0] * 16
    try:
        with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 4) as s:   # NETLINK_SOCK_DIAG
            # inet_diag_req_v2: family, protocol, ext, pad, states (all), an empty sockid
            req = struct.pack("=BBBBI", family, protocol, 0, 0, 0xFFFFFFFF) + bytes(48)
            # nlmsghdr: SOCK_DIAG_BY_FAMILY (20), NLM_F_REQUEST | NLM_F_DUMP
            s.send(struct.pack("=IHHII", 16 + len(req), 20, 0x301, 1, 0) + req)
            while True:
                buf = s.recv(1 << 17)
                if not buf:
                    raise OSError("netlink: no answer")
                n = len(buf)
                # without attributes every answer is an 88-byte message (nlmsghdr +
                # inet_diag_msg): the state bytes are every 88th from the 17th
                if (n % 88 == 0 and buf[0::88].count(88) == n // 88
                        and buf[4:6] == b"\x14\x00" and buf[4::88].count(20) == n // 88):
                    states = buf[17::88]
                    for st in set(states):
                        counts[st & 15] += states.count(st)
                    continue
                off = 0
                while off + 18 <= n:
                    length, kind = struct.unpack_from("=IH", buf, off)
                    if kind == 3:               # NLMSG_DONE
                        return {"%02X" % st: c for st, c in enumerate(counts) if c}
                    if kind == 2 or length < 18:
                        raise OSError("netlink: error")
                    counts[buf[off + 17] & 15] += 1   # inet_diag_msg.idiag_state
                    off += (length + 3) & ~3
    except OSError:
        _DIAG_BROKEN.add(table)
        return None
