"""netstat -i (interface table) and -ie (ifconfig-style details), as net-tools
2.10 prints them.

The list is the interfaces of /proc/net/dev and those ``SIOCGIFCONF`` names
(alias labels such as ``eth0:1`` too), in net-tools' natural order
(:func:`nstrcmp`); only interfaces that are up are shown unless -a.  MTU,
flags, hardware address, queue length, map and IPv4 addresses are what the
kernel answers to netstat's ioctls: live, the same ioctls; under ``--root``
the capture's record of them (or /sys/class/net for a capture without one;
see :mod:`pystat.netif`).  Counters come from /proc/net/dev (RX-OVR is
left-aligned, as netstat prints it), IPv6 addresses from /proc/net/if_inet6,
read again for every interface shown, as netstat does.
"""

from __future__ import annotations

import errno as _errno
import os
import socket

from pystat.errors import SeriesExhausted, SourceError
from pystat.proc.cscan import signed
from pystat.proc.cscanf import scan_at
from pystat.proc.netdev import IF_INET6 as _IF_INET6
from pystat.proc.netdev import STAT_NAMES, read_net_dev

IFF_UP = 0x1
IFF_BROADCAST = 0x2
IFF_DEBUG = 0x4
IFF_LOOPBACK = 0x8
IFF_POINTOPOINT = 0x10
IFF_NOTRAILERS = 0x20
IFF_RUNNING = 0x40
IFF_NOARP = 0x80
IFF_PROMISC = 0x100
IFF_ALLMULTI = 0x200
IFF_MASTER = 0x400
IFF_SLAVE = 0x800
IFF_MULTICAST = 0x1000
IFF_PORTSEL = 0x2000
IFF_AUTOMEDIA = 0x4000
IFF_DYNAMIC = 0x8000

SHORT_FLAGS = [(IFF_ALLMULTI, "A"), (IFF_BROADCAST, "B"), (IFF_DEBUG, "D"), (IFF_LOOPBACK, "L"),
               (IFF_MULTICAST, "M"), (IFF_DYNAMIC, "d"), (IFF_PROMISC, "P"),
               (IFF_NOTRAILERS, "N"), (IFF_NOARP, "O"), (IFF_POINTOPOINT, "P"),
               (IFF_SLAVE, "s"), (IFF_MASTER, "m"), (IFF_RUNNING, "R"), (IFF_UP, "U")]
LONG_FLAGS = [(IFF_UP, "UP"), (IFF_BROADCAST, "BROADCAST"), (IFF_DEBUG, "DEBUG"),
              (IFF_LOOPBACK, "LOOPBACK"), (IFF_POINTOPOINT, "POINTOPOINT"),
              (IFF_NOTRAILERS, "NOTRAILERS"), (IFF_RUNNING, "RUNNING"), (IFF_NOARP, "NOARP"),
              (IFF_PROMISC, "PROMISC"), (IFF_ALLMULTI, "ALLMULTI"), (IFF_SLAVE, "SLAVE"),
              (IFF_MASTER, "MASTER"), (IFF_MULTICAST, "MULTICAST"), (IFF_DYNAMIC, "DYNAMIC")]
PORT_TEXT = ["unknown", "10base2", "10baseT", "AUI", "100baseT", "100baseTX", "100baseFX",
             "(null)"]


def _hex(b: bytes, sep: str, upper: bool, n: int) -> str:
    f = "%02X" if upper else "%02x"
    return sep.join(f % x for x in b[:n])


def _ax25(b: bytes) -> str:
    chars = []
    for x in b[:6]:
        c = x >> 1
        if c == 0x20:
            c = 0
        chars.append(c)
    text = bytes(chars).split(b"\0", 1)[0].decode("latin-1")
    ssid = (b[6] & 0x1E) >> 1
    return text + (f"-{ssid}" if ssid else "")


def _irda(b: bytes) -> str:
    def c(x):   # a signed char through %02x
        return "%02x" % (x if x < 128 else (x - 256) & 0xFFFFFFFF)
    return (":".join(c(x) for x in (b[3], b[2], b[1], b[0])))[:11]


def _dlci(b: bytes) -> str:
    v = int.from_bytes(b[:2], "little", signed=True)
    return str(v)[:11]


