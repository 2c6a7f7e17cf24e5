"""Socket tables: /proc/net/{tcp,tcp6,udp,udp6,udplite,udplite6,raw,raw6} and unix.

net-tools reads each line with ``sscanf`` and skips (with a warning) a line
with too few conversions.  Two paths give the same fields:

* the kernel's own fixed-width lines (``%4d: %08X:%04X %08X:%04X %02X
  %08X:%08X %02X:%08lX %08X %5u %8d %lu ...``) are matched by one regular
  expression (:data:`INET_LINE`), fast, as strings;
* anything else goes through :func:`pystat.proc.cscanf.sscanf` with
  netstat's format, and the values are written back in the same canonical
  string form (:func:`inet_fields`), so one formatter serves both.

Fields, in order (:data:`INET_NAMES`): local address (8 hex digits for IPv4,
32 for IPv6, as the kernel prints them), local port (hex), remote address,
remote port, state (hex), ``tx_queue:rx_queue`` (hex), timer kind (hex),
timer expiry in clock ticks (hex), retransmits (hex), uid, probes
("timeout" in netstat), inode (decimal).
"""

from __future__ import annotations

import re
import socket
from typing import NamedTuple

from pystat.errors import ParseError
from pystat.proc.cscan import signed
from pystat.proc.cscanf import compile_format, sscanf

INET_NAMES = ("local", "lport", "remote", "rport", "state", "queues", "timer", "when",
              "retr", "uid", "timeout", "inode")

_H = "[0-9A-F]"
#: a line exactly as the kernel prints it (through the inode)
#: (both addresses the same width: netstat decodes the remote one as the local
#: one's family, whatever its length)
_SAME = r"(?={h}{{8}}:{h}{{4}} {h}{{8}}:|{h}{{32}}:{h}{{4}} {h}{{32}}:)".format(h="[0-9A-F]")
INET_LINE = re.compile(
    r" *[0-9]+: " + _SAME +
    r"({h}{{8}}|{h}{{32}}):({h}{{4}}) ({h}{{8}}|{h}{{32}}):({h}{{4}}) ({h}{{2}}) "
    r"({h}{{8}}:{h}{{8}}) ({h}{{2}}):({h}{{8}}) ({h}{{8}}) +([0-9]+) +([0-9]+) ([0-9]+)"
    .format(h=_H))
#: the same through the retransmit count (enough for modes without -e/-p)
INET_LINE_SHORT = re.compile(
    r" *[0-9]+: " + _SAME +
    r"({h}{{8}}|{h}{{32}}):({h}{{4}}) ({h}{{8}}|{h}{{32}}):({h}{{4}}) ({h}{{2}}) "
    r"({h}{{8}}:{h}{{8}}) ({h}{{2}}):({h}{{8}}) ({h}{{8}})".format(h=_H))

NETSTAT_INET_FORMAT = compile_format(
    "%d: %64[0-9A-Fa-f]:%X %64[0-9A-Fa-f]:%X %X %lX:%lX %X:%lX %lX %d %d %lu %*s\n")
_WORDS4 = compile_format("%08X%08X%08X%08X")
_HEX1 = compile_format("%X")

U32 = 0xFFFFFFFF


def inet_fields(line: str, minimum: int, in6: str = "0" * 32) -> tuple | None:
    """The 12 canonical fields of a socket line, or None where netstat finds
    fewer than ``minimum`` conversions (11 for TCP, 10 for UDP and raw) and
    prints "warning, got bogus ... line".

    ``in6``: what netstat's in6_addr holds before the line (the remote address
    of the last IPv6 line it decoded): the words an IPv6 local address too
    short for four ``%08X`` lacks.

    Fields a short line lacks (retransmits, uid, probes, inode) are None:
    netstat then shows whatever its variables held, which on the real binary
    is the previous line's values (see :class:`StaleFields`)."""
    m = INET_LINE.match(line)
    if m:
        return m.groups()
    v = sscanf(line, NETSTAT_INET_FORMAT)
    if v is None or len(v) < minimum:
        return None
    n = len(v)
    v = v + [None] * (14 - n)
    (_sl, laddr, lport, raddr, rport, state, txq, rxq, timer, when, retr, uid, timeout,
     inode) = v
    if len(laddr) > 8:
        # one in6_addr for both: words the remote address lacks are the local's
        local = _v6_hex(laddr, in6)
        remote = _v6_hex(raddr, local)
    else:
        local, remote = _v4_hex(laddr), _v4_hex(raddr)
    return (local, "%04X" % (lport & U32), remote, "%04X" % (rport & U32),
            "%02X" % (state & U32), "%08X:%08X" % (txq, rxq), "%02X" % (timer & U32),
            "%08X" % when, None if retr is None else "%08X" % retr,
            None if uid is None else "%d" % uid, None if timeout is None else "%d" % timeout,
            None if inode is None else "%d" % inode)


class StaleFields:
    """netstat's tcp/udp/raw_do_one() keep retransmits, uid, probes and inode in
    uninitialised locals: a line too short to set them shows the values the
    previous line set (observed on the real binary; 0 before any)."""

    def __init__(self):
        self.last = ["00000000", "0", "0", "0"]

    def fill(self, f: tuple) -> tuple:
        if len(f) < 12:          # a short match (modes that show none of them)
            f = tuple(f) + tuple(self.last[len(f) - 8:])
        tail = f[8:12]
        if None in tail:
            tail = tuple(t if t is not None else self.last[i] for i, t in enumerate(tail))
            f = f[:8] + tail
        self.last = list(tail)
        return f


