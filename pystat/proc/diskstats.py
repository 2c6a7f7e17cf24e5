"""/proc/diskstats and /sys/block/*/stat: block-device I/O counters.

/proc/diskstats lines are ``major minor name`` followed by the counters:
11 of them (kernels before 4.18), 15 (with discards, 4.18+) or 17 (with
flushes, 5.5+).  Kernels before 2.6.25 printed partitions with only 4
(reads, read sectors, writes, write sectors); those parse with the other
counters as None.  /sys/block/DEV/stat holds the same counters without the
``major minor name`` prefix.
"""

from __future__ import annotations

from typing import NamedTuple

from pystat.errors import ParseError
from pystat.proc import check_complete


class DiskStat(NamedTuple):
    major: int
    minor: int
    name: str
    reads: int             # reads completed
    reads_merged: int | None
    read_sectors: int      # 512-byte sectors read
    read_ms: int | None    # ms spent reading
    writes: int
    writes_merged: int | None
    write_sectors: int
    write_ms: int | None
    in_flight: int | None  # I/Os currently in progress
    io_ms: int | None      # ms spent doing I/O
    weighted_ms: int | None
    discards: int | None = None
    discards_merged: int | None = None
    discard_sectors: int | None = None
    discard_ms: int | None = None
    flushes: int | None = None
    flush_ms: int | None = None

    @property
    def full(self) -> bool:
        """True unless this is an old 4-counter partition line."""
        return self.io_ms is not None


_COUNTS = (4, 11, 15, 17)


def _stat_counters(words: list[str], where: str) -> list[int]:
    if len(words) not in _COUNTS and not len(words) > 17:
        raise ParseError(f"{where}: {len(words)} counters, expected 4, 11, 15 or 17")
    try:
        nums = [int(w) for w in words[:17]]
    except ValueError:
        raise ParseError(f"{where}: expected numbers") from None
    if nums and min(nums) < 0:
        raise ParseError(f"{where}: negative counter")
    return nums


def _record(major: int, minor: int, name: str, nums: list[int]) -> DiskStat:
    if len(nums) == 4:
        r, rs, w, ws = nums
        return DiskStat(major, minor, name, r, None, rs, None, w, None, ws,
                        None, None, None, None)
    return DiskStat(major, minor, name, *nums)


def parse_diskstats(text: str) -> list[DiskStat]:
    """Every line of /proc/diskstats, in file order."""
    check_complete(text)
    out = []
    for n, line in enumerate(text.split("\n"), 1):
        words = line.split()
        if not words:
            continue
        if len(words) < 3:
            raise ParseError(f"line {n}: truncated ({len(words)} fields)")
        try:
            major, minor = int(words[0]), int(words[1])
        except ValueError:
            raise ParseError(f"line {n}: bad device number {words[0]!r} {words[1]!r}") from None
        out.append(_record(major, minor, words[2],
                           _stat_counters(words[3:], f"line {n} ({words[2][:40]})")))
    return out


def parse_block_stat(text: str, name: str = "", major: int = 0, minor: int = 0) -> DiskStat:
    """One /sys/block/DEV/stat file (the counters of one device)."""
    check_complete(text)
    return _record(major, minor, name, _stat_counters(text.split(), name or "stat"))
