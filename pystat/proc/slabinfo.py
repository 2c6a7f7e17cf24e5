"""/proc/slabinfo (version 2.x): kernel slab caches."""

from __future__ import annotations

from typing import NamedTuple

from pystat.errors import ParseError
from pystat.proc import check_complete
from pystat.proc.cscan import U64


class Slab(NamedTuple):
    name: str
    active_objs: int
    num_objs: int
    objsize: int          # bytes per object
    objperslab: int
    pagesperslab: int
    active_slabs: int
    num_slabs: int


#: libproc2 reads a line with ``fgets(buf, 2048)`` and the name with ``%128s``
_LINE_MAX = 2048
_NAME_MAX = 128


def parse_slabinfo(text: str) -> list[Slab]:
    """The caches in file order."""
    check_complete(text)
    lines = text.split("\n")
    head = lines[0]
    if not head.startswith("slabinfo - version: 2."):
        raise ParseError(f"unsupported header {head[:60]!r} (expected 'slabinfo - version: 2.x')")
    lines.pop()  # after the last newline
    out = []
    for n, line in enumerate(lines[1:], 2):
        if line[:1] == "#":
            continue
        words = line.split()
        if not words:  # vmstat fails on it (sscanf finds nothing)
            raise ParseError(f"line {n}: empty line")
        if len(words[0]) > _NAME_MAX or len(line) >= _LINE_MAX:  # vmstat fails on those
            raise ParseError(f"line {n}: longer than vmstat reads (a name of at most "
                             f"{_NAME_MAX} characters, a line of at most {_LINE_MAX - 1})")
        # name active num objsize objperslab pagesperslab : tunables a b c : slabdata act num shared
        try:
            if len(words) < 15 or words[7] != "tunables" or words[12] != "slabdata":
                raise ValueError
            nums = [int(w) for w in (words[1:6] + words[13:15])]
        except ValueError:
            raise ParseError(f"line {n}: unexpected layout {line[:60]!r}") from None
        if min(nums) < 0:
            raise ParseError(f"line {n}: negative count")
        if max(nums) > U64:  # strtoul saturates
            nums = [min(v, U64) for v in nums]
        out.append(Slab(words[0], *nums))
    return out
