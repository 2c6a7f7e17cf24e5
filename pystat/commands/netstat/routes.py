"""netstat -r: the kernel routing tables, as net-tools 2.10 prints them.

* IPv4 (``/proc/net/route``): the columns are found by name in the header
  line (net-tools' proc_gen_fmt), routes without RTF_UP are skipped; the
  layout depends on -e: none gives MSS/Window/irtt, -e Metric/Ref/Use, -ee
  both (and -eee nothing at all: netstat's flag arithmetic);
* names (without -n): destination 0.0.0.0/0 is ``default``, other networks
  come from /etc/networks and hosts from the host database, gateways are
  hosts, 0.0.0.0 stays numeric; each column is cut to 15 characters;
* IPv6 (``-6``, ``-A inet6``: ``/proc/net/ipv6_route``), RTF_CACHE entries
  only with -C; ``::`` is ``[::]`` when resolving;
* ``-C`` (routing cache): /proc/net/rt_cache, which kernels since 3.6 keep
  empty (the header alone).
"""

from __future__ import annotations

import socket

from pystat.errors import SourceError
from pystat.commands.netstat.sockets import fix_v4_address
from pystat.proc.cscan import c_cut, c_text, fgets_lines
from pystat.proc.cscanf import compile_format, sscanf

RTF_UP = 0x0001
RTF_GATEWAY = 0x0002
RTF_HOST = 0x0004
RTF_REINSTATE = 0x0008
RTF_DYNAMIC = 0x0010
RTF_MODIFIED = 0x0020
RTF_MTU = 0x0040
RTF_WINDOW = 0x0080
RTF_IRTT = 0x0100
RTF_REJECT = 0x0200
RTF_NOTCACHED = 0x0400
RTF_DEFAULT = 0x00010000
RTF_ALLONLINK = 0x00020000
RTF_ADDRCONF = 0x00040000
RTF_NONEXTHOP = 0x00200000
RTF_EXPIRES = 0x00400000
RTF_CACHE = 0x01000000
RTF_FLOW = 0x02000000
RTF_POLICY = 0x04000000
RTF_LOCAL = 0x80000000

FLAG_EXT = 3
FLAG_NUM_HOST = 4
FLAG_SYM = 32
FLAG_CACHE = 64
FLAG_FIB = 128

# IPv4 flag letters after U and G (and the reject "!")
V4_FLAGS = [(RTF_HOST, "H"), (RTF_REINSTATE, "R"), (RTF_DYNAMIC, "D"), (RTF_MODIFIED, "M"),
            (RTF_DEFAULT, "d"), (RTF_ALLONLINK, "a"), (RTF_ADDRCONF, "c"), (RTF_NONEXTHOP, "o"),
            (RTF_EXPIRES, "e"), (RTF_CACHE, "c"), (RTF_FLOW, "f"), (RTF_POLICY, "p"),
            (RTF_LOCAL, "l"), (RTF_MTU, "u"), (RTF_WINDOW, "w"), (RTF_IRTT, "i"),
            (RTF_NOTCACHED, "n")]
V6_FLAGS = [(RTF_UP, "U"), (RTF_REJECT, "!"), (RTF_GATEWAY, "G"), (RTF_HOST, "H"),
            (RTF_DEFAULT, "D"), (RTF_ADDRCONF, "A"), (RTF_CACHE, "C"), (RTF_ALLONLINK, "a"),
            (RTF_EXPIRES, "e"), (RTF_MODIFIED, "m"), (RTF_NONEXTHOP, "n"), (RTF_FLOW, "f")]

V4_COLUMNS = [("Iface", "%15s"), ("Destination", "%127s"), ("Gateway", "%127s"),
              ("Flags", "%X"), ("RefCnt", "%d"), ("Use", "%d"), ("Metric", "%d"),
              ("Mask", "%127s"), ("MTU", "%d"), ("Window", "%d"), ("IRTT", "%d")]
V6_FORMAT = compile_format(
    "%4s%4s%4s%4s%4s%4s%4s%4s %02x %4s%4s%4s%4s%4s%4s%4s%4s %02x "
    "%4s%4s%4s%4s%4s%4s%4s%4s %08x %08x %08x %08x %15s\n")