# ARPHRD type -> (name, title, address printer or None), in lib/hw.c's order
HWTYPES = [
    (772, "loop", "Local Loopback", None),
    (256, "slip", "Serial Line IP", None),
    (257, "cslip", "VJ Serial Line IP", None),
    (258, "slip6", "6-bit Serial Line IP", None),
    (259, "cslip6", "VJ 6-bit Serial Line IP", None),
    (264, "adaptive", "Adaptive Serial Line IP", None),
    (781, "ash", "Ash", None),
    (1, "ether", "Ethernet", lambda b: _hex(b, ":", False, 6)),
    (3, "ax25", "AMPR AX.25", _ax25),
    (0, "netrom", "AMPR NET/ROM", _ax25),
    (270, "rose", "AMPR ROSE", lambda b: _hex(b, "", False, 5)),
    (768, "tunnel", "IPIP Tunnel", lambda b: ""),
    (512, "ppp", "Point-to-Point Protocol", None),
    (513, "hdlc", "(Cisco)-HDLC", None),
    (516, "lapb", "LAPB", None),
    (7, "arcnet", "ARCnet", lambda b: "%02X" % b[0]),
    (15, "dlci", "Frame Relay DLCI", _dlci),
    (770, "frad", "Frame Relay Access Device", None),
    (776, "sit", "IPv6-in-IPv4", None),
    (774, "fddi", "Fiber Distributed Data Interface", lambda b: _hex(b, "-", True, 6)),
    (780, "hippi", "HIPPI", lambda b: _hex(b, ":", True, 6)),
    (783, "irda", "IrLAP", _irda),
    (782, "ec", "Econet", None),
    (271, "x25", "generic X.25",
     lambda b: b[:16].split(b"\0", 1)[0].decode("latin-1")),
    (27, "eui64", "Generic EUI-64", lambda b: _hex(b, ":", True, 8)),
]
UNSPEC = (-1, "unspec", "UNSPEC", lambda b: _hex(b + bytes(16), "-", True, 16))


def hwtype(t: int):
    """get_hwntype() for a C short type (ARPHRD_NONE 0xfffe finds nothing)."""
    t = t & 0xFFFF
    t = t - 0x10000 if t & 0x8000 else t
    for h in HWTYPES:
        if h[0] == t:
            return h
    return UNSPEC


# --------------------------------------------------------------------------------
# net-tools' natural sort of interface names (lib/nstrcmp.c)

def _cutalias(name: str):
    digit = False
    for pos in range(len(name), 0, -1):
        c = name[pos - 1]
        if c == ":" and digit:
            return name[:pos - 1], name[pos:]
        if not (c.isdigit() and c.isascii()):
            break
        digit = True
    return name, None


def _rindex_nondigit(name: str) -> int:
    for pos in range(len(name), 0, -1):
        c = name[pos - 1]
        if not (c.isdigit() and c.isascii()):
            return pos
    return 0


def _atoi(text: str | None) -> int:
    digits = ""
    for c in text or "":
        if c.isdigit() and c.isascii():
            digits += c
        else:
            break
    return int(digits) if digits else 0


def _cmp(a: str, b: str) -> int:
    ab, bb = a.encode("utf-8", "surrogateescape"), b.encode("utf-8", "surrogateescape")
    return (ab > bb) - (ab < bb)


def nstrcmp(a: str, b: str) -> int:
    a, aalias = _cutalias(a)
    b, balias = _cutalias(b)
    ai, bi = _rindex_nondigit(a), _rindex_nondigit(b)
    n = min(ai, bi)
    res = _cmp(a[:n], b[:n])
    if res:
        return res
    if ai != bi:
        return 1 if ai > bi else -1
    av, bv = _atoi(a[ai:]), _atoi(b[bi:])
    if av != bv:
        return -1 if av < bv else 1
    res = _cmp(a, b)
    if res:
        return res
    av = _atoi(aalias) if aalias is not None else -1
    bv = _atoi(balias) if balias is not None else -1
    if av != bv:
        return -1 if av < bv else 1
    if aalias is not None and balias is not None:
        return _cmp(aalias, balias)
    return 0


def cache_add(lst: list, name: str) -> dict:
    """if_cache_add(): keep the list sorted, walking back from its end."""
    i = len(lst)
    while i > 0:
        n = nstrcmp(lst[i - 1]["name"], name)
        if n == 0:
            return lst[i - 1]
        if n < 0:
            break
        i -= 1
    ife = {"name": name[:15], "stats": None}
    lst.insert(i, ife)
    return ife


