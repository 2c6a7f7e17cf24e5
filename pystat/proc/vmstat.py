"""/proc/vmstat: virtual-memory event counters since boot."""

from __future__ import annotations

import re
from typing import NamedTuple

from pystat.errors import ParseError
from pystat.proc import check_complete, to_int


class VmCounters(NamedTuple):
    """The paging and swapping counters the reports show.

    ``text`` is the whole file; ``fields()`` parses every counter in it.
    """

    pgpgin: int    # KiB paged in from block devices
    pgpgout: int   # KiB paged out to block devices
    pswpin: int    # pages swapped in
    pswpout: int   # pages swapped out
    text: str

    def fields(self) -> dict[str, int]:
        """Every ``name value`` line as a dict (ParseError on a malformed line)."""
        out: dict[str, int] = {}
        for n, line in enumerate(self.text.split("\n"), 1):
            if not line:
                continue
            words = line.split()
            if len(words) != 2:
                raise ParseError(f"line {n}: expected 'name value', got {line[:60]!r}")
            try:
                out[words[0]] = int(words[1])
            except ValueError:
                raise ParseError(f"line {n}: {words[0]}: expected a number, "
                                 f"got {words[1][:40]!r}") from None
        return out


_REQUIRED = ("pgpgin", "pgpgout", "pswpin", "pswpout")


def _value(text: str, key: str) -> int:
    # the last line "key value" (libproc2 keeps the last), at the start of the
    # text or of a line
    at = text.rfind("\n" + key + " ") + 1
    if not at and not text.startswith(key + " "):
        raise ParseError(f"no {key} (truncated?)")
    start = at + len(key) + 1
    words = text[start:text.find("\n", start)].split(None, 1)  # strtoul ignores what follows
    return to_int(words[0] if words else "", key)


#: lines with no space (empty ones too), and the line after them: libproc2
#: takes a name up to the next space, in the next line that has one, and loses
#: that line's counter
_NO_SPACE = re.compile(r"^(?:[^ \n]*\n)+([^ \n]*)", re.M)


def parse_vmstat(text: str) -> VmCounters:
    """The counters the reports need, found by name (the file has ~200 lines)."""
    check_complete(text)
    for bad in _NO_SPACE.finditer(text):
        if bad.group(1) in _REQUIRED:
            n = text.count("\n", 0, bad.start(1)) + 1
            raise ParseError(f"line {n}: {bad.group(1)} follows a line with no space "
                             "(vmstat would not see it)")
    return VmCounters(*[_value(text, k) for k in _REQUIRED], text)