U32 = 0xFFFFFFFF


def proc_gen_fmt(header: str, columns) -> tuple[str | None, str | None]:
    """lib/proc.c proc_gen_fmt(): (scanf format, None) or (None, missing column)."""
    buf = header + " "
    fmt = ""
    want = list(columns)
    i = 0
    n = len(buf)
    while True:
        while i < n and (buf[i] in " \t\n\v\f\r" or buf[i] == "|"):
            i += 1
        j = i
        while j < n and buf[j] not in "| \t\n":
            j += 1
        head = buf[i:j]
        last = j >= n
        i = j + 1
        if want and head == want[0][0]:
            fmt += want[0][1]
            want.pop(0)
            if not want:
                break
        else:
            fmt += "%*s"
        fmt += " "
        if last:
            break
    if want:
        return None, want[0][0]
    return fmt, None


def _v4_getsock(text: str) -> int | None:
    """INET_getsock(): 8 hex digits, as s_addr (the address bytes, big-endian int)."""
    if len(text) < 8:
        return None
    try:
        raw = bytes.fromhex(text[:8])
    except ValueError:
        return None
    if not all(c in "0123456789abcdefABCDEF" for c in text[:8]):
        return None
    return int.from_bytes(raw[::-1], "big")


class Routes:
    def __init__(self, host, o, warn, emit):
        self.host = host
        self.o = o
        self.warn = warn
        self.emit = emit             # emit(text or None, row dict or None)
        self._names = None

    @property
    def names(self):
        if self._names is None:
            from pystat.netdb import NameService

            self._names = NameService(self.host)
        return self._names

    # -- INET_rresolve ------------------------------------------------------------
    def rresolve(self, addr: int, numeric: int, netmask: int) -> str:
        """lib/inet.c INET_rresolve(): addr and netmask as big-endian ints
        of the address bytes (0x8000: "default" for 0/0, 0x4000: a host)."""
        b = addr.to_bytes(4, "big")
        dotted = "%d.%d.%d.%d" % tuple(b)
        if numeric & 0x0FFF:
            return dotted
        if addr == 0:
            if netmask == 0:
                return "default" if numeric & 0x8000 else "*"
            return "0.0.0.0"
        # s_addr & ~netmask on a little-endian machine, compared as raw bytes
        host = (addr & ~netmask & U32) != 0 or numeric & 0x4000
        if host:
            name = self.names.host4(b)
        else:
            name = self.names.network(addr)
        return name if name is not None else dotted

    # -- IPv4 -------------------------------------------------------------------
    def fib(self, ext: int, numeric: int) -> int:
        path = "/proc/net/route"
        try:
            text = self.host.root.read(path)
        except SourceError as e:
            self.warn(f"{path}: {_strerror(e)}")
            self.emit("INET (IPv4) not configured in this system.\n", None)
            return 1
        self.emit("Kernel IP routing table\n", None)
        if ext == 1:
            self.emit("Destination     Gateway         Genmask         "
                      "Flags Metric Ref    Use Iface\n", None)
        if ext == 2:
            self.emit("Destination     Gateway         Genmask         "
                      "Flags   MSS Window  irtt Iface\n", None)
        if ext >= 3:
            self.emit("Destination     Gateway         Genmask         "
                      "Flags Metric Ref    Use Iface    MSS   Window irtt\n", None)
        # the header through proc_gen_fmt's fgets(buf, 511), lines through fgets(buf, 1023)
        lines = fgets_lines(text, 1023, strings=True, first=511, bytewise=True)
        if not lines:
            return 1
        fmt, missing = proc_gen_fmt(lines[0].rstrip("\n"), V4_COLUMNS)
        if fmt is None:
            self.warn(f"warning: {path} does not contain required field {missing}")
            return 1
        cfmt = compile_format(fmt)
        v = [None] * 8 + [0, 0, 0]           # mss, window, irtt start at 0; the rest stale
        # an address INET_getsock() cannot read leaves its sockaddr as the last
        # line set it (locals of the loop; before any line: garbage, here 0)
        target = gateway = netmask = 0
        for line in lines[1:]:
            got = sscanf(line, cfmt) or []
            v[:len(got)] = got
            if len(got) < 10:
                continue
            iface_b, net, gate, iflags, refcnt, use, metric, mask, mss, window, irtt = v
            iface = c_text(iface_b)
            iflags &= U32
            if not iflags & RTF_UP:
                continue
            got = _v4_getsock(net)
            target = target if got is None else got
            got = _v4_getsock(gate)
            gateway = gateway if got is None else got
            got = _v4_getsock(mask)
            netmask = netmask if got is None else got
            host = 0x4000 if iflags & RTF_HOST else 0
            dest = c_cut(self.rresolve(target, numeric | 0x8000 | host, netmask), 15)
            # INET_sprint's netmask 0xffffff00 is, as address bytes, 0.255.255.255
            gw = c_cut(self.rresolve(gateway, numeric | 0x4000, 0x00FFFFFF), 15)
            gmask = c_cut(self.rresolve(netmask, 1, 0x00FFFFFF), 15)
            flags = ""
            if iflags & RTF_UP:
                flags += "U"
            if iflags & RTF_GATEWAY:
                flags += "G"
            if iflags & RTF_REJECT:
                flags = "!"
            for bit, letter in V4_FLAGS:
                if iflags & bit:
                    flags += letter
            metric, refcnt, use = _int(metric), _int(refcnt), _int(use)
            mss, window, irtt = _int(mss), _int(window), _int(irtt)
            row = {"destination": dest, "gateway": gw, "genmask": gmask, "flags": flags,
                   "metric": metric, "ref": refcnt, "use": use, "iface": iface, "mss": mss,
                   "window": window, "irtt": irtt,
                   "destination_address": _dotted(target), "gateway_address": _dotted(gateway),
                   "prefix_length": _prefix(netmask)}
            reject = iflags & RTF_REJECT
            out = ""
            if ext == 1:
                if reject:
                    out += "%-15s -               %-15s %-5s %-6d -  %7d -\n" % (
                        dest, gmask, flags, metric, use)
                else:
                    out += "%-15s %-15s %-15s %-5s %-6d %-2d %7d %s\n" % (
                        dest, gw, gmask, flags, metric, refcnt, use, iface)
            if ext == 2:
                if reject:
                    out += "%-15s -               %-15s %-5s     - -          - -\n" % (
                        dest, gmask, flags)
                else:
                    out += "%-15s %-15s %-15s %-5s %5d %-5d %6d %s\n" % (
                        dest, gw, gmask, flags, mss, window, irtt, iface)
            if ext >= 3:
                if reject:
                    out += ("%-15s -               %-15s %-5s %-6d -  %7d -        -     -"
                            "      -\n") % (dest, gmask, flags, metric, use)
                else:
                    out += "%-15s %-15s %-15s %-5s %-6d %-3d %6d %s   %-5d %-6d %d\n" % (
                        dest, gw, gmask, flags, metric, refcnt, use, c_text("%-6.6s" % iface_b),
                        mss, window, irtt)
            self.emit(out, row if out else None)
        return 0

    def cache(self, ext: int, numeric: int) -> int:
        path = "/proc/net/rt_cache"
        try:
            text = self.host.root.read(path)
        except SourceError as e:
            self.warn(f"{path}: {_strerror(e)}")
            self.emit("INET (IPv4) not configured in this system.\n", None)
            return 1
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        header = lines[0] if lines else None
        fmt = -1
        if header is not None:
            fmt = 0
            for word, bit in (("IRTT", 1), ("TOS", 2), ("HHRef", 4), ("HHUptod", 8),
                              ("SpecDst", 16), ("HH", 32), ("ARP", 64)):
                if word in header:
                    fmt |= bit
        self.emit("Kernel IP routing cache\n", None)
        if fmt == -1:
            self.warn(f"{path}: Success")
            return 255
        if fmt == 63:
            fmt = 2
        elif fmt == 97:
            fmt = 1
        else:
            self.emit(f"ERROR: proc_guess_fmt({path},... returned: {fmt}\n", None)
        if ext == 1:
            self.emit("Source          Destination     Gateway         "
                      "Flags Metric Ref    Use Iface\n", None)
        if ext == 2:
            self.emit("Source          Destination     Gateway         "
                      "Flags   MSS Window  irtt Iface\n", None)
        if ext >= 3 and fmt == 1:
            self.emit("Source          Destination     Gateway         Flags Metric Ref    "
                      "Use Iface    MSS   Window irtt  HH  Arp\n", None)
        if ext >= 3 and fmt == 2:
            self.emit("Source          Destination     Gateway         Flags Metric Ref    "
                      "Use Iface    MSS   Window irtt  TOS HHRef HHUptod     SpecDst\n", None)
        if len(lines) > 1:
            self.warn(f"{path}: routing cache entries (Linux before 3.6) are not shown "
                      "by pystat")
        return 0

    # -- IPv6 -------------------------------------------------------------------
    def fib6(self, ext: int, numeric: int) -> int:
        path = "/proc/net/ipv6_route"
        try:
            text = self.host.root.read(path)
        except SourceError as e:
            self.warn(f"{path}: {_strerror(e)}")
            self.emit("INET6 (IPv6) not configured in this system.\n", None)
            return 1
        self.emit("Kernel IPv6 routing cache\n" if numeric & RTF_CACHE
                  else "Kernel IPv6 routing table\n", None)
        self.emit("Destination                    Next Hop                   "
                  "Flag Met Ref  Use If\n", None)
        v: list = [""] * 8 + [0] + [""] * 8 + [0] + [""] * 8 + [0, 0, 0, 0, ""]
        dst = nh = None
        for line in fgets_lines(text, 1023, strings=True, bytewise=True):
            got = sscanf(line, V6_FORMAT) or []
            v[:len(got)] = got
            iflags = v[29] & U32
            if iflags & RTF_CACHE:
                if not numeric & RTF_CACHE:
                    continue
            elif numeric & RTF_CACHE:
                continue
            d = _v6_getsock(":".join(v[0:8]))
            if d is not None:
                dst = d
            n = _v6_getsock(":".join(v[18:26]))
            if n is not None:
                nh = n
            # snprintf(addr6, 128, "%s/%d"): a long name loses the prefix length
            dtext = c_cut(self.sprint6(dst, numeric) + "/%d" % _int(v[8]), 127)
            ntext = self.sprint6(nh, numeric)
            flags = "".join(letter for bit, letter in V6_FLAGS if iflags & bit)
            metric, refcnt, use = _int(v[26]), _int(v[27]), _int(v[28])
            iface = c_text(v[30])
            row = {"destination": dtext, "next_hop": ntext, "flags": flags, "metric": metric,
                   "ref": refcnt, "use": use, "iface": iface}
            self.emit("%-30s %-26s %-4s %-3d %-1d %6d %s\n" % (dtext, ntext, flags, metric,
                                                               refcnt, use, iface), row)
        return 0

    def sprint6(self, addr: bytes | None, numeric: int) -> str:
        """INET6_sprint(): numeric, "[::]", or the name getnameinfo finds."""
        if addr is None:
            return "[NONE SET]"
        text = socket.inet_ntop(socket.AF_INET6, addr)
        if not numeric & 0x7FFF:
            if addr == b"\0" * 16:
                text = "[::]"
            else:
                text = self.names.host6(addr) or text
        return fix_v4_address(text, addr)


