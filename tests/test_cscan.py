"""pystat.proc.cscan against the C library itself: ``sscanf`` and ``strtoul``
through ctypes, on the same text."""

from __future__ import annotations

import ctypes

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pystat.proc.cscan import fgets_lines, scan_ulongs, strtol, strtoul

libc = ctypes.CDLL(None)

# text made of what /proc numbers and their neighbours look like
PIECES = st.sampled_from(["0", "1", "42", "007", "4294967296", "18446744073709551615",
                          "18446744073709551616", "99999999999999999999999", "-1", "+5",
                          "-", "+", " ", "  ", "\t", "\n", "x", "1x", "0x10", ".", ":", "\x1c",
                          "\xa0", "٣", "1e5"])
TEXT = st.lists(PIECES, max_size=12).map("".join)


def c_scan(text: str, n: int) -> list[int]:
    data = text.encode("utf-8")
    vals = [ctypes.c_ulong() for _ in range(n)]
    got = libc.sscanf(data, b" ".join([b"%lu"] * n), *[ctypes.byref(v) for v in vals])
    return [v.value for v in vals[:max(got, 0)]]


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_scan_ulongs_is_sscanf(text):
    assert scan_ulongs(text, 4) == c_scan(text, 4)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_strtoul_and_strtol_are_the_c_ones(text):
    data = text.encode("utf-8")
    buf = ctypes.create_string_buffer(data)
    end = ctypes.c_char_p()
    libc.strtoul.restype = ctypes.c_ulong
    libc.strtol.restype = ctypes.c_long
    for mine, c in ((strtoul, libc.strtoul), (strtol, libc.strtol)):
        value = c(buf, ctypes.byref(end), 10)
        consumed = ctypes.cast(end, ctypes.c_void_p).value - ctypes.addressof(buf)
        got, pos = mine(text)
        if consumed == 0:
            assert got is None and pos == 0
        else:
            assert got == value
            assert len(text[:pos].encode("utf-8")) == consumed


@pytest.mark.parametrize("size", [2, 3, 5, 16])
def test_fgets_pieces(size):
    text = "abcdefgh\n\nxy\nlast"
    pieces = fgets_lines(text, size)
    assert "".join(pieces) == text
    assert all(len(p) <= size - 1 for p in pieces)
    # a piece ends where a line ends or the buffer is full
    assert all(p.endswith("\n") or len(p) == size - 1 or p is pieces[-1] for p in pieces)


def c_fgets(data: bytes, size: int, first: int | None) -> list[bytes]:
    """What each fgets() call on a stream of ``data`` reads (ftell before and
    after: the bytes past a NUL included)."""
    libc.fmemopen.restype = ctypes.c_void_p
    libc.fgets.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_void_p]
    libc.ftell.argtypes = libc.fclose.argtypes = [ctypes.c_void_p]
    src = ctypes.create_string_buffer(data, len(data) or 1)
    fp = libc.fmemopen(src, len(data), b"r")
    buf = ctypes.create_string_buffer(max(size, first or 0))
    out, at, n = [], 0, first or size
    try:
        while data and libc.fgets(buf, n, fp):
            end = libc.ftell(fp)
            out.append(data[at:end])
            at, n = end, size
    finally:
        libc.fclose(fp)
    return out


@given(st.lists(st.sampled_from(["a", "bc", "\n", "\0", "é", "€", " ", "\udcff", "xyz\n"]),
                max_size=14).map("".join),
       st.integers(2, 9), st.none() | st.integers(2, 9), st.booleans())
def test_fgets_lines_is_c_fgets(text, size, first, bytewise):
    """Pieces of a file as the C library's fgets() reads them, sizes in bytes,
    each cut at a NUL for the string functions."""
    data = text.encode("utf-8", "surrogateescape")
    want = [p.split(b"\0")[0].decode("latin-1" if bytewise else "utf-8", "surrogateescape")
            for p in c_fgets(data, size, first)]
    assert fgets_lines(text, size, strings=True, first=first, bytewise=bytewise) == want
    if first is None and not bytewise:
        whole = [p.decode("utf-8", "surrogateescape") for p in c_fgets(data, 1 << 12, None)]
        assert fgets_lines(text) == whole


@given(TEXT, st.integers(0, 6))
def test_interrupt_counts_are_successive_c_strtoul(text, n):
    """A line's counts after its ':' as mpstat reads them: ``n`` strtoul calls,
    each from where the last one ended (0 where no number follows)."""
    from pystat.proc.interrupts import _counts_slow

    buf = ctypes.create_string_buffer(text.encode("utf-8"))
    libc.strtoul.restype = ctypes.c_ulong
    pos = ctypes.c_char_p(ctypes.addressof(buf))
    end = ctypes.c_char_p()
    want = []
    for _ in range(n):
        want.append(libc.strtoul(pos, ctypes.byref(end), 10))
        pos = end
    assert _counts_slow(text, n) == tuple(want)
