"""/proc/diskstats and /sys/block/*/stat: block-device I/O counters.

/proc/diskstats lines are ``major minor name`` followed by the counters:
11 of them (kernels before 4.18), 15 (with discards, 4.18+) or 17 (with
flushes, 5.5+).  Kernels before 2.6.25 printed partitions with only 4
(reads, read sectors, writes, write sectors); those parse with the other
counters as None.  /sys/block/DEV/stat holds the same counters without the
``major minor name`` prefix.

A line with 12 to 14 or 16 counters (no kernel prints those) is read as the
layout it extends, its extra counters ignored, as vmstat does (it reads the
first 11 with ``sscanf``); so are counters after the 11th that are not
numbers.  A counter past 2**64 - 1 saturates, as ``strtoul`` does.

:func:`parse_diskstats` and :func:`parse_block_stat` are strict (vmstat);
:func:`scan_diskstats` and :func:`scan_block_stat` read the files the way
sysstat's iostat does, C ``scanf`` semantics included, and never fail.
"""

from __future__ import annotations

from itertools import chain, repeat
from typing import NamedTuple

from pystat.errors import ParseError
from pystat.proc import check_complete
from pystat.proc.cscan import digits_only, to_ints, U32, U64, fgets_lines, plain, scan_ulongs, strtoul


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


def _ints(words: list[str]) -> list[int] | None:
    try:
        return [int(w) for w in words]
    except ValueError:
        return None


def _stat_counters(words: list[str], where: str) -> list[int]:
    n = len(words)
    if n != 4 and n < 11:
        raise ParseError(f"{where}: {n} counters, expected 4, 11, 15 or 17")
    head = 4 if n == 4 else 11
    nums = _ints(words[:head])
    if nums is None:
        raise ParseError(f"{where}: expected numbers")
    if min(nums) < 0:
        raise ParseError(f"{where}: negative counter")
    # the kernel layouts: 4 (old partitions), 11, 15 and 17; more are cut to the
    # layout they extend.  vmstat reads only the first 11: the others are
    # dropped if they are not counters
    cut = 17 if n >= 17 else 15 if n >= 15 else head
    if cut > head:
        extra = _ints(words[head:cut])
        if extra is not None and min(extra) >= 0:
            nums += extra
    if max(nums) > U64:
        nums = [min(v, U64) for v in nums]
    return nums


def _record(major: int, minor: int, name: str, nums: list[int]) -> DiskStat:
    if len(nums) == 4:
        r, rs, w, ws = nums
        return DiskStat(major, minor, name, r, None, rs, None, w, None, ws,
                        None, None, None, None)
    return DiskStat(major, minor, name, *nums)


#: libproc2 reads a line with ``fgets(buf, 1024)`` and the name with ``%34s``
_LINE_MAX = 1024
_NAME_MAX = 34


def parse_diskstats(text: str) -> list[DiskStat]:
    """Every line of /proc/diskstats, in file order."""
    check_complete(text)
    out = []
    lines = text.split("\n")
    lines.pop()  # after the last newline
    for n, line in enumerate(lines, 1):
        words = line.split()
        if not words:  # vmstat fails on it (sscanf finds nothing)
            raise ParseError(f"line {n}: empty line")
        if len(words) < 3:
            raise ParseError(f"line {n}: truncated ({len(words)} fields)")
        if len(words[2]) > _NAME_MAX or len(line) >= _LINE_MAX:  # vmstat fails on those
            raise ParseError(f"line {n}: longer than vmstat reads (a name of at most "
                             f"{_NAME_MAX} characters, a line of at most {_LINE_MAX - 1})")
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


# --------------------------------------------------------------------------
# sysstat's reading (iostat): C scanf semantics, no errors

#: counters sysstat stores as ``unsigned int`` (the others are ``unsigned long``):
#: read ms (cast), write ms, in flight, io ms, weighted ms, discard ms, flush ms
_U32_FIELDS = (3, 7, 8, 9, 10, 14, 16)
_ZEROS = (0,) * 17


def _sysstat_counters(nums: list[int]) -> list[int]:
    """17 counters from 11 or more: sysstat takes the discard ones only from a
    line of 15 or more, the flush ones from 17 (12 to 14 counters are 11, 15
    or 16 are 15)."""
    n = len(nums)
    nums = list(nums[:11] if n < 15 else nums[:15] if n < 17 else nums)
    nums += [0] * (17 - len(nums))
    for i in _U32_FIELDS:
        nums[i] &= U32
    return nums


