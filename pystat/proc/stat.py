"""/proc/stat: CPU time per CPU and in total, and the system-wide counters."""

from __future__ import annotations

from typing import NamedTuple

from pystat.errors import ParseError
from pystat.proc import check_complete, to_int


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
            return words[0], CpuTimes._make(map(int, values))
        nums = [int(v) for v in values]
    except ValueError:
        raise ParseError(f"line {line_no}: {words[0]}: expected numbers") from None
    if min(nums) < 0:
        raise ParseError(f"line {line_no}: {words[0]}: negative time")
    nums.extend(_PAD[: 10 - n])
    return words[0], CpuTimes._make(nums)


def parse_stat(text: str, percpu: bool = True) -> Stat:
    """The whole file; with ``percpu=False`` the cpuN lines are skipped (``cpus`` is empty)."""
    check_complete(text)
    lines = text.split("\n")
    if not lines[0].startswith("cpu "):
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
        if key in _REQUIRED:
            words = line.split(None, 2)
            if len(words) < 2:
                raise ParseError(f"line {n}: {key} has no value")
            found[key] = to_int(words[1], key)
    if len(found) < len(_REQUIRED):
        missing = [k for k in _REQUIRED if k not in found]
        raise ParseError(f"no {', '.join(missing)} line (truncated?)")
    return Stat(total, cpus, found["intr"], found["ctxt"], found["btime"],
                found["processes"], found["procs_running"], found["procs_blocked"])
