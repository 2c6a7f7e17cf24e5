"""/proc/stat: CPU time per CPU and in total, and the system-wide counters."""

from __future__ import annotations

import re
from itertools import repeat
from typing import NamedTuple

from pystat.errors import ParseError
from pystat.proc import check_complete, to_int
from pystat.proc.cscan import digits_only, to_ints, U64, fgets_lines, plain, scan_ulongs, strtol


class CpuTimes(NamedTuple):
    """Jiffies (1/CLK_TCK s) spent in each state since boot.

    ``guest`` and ``guest_nice`` are already included in ``user`` and ``nice``.
    Columns an old kernel does not have are 0.
    """

    user: int
    nice: int
    system: int
    idle: int
    iowait: int
    irq: int
    softirq: int
    steal: int
    guest: int
    guest_nice: int


class Stat(NamedTuple):
    cpu: CpuTimes                 # the aggregate "cpu" line
    cpus: dict[int, CpuTimes]     # the "cpuN" lines, in file order
    intr: int                     # interrupts since boot (first number of "intr")
    ctxt: int                     # context switches since boot
    btime: int                    # boot time, seconds since the epoch
    processes: int                # forks since boot
    procs_running: int
    procs_blocked: int


#: The kernel has printed at least these 8 columns since 2.6.11; older
#: layouts are refused, as procps does.
_MIN_CPU_COLUMNS = 8
_PAD = (0, 0)

_C_BLANK = (" ", "\t", "\v", "\f", "\r")

_REQUIRED = ("intr", "ctxt", "btime", "processes", "procs_running", "procs_blocked")


def _cpu_times(line: str, line_no: int) -> tuple[str, CpuTimes]:
    words = line.split()
    values = words[1:11]
    n = len(values)
    if n < _MIN_CPU_COLUMNS:
        raise ParseError(f"line {line_no}: {words[0] if words else 'cpu'} has {n} columns, "
                         f"expected at least {_MIN_CPU_COLUMNS}")
    try:
        if n == 10 and "-" not in line:
            times = CpuTimes._make(map(int, values))
            if max(times) <= U64:
                return words[0], times
        nums = [int(v) for v in values]
    except ValueError:
        raise ParseError(f"line {line_no}: {words[0]}: expected numbers") from None
    if min(nums) < 0:
        raise ParseError(f"line {line_no}: {words[0]}: negative time")
    if max(nums) > U64:  # %llu saturates
        nums = [min(v, U64) for v in nums]
    nums.extend(_PAD[: 10 - n])
    return words[0], CpuTimes._make(nums)


def parse_stat(text: str, percpu: bool = True) -> Stat:
    """The whole file; with ``percpu=False`` the cpuN lines are skipped (``cpus`` is empty)."""
    check_complete(text)
    lines = text.split("\n")
    # procps reads it with sscanf("cpu %llu..."): any C white space after "cpu"
    if not (lines[0][:3] == "cpu" and lines[0][3:4] in _C_BLANK):
        raise ParseError("does not start with the aggregate 'cpu' line")
    _, total = _cpu_times(lines[0], 1)
    cpus: dict[int, CpuTimes] = {}
    found: dict[str, int] = {}
    for n, line in enumerate(lines[1:], 2):
        if line[:3] == "cpu":
            if percpu:
                name, times = _cpu_times(line, n)
                ident = name[3:]
                if not ident.isdigit():
                    raise ParseError(f"line {n}: bad CPU line {name!r}")
                cpus[int(ident)] = times
            continue
        key = line[:line.find(" ")]
        if key in _REQUIRED and key not in found:  # the first one, as procps finds it
            words = line.split(None, 2)
            if len(words) < 2:
                raise ParseError(f"line {n}: {key} has no value")
            found[key] = to_int(words[1], key)
    if len(found) < len(_REQUIRED):
        missing = [k for k in _REQUIRED if k not in found]
        raise ParseError(f"no {', '.join(missing)} line (truncated?)")
    return Stat(total, cpus, found["intr"], found["ctxt"], found["btime"],
                found["processes"], found["procs_running"], found["procs_blocked"])


# --------------------------------------------------------------------------
# sysstat's reading (iostat, mpstat): C scanf semantics, no errors