def scan_block_stat(text: str, name: str = "", major: int = 0, minor: int = 0) -> DiskStat:
    """A /sys/block/DEV[/PART]/stat file as iostat reads it (``fscanf`` of up to 17
    numbers): 11 or more are a device's counters (discards only from 15,
    flushes only from 17, zero otherwise: 16 numbers give no flushes), 4 an
    old partition's (reads, read sectors, writes, write sectors); any other
    count leaves every counter zero."""
    nums = scan_ulongs(text, 17)
    if len(nums) >= 11:
        return DiskStat(major, minor, name, *_sysstat_counters(nums))
    if len(nums) == 4:
        r, rs, w, ws = nums
        return DiskStat(major, minor, name, r, 0, rs, 0, w, 0, ws, *_ZEROS[:10])
    return DiskStat(major, minor, name, *_ZEROS)


def scan_diskstats(text: str) -> list[DiskStat]:
    """/proc/diskstats as iostat reads it: each line (``fgets`` of 255 bytes, up
    to a NUL) is ``sscanf``'d as ``%u %u %s`` and up to 17 counters.  14 or more
    conversions make a device (discards from 18, flushes from 20, zero
    otherwise); exactly 7 an old-style partition, returned with None for the
    counters it lacks, as :func:`parse_diskstats` does; other lines are
    skipped."""
    fast = _scan_diskstats_fast(text)
    return fast if fast is not None else _scan_diskstats_slow(text)


#: the columns of a row (major, minor, counters) that are C ``unsigned int``
_U32_COLUMNS = (0, 1) + tuple(f + 2 for f in _U32_FIELDS)

#: zero counters that pad a line of 11 (kernels before 4.18) or 15 (before 5.5)
_PAD = {14: ["0"] * 6, 18: ["0"] * 2, 20: []}


def _scan_diskstats_fast(text: str) -> list[DiskStat] | None:
    """The usual file in bulk: every line ``major minor name`` and 11, 15 or 17
    counters.  None when the text is anything else."""
    if not text or text[-1] != "\n" or not plain(text) or "\0" in text:
        return None
    lines = text.split("\n")
    lines.pop()
    if max(map(len, lines)) >= 255 or not text.isascii():  # fgets counts bytes
        return None
    rows = list(map(str.split, lines))
    lengths = set(map(len, rows))
    if lengths != {20}:
        if not lengths <= _PAD.keys():
            return None
        for row in rows:
            row += _PAD[len(row)]
    tokens = list(chain.from_iterable(rows))
    names = tokens[2::20]
    del tokens[2::20]
    if not digits_only("".join(tokens)) or any(n.isdigit() for n in names):
        return None
    values = to_ints(tokens)
    if values is None:
        return None
    top = max(values)
    if top > U64:
        return None
    columns = [values[i::19] for i in range(19)]
    if top > U32:
        for i in _U32_COLUMNS:
            if max(columns[i]) > U32:
                columns[i] = [v & U32 for v in columns[i]]
    columns.insert(2, names)
    return list(map(tuple.__new__, repeat(DiskStat), zip(*columns)))


def _scan_diskstats_slow(text: str) -> list[DiskStat]:
    out = []
    fast = plain(text)
    for line in fgets_lines(text, 256, strings=True):
        rec = None
        if fast:
            toks = line.split(None, 20)[:20]
            if len(toks) >= 3:
                nums = toks[3:]
                digits = toks[0] + toks[1] + "".join(nums)
                if digits.isdigit() and digits.isascii():
                    major, minor = int(toks[0]), int(toks[1])
                    values = list(map(int, nums))
                    if max(values, default=0) <= U64 and major <= U64 and minor <= U64:
                        rec = (major, minor, toks[2], values)
        if rec is None:
            rec = _scan_diskstats_line(line)
            if rec is None:
                continue
        major, minor, name, values = rec
        n = 3 + len(values)
        if n >= 14:
            out.append(DiskStat(major & U32, minor & U32, name, *_sysstat_counters(values)))
        elif n == 7:
            out.append(_record(major & U32, minor & U32, name, values))
    return out


def _scan_diskstats_line(line: str):
    major, i = strtoul(line)
    if major is None:
        return None
    minor, i = strtoul(line, i)
    if minor is None:
        return None
    n = len(line)
    while i < n and line[i] in " \t\n\v\f\r":
        i += 1
    j = i
    while j < n and line[j] not in " \t\n\v\f\r":
        j += 1
    if j == i:
        return None
    return major, minor, line[i:j], scan_ulongs(line[j:], 17)
