"""``pystat iostat``: sysstat 12.6.1 iostat (as Debian 12 ships it), byte for byte.

What it reads, per sample (files are reopened every time):

* /proc/uptime: the interval is the uptime difference in 1/100 s (since boot
  for the first report), never the wall clock or the interval argument;
* /proc/stat, its aggregate ``cpu`` line only: avg-cpu (``%system`` includes
  irq and softirq, ``%user`` includes guest);
* devices: ``/sys/block/DEV/stat`` for every entry of /sys/block (kept in
  strcmp order), never /proc/diskstats, except with ``-p ALL`` (then
  /proc/diskstats in file order, partitions included, whole disks told apart
  by ``access(/sys/block/NAME)``).  ``-p DEV`` also reads every
  ``/sys/block/DEV/*/stat``; a partition named as an argument is read from
  ``/sys/dev/block/MAJ:MIN/stat``, its numbers from ``stat(/dev/NAME)`` at
  start-up (0:0 if that fails, for good: a device that appears later is
  never shown).

sysstat's arithmetic is kept: rates are C doubles ``delta / itv * 100``;
deltas are computed in the counters' C types (``unsigned long``, or
``unsigned int`` for the millisecond counters), so they wrap as in C; a
device whose I/O counts went down (and sectors too) is taken as re-inserted
and compared with zero; a sector count that went down from below 2**32 is
masked to 32 bits.  Devices never used are hidden unless named (or ``-p``
/ ``ALL``); ``-z`` hides those idle during the interval.

Under ``--root`` a capture has no device nodes: ``stat(/dev/NAME)`` is
answered from the capture's ``sys/block/NAME[/PART]/dev``, and
``/dev/mapper`` entries (``-N``) are its symlinks.
"""

from __future__ import annotations

import os
import stat as statmod
import sys

import click

from pystat.commands import FORMAT_OPTION, until_series_ends
from pystat.commands.sysstat import (JSON_END, Pacer, Painter, UsageError, all_digits, atol,
                                     banner, cpu_nr, is_iso, parse_dec, tabs, use_locale_time)
from pystat.errors import PystatError, SourceError
from pystat.proc.cscan import U32, U64, c_ljust
from pystat.proc.diskstats import scan_block_stat, scan_diskstats
from pystat.proc.stat import CpuTimes, scan_stat
from pystat.proc.uptime import parse_uptime

NAME = "iostat"
MAX_NAME_LEN = 128

# device types (sysstat's T_DEV, T_PART, T_PART_DEV)
T_DEV, T_PART, T_PART_DEV = 0, 1, 2

#: the counters of an io_stats structure, in DiskStat order from ``reads``
FIELDS = ("rd_ios", "rd_merges", "rd_sectors", "rd_ticks", "wr_ios", "wr_merges",
          "wr_sectors", "wr_ticks", "ios_pgr", "tot_ticks", "rq_ticks", "dc_ios",
          "dc_merges", "dc_sectors", "dc_ticks", "fl_ios", "fl_ticks")
ZERO = (0,) * 17
(RD_IOS, RD_MERGES, RD_SEC, RD_TICKS, WR_IOS, WR_MERGES, WR_SEC, WR_TICKS, IOS_PGR,
 TOT_TICKS, RQ_TICKS, DC_IOS, DC_MERGES, DC_SEC, DC_TICKS, FL_IOS, FL_TICKS) = range(17)


class Opts:
    """The parsed command line (sysstat's flags)."""

    def __init__(self):
        self.cpu = self.disk = False
        self.extended = self.short = self.pretty = self.human = self.compact = False
        self.kilobytes = self.megabytes = False
        self.timestamp = self.omit_first = self.zero_omit = self.devmap = False
        self.unfiltered = self.everything = self.all_devices = False
        self.json = False
        self.dplaces = -1
        self.interval = 0
        self.count = 1
        self.devices: list[tuple[str, int]] = []  # (name, 0 or T_PART_DEV), in order given
        self.cpu_nr = 0
        self.start = 0.0

    @property
    def fctr(self) -> int:
        return 2 if self.kilobytes else 2048 if self.megabytes else 1

    @property
    def units(self) -> str:
        if self.kilobytes:
            return "kB"
        if self.megabytes:
            return "MB"
        return "sec" if self.extended else "Blk"

    @property
    def spc(self) -> str:
        return " " if self.kilobytes or self.megabytes else ""