class StatScan(NamedTuple):
    """The CPU lines and interrupt total of /proc/stat as sysstat reads them."""

    #: every line starting with "cpu", in file order: (None for the aggregate
    #: "cpu " line, else the CPU number, C ``int``), times (missing ones 0)
    cpus: list[tuple[int | None, CpuTimes]]
    intr: int | None   # the first number of the first "intr " line (64-bit), if any


def scan_stat(text: str) -> StatScan:
    """/proc/stat read with ``fgets`` (8 KiB) and ``sscanf``, as sysstat does: the
    aggregate line from its 6th character (``"cpu  "``), a CPU line as
    ``%d`` and 10 ``%llu`` after ``cpu``.  A CPU line whose number cannot be
    read leaves sysstat's ``proc_nr`` as the previous CPU line set it: it is
    that CPU's line, all zeros; before any CPU line (``proc_nr`` not yet set,
    undefined in C) it is skipped."""
    fast = _scan_stat_fast(text)
    return fast if fast is not None else _scan_stat_slow(text)


_CPU_BLOCK = re.compile(r"(?:cpu[^\n]*\n)*")


def _scan_stat_fast(text: str) -> StatScan | None:
    """The usual file in bulk: a block of "cpu" lines of 10 numbers first, the
    aggregate one with two spaces.  None when the text is anything else."""
    if not text.startswith("cpu  "):
        return None
    end = _CPU_BLOCK.match(text).end()
    if not end:
        return None
    block = text[:end]
    rest = text[end - 1:]
    if "\ncpu" in rest or not plain(block):
        return None
    tokens = block.split()
    nlines = block.count("\n")
    if len(tokens) != 11 * nlines:
        return None
    names = tokens[0::11]
    del tokens[0::11]
    joined = " ".join(names[1:])
    numbers = joined.replace("cpu", "")
    if not (digits_only(block) and names[0] == "cpu" and numbers.replace(" ", "").isdigit()
            and joined.count("cpu") == nlines - 1):  # not "cpucpu10"
        return None
    cpus = list(map(int, numbers.split()))
    if len(cpus) != nlines - 1 or max(cpus, default=0) > 0x7FFFFFFF:
        return None  # "cpu cpu1", a CPU number beyond a C int...
    values = to_ints(tokens)
    if values is None or max(values) > U64:
        return None
    rows = map(tuple.__new__, repeat(CpuTimes), zip(*[iter(values)] * 10))
    out = list(zip([None] + cpus, rows))
    intr = None
    at = rest.find("\nintr ")
    if at >= 0:
        first = scan_ulongs(rest[at + 6:at + 64], 1)
        intr = first[0] if first else None
    if len(rest) > 8191 and not rest.isascii():
        return None  # fgets pieces are 8191 bytes, not characters
    if len(rest) > 8191:  # a longer line reaches sysstat in 8 KiB pieces
        for line in rest.split("\n"):
            if len(line) > 8191 and any(line.startswith(("cpu", "intr "), k)
                                        for k in range(8191, len(line), 8191)):
                return None
    return StatScan(out, intr)


def _scan_stat_slow(text: str) -> StatScan:
    cpus: list[tuple[int | None, CpuTimes]] = []
    intr = None
    intr_seen = False
    last = None  # sysstat's proc_nr: the number of the last CPU line read
    for line in fgets_lines(text, 8192):
        if line.startswith("cpu"):
            if line.startswith("cpu "):
                nums = scan_ulongs(line[5:], 10)
                n = None
            else:
                n, end = strtol(line, 3)
                if n is None:
                    if last is not None:  # sscanf stopped at %d: proc_nr unchanged
                        cpus.append((last, CpuTimes(*(0,) * 10)))
                    continue
                n = (n + (1 << 31)) % (1 << 32) - (1 << 31)  # C int
                last = n
                nums = scan_ulongs(line[end:], 10)
            if len(nums) < 10:
                nums += [0] * (10 - len(nums))
            cpus.append((n, CpuTimes(*nums)))
        elif not intr_seen and line.startswith("intr "):
            intr_seen = True
            first = scan_ulongs(line[5:], 1)
            intr = first[0] if first else None
    return StatScan(cpus, intr)
