"""Parsers for /proc and /sys files: pure functions from text to typed records.

One module per file family.  No parser does I/O or knows about commands; each
raises :class:`pystat.errors.ParseError` on text it cannot understand.
"""

from pystat.errors import ParseError
from pystat.proc.cscan import U64

__all__ = ["ParseError", "to_int", "check_complete"]


def check_complete(text: str) -> None:
    """The kernel ends every line of a /proc or /sys table with a newline: text
    that does not end with one was cut (a truncated copy or a short read)."""
    if text and text[-1] != "\n":
        raise ParseError("truncated: the last line is incomplete")


def to_int(word: str, what: str) -> int:
    """``int(word)`` for a non-negative decimal counter, or a ParseError naming ``what``.

    A value past 2**64 - 1 is 2**64 - 1, as C's ``strtoul`` and ``%llu`` make it."""
    try:
        value = int(word)
    except ValueError:
        value = -1
    if value < 0:
        raise ParseError(f"{what}: expected a number, got {word[:40]!r}")
    return value if value <= U64 else U64