def parse_args(args: list[str]) -> Opts:
    """sysstat's iostat option loop, usage errors included."""
    o = Opts()
    report_set = False
    it = 0
    i = 0
    n = len(args)
    while i < n:
        a = args[i]
        if a == "-p":
            nxt = args[i + 1] if i + 1 < n else None
            if nxt is not None and not all_digits(nxt) and not nxt.startswith("-"):
                o.unfiltered = True
                for t in nxt.split(","):
                    if not t:
                        continue
                    if t == "ALL":
                        o.everything = True
                    else:
                        o.devices.append((t, T_PART_DEV))
                i += 2
            else:
                o.everything = True
                i += 1
        elif a == "-g":
            raise UsageError(NAME, "-g (device groups) is not supported by pystat")
        elif a == "--human":
            o.human = True
            i += 1
        elif a == "--pretty":
            o.pretty = True
            i += 1
        elif a == "--compact":
            o.compact = True
            i += 1
        elif (d := parse_dec(a, NAME)) is not None:
            o.dplaces = d
            i += 1
        elif a in ("-f", "+f"):
            raise UsageError(NAME, f"{a} (alternate directory) is not supported by pystat; "
                                   "use --root")
        elif a == "-j":
            if i + 1 >= n:
                raise UsageError(NAME, "-j needs a persistent name type")
            raise PystatError(f"{NAME}: Invalid type of persistent device name "
                              "(pystat does not show persistent names)", exit_code=1)
        elif a == "-o":
            if i + 1 < n and args[i + 1] == "JSON":
                o.json = True
                i += 2
            else:
                raise UsageError(NAME, "-o takes JSON")
        elif a.startswith("-"):
            for c in a[1:]:
                if c == "c":
                    o.cpu = report_set = True
                elif c == "d":
                    o.disk = report_set = True
                elif c == "H":
                    raise UsageError(NAME, "-H needs -g, which pystat does not support")
                elif c == "h":
                    o.pretty = o.human = True
                elif c == "k":
                    if o.megabytes:
                        raise UsageError(NAME, "-k and -m cannot be combined")
                    o.kilobytes = True
                elif c == "m":
                    if o.kilobytes:
                        raise UsageError(NAME, "-k and -m cannot be combined")
                    o.megabytes = True
                elif c == "N":
                    o.devmap = True
                elif c == "p":
                    o.everything = True
                elif c == "s":
                    o.short = True
                elif c == "t":
                    o.timestamp = True
                elif c == "x":
                    o.extended = True
                elif c == "y":
                    o.omit_first = True
                elif c == "z":
                    o.zero_omit = True
                elif c == "V":
                    raise click.exceptions.Exit(_version())
                else:
                    raise UsageError(NAME, f"invalid option -- '{c}'")
            i += 1
        elif not all_digits(a):
            o.unfiltered = True
            if a != "ALL":
                o.devices.append((a, 0))
            else:
                o.all_devices = True
            i += 1
        elif not it:
            o.interval = atol(a)
            o.count = -1
            it = 1
            i += 1
        elif it > 0:
            o.count = atol(a)
            if o.count < 1 or not o.interval:
                raise UsageError(NAME, "the count must be at least 1, after an interval "
                                       "greater than 0")
            it = -1
            i += 1
        else:
            raise UsageError(NAME, f"unexpected argument '{a}'")
    if not o.interval:
        o.count = 1
    if not report_set:
        o.cpu = o.disk = True
    if o.everything or o.extended or o.unfiltered:
        o.disk = True
    if not o.unfiltered:
        o.all_devices = True
    if not (o.kilobytes or o.megabytes) and os.environ.get("POSIXLY_CORRECT") is None:
        o.kilobytes = True
    return o


def _version() -> int:
    click.echo("sysstat version 12.6.1 (pystat)")
    return 0


# --------------------------------------------------------------------------
# /dev under the root

class DevFS:
    """``stat()``, ``realpath()`` and ``/dev/mapper`` of the root's /dev.

    On the live machine (root ``/``) these are the real calls.  A capture has
    no device nodes: ``/dev/NAME`` stands for the device whose numbers its
    ``sys/block/NAME/dev`` (or ``sys/block/*/NAME/dev``) holds.
    """

    def __init__(self, root):
        self.root = root
        self.live = root.path == "/"
        self._map: dict[str, tuple[int, int]] | None = None

    def _devmap(self) -> dict[str, tuple[int, int]]:
        if self._map is None:
            self._map = {}
            try:
                disks = self.root.listdir("/sys/block")
            except SourceError:
                disks = []
            for disk in disks:
                self._learn(disk, f"/sys/block/{disk}/dev")
                st = self.root.stat(f"/sys/block/{disk}")
                if st is None or not statmod.S_ISDIR(st.st_mode):
                    continue
                try:
                    parts = self.root.listdir(f"/sys/block/{disk}")
                except SourceError:
                    continue
                for part in parts:
                    if self.root.stat(f"/sys/block/{disk}/{part}/dev") is not None:
                        self._learn(part, f"/sys/block/{disk}/{part}/dev")
        return self._map

    def _learn(self, name: str, path: str) -> None:
        if self.root.stat(path) is None:
            return
        try:
            major, _, minor = self.root.read(path).strip().partition(":")
            self._map.setdefault(name.replace("!", "/"), (int(major), int(minor)))
        except (SourceError, ValueError):
            pass

    def rdev(self, path: str) -> tuple[int, int] | None:
        """(major, minor) of ``stat(path)`` (a path under /dev), or None if it fails."""
        st = self.root.stat(path)
        if st is not None:
            if statmod.S_ISBLK(st.st_mode) or statmod.S_ISCHR(st.st_mode):
                return os.major(st.st_rdev), os.minor(st.st_rdev)
            return 0, 0
        if self.live:
            return None
        path = self._resolve(path)
        if not path.startswith("/dev/"):
            return None
        return self._devmap().get(path[5:])

    def exists(self, path: str) -> bool:
        if os.path.exists(self.root.real(path)):
            return True
        return not self.live and path.startswith("/dev/") and path[5:] in self._devmap()

    def _resolve(self, path: str) -> str:
        """``path`` with the root's symlinks followed (a capture's /dev/mapper links)."""
        parts = [p for p in path.split("/") if p not in ("", ".")]
        done: list[str] = []
        hops = 0
        while parts:
            p = parts.pop(0)
            if p == "..":
                if done:
                    done.pop()
                continue
            full = self.root.real("/" + "/".join(done + [p]))
            if hops < 40 and os.path.islink(full):
                hops += 1
                target = os.readlink(full)
                if target.startswith("/"):
                    done = []
                parts = [q for q in target.split("/") if q not in ("", ".")] + parts
                continue
            done.append(p)
        return "/" + "/".join(done)

    def realpath(self, path: str) -> str | None:
        """realpath(3) of ``path`` inside the root, or None where it fails."""
        if self.live:
            try:
                return os.path.realpath(path, strict=True)
            except (OSError, ValueError):
                return None
        if not path.startswith("/"):
            return None  # relative to the current directory, not to the capture
        out = self._resolve(path)
        return out if self.exists(out) else None

    def mapper_name(self, major: int, minor: int) -> str | None:
        """transform_devmapname(): the /dev/mapper entry with these numbers."""
        try:
            names = self.root.listdir("/dev/mapper")
        except SourceError:
            raise PystatError(f"{NAME}: Cannot open /dev/mapper: No such file or directory",
                              exit_code=4) from None
        for name in names:
            if self.rdev(f"/dev/mapper/{name}") == (major, minor):
                return name
        return None