def _v4_hex(text: str) -> str:
    """``sscanf(text, "%X", &s_addr)``, printed back as the kernel would."""
    v = sscanf(text, _HEX1)
    return "%08X" % ((v[0] if v else 0) & U32)


def _v6_hex(text: str, before: str = "0" * 32) -> str:
    """``sscanf(text, "%08X%08X%08X%08X", s6_addr32)``; words it cannot read
    keep what the address held ``before`` (netstat scans the local and the
    remote address into the same in6_addr, a local that keeps its value from
    line to line; before any line: garbage, here 0)."""
    v = sscanf(text, _WORDS4) or []
    return "".join("%08X" % (w & U32) for w in v) + before[8 * len(v):]


def addr_bytes(hexaddr: str) -> bytes:
    """The address in network byte order from the kernel's hex (host-order words)."""
    if len(hexaddr) == 8:
        return int(hexaddr, 16).to_bytes(4, "little")
    return b"".join(int(hexaddr[i:i + 8], 16).to_bytes(4, "little") for i in range(0, 32, 8))


def addr_text(hexaddr: str) -> str:
    """inet_ntoa / inet_ntop of a kernel hex address (no name lookup)."""
    if len(hexaddr) == 8:
        n = int(hexaddr, 16)
        return "%d.%d.%d.%d" % (n & 255, (n >> 8) & 255, (n >> 16) & 255, n >> 24)
    return socket.inet_ntop(socket.AF_INET6, addr_bytes(hexaddr))


def c_int(text: str) -> int:
    """A decimal field netstat reads with ``%d`` (uid, probes): glibc converts
    with strtol, which saturates at LONG_MAX/LONG_MIN, and the int keeps 32
    bits (99999999999999999999 is -1).  The fast regex passes any digit run."""
    v = int(text)
    if v > 0x7FFFFFFFFFFFFFFF:
        v = 0x7FFFFFFFFFFFFFFF
    return signed(v, 32)


class InetSocket(NamedTuple):
    """One line of a socket table, decoded."""

    local_address: str
    local_port: int
    remote_address: str
    remote_port: int
    state: int
    send_q: int
    recv_q: int
    timer: int
    expires: int          # clock ticks
    retransmits: int
    uid: int
    probes: int
    inode: int


def decode_inet(f: tuple) -> InetSocket:
    """An :class:`InetSocket` from the canonical fields of :func:`inet_fields`."""
    tx, rx = f[5].split(":")
    return InetSocket(addr_text(f[0]), int(f[1], 16) & 0xFFFF, addr_text(f[2]),
                      int(f[3], 16) & 0xFFFF, signed(int(f[4], 16), 32), int(tx, 16),
                      int(rx, 16), signed(int(f[6], 16), 32), int(f[7], 16), int(f[8], 16),
                      c_int(f[9]), c_int(f[10]), int(f[11]))


class BogusLine(NamedTuple):
    """A line netstat skips with "warning, got bogus ... line"."""

    number: int
    text: str


def parse_inet_sockets(text: str, minimum: int = 11) -> list:
    """Every line after the header: an InetSocket, or a BogusLine."""
    out: list = []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    stale = StaleFields()
    for n, line in enumerate(lines[1:], 1):
        f = inet_fields(line + "\n", minimum)
        out.append(BogusLine(n, line) if f is None else decode_inet(stale.fill(f)))
    return out


# --------------------------------------------------------------------------
# /proc/net/unix

UNIX_FORMAT = compile_format("%p: %lX %lX %lX %X %X %lu %s")
UNIX_LINE = re.compile(r"[0-9a-f]+: ([0-9A-F]{8}) ([0-9A-F]{8}) ([0-9A-F]{8}) ([0-9A-F]{4}) "
                       r"([0-9A-F]{2}) +([0-9]+)(?: ([^ \t\n\v\f\r]+)|(?=\n|$))")


class UnixSocket(NamedTuple):
    refcnt: int
    protocol: int
    flags: int
    type: int
    state: int
    inode: int | None     # None: a line without an inode (netstat prints "-")
    path: str


def unix_fields(line: str) -> tuple | None:
    """(refcnt, protocol, flags, type, state, inode or None, path) of a
    /proc/net/unix line, or None for a line netstat calls bogus (fewer than
    6 conversions).  The regular expression takes a kernel line only: the
    inode followed by " path" or the end of the line (anything else, such as
    another blank before the path, goes through sscanf)."""
    m = UNIX_LINE.match(line)
    if m:
        r, p, fl, t, s, ino, path = m.groups()
        ino = int(ino)
        return (int(r, 16), int(p, 16), int(fl, 16), int(t, 16), int(s, 16),
                ino if ino <= 0xFFFFFFFFFFFFFFFF else 0xFFFFFFFFFFFFFFFF, path or "")
    v = sscanf(line, UNIX_FORMAT)
    if v is None or len(v) < 6:
        return None
    _d, refcnt, proto, flags, typ, state = v[:6]
    inode = v[6] if len(v) > 6 else None
    path = v[7] if len(v) > 7 else ""
    return (refcnt, proto, flags, signed(typ, 32), signed(state, 32), inode, path)


def parse_unix_sockets(text: str) -> tuple[bool, list]:
    """(the header names an Inode column, [UnixSocket or BogusLine, ...])."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        return False, []
    has_inode = "Inode" in lines[0]
    out: list = []
    for n, line in enumerate(lines[1:], 1):
        f = unix_fields(line + "\n")
        out.append(BogusLine(n, line) if f is None else UnixSocket(*f))
    return has_inode, out


def check_table(text: str) -> None:
    """A ParseError for text that is not a socket table at all (no header)."""
    if not text.strip():
        raise ParseError("empty socket table")