# --------------------------------------------------------------------------------

def _if_inet6_stream(text: str) -> list:
    """(conversions, values) ife_print_long() holds after each of its ``fscanf(f, "%4s...
    %20s\n")`` calls on /proc/net/if_inet6, until one returns EOF: a call
    starts where the last one stopped (a malformed line throws every later
    one out of step), and a value a call does not convert stays as the call
    before left it (locals; before any: garbage, here "" and 0)."""
    out = []
    v = [""] * 8 + [0, 0, 0, 0, ""]
    pos = 0
    while True:
        got, end = scan_at(text, _IF_INET6, pos)
        if got is None or (end == pos and not got):
            break
        pos = end
        v[:len(got)] = got
        out.append((len(got), tuple(v)))
    return out


def interfaces(host, o, warn):
    """The interface list in netstat's order: [{"name", "stats" or None}, ...]."""
    lst: list = []
    try:
        devs = host.root.parse("/proc/net/dev", read_net_dev)
    except SourceError as e:
        warn(f"Warning: cannot open /proc/net/dev ({_strerror(e)}). Limited output.")
        devs = []
    for name, converted in devs:
        ife = cache_add(lst, name)
        # a name seen again: sscanf overwrites only what it converts
        if ife.get("stats") is None:
            ife["stats"] = dict.fromkeys(STAT_NAMES, 0)
        ife["stats"].update(converted)
    for name in host.ifconf():
        cache_add(lst, name)
    return lst


def _flag_text(flags: int) -> str:
    return "".join(letter for bit, letter in SHORT_FLAGS if flags & bit) or ""


def _units(v: int) -> tuple[int, int, str]:
    """The "(x.y unit)" of ife_print_long()."""
    short = (v * 10) & 0xFFFFFFFFFFFFFFFF
    if v > 1152921504606846976:
        short, unit = v // 115292150460684697, "EiB"
    elif v > 1125899906842624:
        short, unit = short // 1125899906842624, "PiB"
    elif v > 1099511627776:
        short, unit = short // 1099511627776, "TiB"
    elif v > 1073741824:
        short, unit = short // 1073741824, "GiB"
    elif v > 1048576:
        short, unit = short // 1048576, "MiB"
    elif v > 1024:
        short, unit = short // 1024, "KiB"
    else:
        unit = "B"
    return short // 10, short % 10, unit


def _inet(text: str | None) -> str:
    return text if text is not None else "[NONE SET]"