def _v6_getsock(text: str) -> bytes | None:
    try:
        return socket.inet_pton(socket.AF_INET6, text)
    except (OSError, ValueError):
        return None


def _int(v) -> int:
    """A scanf %d/%x value printed with %d (a C int)."""
    v = (v or 0) & U32
    return v - (1 << 32) if v & 0x80000000 else v


def _dotted(addr: int) -> str:
    return "%d.%d.%d.%d" % tuple(addr.to_bytes(4, "big"))


def _prefix(mask: int) -> int | None:
    bits = bin(mask).count("1")
    return bits if mask == ((1 << 32) - 1) ^ ((1 << (32 - bits)) - 1) else None


def _strerror(e: SourceError) -> str:
    import os

    return os.strerror(e.errno) if getattr(e, "errno", None) else str(e)


# --------------------------------------------------------------------------------
# route_info(): every family of the -A list, in order

def route_info(host, o, warn, emit) -> int:
    afname = o.afname or "inet"
    exp = o.exp
    if exp == 2:
        exp = 1
    elif exp == 1:
        exp = 2
    options = (exp & FLAG_EXT) | o.not_ | o.cf | o.ver
    if not o.cf:
        options |= FLAG_FIB
    ext = options & FLAG_EXT
    numeric = options & (FLAG_NUM_HOST | FLAG_SYM)
    r = Routes(host, o, warn, emit)
    found = 8        # E_NOTFOUND
    known = {"inet", "inet6", "unix", "ax25", "netrom", "rose", "ipx", "ddp", "ec", "x25"}
    routable = {"inet", "inet6"}
    for name in afname.split(","):
        if not name:
            continue
        if name not in known:
            warn(f"Address family `{name}' not supported.")
            return 3
        if name not in routable:
            if name in ("unix", "ec"):
                warn(f"No routing for address family `{name}'.")
                return 3
            warn(f"routing tables of address family `{name}' are not shown by pystat")
            return 3
        found = 0
        rc = 2       # E_INTERN: no FIB or cache asked
        if name == "inet":
            if options & FLAG_FIB:
                rc = r.fib(ext, numeric)
                if rc:
                    return rc
            if options & FLAG_CACHE:
                rc = r.cache(ext, numeric)
        else:
            if options & FLAG_FIB:
                rc = r.fib6(ext, numeric)
                if rc:
                    return rc
            if options & FLAG_CACHE:
                rc = r.fib6(ext, numeric | RTF_CACHE)
        if rc:
            return rc
    return found


