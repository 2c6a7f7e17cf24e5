"""glibc ``sscanf`` for the handful of conversions net-tools uses on /proc lines.

net-tools parses every /proc line with ``sscanf`` and decides what to print
from how many conversions succeeded (``num < 11`` is a "bogus" TCP line), so
the exact rules matter on truncated or garbled input:

* a blank in the format skips any whitespace (none included); an ordinary
  character must match the next input character exactly;
* ``%d %u %lu %x %X %lX %Lu %llu %p`` skip leading whitespace, take an optional
  sign (``%x``: and an optional ``0x``), then digits; no digit is a matching
  failure.  Values are those of ``strtol``/``strtoul`` (saturating on
  overflow, ``-N`` wraps for the unsigned ones), stored in the C type:
  ``int``/``unsigned`` keep 32 bits, the ``l``/``L``/``ll`` forms 64;
* ``%s`` skips whitespace and takes non-blanks; ``%N[set]`` takes characters
  of the set (no skipping); a width bounds both; ``%*...`` converts without
  counting.

:func:`sscanf` returns the converted values: its length is sscanf's return
value, except that an input failure before the first conversion (sscanf's
``EOF``) gives ``None``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pystat.proc.cscan import _C_SPACE, U32, U64

__all__ = ["sscanf", "scan_at", "compile_format"]  # strtoul: pystat.proc.cscan

_WS = _C_SPACE
_DIRECTIVE = re.compile(r"%(\*?)(\d*)(hh|h|ll|l|L|q|j|z|t)?(\[\^?\]?[^\]]*\]|[dusxXpc%])")



@lru_cache(maxsize=64)
def compile_format(fmt: str) -> tuple:
    """The format as a tuple of directives: ("ws",), ("lit", c) or
    ("conv", kind, width, size, suppress, charset)."""
    out = []
    i = 0
    while i < len(fmt):
        c = fmt[i]
        if c in _WS:
            while i < len(fmt) and fmt[i] in _WS:
                i += 1
            out.append(("ws",))
            continue
        if c != "%":
            out.append(("lit", c))
            i += 1
            continue
        m = _DIRECTIVE.match(fmt, i)
        if not m:
            raise ValueError(f"unsupported conversion at {fmt[i:]!r}")
        suppress, width, size, kind = m.groups()
        if kind == "%":
            out.append(("lit", "%"))
        elif kind.startswith("["):
            body = kind[1:-1]
            negate = body.startswith("^")
            if negate:
                body = body[1:]
            chars = _expand_set(body)
            out.append(("conv", "[", int(width) if width else 0, size or "", bool(suppress),
                        (negate, chars)))
        else:
            out.append(("conv", kind, int(width) if width else 0, size or "", bool(suppress),
                        None))
        i = m.end()
    return tuple(out)


def _expand_set(body: str) -> frozenset:
    chars = set()
    i = 0
    while i < len(body):
        if i + 2 < len(body) and body[i + 1] == "-":
            for o in range(ord(body[i]), ord(body[i + 2]) + 1):
                chars.add(chr(o))
            i += 3
        else:
            chars.add(body[i])
            i += 1
    return frozenset(chars)


_HEX = frozenset("0123456789abcdefABCDEF")
_DEC = frozenset("0123456789")


def _number(text: str, pos: int, width: int, base: int):
    """(value as a Python int of unbounded size, new pos) or None: the digits
    glibc's scanf would collect for %d/%u (base 10) or %x (base 16)."""
    n = len(text)
    limit = n if not width else min(n, pos + width)
    i = pos
    neg = False
    if i < limit and text[i] in "+-":
        neg = text[i] == "-"
        i += 1
    digits = _HEX if base == 16 else _DEC
    start = i
    if base == 16 and i + 1 < limit and text[i] == "0" and text[i + 1] in "xX":
        # glibc consumes "0x" and goes on; "0x" alone still converts the 0
        i += 2
        start = i
        j = i
        while j < limit and text[j] in digits:
            j += 1
        if j == start:
            return (0, j)
        value = int(text[start:j], 16)
        return (-value if neg else value, j)
    j = i
    while j < limit and text[j] in digits:
        j += 1
    if j == start:
        return None
    value = int(text[start:j], base)
    return (-value if neg else value, j)


def _store(value: int, kind: str, size: str) -> int:
    """The C value stored for a conversion, from the exact number read."""
    wide = size in ("l", "L", "ll", "q", "j", "z", "t") or kind == "p"
    if kind == "d":
        # strtol saturates at LONG_MIN/LONG_MAX, then the int keeps 32 bits
        v = max(-(1 << 63), min((1 << 63) - 1, value))
        if not wide:
            v &= U32
            if v & 0x80000000:
                v -= 1 << 32
        return v
    # strtoul: |value| saturates at ULONG_MAX, a minus sign wraps
    mag = abs(value)
    if mag > U64:
        v = U64
    else:
        v = (-mag) & U64 if value < 0 else mag
    return v if wide else v & U32


def sscanf(text: str, fmt: str | tuple) -> list | None:
    return scan_at(text, fmt, 0)[0]


def scan_at(text: str, fmt: str | tuple, pos: int) -> tuple[list | None, int]:
    """:func:`sscanf` from ``text[pos:]``, and where the scan stopped: what a
    ``fscanf`` call leaves unread on its stream (the character a conversion or
    a literal failed on included)."""
    directives = compile_format(fmt) if isinstance(fmt, str) else fmt
    values: list = []
    n = len(text)
    converted = 0  # conversions attempted successfully (incl. suppressed)
    for d in directives:
        op = d[0]
        if op == "ws":
            while pos < n and text[pos] in _WS:
                pos += 1
            continue
        if op == "lit":
            if pos >= n:
                return (values if converted else None), pos
            if text[pos] != d[1]:
                return values, pos
            pos += 1
            continue
        _, kind, width, size, suppress, charset = d
        if kind != "[" and kind != "c":
            while pos < n and text[pos] in _WS:
                pos += 1
        if pos >= n:
            return (values if converted else None), pos
        if kind == "[":
            negate, chars = charset
            limit = n if not width else min(n, pos + width)
            j = pos
            while j < limit and ((text[j] in chars) != negate):
                j += 1
            if j == pos:
                return values, pos
            value = text[pos:j]
            pos = j
        elif kind == "s":
            limit = n if not width else min(n, pos + width)
            j = pos
            while j < limit and text[j] not in _WS:
                j += 1
            value = text[pos:j]
            pos = j
        elif kind == "c":
            w = width or 1
            if pos + w > n:
                return (values if converted else None), pos
            value = text[pos:pos + w]
            pos += w
        else:
            got = _number(text, pos, width, 16 if kind in "xXp" else 10)
            if got is None:
                return values, pos
            raw, pos = got
            value = _store(raw, "d" if kind == "d" else ("p" if kind == "p" else "u"), size)
        converted += 1
        if not suppress:
            values.append(value)
    return values, pos
