"""C ``scanf``/``strtoul`` semantics, for parsers that must read a file the way
a C tool does (sysstat reads /proc with ``sscanf``, ``fscanf`` and ``fgets``).

* ``%lu``/``%llu`` (``strtoul``): leading C white space, an optional sign, ASCII
  digits; a value past 2**64 - 1 saturates; a negative one wraps modulo
  2**64.  A conversion that finds no digit fails and ends the scan.
* ``%u``: the same, then cut to 32 bits (glibc converts with ``strtoul`` and
  stores an ``unsigned int``).
* ``fgets(buf, size)``: a line longer than ``size - 1`` bytes arrives in
  pieces, each of which the tool parses as a line of its own (and the string
  functions see up to a NUL).
* C integers and strings as the tools print them: signed widths, lengths,
  cuts and padding in bytes (UTF-8), not characters.

Pure functions; nothing here raises.
"""

from __future__ import annotations

import re

U32 = 0xFFFFFFFF
U64 = 0xFFFFFFFFFFFFFFFF

#: characters Python's str.split() takes for white space and C's isspace() does not
_NOT_C_SPACE = re.compile("[\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
_C_SPACE = " \t\n\v\f\r"
_DIGITS = frozenset("0123456789")


def plain(text: str) -> bool:
    """True if ``str.split()`` splits ``text`` exactly where C's scanf would."""
    if text.isascii():
        return not ("\x1c" in text or "\x1d" in text or "\x1e" in text or "\x1f" in text)
    return _NOT_C_SPACE.search(text) is None


_BASE_DIGITS = {8: frozenset("01234567"), 10: _DIGITS, 16: frozenset("0123456789abcdefABCDEF")}


def _number(s: str, i: int, base: int) -> tuple[bool, int, int, int]:
    """C's strto*l prefix: white space, a sign, ``0x`` (base 16 or 0), the base
    (0: octal after a leading 0) -> (negative, first digit, end, base)."""
    n = len(s)
    j = i
    while j < n and s[j] in _C_SPACE:
        j += 1
    neg = False
    if j < n and s[j] in "+-":
        neg = s[j] == "-"
        j += 1
    if base in (0, 16) and s[j:j + 2] in ("0x", "0X") and j + 2 < n \
            and s[j + 2] in _BASE_DIGITS[16]:
        j += 2
        base = 16
    elif base == 0:
        base = 8 if j < n and s[j] == "0" else 10
    valid = _BASE_DIGITS[base]
    k = j
    while k < n and s[k] in valid:
        k += 1
    return neg, j, k, base


def strtoul(s: str, i: int = 0, base: int = 10) -> tuple[int | None, int]:
    """``strtoul(s + i, &end, base)``: (value, end), or (None, i) when no digit
    follows (where C returns 0 and leaves ``end`` at ``s + i``).  A value past
    2**64 - 1 saturates; a negative one wraps modulo 2**64."""
    neg, j, k, base = _number(s, i, base)
    if k == j:
        return None, i
    v = int(s[j:k], base)
    if v > U64:
        return U64, k
    if neg:
        v = -v & U64
    return v, k


def strtol(s: str, i: int = 0) -> tuple[int | None, int]:
    """``strtol(s + i, &end, 10)`` for a 64-bit long: (value, end) or (None, i)."""
    neg, j, k, _ = _number(s, i, 10)
    if k == j:
        return None, i
    v = int(s[j:k])
    v = -v if neg else v
    return max(-(1 << 63), min(v, (1 << 63) - 1)), k


def digits_only(text: str) -> bool:
    """Whether ``int()`` of a white-space-free piece of ``text`` is either C's
    reading of ASCII digits or a ValueError: no sign, no '_', no other script."""
    return text.isascii() and not ("_" in text or "+" in text or "-" in text)


def to_ints(tokens: list[str]) -> list[int] | None:
    """``int()`` of every token, or None if one is not digits only (the tokens
    come from text that passed :func:`digits_only`).  The zeros that fill most
    /proc tables are taken without a conversion."""
    try:
        if tokens.count("0") * 4 >= len(tokens):
            return [0 if t == "0" else int(t) for t in tokens]
        return list(map(int, tokens))
    except ValueError:
        return None


def scan_ulongs(s: str, count: int) -> list[int]:
    """Up to ``count`` successive ``%lu`` conversions of ``s`` (scanf stops at the
    first that fails)."""
    if plain(s):
        out = []
        for tok in s.split(None, count)[:count]:
            if not (tok.isdigit() and tok.isascii()):
                # a sign, or something that is not a number: the slow way
                return _scan_slow(s, count)
            v = int(tok)
            out.append(v if v <= U64 else U64)
        return out
    return _scan_slow(s, count)


def _scan_slow(s: str, count: int) -> list[int]:
    out = []
    i = 0
    while len(out) < count:
        v, i = strtoul(s, i)
        if v is None:
            break
        out.append(v)
    return out


def fgets_lines(text: str, size: int | None = None, strings: bool = False,
                first: int | None = None, bytewise: bool = False) -> list[str]:
    """The pieces successive ``fgets(buf, size)`` calls return for ``text`` (the
    file as UTF-8 with surrogate escapes): whole lines, newline included, when
    ``size`` is None; otherwise a line longer than ``size - 1`` bytes comes in
    pieces (``first``: the size of the first call, when it differs).

    ``strings``: each piece as the C string functions then see it, up to its
    first NUL (``fgets`` reads past a NUL; ``strchr``, ``sscanf``... stop
    there).  ``bytewise``: each piece as Latin-1, one character a byte (for
    ``%Ns`` widths, which count bytes; :func:`c_text` turns a field back)."""
    if text.isascii():  # a character is a byte
        parts = text.split("\n")
        lines = [p + "\n" for p in parts[:-1]]
        if parts[-1]:
            lines.append(parts[-1])
        if size is not None:
            out = []
            width = size - 1
            for k, line in enumerate(lines):
                w = first - 1 if first is not None and k == 0 else width
                if len(line) <= w:
                    out.append(line)
                else:
                    out.append(line[:w])
                    out.extend(line[i:i + width] for i in range(w, len(line), width))
            lines = out
    else:
        lines = _fgets_bytes(text, size, first, bytewise)
    if strings and "\0" in text:
        return [p.partition("\0")[0] for p in lines]
    return lines


def _fgets_bytes(text: str, size: int | None, first: int | None, bytewise: bool) -> list[str]:
    data = text.encode("utf-8", "surrogateescape")
    out = []
    i, n = 0, len(data)
    width = n + 1 if size is None else (first or size) - 1
    while i < n:
        j = data.find(b"\n", i, i + width)
        end = j + 1 if j >= 0 else min(n, i + width)
        out.append(data[i:end].decode("latin-1" if bytewise else "utf-8", "surrogateescape"))
        i = end
        width = n + 1 if size is None else size - 1
    return out


def c_text(field: str) -> str:
    """A field of a ``bytewise`` piece (:func:`fgets_lines`) as text (its bytes
    as UTF-8)."""
    if field.isascii():
        return field
    return field.encode("latin-1").decode("utf-8", "surrogateescape")


# --------------------------------------------------------------------------
# C integers and strings as printf and the string functions see them

def signed(value: int, bits: int) -> int:
    """``value`` as a C signed integer of ``bits`` bits (two's complement)."""
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def c_strlen(text: str) -> int:
    """``strlen()``: the length of ``text`` in bytes (UTF-8, surrogate escapes)."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogateescape"))


def c_cut(text: str, nbytes: int) -> str:
    """The first ``nbytes`` bytes of ``text`` (``strncpy``, ``%.Ns``: a UTF-8
    character may be split)."""
    if text.isascii():
        return text[:nbytes]
    raw = text.encode("utf-8", "surrogateescape")
    return raw[:nbytes].decode("utf-8", "surrogateescape") if len(raw) > nbytes else text


def c_ljust(text: str, width: int) -> str:
    """``%-Ns``: ``text`` padded to ``width`` bytes, not characters."""
    if text.isascii():
        return text.ljust(width)
    n = c_strlen(text)
    return text + " " * (width - n) if n < width else text
