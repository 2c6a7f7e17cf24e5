"""/proc/vmstat: virtual-memory event counters since boot."""

from __future__ import annotations

from typing import NamedTuple

from pystat.errors import ParseError
from pystat.proc import check_complete


class VmCounters(NamedTuple):
    """Paging and swapping counters, and every line in ``fields``."""

    pgpgin: int    # KiB paged in from block devices
    pgpgout: int   # KiB paged out to block devices
    pswpin: int    # pages swapped in
    pswpout: int   # pages swapped out
    fields: dict[str, int]


_REQUIRED = ("pgpgin", "pgpgout", "pswpin", "pswpout")


def parse_vmstat(text: str) -> VmCounters:
    check_complete(text)
    fields: dict[str, int] = {}
    for n, line in enumerate(text.split("\n"), 1):
        if not line:
            continue
        words = line.split()
        if len(words) != 2:
            raise ParseError(f"line {n}: expected 'name value', got {line[:60]!r}")
        try:
            fields[words[0]] = int(words[1])
        except ValueError:
            raise ParseError(f"line {n}: {words[0]}: expected a number, "
                             f"got {words[1][:40]!r}") from None
    missing = [k for k in _REQUIRED if k not in fields]
    if missing:
        raise ParseError(f"no {', '.join(missing)} (truncated?)")
    return VmCounters(fields["pgpgin"], fields["pgpgout"], fields["pswpin"],
                      fields["pswpout"], fields)