def text(host, o, out, warn) -> int:
    from pystat.errors import SeriesExhausted

    while True:
        buf = []
        code = route_info(host, o, warn, lambda t, row: buf.append(t))
        out.write("".join(buf))
        if code or not o.cnt:
            return code
        out.flush()
        try:
            host.wait(1)
        except SeriesExhausted:
            return 0


def reports(host, o, warn, code):
    while True:
        now = host.now()
        rows = []

        def emit(text, row):
            if row is not None:
                row["timestamp"] = now
                for k in FIELDS:
                    row.setdefault(k, None)
                rows.append(row)
            elif "not configured" in text:
                warn(text.strip())

        code[0] = route_info(host, o, warn, emit)
        yield rows
        if code[0] or not o.cnt:
            return
        from pystat.errors import SeriesExhausted

        try:
            host.wait(1)
        except SeriesExhausted:
            return


FIELDS = ("destination", "gateway", "next_hop", "genmask", "flags", "metric", "ref", "use",
          "iface", "mss", "window", "irtt", "destination_address", "gateway_address",
          "prefix_length")


def fields(o):
    from pystat.render import Field

    return [
        Field("destination", "", "destination as netstat shows it (name unless -n; IPv6: "
              "address/prefix)"),
        Field("gateway", "", "IPv4 gateway as netstat shows it (null for IPv6)"),
        Field("next_hop", "", "IPv6 next hop (null for IPv4)"),
        Field("genmask", "", "IPv4 netmask (null for IPv6)"),
        Field("flags", "", "route flags (U, G, H, !, D, M, ...)"),
        Field("metric", "", "route metric"),
        Field("ref", "count", "references"),
        Field("use", "count", "lookups"),
        Field("iface", "", "output interface"),
        Field("mss", "bytes", "IPv4: MTU of the route (netstat's MSS column)"),
        Field("window", "bytes", "IPv4: TCP window clamp"),
        Field("irtt", "ms", "IPv4: initial round trip time"),
        Field("destination_address", "", "IPv4 destination, numeric"),
        Field("gateway_address", "", "IPv4 gateway, numeric"),
        Field("prefix_length", "bits", "IPv4 netmask as a prefix length (null if not "
              "contiguous)"),
    ]