class Printer:
    def __init__(self, host, o, warn, emit):
        self.host = host
        self.o = o
        self.warn = warn
        self.emit = emit       # emit(text, row or None)

    def short(self, ife, info) -> None:
        flags = signed(info["flags"], 16)
        mtu = info.get("mtu") or 0
        stats = ife["stats"]
        text = "%-15.15s %5d " % (ife["name"], _int(mtu))
        if stats is not None:
            text += "%8d %6d %6d %-6d " % (stats["rx_packets"], stats["rx_errors"],
                                           stats["rx_dropped"], stats["rx_fifo_errors"])
            text += "%8d %6d %6d %6d " % (stats["tx_packets"], stats["tx_errors"],
                                          stats["tx_dropped"], stats["tx_fifo_errors"])
        else:
            text += "%-56s" % "     - no statistics available -"
        if flags == 0:
            text += "[NO FLAGS]"
        text += _flag_text(flags)
        self.emit(text + "\n", self.row(ife, info))

    def long(self, ife, info) -> None:
        flags = signed(info["flags"], 16)
        name = ife["name"]
        lines = []
        ftext = "flags=%d<" % flags
        if flags == 0:
            ftext += ">"
        for bit, word in LONG_FLAGS:
            if flags & bit:
                ftext += word + ","
        # netstat turns a last "," into ">", or else drops the last character
        ftext = ftext[:-1] + ">" if ftext.endswith(",") else ftext[:-1]
        lines.append("%s: %s  mtu %d\n" % (name, ftext, _int(info.get("mtu") or 0)))
        if info.get("addr") is not None:
            text = "        inet %s  netmask %s" % (info["addr"], _inet(info.get("netmask")))
            if flags & IFF_BROADCAST:
                text += "  broadcast %s" % _inet(info.get("broadaddr"))
            if flags & IFF_POINTOPOINT:
                text += "  destination %s" % _inet(info.get("dstaddr"))
            lines.append(text + "\n")
        try:
            addrs = self.host.root.parse("/proc/net/if_inet6", _if_inet6_stream)
        except SourceError:
            addrs = []
        from pystat.commands.netstat.sockets import fix_v4_address

        raw = None
        scope = 0
        for n, v in addrs:
            if n > 10:          # else the scope the last call left (compat bit taken off)
                scope = _int(v[10])
            if v[12] != name:
                continue
            try:
                raw = socket.inet_pton(socket.AF_INET6, ":".join(v[:8]))
            except (OSError, ValueError, UnicodeError):
                if raw is None:     # netstat prints its uninitialised sockaddr
                    continue        # (else the last one inet_pton filled)
            text = "        inet6 %s  prefixlen %d  scopeid 0x%x" % (
                fix_v4_address(socket.inet_ntop(socket.AF_INET6, raw), raw), _int(v[9]),
                scope & 0xFFFFFFFF)
            tags = []
            if scope & 0x80:
                tags.append("compat")
                scope -= 0x80
            if scope == 0:
                tags.append("global")
            if scope & 0x20:
                tags.append("link")
            if scope & 0x40:
                tags.append("site")
            if scope & 0x10:
                tags.append("host")
            lines.append(text + ("<%s>" % ",".join(tags) if tags else "") + "\n")
        htype = info.get("hwtype")
        _t, hname, htitle, hprint = hwtype(htype if htype is not None else 0xFFFF)
        hw = bytes.fromhex(info["hwaddr"]) if info.get("hwaddr") else bytes(8)
        hw = (hw + bytes(32))[:32]
        if hprint is not None:
            text = "        %s %s" % (hname, hprint(hw))
        else:
            text = "        %s" % hname
        txq = info.get("txqlen")
        if txq is not None:
            text += "  txqueuelen %d" % _int(txq)
        lines.append(text + "  (%s)\n" % htitle)
        mp = info.get("map") or [0, 0, 0, 0, 0, 0]
        mem_start, mem_end, base_addr, irq, dma, port = mp
        if flags & IFF_PORTSEL:
            text = "        media %s" % (PORT_TEXT[port] if port < len(PORT_TEXT) else "(null)")
            if flags & IFF_AUTOMEDIA:
                text += "autoselect"
            lines.append(text + "\n")
        stats = ife["stats"]
        if stats is not None:
            rq, rr, ru = _units(stats["rx_bytes"])
            tq, tr, tu = _units(stats["tx_bytes"])
            lines.append("        RX packets %d  bytes %d (%d.%d %s)\n" % (
                stats["rx_packets"], stats["rx_bytes"], rq, rr, ru))
            compress = (htype or 0) in (257, 259)
            if compress:
                lines.append("        RX compressed:%d\n" % stats["rx_compressed"])
            lines.append("        RX errors %d  dropped %d  overruns %d  frame %d\n" % (
                stats["rx_errors"], stats["rx_dropped"], stats["rx_fifo_errors"],
                stats["rx_frame_errors"]))
            lines.append("        TX packets %d  bytes %d (%d.%d %s)\n" % (
                stats["tx_packets"], stats["tx_bytes"], tq, tr, tu))
            if compress:
                lines.append("        TX compressed %d\n" % stats["tx_compressed"])
            lines.append("        TX errors %d  dropped %d overruns %d  carrier %d  "
                         "collisions %d\n" % (stats["tx_errors"], stats["tx_dropped"],
                                              stats["tx_fifo_errors"],
                                              stats["tx_carrier_errors"], stats["collisions"]))
        if irq or mem_start or dma or base_addr >= 0x100:
            text = "        device "
            if irq:
                text += "interrupt %d  " % irq
            if base_addr >= 0x100:
                text += "base 0x%x  " % base_addr
            if mem_start:
                text += "memory 0x%x-%x  " % (mem_start, mem_end)
            if dma:
                text += "  dma 0x%x" % dma
            lines.append(text + "\n")
        lines.append("\n")
        self.emit("".join(lines), self.row(ife, info))

    def row(self, ife, info) -> dict:
        stats = ife["stats"] or {}
        flags = signed(info["flags"], 16)
        htype = info.get("hwtype")
        _t, hname, _title, hprint = hwtype(htype if htype is not None else 0xFFFF)
        hw = bytes.fromhex(info["hwaddr"]) if info.get("hwaddr") else bytes(8)
        row = {"iface": ife["name"], "mtu": info.get("mtu"), "flags": flags,
               "flag_names": ",".join(w for b, w in LONG_FLAGS if flags & b),
               "hw_type": hname, "hw_address": hprint((hw + bytes(32))[:32]) if hprint else None,
               "txqueuelen": info.get("txqlen"), "inet": info.get("addr"),
               "netmask": info.get("netmask") if info.get("addr") else None,
               "broadcast": info.get("broadaddr") if info.get("addr") else None,
               "destination": info.get("dstaddr") if info.get("addr") else None}
        for k in ("rx_packets", "rx_bytes", "rx_errors", "rx_dropped", "rx_fifo_errors",
                  "rx_frame_errors", "tx_packets", "tx_bytes", "tx_errors", "tx_dropped",
                  "tx_fifo_errors", "tx_carrier_errors", "collisions"):
            row[k] = stats.get(k)
        return row


