"""/proc/interrupts and /proc/softirqs: per-CPU counts of each interrupt.

Both files are a header of CPU columns (``CPU0 CPU1 ...``, online CPUs only)
followed by one line per interrupt: ``NAME:`` (right-aligned) and one count
per header column, then for hard IRQs a description (``IO-APIC 2-edge
timer``).  Some lines carry fewer counts than there are CPUs (``ERR:``,
``MIS:``).

The parser reads them as sysstat's mpstat does, so that what it returns is
what mpstat computes with:

* the header is the first line holding ``CPU``; each ``CPU`` in it is
  followed by a CPU number (``strtol``; at most ``max_cpus`` of them);
* every later line with a ``:`` is an interrupt; its name is what precedes
  the first ``:``, leading spaces dropped, cut to 15 bytes;
* its counts are successive ``strtoul`` conversions after the ``:``, one per
  header CPU; where a line has no further number the count is 0;
* ``counted`` is mpstat's count of interrupts when it sizes its tables:
  lines whose first ``:`` (or end) is at position 1 to 15;
* with ``linemax`` (mpstat's ``fgets`` buffer, 128 + 11 bytes per CPU) a
  longer line is read in pieces, each parsed as a line of its own;
* a line (piece) ends at a NUL byte, as for C's string functions.

Like mpstat, the parser takes any text: without a header line there are no
CPU columns (and so no counts).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from pystat.proc.cscan import (c_cut, digits_only, to_ints, U64, fgets_lines, plain, strtol,
                               strtoul)

#: mpstat's MAX_IRQ_LEN - 1
NAME_MAX = 15


class IrqLine(NamedTuple):
    name: str
    counts: tuple[int, ...]  # one per header CPU, in header order


class Interrupts(NamedTuple):
    cpus: tuple[int, ...]    # the CPU numbers of the header, in order
    lines: list[IrqLine]
    counted: int             # mpstat's get_irqcpu_nr()


_CPU_NUMBER = re.compile(r"CPU([0-9]+)")


def _header_cpus(line: str, max_cpus: int | None) -> list[int]:
    found = _CPU_NUMBER.findall(line)
    if len(found) == line.count("CPU") and all(len(x) < 19 for x in found):
        cpus = list(map(int, found))  # every "CPU" right before its number: the usual
        return cpus if max_cpus is None else cpus[:max_cpus]
    cpus: list[int] = []
    i = line.find("CPU")
    while i >= 0 and (max_cpus is None or len(cpus) < max_cpus):
        v, end = strtol(line, i + 3)
        if v is None:
            v, end = 0, i + 3
        cpus.append(v)
        i = line.find("CPU", end)
    return cpus


def _counts_slow(rest: str, n: int) -> tuple[int, ...]:
    out = []
    i = 0
    for _ in range(n):
        v, i = strtoul(rest, i)
        if v is None:  # and so are the rest: a failed strtoul does not move
            out += [0] * (n - len(out))
            break
        out.append(v)
    return tuple(out)


def parse_interrupts(text: str, max_cpus: int | None = None,
                     linemax: int | None = None) -> Interrupts:
    lines = text.split("\n")
    # fgets pieces count bytes: a non-ASCII file with a line limit goes the slow way
    if (linemax is not None and (not text.isascii() or max(map(len, lines)) >= linemax - 1)) \
            or not plain(text) or "\0" in text:
        return _parse_slow(text, max_cpus, linemax)
    # In bulk: the counts of every line that has one per CPU are converted at once.
    ascii_ = text.isascii()    # names cut to 15 bytes are 15 characters
    tail = lines.pop()         # what follows the last newline (a line without one)
    counted = 0
    cpus: list[int] = []
    for start, line in enumerate(lines):  # up to the header
        colon = line.find(":")
        if 0 < (colon if colon >= 0 else len(line) + 1) < 16:
            counted += 1
        cpus = _header_cpus(line, max_cpus)
        if cpus:
            break
    else:
        if tail:
            colon = tail.find(":")
            if 0 < (colon if colon >= 0 else len(tail)) < 16:
                counted += 1
            cpus = _header_cpus(tail, max_cpus)
        return Interrupts(tuple(cpus), [], counted)
    n = len(cpus)
    names: list[str] = []
    counts: list = []          # per line: a tuple, or the index of its run in ``bulk``
    bulk: list[str] = []
    body = lines[start + 1:]
    if tail:
        body.append(tail)
    for line in body:
        colon = line.find(":")
        if colon < 0:
            if len(line) < 15:  # with its newline, shorter than 16
                counted += 1
            continue
        if 0 < colon < 16:
            counted += 1
        names.append(line[:colon].lstrip(" ")[:NAME_MAX] if ascii_ else
                     c_cut(line[:colon].lstrip(" "), NAME_MAX))
        toks = line[colon + 1:].split(None, n)
        if len(toks) > n:
            toks.pop()
        if len(toks) == n:
            counts.append(len(bulk))
            bulk += toks
        else:
            counts.append(_counts_slow(line[colon + 1:], n))
    if tail and ":" not in tail and len(tail) == 15:
        counted += 1  # the last line has no newline: 15 characters are still < 16
    values = to_ints(bulk) if digits_only("".join(bulk)) else None
    if values is None or (values and max(values) > U64):
        return _parse_slow(text, max_cpus, linemax)
    out = [IrqLine(name, c if type(c) is tuple else tuple(values[c:c + n]))
           for name, c in zip(names, counts)]
    return Interrupts(tuple(cpus), out, counted)


def _parse_slow(text: str, max_cpus: int | None, linemax: int | None) -> Interrupts:
    pieces = fgets_lines(text, linemax, strings=True)
    counted = 0
    cpus: list[int] | None = None
    lines: list[IrqLine] = []
    fast = plain(text)
    n = 0
    for piece in pieces:
        colon = piece.find(":")
        p = colon if colon >= 0 else len(piece)
        if 0 < p < 16:
            counted += 1
        if cpus is None:
            found = _header_cpus(piece, max_cpus)
            if found:
                cpus = found
                n = len(cpus)
            continue
        if colon < 0:
            continue
        name = c_cut(piece[:colon].lstrip(" "), NAME_MAX)
        rest = piece[colon + 1:]
        counts = None
        if fast:
            head = rest.split(None, n)[:n]
            joined = "".join(head)
            if len(head) == n and joined.isdigit() and joined.isascii():
                counts = tuple(map(int, head))
                if n and max(counts) > U64:
                    counts = None
        if counts is None:
            counts = _counts_slow(rest, n)
        lines.append(IrqLine(name, counts))
    return Interrupts(tuple(cpus or ()), lines, counted)


def parse_softirqs(text: str, max_cpus: int | None = None,
                   linemax: int | None = None) -> Interrupts:
    """/proc/softirqs: the same layout (without descriptions), read the same way."""
    return parse_interrupts(text, max_cpus, linemax)
