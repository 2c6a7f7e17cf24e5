"""/proc/uptime: seconds since boot (and idle seconds, summed over CPUs).

The kernel prints ``"%lu.%02lu %lu.%02lu\\n"``.  :func:`parse_uptime` reads the
first number the way sysstat does (``sscanf(line, "%lu.%lu")`` on the first
line): whole seconds and the digits after the point, taken as an integer
(``"12.5"`` is 12 s + 5/100, as in sysstat).  :func:`parse_uptime_idle` reads
both numbers, for the recorder.
"""

from __future__ import annotations

from typing import NamedTuple

from pystat.errors import ParseError
from pystat.proc import check_complete
from pystat.proc.cscan import U64, fgets_lines, strtoul


class Uptime(NamedTuple):
    seconds: int
    hundredths: int  # the digits after the point, as an integer

    @property
    def centiseconds(self) -> int:
        """sysstat's uptime in 1/100 s (``sec * 100 + cent``, 64-bit)."""
        return (self.seconds * 100 + self.hundredths) & U64


def parse_uptime(text: str) -> Uptime:
    lines = fgets_lines(text, 128)
    if not lines:
        raise ParseError("empty")
    line = lines[0]
    sec, i = strtoul(line)
    if sec is None or i >= len(line) or line[i] != ".":
        raise ParseError(f"expected seconds.hundredths, got {line[:40].strip()!r}")
    cent, _ = strtoul(line, i + 1)
    if cent is None:
        raise ParseError(f"expected seconds.hundredths, got {line[:40].strip()!r}")
    return Uptime(sec, cent)


def parse_uptime_idle(text: str) -> tuple[int, int]:
    """/proc/uptime whole, as the recorder keeps it: (uptime, idle time of all
    CPUs), in hundredths of a second."""
    check_complete(text)
    words = text.split()
    try:
        if len(words) != 2:
            raise ValueError
        up, idle = (int(round(float(w) * 100)) for w in words)
        if up < 0 or idle < 0:
            raise ValueError
    except (ValueError, OverflowError):
        raise ParseError(f"expected 'uptime idle', got {text[:60]!r}") from None
    return up, idle