def device_name(devfs: DevFS, arg: str) -> str:
    """sysstat's device_name(): realpath, without /dev/, '/' as '!'."""
    resolved = devfs.realpath(arg)
    if resolved is None:
        return arg
    if resolved.startswith("/dev/"):
        resolved = resolved[5:]
    return resolved.replace("/", "!")


def devmap_major(root) -> int:
    """get_devmap_major(): the "device-mapper" major of /proc/devices (~0U if none)."""
    try:
        text = root.read("/proc/devices")
    except SourceError:
        return U32
    from pystat.proc.cscan import fgets_lines, scan_ulongs

    for line in fgets_lines(text, 128):
        if "device-mapper" in line:
            v = scan_ulongs(line, 1)
            if v:
                return v[0] & U32
    return U32


# --------------------------------------------------------------------------
# the device list

class Device:
    __slots__ = ("name", "dev_tp", "exist", "major", "minor", "stats", "numbered")

    def __init__(self, name: str, dev_tp: int):
        self.name = name
        self.dev_tp = dev_tp
        self.exist = True
        self.major = 0
        self.minor = 0
        self.stats = [ZERO, ZERO]
        self.numbered = False  # major:minor looked up (0:0 if stat(/dev/NAME) failed)


class DeviceList:
    """sysstat's linked list of devices: strcmp order unless -p ALL (file order)."""

    def __init__(self, o: Opts):
        self.o = o
        self.devs: list[Device] = []
        self.index: dict[str, Device] = {}

    def add(self, root, name: str, dtype: int) -> tuple[Device | None, int]:
        """add_list_device(): the device and the list position it was inserted at
        (-1 if it was there already)."""
        if len(name.encode("utf-8", "surrogateescape")) >= MAX_NAME_LEN:
            return None, -1
        d = self.index.get(name)
        if d is not None:
            if dtype == T_PART_DEV and d.dev_tp == T_DEV:
                d.dev_tp = T_PART_DEV
            d.exist = True
            return d, -1
        pos = len(self.devs)
        if not self.o.everything:
            key = name.encode("utf-8", "surrogateescape")
            for k, other in enumerate(self.devs):
                if other.name.encode("utf-8", "surrogateescape") > key:
                    pos = k
                    break
        if root.stat("/sys/block/" + name.replace("/", "!")) is not None:
            tp = T_PART_DEV if dtype == T_PART_DEV else T_DEV
        else:
            tp = T_PART
        d = Device(name, tp)
        self.devs.insert(pos, d)
        self.index[name] = d
        return d, pos


# --------------------------------------------------------------------------
# reading a sample

class SampleReader:
    """One sample's reads; a file read twice in a sample is read once."""

    def __init__(self, root, devfs: DevFS):
        self.root = root
        self.devfs = devfs
        self.cache: dict[str, str | None] = {}

    def text(self, path: str) -> str | None:
        if path not in self.cache:
            try:
                self.cache[path] = self.root.read(path)
            except SourceError:
                # fopen(3) opens a directory; reading it gives nothing
                st = self.root.stat(path)
                self.cache[path] = "" if st is not None and statmod.S_ISDIR(st.st_mode) else None
        return self.cache[path]

    def block_stat(self, path: str):
        text = self.text(path)
        if text is None:
            return None
        return tuple(scan_block_stat(text)[3:])