def iface_info(host, o, warn, emit, first: bool) -> int:
    if first:
        emit("Kernel Interface table\n", None)
    short = o.exp < 2
    if short:
        emit("Iface             MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP "
             "TX-OVR Flg\n", None)
    p = Printer(host, o, warn, emit)
    for ife in interfaces(host, o, warn):
        info = host.ifinfo(ife["name"])
        if "error" in info:
            err = info["error"]
            msg = "Device not found" if err == _errno.ENODEV else os.strerror(err)
            warn(f"{ife['name']}: error fetching interface information: {msg}")
            warn(f"missing interface information: {os.strerror(err)}")
            return 1
        if (info["flags"] & IFF_UP) or o.all:
            (p.short if short else p.long)(ife, info)
    return 0


def _int(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v & 0x80000000 else v


def _strerror(e: SourceError) -> str:
    return os.strerror(e.errno) if getattr(e, "errno", None) else str(e)


def text(host, o, out, warn) -> int:
    first = True
    while True:
        buf = []
        code = iface_info(host, o, warn, lambda t, row: buf.append(t), first)
        out.write("".join(buf))
        if not o.cnt or code:
            return code
        first = False
        out.flush()
        try:
            host.wait(1)
        except SeriesExhausted:
            return 0


def reports(host, o, warn, code):
    first = True
    while True:
        now = host.now()
        rows = []

        def emit(text, row):
            if row is not None:
                row["timestamp"] = now
                rows.append(row)

        code[0] = iface_info(host, o, warn, emit, first)
        first = False
        yield rows
        if not o.cnt or code[0]:
            return
        try:
            host.wait(1)
        except SeriesExhausted:
            return


def fields(o):
    from pystat.render import Field

    return [
        Field("iface", "", "interface name (alias labels such as eth0:1 too)"),
        Field("mtu", "bytes", "MTU"),
        Field("flags", "", "interface flags as the kernel reports them to netstat (IFF_*)"),
        Field("flag_names", "", "the same as names: UP,BROADCAST,RUNNING,MULTICAST,..."),
        Field("hw_type", "", "hardware type (ether, loop, unspec, ...)"),
        Field("hw_address", "", "hardware address as netstat -ie prints it"),
        Field("txqueuelen", "packets", "transmit queue length"),
        Field("inet", "", "IPv4 address (null without one)"),
        Field("netmask", "", "its netmask"),
        Field("broadcast", "", "its broadcast address"),
        Field("destination", "", "its point-to-point destination"),
        Field("rx_packets", "count", "packets received (RX-OK)"),
        Field("rx_bytes", "bytes", "bytes received"),
        Field("rx_errors", "count", "receive errors (RX-ERR)"),
        Field("rx_dropped", "count", "received packets dropped (RX-DRP)"),
        Field("rx_fifo_errors", "count", "receive FIFO overruns (RX-OVR)"),
        Field("rx_frame_errors", "count", "frame errors"),
        Field("tx_packets", "count", "packets sent (TX-OK)"),
        Field("tx_bytes", "bytes", "bytes sent"),
        Field("tx_errors", "count", "transmit errors (TX-ERR)"),
        Field("tx_dropped", "count", "sent packets dropped (TX-DRP)"),
        Field("tx_fifo_errors", "count", "transmit FIFO overruns (TX-OVR)"),
        Field("tx_carrier_errors", "count", "carrier errors"),
        Field("collisions", "count", "collisions"),
    ]
