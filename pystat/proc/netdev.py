"""/proc/net/dev and /proc/net/if_inet6, as net-tools' lib/interface.c reads them.

/proc/net/dev: two header lines (the second says which columns exist:
"compressed" means version 3, "bytes" version 2), then ``name: counters``
per interface; the name is read by net-tools' get_name() (an alias
``eth0:1:`` keeps its label).  Counters a line lacks are 0.
"""

from __future__ import annotations

from typing import NamedTuple

from pystat.proc.cscan import fgets_lines
from pystat.proc.cscanf import compile_format, sscanf

_WS = " \t\n\v\f\r"

STAT_NAMES = ("rx_bytes", "rx_packets", "rx_errors", "rx_dropped", "rx_fifo_errors",
              "rx_frame_errors", "rx_compressed", "rx_multicast", "tx_bytes", "tx_packets",
              "tx_errors", "tx_dropped", "tx_fifo_errors", "collisions", "tx_carrier_errors",
              "tx_compressed")

# version -> (format, the STAT_NAMES it fills, in order)
_FORMATS = {
    3: (compile_format("%Lu %Lu %lu %lu %lu %lu %lu %lu %Lu %Lu %lu %lu %lu %lu %lu %lu"),
        STAT_NAMES),
    2: (compile_format("%Lu %Lu %lu %lu %lu %lu %Lu %Lu %lu %lu %lu %lu %lu"),
        ("rx_bytes", "rx_packets", "rx_errors", "rx_dropped", "rx_fifo_errors",
         "rx_frame_errors", "tx_bytes", "tx_packets", "tx_errors", "tx_dropped",
         "tx_fifo_errors", "collisions", "tx_carrier_errors")),
    1: (compile_format("%Lu %lu %lu %lu %lu %Lu %lu %lu %lu %lu %lu"),
        ("rx_packets", "rx_errors", "rx_dropped", "rx_fifo_errors", "rx_frame_errors",
         "tx_packets", "tx_errors", "tx_dropped", "tx_fifo_errors", "collisions",
         "tx_carrier_errors")),
}


class NetDev(NamedTuple):
    name: str
    stats: dict


def get_name(line: str) -> tuple[str, int]:
    """net-tools get_name(): (interface name, index after its colon)."""
    n = len(line)
    p = 0
    while p < n and line[p] in _WS:
        p += 1
    name = []
    while p < n:
        c = line[p]
        if c in _WS:
            break
        if c == ":":
            dot = p
            p += 1
            while p < n and line[p].isdigit() and line[p].isascii():
                p += 1
            if p < n and line[p] == ":":
                p = dot
                name.append(line[p])
                p += 1
                while p < n and line[p].isdigit() and line[p].isascii():
                    name.append(line[p])
                    p += 1
            else:
                p = dot
            p += 1
            break
        name.append(c)
        p += 1
    return "".join(name), p


def read_net_dev(text: str) -> list[tuple[str, dict]]:
    """[(name, {counter: value} of the counters its line converted), ...]: the
    file as if_readlist_proc() reads it: fgets(buf, 512) for the two header
    lines too, a longer line in pieces (each one an interface line of its
    own), each seen up to a NUL."""
    if "\0" in text or not text.isascii() or max(map(len, text.split("\n"))) >= 511:
        lines = fgets_lines(text, 512, strings=True)
    else:
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
    if len(lines) < 2:
        return []
    head = lines[1]
    fmt, names = _FORMATS[3 if "compressed" in head else 2 if "bytes" in head else 1]
    out = []
    for line in lines[2:]:
        name, p = get_name(line)
        out.append((name, dict(zip(names, sscanf(line[p:], fmt) or []))))
    return out


def parse_net_dev(text: str) -> list[NetDev]:
    """Every interface line as :func:`read_net_dev` reads it, the counters it
    does not convert 0."""
    out = []
    for name, got in read_net_dev(text):
        stats = dict.fromkeys(STAT_NAMES, 0)
        stats.update(got)
        out.append(NetDev(name, stats))
    return out


class Inet6Addr(NamedTuple):
    address: str       # "fe80:0000:...:0001" (the 8 groups as read)
    ifindex: int
    prefixlen: int
    scope: int
    flags: int
    device: str


IF_INET6 = compile_format("%4s%4s%4s%4s%4s%4s%4s%4s %08x %02x %02x %02x %20s\n")


def parse_if_inet6(text: str) -> list[Inet6Addr]:
    out = []
    for line in text.split("\n"):
        v = sscanf(line + "\n", IF_INET6)
        if v is None or len(v) < 13:
            continue
        out.append(Inet6Addr(":".join(v[:8]), v[8], v[9], v[10], v[11], v[12]))
    return out