def read_devices(rd: SampleReader, dl: DeviceList, o: Opts, curr: int) -> None:
    """read_diskstats_stat() or read_sysfs_dlist_stat() for one sample."""
    root = rd.root
    if o.everything:
        text = rd.text("/proc/diskstats")
        if text is None:
            return
        for ds in scan_diskstats(text):
            if ds.io_ms is None:  # an old 4-counter partition line
                if o.extended:
                    continue
                values = (ds.reads, 0, ds.read_sectors, 0, ds.writes, 0, ds.write_sectors,
                          0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            else:
                values = tuple(ds[3:])
            d, _ = dl.add(root, ds.name, 0)
            if d is not None:
                d.stats[curr] = values
                d.major, d.minor = ds.major, ds.minor
        return
    i = 0
    while i < len(dl.devs):
        d = dl.devs[i]
        if d.exist:
            i += 1
            continue
        if d.dev_tp == T_PART:
            if not d.major and not d.numbered:
                numbers = rd.devfs.rdev("/dev/" + d.name.replace("!", "/"))
                if numbers is None:
                    i += 1
                    continue
                d.major, d.minor = numbers
            values = rd.block_stat(f"/sys/dev/block/{d.major}:{d.minor}/stat")
            if values is not None:
                d.stats[curr] = values
                d.exist = True
        else:
            values = rd.block_stat(f"/sys/block/{d.name}/stat")
            if values is not None:
                d.stats[curr] = values
                d.exist = True
            if d.dev_tp == T_PART_DEV:
                i += _read_partitions(rd, dl, d.name, curr, i)
        i += 1
    if o.all_devices:
        try:
            names = root.listdir("/sys/block")
        except SourceError:
            return
        for name in names:
            values = rd.block_stat(f"/sys/block/{name}/stat")
            if values is None:
                continue
            d, _ = dl.add(root, name, 0)
            if d is not None:
                d.stats[curr] = values


def _read_partitions(rd: SampleReader, dl: DeviceList, disk: str, curr: int, at: int) -> int:
    """read_sysfs_device_part_stat(): every /sys/block/DISK/*/stat; returns how many
    devices were inserted before position ``at`` (the loop's position moves)."""
    try:
        names = rd.root.listdir(f"/sys/block/{disk}")
    except SourceError:
        return 0
    shift = 0
    for name in names:
        values = rd.block_stat(f"/sys/block/{disk}/{name}/stat")
        if values is None:
            continue
        d, pos = dl.add(rd.root, name, 0)
        if d is not None:
            d.stats[curr] = values
            if 0 <= pos <= at + shift:
                shift += 1
    return shift


# --------------------------------------------------------------------------
# the numbers

def s_value(prev: int, cur: int, itv: int, mask: int = U64) -> float:
    """S_VALUE(): a C-typed delta per second, ``itv`` in 1/100 s."""
    return float((cur - prev) & mask) / itv * 100


def ll_sp_value(prev: int, cur: int, itv: int) -> float:
    if cur < prev:
        return 0.0
    return float((cur - prev) & U64) / itv * 100


def cpu_values(prev, cur, deltot: int) -> dict:
    """avg-cpu: write_plain_cpu_stat()'s six percentages."""
    sys_p = (prev.system + prev.softirq + prev.irq) & U64
    sys_c = (cur.system + cur.softirq + cur.irq) & U64
    return {
        "user": ll_sp_value(prev.user, cur.user, deltot),
        "nice": ll_sp_value(prev.nice, cur.nice, deltot),
        "system": ll_sp_value(sys_p, sys_c, deltot),
        "iowait": ll_sp_value(prev.iowait, cur.iowait, deltot),
        "steal": ll_sp_value(prev.steal, cur.steal, deltot),
        "idle": 0.0 if cur.idle < prev.idle else ll_sp_value(prev.idle, cur.idle, deltot),
    }


def tot_jiffies(c) -> int:
    return (c.user + c.nice + c.system + c.idle + c.iowait + c.irq + c.steal + c.softirq) & U64


def device_values(ioi, ioj, itv: int, o: Opts) -> dict:
    """Every number iostat prints for one device, in sectors (and per second)."""
    d = lambda k, m=U64: (ioi[k] - ioj[k]) & m  # noqa: E731  (a C-typed delta)
    v: dict = {}
    ios_i = (ioi[RD_IOS] + ioi[WR_IOS] + ioi[DC_IOS]) & U64
    ios_j = (ioj[RD_IOS] + ioj[WR_IOS] + ioj[DC_IOS]) & U64
    v["tps"] = s_value(ios_j, ios_i, itv)
    v["rsec/s"] = s_value(ioj[RD_SEC], ioi[RD_SEC], itv)
    v["wsec/s"] = s_value(ioj[WR_SEC], ioi[WR_SEC], itv)
    v["dsec/s"] = s_value(ioj[DC_SEC], ioi[DC_SEC], itv)
    if not o.extended:
        secs = []
        for k in (RD_SEC, WR_SEC, DC_SEC):
            delta = d(k)
            if ioi[k] < ioj[k] and ioj[k] <= 0xFFFFFFFF:
                delta &= 0xFFFFFFFF
            secs.append(delta)
        v["rsec"], v["wsec"], v["dsec"] = secs
        return v
    v["rqm/s"] = s_value((ioj[RD_MERGES] + ioj[WR_MERGES] + ioj[DC_MERGES]) & U64,
                         (ioi[RD_MERGES] + ioi[WR_MERGES] + ioi[DC_MERGES]) & U64, itv)
    nr = (ios_i - ios_j) & U64
    ticks = (d(RD_TICKS, U32) + d(WR_TICKS, U32) + d(DC_TICKS, U32)) & U32
    sects = (d(RD_SEC) + d(WR_SEC) + d(DC_SEC)) & U64
    v["await"] = ticks / float(nr) if nr else 0.0
    v["arqsz"] = sects / float(nr) if nr else 0.0
    v["aqu-sz"] = s_value(ioj[RQ_TICKS], ioi[RQ_TICKS], itv, U32) / 1000.0
    v["util"] = s_value(ioj[TOT_TICKS], ioi[TOT_TICKS], itv, U32) / 10.0 / 1.0
    for x, ios, merges, tk, sec in (("r", RD_IOS, RD_MERGES, RD_TICKS, RD_SEC),
                                    ("w", WR_IOS, WR_MERGES, WR_TICKS, WR_SEC),
                                    ("d", DC_IOS, DC_MERGES, DC_TICKS, DC_SEC)):
        dios, dm = d(ios), d(merges)
        v[f"{x}/s"] = s_value(ioj[ios], ioi[ios], itv)
        v[f"{x}rqm/s"] = s_value(ioj[merges], ioi[merges], itv)
        both = (dm + dios) & U64
        v[f"{x}rqm"] = float(dm) / both * 100 if both else 0.0
        v[f"{x}_await"] = d(tk, U32) / float(dios) if dios else 0.0
        v[f"{x}arqsz"] = d(sec) / float(dios) if dios else 0.0
    dfl = d(FL_IOS)
    v["f/s"] = s_value(ioj[FL_IOS], ioi[FL_IOS], itv)
    v["f_await"] = d(FL_TICKS, U32) / float(dfl) if dfl else 0.0
    return v


class Report(list):
    """One sample: structured rows (the list) plus what the text layout needs."""

    def __init__(self, timestamp: float, skip: bool, cpu: dict | None, devices: list):
        super().__init__()
        self.timestamp = timestamp
        self.skip = skip
        self.cpu = cpu
        self.devices = devices  # [(display name, values)]
        self.error: PystatError | None = None  # where sysstat stopped, after these rows


def reports(host, o: Opts):
    """One Report per sample (the first since boot); an empty list at start-up."""
    root = host.root
    o.cpu_nr = cpu_nr(root, NAME)
    o.start = host.now()
    dl = DeviceList(o)
    devfs = DevFS(root)
    for name, dtype in o.devices:
        d, _ = dl.add(root, device_name(devfs, name), dtype)
        if d is not None and d.dev_tp == T_PART and not d.numbered:
            # a partition named on the command line: sysstat stats /dev/NAME
            # once, now; if that fails it reads /sys/dev/block/0:0/stat for good
            numbers = devfs.rdev("/dev/" + d.name.replace("!", "/"))
            d.major, d.minor = numbers if numbers is not None else (0, 0)
            d.numbered = True
    yield []
    curr = 1
    cpu = [CpuTimes(*(0,) * 10), CpuTimes(*(0,) * 10)]
    uptime = [0, 0]
    jiffies = [0, 0]
    skip = o.omit_first and o.interval > 0
    count = o.count
    pacer = Pacer(host, o.interval)
    dm_major = None
    while True:
        root = host.root
        devfs = DevFS(root)
        for d in dl.devs:
            d.exist = False
        try:
            uptime[curr] = root.parse("/proc/uptime", parse_uptime).centiseconds
        except SourceError:
            raise PystatError(f"{NAME}: Cannot read /proc/uptime", exit_code=2) from None
        try:
            scan = root.parse("/proc/stat", scan_stat)
        except SourceError as e:
            raise PystatError(f"{NAME}: Cannot open /proc/stat: {_reason(e)}",
                              exit_code=2) from None
        for n, times in scan.cpus:
            if n is None:
                cpu[curr] = times
            break  # iostat reads the "cpu " line and stops (a cpuN line first: nothing)
        jiffies[curr] = tot_jiffies(cpu[curr])
        rd = SampleReader(root, devfs)
        read_devices(rd, dl, o, curr)
        now = host.now()
        prev = curr ^ 1
        cpu_row = None
        if o.cpu and not skip:
            deltot = (jiffies[curr] - jiffies[prev]) & U64 or 1
            cpu_row = cpu_values(cpu[prev], cpu[curr], deltot)
        itv = (uptime[curr] - uptime[prev]) & U64 or 1
        shown = []
        error = None
        if o.disk:
            for d in dl.devs:
                if not d.exist:
                    continue
                ioi, ioj = d.stats[curr], d.stats[prev]
                if not o.unfiltered and not (ioi[RD_IOS] or ioi[WR_IOS] or ioi[DC_IOS]
                                             or ioi[FL_IOS]):
                    continue
                if o.zero_omit and (ioi[RD_IOS], ioi[WR_IOS], ioi[DC_IOS], ioi[FL_IOS]) == \
                        (ioj[RD_IOS], ioj[WR_IOS], ioj[DC_IOS], ioj[FL_IOS]):
                    continue
                if (((ioi[RD_IOS] + ioi[WR_IOS] + ioi[DC_IOS] + ioi[FL_IOS]) & U64)
                        < ((ioj[RD_IOS] + ioj[WR_IOS] + ioj[DC_IOS] + ioj[FL_IOS]) & U64)
                        and (not ioj[RD_SEC] or ioi[RD_SEC] < ioj[RD_SEC])
                        and (not ioj[WR_SEC] or ioi[WR_SEC] < ioj[WR_SEC])
                        and (not ioj[DC_SEC] or ioi[DC_SEC] < ioj[DC_SEC])):
                    ioj = ZERO  # removed, then inserted again
                name = d.name
                if o.devmap:
                    # sysstat stats /dev/NAME when it first reads a device
                    if not d.major and not d.numbered:
                        numbers = devfs.rdev("/dev/" + d.name.replace("!", "/"))
                        if numbers is not None:
                            d.major, d.minor = numbers
                    if dm_major is None:
                        dm_major = devmap_major(root)
                    if d.major == dm_major:
                        try:
                            name = devfs.mapper_name(d.major, d.minor) or d.name
                        except PystatError as e:
                            error = e  # sysstat fails here, the rows before it printed
                            break
                shown.append((name.replace("!", "/"), device_values(ioi, ioj, itv, o)))
        report = Report(now, skip, cpu_row, shown)
        report.error = error
        if not skip:
            if cpu_row is not None:
                report.append({"timestamp": now, "section": "cpu", "device": None,
                               **cpu_row})
            for name, values in shown:
                report.append({"timestamp": now, "section": "device", "device": name,
                               **values})
        yield report
        if not skip and count > 0:
            count -= 1
        if not count:
            return
        curr ^= 1
        if not pacer.wait():
            return  # ^C: the report ends here, as in sysstat
        skip = False


def _reason(e: SourceError) -> str:
    msg = str(e)
    return msg.rsplit(": ", 1)[-1] if ": " in msg else msg


# --------------------------------------------------------------------------
# text layouts

def _disk_header(o: Opts, hpart: int) -> str:
    spc, units = o.spc, o.units
    out = "" if o.pretty else "Device       "
    if o.extended:
        if o.short:
            out += "      tps     %s%s/s    rqm/s   await  areq-sz  aqu-sz  %%util" % (spc, units)
        else:
            if hpart in (0, 1):
                out += "     r/s    %sr%s/s   rrqm/s  %%rrqm r_await rareq-sz" % (spc, units)
            if hpart in (0, 2):
                out += "     w/s    %sw%s/s   wrqm/s  %%wrqm w_await wareq-sz" % (spc, units)
            if hpart in (0, 3):
                out += "     d/s    %sd%s/s   drqm/s  %%drqm d_await dareq-sz" % (spc, units)
            if hpart in (0, 4):
                out += "     f/s f_await  aqu-sz  %util"
    elif o.short:
        out += "      tps   %s%s_read/s    %s%s_w+d/s   %s%s_read    %s%s_w+d" % (
            spc, units, spc, units, spc, units, spc, units)
    else:
        out += ("      tps   %s%s_read/s   %s%s_wrtn/s   %s%s_dscd/s   %s%s_read   %s%s_wrtn"
                "   %s%s_dscd" % ((spc, units) * 6))
    if o.pretty:
        out += " Device"
    return out + "\n"


def _plain_basic(p: Painter, o: Opts, name: str, v: dict) -> str:
    fctr = o.fctr
    human = o.human
    out = "" if o.pretty else p.name("%s", c_ljust(name, 13))
    rs, ws, ds = v["rsec/s"], v["wsec/s"], v["dsec/s"]
    if not human:
        rs, ws, ds = rs / fctr, ws / fctr, ds / fctr
    out += p.f(v["tps"], 8)
    unit = 0 if human else None
    if o.short:
        out += p.f(rs, 12, unit=unit) + p.f(ws + ds, 12, unit=unit)
        w_d = (v["wsec"] + v["dsec"]) & U64
        out += p.u64(v["rsec"] if human else v["rsec"] // fctr, 10, unit)
        out += p.u64(w_d if human else w_d // fctr, 10, unit)
    else:
        out += p.f(rs, 12, unit=unit) + p.f(ws, 12, unit=unit) + p.f(ds, 12, unit=unit)
        for k in ("rsec", "wsec", "dsec"):
            out += p.u64(v[k] if human else v[k] // fctr, 10, unit)
    if o.pretty:
        out += p.name(" %s", name)
    return out + "\n"


def _plain_ext(p: Painter, o: Opts, name: str, v: dict, hpart: int) -> str:
    fctr = o.fctr
    human = o.human
    sect = 0 if human else None      # UNIT_SECTOR
    kbyte = 2 if human else None     # UNIT_KILOBYTE
    out = "" if o.pretty else p.name("%s", c_ljust(name, 13))
    if o.short:
        sectors = v["rsec/s"] + v["wsec/s"] + v["dsec/s"]
        if not human:
            sectors /= fctr
        out += (p.f(v["tps"], 8) + p.f(sectors, 9, unit=sect) + p.f(v["rqm/s"], 8)
                + p.f(v["await"], 7) + p.f(v["arqsz"] / 2, 8, unit=kbyte)
                + p.f(v["aqu-sz"], 7) + p.pc(v["util"], 6, human=human))
    else:
        for part, x in ((1, "r"), (2, "w"), (3, "d")):
            if hpart in (0, part):
                rate = v[f"{x}sec/s"]
                if not human:
                    rate /= fctr
                out += (p.f(v[f"{x}/s"], 7) + p.f(rate, 9, unit=sect)
                        + p.f(v[f"{x}rqm/s"], 8) + p.pc(v[f"{x}rqm"], 6, human=human)
                        + p.f(v[f"{x}_await"], 7) + p.f(v[f"{x}arqsz"] / 2, 8, unit=kbyte))
        if hpart in (0, 4):
            out += (p.f(v["f/s"], 7) + p.f(v["f_await"], 7) + p.f(v["aqu-sz"], 7)
                    + p.pc(v["util"], 6, human=human))
    if o.pretty:
        out += p.name(" %s", name)
    return out + "\n"


def _json_basic(o: Opts, name: str, v: dict) -> str:
    fctr = o.fctr
    u = "kB" if o.kilobytes else "MB" if o.megabytes else "Blk"
    return ('{"disk_device": "%s", "tps": %.2f, "%s_read/s": %.2f, "%s_wrtn/s": %.2f, '
            '"%s_dscd/s": %.2f, "%s_read": %d, "%s_wrtn": %d, "%s_dscd": %d}'
            % (name, v["tps"], u, v["rsec/s"] / fctr, u, v["wsec/s"] / fctr, u,
               v["dsec/s"] / fctr, u, v["rsec"] // fctr, u, v["wsec"] // fctr, u,
               v["dsec"] // fctr))


def _json_ext(o: Opts, name: str, v: dict) -> str:
    fctr = o.fctr
    out = '{"disk_device": "%s", ' % name
    if o.short:
        u = "MB/s" if o.megabytes else "kB/s" if o.kilobytes else "sec/s"
        out += ('"tps": %.2f, "%s": %.2f, "rqm/s": %.2f, "await": %.2f, "areq-sz": %.2f, '
                '"aqu-sz": %.2f, ' % (v["tps"], u,
                                      (v["rsec/s"] + v["wsec/s"] + v["dsec/s"]) / fctr,
                                      v["rqm/s"], v["await"], v["arqsz"] / 2, v["aqu-sz"]))
    else:
        u = "MB" if o.megabytes else "kB" if o.kilobytes else "sec"
        out += ('"r/s": %.2f, "w/s": %.2f, "d/s": %.2f, "f/s": %.2f, '
                % (v["r/s"], v["w/s"], v["d/s"], v["f/s"]))
        out += ('"r%s/s": %.2f, "w%s/s": %.2f, "d%s/s": %.2f, '
                % (u, v["rsec/s"] / fctr, u, v["wsec/s"] / fctr, u, v["dsec/s"] / fctr))
        out += ('"rrqm/s": %.2f, "wrqm/s": %.2f, "drqm/s": %.2f, '
                '"rrqm": %.2f, "wrqm": %.2f, "drqm": %.2f, '
                '"r_await": %.2f, "w_await": %.2f, "d_await": %.2f, "f_await": %.2f, '
                '"rareq-sz": %.2f, "wareq-sz": %.2f, "dareq-sz": %.2f, '
                '"aqu-sz": %.2f, '
                % (v["rrqm/s"], v["wrqm/s"], v["drqm/s"], v["rrqm"], v["wrqm"], v["drqm"],
                   v["r_await"], v["w_await"], v["d_await"], v["f_await"],
                   v["rarqsz"] / 2, v["warqsz"] / 2, v["darqsz"] / 2, v["aqu-sz"]))
    return out + '"util": %.2f}' % v["util"]


def _timestamp(epoch: float) -> str:
    import time

    return time.strftime("%Y-%m-%dT%H:%M:%S%z" if is_iso() else "%x %X", time.localtime(epoch))


def report_text(r: Report, o: Opts, p: Painter) -> str:
    """write_stats() of one sample (without the newline the main loop adds)."""
    if r.skip:
        return ""
    parts = []
    tab = 4
    if o.json:
        parts.append(tabs(tab) + "{\n")
        tab += 1
    if o.timestamp:
        ts = _timestamp(r.timestamp)
        parts.append(f'{tabs(tab)}"timestamp": "{ts}",\n' if o.json else ts + "\n")
    if o.cpu:
        c = r.cpu
        values = (c["user"], c["nice"], c["system"], c["iowait"], c["steal"], c["idle"])
        if o.json:
            parts.append(tabs(tab) + '"avg-cpu":  {"user": %.2f, "nice": %.2f, "system": %.2f,'
                         ' "iowait": %.2f, "steal": %.2f, "idle": %.2f}' % values)
            parts.append(",\n" if o.disk else "\n")
        else:
            parts.append("avg-cpu:  %user   %nice %system %iowait  %steal   %idle\n       "
                         + "".join(p.pc(x, 7, human=o.human) for x in values) + "\n\n")
    if o.disk:
        split = o.pretty and o.extended and not o.short and not o.json and not o.compact
        hparts = (1, 2, 3, 4) if split else (0,)
        for h in hparts:
            if o.json:
                parts.append(tabs(tab) + '"disk": [\n')
                tab += 1
                parts.append(",\n".join(
                    tabs(tab) + (_json_ext(o, n, v) if o.extended else _json_basic(o, n, v))
                    for n, v in r.devices))
            else:
                parts.append(_disk_header(o, h))
                for n, v in r.devices:
                    parts.append(_plain_ext(p, o, n, v, h) if o.extended
                                 else _plain_basic(p, o, n, v))
            if r.error is not None:
                return "".join(parts)  # sysstat stopped at the next device
            if 0 < h < hparts[-1]:
                parts.append("\n")
        if o.json:
            tab -= 1
            parts.append("\n" + tabs(tab) + "]\n")
    if o.json:
        tab -= 1
        parts.append(tabs(tab) + "}")
    else:
        parts.append("\n")
    return "".join(parts)


def text(reports_iter, o: Opts, host, out) -> None:
    p = Painter(not o.json and Painter.wanted(out), o.dplaces)
    reports_iter = iter(reports_iter)
    next(reports_iter, None)  # start-up: the CPU count is known
    out.write(banner(host.uname(), o.start, o.cpu_nr, o.json))
    if not o.json:
        out.write("\n")
    out.flush()
    prev = None
    error = None
    try:
        for r in reports_iter:
            if prev is not None:
                out.write(("," if o.json and not prev.skip else "") + "\n")
            out.write(report_text(r, o, p))
            out.flush()
            if r.error is not None:
                error = r.error
                break
            prev = r
    except PystatError:
        if prev is not None:  # sysstat wrote this after its pause, before failing
            out.write(("," if o.json and not prev.skip else "") + "\n")
        raise
    if error is not None:
        raise error
    out.write("\n")
    if o.json:
        out.write(JSON_END)
    out.flush()


# --------------------------------------------------------------------------
# structured output

def fields(o: Opts):
    from pystat.render import Field

    out = [Field("section", "", "cpu (the avg-cpu row) or device")]
    if o.cpu:
        out += [Field("user", "%", "CPU time in user space (guest included)"),
                Field("nice", "%", "CPU time in user space at low priority"),
                Field("system", "%", "CPU time in the kernel (irq and softirq included)"),
                Field("iowait", "%", "idle time with I/O outstanding"),
                Field("steal", "%", "time stolen by the hypervisor"),
                Field("idle", "%", "idle time")]
    if not o.disk:
        return out
    u = "kB" if o.kilobytes else "MB" if o.megabytes else "Blk"
    out.append(Field("device", "", "device name (device rows)"))
    if not o.extended:
        out.append(Field("tps", "1/s", "transfers (read, write and discard requests)"))
        out += [Field(f"{u}_read/s", f"{u}/s", "read"),
                Field(f"{u}_wrtn/s", f"{u}/s", "written"),
                Field(f"{u}_dscd/s", f"{u}/s", "discarded"),
                Field(f"{u}_read", u, "read in the interval (since boot in the first report)"),
                Field(f"{u}_wrtn", u, "written in the interval"),
                Field(f"{u}_dscd", u, "discarded in the interval")]
        return out
    if o.extended and o.short:
        su = "MB/s" if o.megabytes else "kB/s" if o.kilobytes else "sec/s"
        return out + [Field("tps", "1/s", "requests completed"),
                      Field(su, su, "read, written and discarded"),
                      Field("rqm/s", "1/s", "requests merged"),
                      Field("await", "ms", "average time of a request (queue and service)"),
                      Field("areq-sz", "kB", "average request size"),
                      Field("aqu-sz", "requests", "average queue length"),
                      Field("util", "%", "time the device was busy")]
    xu = "MB" if o.megabytes else "kB" if o.kilobytes else "sec"
    what = {"r": "read", "w": "write", "d": "discard"}
    for x in "rwd":
        out += [Field(f"{x}/s", "1/s", f"{what[x]} requests completed"),
                Field(f"{x}{xu}/s", f"{xu}/s", f"{what[x]} throughput")]
    for x in "rwd":
        out.append(Field(f"{x}rqm/s", "1/s", f"{what[x]} requests merged"))
    for x in "rwd":
        out.append(Field(f"{x}rqm", "%", f"{what[x]} requests merged, of all"))
    for x in "rwd":
        out.append(Field(f"{x}_await", "ms", f"average time of a {what[x]} request"))
    out += [Field("f/s", "1/s", "flush requests completed"),
            Field("f_await", "ms", "average time of a flush request")]
    for x in "rwd":
        out.append(Field(f"{x}areq-sz", "kB", f"average {what[x]} request size"))
    out += [Field("aqu-sz", "requests", "average queue length"),
            Field("util", "%", "time the device was busy")]
    return out


def structured_rows(reps, o: Opts):
    """The reports' rows with sysstat's JSON names, rounded as displayed."""
    dp = 2 if o.dplaces < 0 else o.dplaces
    fctr = o.fctr
    u = "kB" if o.kilobytes else "MB" if o.megabytes else "Blk"
    xu = "MB" if o.megabytes else "kB" if o.kilobytes else "sec"
    su = "MB/s" if o.megabytes else "kB/s" if o.kilobytes else "sec/s"
    names = [f.name for f in fields(o)]

    def r(x: float) -> float:
        return float("%.*f" % (dp, x))

    for rep in reps:
        rows = []
        for row in rep:
            out = dict.fromkeys(names)
            out["timestamp"] = row["timestamp"]
            out["section"] = row["section"]
            if row["section"] == "cpu":
                for k in ("user", "nice", "system", "iowait", "steal", "idle"):
                    out[k] = r(row[k])
            else:
                v = row
                out["device"] = row["device"]
                if not o.extended:
                    out.update({"tps": r(v["tps"]), f"{u}_read/s": r(v["rsec/s"] / fctr),
                                f"{u}_wrtn/s": r(v["wsec/s"] / fctr),
                                f"{u}_dscd/s": r(v["dsec/s"] / fctr),
                                f"{u}_read": v["rsec"] // fctr, f"{u}_wrtn": v["wsec"] // fctr,
                                f"{u}_dscd": v["dsec"] // fctr})
                elif o.short:
                    out.update({"tps": r(v["tps"]),
                                su: r((v["rsec/s"] + v["wsec/s"] + v["dsec/s"]) / fctr),
                                "rqm/s": r(v["rqm/s"]), "await": r(v["await"]),
                                "areq-sz": r(v["arqsz"] / 2), "aqu-sz": r(v["aqu-sz"]),
                                "util": r(v["util"])})
                else:
                    for x in "rwd":
                        out[f"{x}/s"] = r(v[f"{x}/s"])
                        out[f"{x}{xu}/s"] = r(v[f"{x}sec/s"] / fctr)
                        out[f"{x}rqm/s"] = r(v[f"{x}rqm/s"])
                        out[f"{x}rqm"] = r(v[f"{x}rqm"])
                        out[f"{x}_await"] = r(v[f"{x}_await"])
                        out[f"{x}areq-sz"] = r(v[f"{x}arqsz"] / 2)
                    out.update({"f/s": r(v["f/s"]), "f_await": r(v["f_await"]),
                                "aqu-sz": r(v["aqu-sz"]), "util": r(v["util"])})
            rows.append(out)
        yield rows


# --------------------------------------------------------------------------
# the command

def run(host, o: Opts, fmt: str, out) -> None:
    reps = until_series_ends(reports(host, o), o.count < 0, NAME)
    if fmt == "text":
        use_locale_time()
        text(reps, o, host, out)
        return
    from pystat.render import render

    render(fmt, fields(o), structured_rows(reps, o), out)


@click.command(context_settings={"help_option_names": ["--help"],
                                 "ignore_unknown_options": True,
                                 "allow_interspersed_args": True})
@FORMAT_OPTION
@click.argument("args", nargs=-1, type=click.UNPROCESSED,
                metavar="[DEVICE...|ALL] [INTERVAL [COUNT]]")
@click.pass_obj
def command(obj, fmt, args):
    """CPU and block-device I/O statistics, like sysstat 12.6.1 iostat.

    \b
    Options are iostat's:
      -c            CPU report (avg-cpu)
      -d            device report
      -x            extended device statistics
      -s            short (narrow) output
      -k | -m       kB/s (default) | MB/s
      -h            --human --pretty
      --human       sizes with units (k, M, G...)
      --pretty      device name last; -x split in r/w/d/f blocks
      --compact     with -x --pretty: one block
      --dec=N       N decimal places (0, 1 or 2)
      -N            device-mapper names (from /dev/mapper)
      -p [DEV,...|ALL]  partitions of DEV (or of all devices)
      -t            timestamp each report
      -y            skip the first report (since boot)
      -z            omit devices idle during the interval
      -o JSON       sysstat's JSON
    DEVICE... limits the report to these devices (ALL: every device, unused
    ones included). With INTERVAL, repeat every INTERVAL seconds (COUNT
    times, or forever); the first report covers the time since boot.
    """
    o = parse_args(list(args))
    host = obj.host()
    run(host, o, fmt, sys.stdout)
