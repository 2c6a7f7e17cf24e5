"""/proc/net/snmp, /proc/net/netstat (header/value line pairs) and
/proc/net/snmp6, /proc/net/sctp/snmp (one "Name value" per line), read the
way net-tools' statistics.c reads them.

* Pairs: a line ``Title: Name1 Name2 ...`` and the next line
  ``Title: v1 v2 ...``; an empty first line of a pair is skipped; a pair
  where either line has no ``:`` ends the file with a format error (netstat:
  "Problem while parsing ..."), sections before it stand.  Values are read
  one per name with ``strtoull`` (a minus wraps, overflow saturates, text that
  is not a number reads as 0 and is not skipped).  Each line (getline, any
  length) is seen up to its first NUL.
* snmp6: ``sscanf("%s %llu")`` per line (a line it cannot read repeats the
  previous name or value, as netstat's buffers do).
"""

from __future__ import annotations

from typing import NamedTuple

from pystat.proc.cscan import strtoul

_WS = " \t\n"


class Section(NamedTuple):
    title: str
    counters: list          # [(name, value)]


class SnmpFile(NamedTuple):
    sections: list          # [Section]
    format_error: bool


def _split_lines(text: str) -> list[str]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line + "\n" for line in lines]


def parse_snmp(text: str) -> SnmpFile:
    lines = _split_lines(text)
    sections = []
    i = 0
    while i < len(lines):
        head = lines[i]
        i += 1
        if head[0] == "\n":
            continue
        if i >= len(lines):
            break
        vals = lines[i]
        i += 1
        if "\0" in head:               # C strings: nothing past a NUL is seen
            head = head[:head.index("\0")]
        if "\0" in vals:
            vals = vals[:vals.index("\0")]
        sp = head.find(":")
        np = vals.find(":")
        if sp < 0 or np < 0:
            return SnmpFile(sections, True)
        title = head[:sp]
        counters = []
        pos = np + 1
        for name in _tokens(head[sp + 1:]):
            while pos < len(vals) and vals[pos] in _WS:
                pos += 1
            value, pos = strtoul(vals, pos, 10)
            counters.append((name, value or 0))  # C: 0 where no digit
        sections.append(Section(title, counters))
    return SnmpFile(sections, False)


def _tokens(text: str) -> list[str]:
    out = []
    cur = []
    for c in text:
        if c in _WS:
            if cur:
                out.append("".join(cur))
                cur = []
        else:
            cur.append(c)
    if cur:
        out.append("".join(cur))
    return out


def parse_snmp6(text: str) -> list[tuple[str, int]]:
    from pystat.proc.cscanf import sscanf

    out = []
    name, value = "", 0
    for line in _split_lines(text):
        v = sscanf(line, "%s %llu") or []
        if len(v) >= 1:
            name = v[0]
        if len(v) >= 2:
            value = v[1]
        out.append((name, value))
    return out


def parse_name_values(text: str) -> list[tuple[str, int]]:
    """/proc/net/sctp/snmp: "Name value" lines (statistics.c process_fd2)."""
    out = []
    for line in _split_lines(text):
        cut = 0
        while cut < len(line) and line[cut] not in _WS:
            cut += 1
        name = line[:cut]
        pos = cut + 1
        while pos < len(line) and line[pos] in _WS:
            pos += 1
        if pos >= len(line):
            continue
        value, _ = strtoul(line, pos, 10)
        out.append((name, value or 0))
    return out
