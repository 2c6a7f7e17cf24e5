"""/proc/meminfo: memory and swap, in KiB."""

from __future__ import annotations

import re
from typing import NamedTuple

from pystat.errors import ParseError
from pystat.proc import check_complete
from pystat.proc.cscan import U64


class Meminfo(NamedTuple):
    """The lines pystat's reports use, in KiB, and every line in ``fields``.

    ``available`` and ``sreclaimable`` are None on kernels that lack them
    (before 3.14 and 2.6.19).
    """

    total: int
    free: int
    available: int | None
    buffers: int
    cached: int
    sreclaimable: int | None
    active: int
    inactive: int
    swap_total: int
    swap_free: int
    fields: dict[str, int]


_REQUIRED = ("MemTotal", "MemFree", "Buffers", "Cached", "Active", "Inactive",
             "SwapTotal", "SwapFree")


#: the lines the reports show (Meminfo's)
_SHOWN = frozenset(_REQUIRED + ("MemAvailable", "SReclaimable"))

_SPACE_FIRST = re.compile(r"^\s", re.M)


def parse_meminfo(text: str) -> Meminfo:
    check_complete(text)
    # Fast path: "Key:   value kB" lines; anything else goes to the slow path,
    # which names the bad line.
    tokens = text.replace(" kB\n", "\n").split()
    keys = tokens[::2]
    try:
        if (len(tokens) != 2 * text.count("\n") or not all(k[-1] == ":" for k in keys)
                or _SPACE_FIRST.search(text)):
            raise ValueError
        fields = dict(zip([k[:-1] for k in keys], map(int, tokens[1::2])))
        if "-" in text and min(fields.values()) < 0:
            raise ValueError
    except ValueError:
        fields = _parse_lines(text)
    if max(fields.values(), default=0) > U64:  # strtoul saturates
        fields = {k: min(v, U64) for k, v in fields.items()}
    missing = [k for k in _REQUIRED if k not in fields]
    if missing:
        raise ParseError(f"no {', '.join(missing)} (truncated?)")
    g = fields.get
    return Meminfo(fields["MemTotal"], fields["MemFree"], g("MemAvailable"),
                   fields["Buffers"], fields["Cached"], g("SReclaimable"),
                   fields["Active"], fields["Inactive"],
                   fields["SwapTotal"], fields["SwapFree"], fields)


def _parse_lines(text: str) -> dict[str, int]:
    fields: dict[str, int] = {}
    lines = text.split("\n")
    lines.pop()  # after the last newline
    hidden = False
    for n, line in enumerate(lines, 1):
        key, sep, rest = line.partition(":")
        # libproc2 finds a name from the start of its line up to the next ':' and
        # reads the number after it with strtoul: after a line with no ':' (an
        # empty one too) the name runs into the next line that has one, and
        # that line's value is lost
        if not sep:
            if key.strip() in _SHOWN:
                raise ParseError(f"line {n}: expected 'Name: value [kB]', got {line[:60]!r}")
            hidden = True
            continue
        if hidden:
            hidden = False
            if key.strip() in _SHOWN:
                raise ParseError(f"line {n}: {key.strip()} follows a line with no ':' "
                                 "(vmstat would not see it)")
            continue
        words = rest.split()
        name = key.strip()
        if name not in _SHOWN:
            # a line no report shows may say anything after its name, as for
            # vmstat (what follows the number is ignored)
            if key == name and words and words[0].isdigit() and words[0].isascii():
                fields[key] = int(words[0])
            continue
        # one that is shown needs its name at the start of the line (else vmstat
        # does not find it and shows 0) and a number
        if key != name or not words:
            raise ParseError(f"line {n}: expected 'Name: value [kB]', got {line[:60]!r}")
        try:
            value = int(words[0])
        except ValueError:
            value = -1
        if value < 0:
            raise ParseError(f"line {n}: {key}: expected a number, got {words[0][:40]!r}")
        fields[key] = value
    return fields
