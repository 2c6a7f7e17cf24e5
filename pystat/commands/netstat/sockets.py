"""netstat's socket listings: Internet (tcp, udp, udplite, raw; IPv4 and
IPv6), UNIX, and multicast groups (-g), as net-tools 2.10 prints them.

What netstat does, and so what this does:

* order: tcp, tcp6, (sctp), udp, udp6, udplite, udplite6, raw, raw6, then
  UNIX sockets; each file in kernel order, its first line skipped;
* selection: TCP sockets with remote port 0 are "servers" (shown with -l or
  -a), UDP and raw sockets with a null remote address likewise;
* columns: Recv-Q is the rx_queue, Send-Q the tx_queue; "address:port" is
  cut to 23 characters unless -W (the port kept, up to 18 characters); IPv6
  ``::`` is ``[::]`` when names are resolved; v4-mapped IPv6 addresses show as
  IPv4; ports are service names unless -n (the last /etc/services line wins);
* a line with too few fields is skipped with "warning, got bogus tcp line."
  (here one ``pystat: netstat:`` line on stderr, once per kind);
* -p: /proc is scanned as netstat scans it (first process in directory
  order holding the inode wins, "PID/argv0-basename" cut to 19 characters).

Tables can be huge (100k+ sockets): the text path streams each file in
blocks, matches the kernel's fixed-width lines with one regular expression
and caches every formatted fragment (address, port, queues, state, user) by
its raw text; lines that do not match go through the exact sscanf emulation
(:mod:`pystat.proc.netsock`).  Nothing is kept per socket, except the
inode -> program map -p needs.

TCP states outside netstat's table (it indexes its array out of bounds and
prints garbage or crashes) print as ``UNKNOWN(n)``, with a warning.
"""

from __future__ import annotations

import codecs
import errno as _errno
import re
import socket

from pystat.errors import SeriesExhausted, SourceError
from pystat.proc.cscan import c_cut, c_ljust, c_strlen, fgets_lines, signed
from pystat.proc.netsock import (INET_LINE, INET_LINE_SHORT, StaleFields, addr_bytes, c_int,
                                 inet_fields, unix_fields)

TCP_STATES = ("", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
              "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING")
TCP_TIMERS = ("off", "on", "keepalive", "timewait", "probe")

SO_ACCEPTCON = 1 << 16
SO_WAITDATA = 1 << 17
SO_NOSPACE = 1 << 18
UNIX_TYPES = {1: "STREAM", 2: "DGRAM", 3: "RAW", 4: "RDM", 5: "SEQPACKET"}
UNIX_STATES = {0: "FREE", 2: "CONNECTING", 3: "CONNECTED", 4: "DISCONNECTING"}

INET_HEADER = ("\nProto Recv-Q Send-Q Local Address           Foreign Address         "
               "State      ")

# (file, kind, protocol label, the name netstat gives the family in messages)
TCP_FILES = ("/proc/net/tcp", "/proc/net/tcp6", "tcp", "tcp", "tcp6", "AF INET (tcp)")
UDP_FILES = ("/proc/net/udp", "/proc/net/udp6", "udp", "udp", "udp6", "AF INET (udp)")
UDPLITE_FILES = ("/proc/net/udplite", "/proc/net/udplite6", "udp", "udpl", "udpl6",
                 "AF INET (udplite)")
RAW_FILES = ("/proc/net/raw", "/proc/net/raw6", "raw", "raw", "raw6", "AF INET (raw)")
# other families netstat tries when no socket type is chosen (none are shown here)
OTHER_FAMILIES = (("ipx", ("/proc/net/ipx/socket", "/proc/net/ipx"), "AF IPX"),
                  ("ax25", ("/proc/net/ax25",), "AF AX25"),
                  ("x25", ("/proc/net/x25",), "AF X25"),
                  ("netrom", ("/proc/net/nr",), "AF NETROM"),
                  ("rose", ("/proc/net/rose",), "AF ROSE"))

U32 = 0xFFFFFFFF
U64 = 0xFFFFFFFFFFFFFFFF
BLOCK = 1 << 20
#: entries a cache of formatted fragments keeps before it starts over: memory
#: stays bounded however large the table (ports are bounded anyway: 65536)
CACHE = 32768


def addr_port(saddr: str, sport: str, wide: bool) -> str:
    """netstat's addr_do_one(): "address:port", cut to 23 characters unless -W."""
    alen, plen = c_strlen(saddr), c_strlen(sport)
    if not wide and alen + plen > 22:
        plen = min(plen, 18)
        return c_cut(saddr, 22 - plen) + ":" + c_cut(sport, plen)
    return c_cut(saddr + ":" + sport, 127)


def fix_v4_address(text: str, addr: bytes) -> str:
    """lib/inet6.c fix_v4_address(): a v4-mapped address shown as IPv4."""
    if addr[:12] == b"\0" * 10 + b"\xff\xff":
        s = text.find(".")
        if s >= 0:
            while s > 0 and text[s] != ":":
                s -= 1
            if text[s] == ":":
                return text[s + 1:]
    return text


class FileLines:
    """A /proc file read in chunks of whole lines (the last chunk may lack its
    final newline)."""

    def __init__(self, f):
        self.f = f

    def chunks(self):
        dec = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        rest = ""
        read = self.f.read
        while True:
            data = read(BLOCK)
            if not data:
                tail = rest + dec.decode(b"", True)
                if tail:
                    yield tail
                return
            text = rest + dec.decode(data)
            cut = text.rfind("\n") + 1
            rest = text[cut:]
            if cut:
                yield text[:cut]

    def c_lines(self, size: int):
        """Every line as netstat's ``fgets(buf, size)`` gives it (a longer line
        in pieces, each cut at a NUL), without its newline."""
        for chunk in self.chunks():
            lines = chunk.split("\n")
            if chunk.endswith("\n"):
                lines.pop()
            if "\0" in chunk or not chunk.isascii() or max(map(len, lines), default=0) >= size - 1:
                lines = [p[:-1] if p.endswith("\n") else p
                         for p in fgets_lines(chunk, size, strings=True)]
            yield from lines

    def lines(self):
        """Every line, without its newline."""
        for chunk in self.chunks():
            lines = chunk.split("\n")
            if chunk.endswith("\n"):
                lines.pop()
            yield from lines


# a column of 23 (address:port) and its separating blank: PAD[len(text)]
PAD = [" " * (24 - i) for i in range(24)]


def _block_re(width: int, long: bool):
    """A chunk of whole lines, every one as the kernel prints it."""
    h = "[0-9A-F]"
    line = (r" *[0-9]+: {h}{{{w}}}:{h}{{4}} {h}{{{w}}}:{h}{{4}} {h}{{2}} {h}{{8}}:{h}{{8}} "
            r"{h}{{2}}:{h}{{8}} {h}{{8}}").format(h=h, w=width)
    if long:
        line += r" +[0-9]+ +[0-9]+ (?:0|[1-9][0-9]{0,18})(?![^ \n])"
    return re.compile(r"(?:%s[^\n]*\n)*" % line)


BLOCK_RE = {(w, long): _block_re(w, long) for w in (8, 32) for long in (False, True)}


class _Table:
    """One socket table being listed: its formatting state and caches.

    ``fast(chunk)`` handles a chunk of lines that are all exactly as the
    kernel prints them (checked by one regular expression over the chunk):
    fields are cut at fixed offsets from the first ``:``.  ``slow(lines)``
    handles any lines, each by :func:`inet_fields` (regex, else sscanf).
    Both give the same text for the same line."""

    def __init__(self, lister, path, kind, proto, prefix, states, rows=False):
        o = lister.o
        self.lister = lister
        self.path = path
        self.kind = kind
        self.proto = proto
        self.prefix = prefix
        self.states = states
        self.tcp = kind == "tcp"
        self.minimum = 11 if kind == "tcp" else 10
        self.all = bool(o.all)
        self.lst = bool(o.lst)
        self.wide = bool(o.wide)
        self.names = not (o.num_host and o.num_port)
        self.extra = o.exp > 1 or bool(o.prg) or bool(o.opt)
        self.long = o.exp > 1 or bool(o.prg) or bool(o.opt) or rows
        self.ports = lister.ports(proto)
        self.acolon: dict[str, str] = {}      # hex address -> "shown address:"
        self.queues: dict[str, str] = {}
        self.prg = lister.prg or {}
        self.match = (INET_LINE if self.long else INET_LINE_SHORT).match
        self.stale = StaleFields()
        self.ends: dict[str, str] = {}       # "HEXADDR:PORT" -> its column (fast_numeric)
        self.sq: dict[str, tuple] = {}        # "ST TX:RX" -> (prefix + queues, state)
        self.keep = (True, True)
        self.pcol: dict[str, str] | None = None   # inode -> " PID/Program name" column
        # netstat's in6_addr (see inet_fields): the remote address of the last
        # IPv6 line decoded, or (fast_tail) the lines of the last IPv6 chunk
        # the fast path took, to find it in only when a line needs it
        self.in6 = "0" * 32
        self.fast_tail: list | None = None

    # -- fragments -------------------------------------------------------------
    def acol(self, hexaddr: str) -> str:
        text = self.acolon.get(hexaddr)
        if text is None:
            if len(self.acolon) > CACHE:
                self.acolon.clear()
            text = self.acolon[hexaddr] = self.lister.addr(hexaddr) + ":"
        return text

    def port(self, hexport: str) -> str:
        text = self.ports.get(hexport)
        if text is None:
            text = self.lister.port(self.ports, self.proto, hexport)
        return text

    def column(self, acolon: str, port: str) -> str:
        """The "address:port" column with its blank, cut unless -W."""
        text = acolon + port
        if len(text) > 23 or (self.names and not text.isascii()):
            text = addr_port(acolon[:-1], port, self.wide)
            return c_ljust(text, 23) + " "
        return text + PAD[len(text)]

    def queue(self, q: str) -> str:
        qs = self.queues.get(q)
        if qs is None:
            tx, rx = q.split(":")
            qs = self.queues[q] = "%6d %6d " % (signed(int(rx, 16) & U64, 64),
                                                signed(int(tx, 16) & U64, 64))
        return qs

    def state(self, st: str) -> str:
        sc = self.states.get(st)
        if sc is None:
            sc = self.states[st] = self.lister.state_column(self.kind, st, self.path)
        return sc

    # -- the paths -------------------------------------------------------------
    def fast(self, chunk: str) -> str | None:
        if not chunk.endswith("\n"):
            chunk += "\n"
        width = 32 if self.path.endswith("6") else 8
        if BLOCK_RE[(width, self.long)].fullmatch(chunk) is None:
            width = 40 - width
            if BLOCK_RE[(width, self.long)].fullmatch(chunk) is None:
                return None
        lines = chunk.split("\n")
        lines.pop()
        if width == 32:
            self.fast_tail = lines
        o = self.lister.o
        if not self.names and not self.wide and not (o.exp > 1 or o.opt):
            return self.fast_numeric(lines, width, bool(o.prg))
        w = width
        acolon, ports, pad = self.acolon, self.ports, PAD
        ag, pg, qg, sg = acolon.get, ports.get, self.queues.get, self.states.get
        acol, port, column, queue, state = self.acol, self.port, self.column, self.queue, self.state
        tcp, all_, lst, extra, names = self.tcp, self.all, self.lst, self.extra, self.names
        zero = "0" * w
        prefix = self.prefix
        finish = self.lister.finish
        kind = self.kind
        prg = self.prg
        buf = []
        put = buf.append
        k = -1
        for line in lines:
            if k < 0 or line[k] != ":":
                k = line.find(":")
                a1, a2 = k + 2, k + 2 + w
                b1, b2 = a2 + 1, a2 + 5
                c1, c2 = b2 + 1, b2 + 1 + w
                d1, d2 = c2 + 1, c2 + 5
                e1, e2 = d2 + 1, d2 + 3
                f1, f2 = e2 + 1, e2 + 18
                g1 = f2 + 1
            if not all_:
                if (line[d1:d2] != "0000" if tcp else line[c1:c2] != zero) == lst:
                    continue
            la = ag(line[a1:a2])
            if la is None:
                la = acol(line[a1:a2])
            lp = pg(line[b1:b2])
            if lp is None:
                lp = port(line[b1:b2])
            ra = ag(line[c1:c2])
            if ra is None:
                ra = acol(line[c1:c2])
            rp = pg(line[d1:d2])
            if rp is None:
                rp = port(line[d1:d2])
            ls = la + lp
            if len(ls) > 23 or (names and not ls.isascii()):
                ls = column(la, lp)
            else:
                ls += pad[len(ls)]
            rs = ra + rp
            if len(rs) > 23 or (names and not rs.isascii()):
                rs = column(ra, rp)
            else:
                rs += pad[len(rs)]
            qs = qg(line[f1:f2])
            if qs is None:
                qs = queue(line[f1:f2])
            sc = sg(line[e1:e2])
            if sc is None:
                sc = state(line[e1:e2])
            if extra:
                tail = line[g1:].split(None, 6)
                fl = (line[a1:a2], line[b1:b2], line[c1:c2], line[d1:d2], line[e1:e2],
                      line[f1:f2], tail[0][:2], tail[0][3:], tail[1],
                      *(tail[2:5] if len(tail) >= 5 else ("0", "0", "0")))
                put(f"{prefix}{qs}{ls}{rs}{sc}{finish(kind, fl, prg)}\n")
            else:
                put(f"{prefix}{qs}{ls}{rs}{sc}\n")
        if extra and lines:
            # what the last line leaves in netstat's variables
            tail = lines[-1][g1:].split(None, 6)
            self.stale.last = [tail[1], *tail[2:5]] if len(tail) >= 5 else self.stale.last
        return "".join(buf)

    def fast_numeric(self, lines: list, w: int, programs: bool = False) -> str:
        """:meth:`fast` for -n without -e/-p/-o/-W (the common ``-ant``): every
        conversion inline, no method call per line.

        Three slices per line: each "address:port" (looked up whole in
        ``self.ends`` first, where endpoints repeat: listeners, service ports)
        and "state queues" (a pair: the queues column and the state column)."""
        acolon, ports, pad = self.acolon, self.ports, PAD
        ends, sq = self.ends, self.sq
        ag, pg, eg, sqg = acolon.get, ports.get, ends.get, sq.get
        tcp, all_, lst = self.tcp, self.all, self.lst
        zero = "0" * w
        prefix = self.prefix
        v4 = w == 8
        ntop = socket.inet_ntop
        af6 = socket.AF_INET6
        if len(acolon) > CACHE:
            acolon.clear()
        if len(ports) > 70000:
            ports.clear()
            ports["0000"] = "*"
        if len(ends) > CACHE:
            ends.clear()
        # whether to keep endpoints of each side (off when they hardly repeat)
        keep_l, keep_r = self.keep
        if programs:
            pcol = self.pcol
            if pcol is None:
                padded: dict[str, str] = {}
                for name in set(self.prg.values()):
                    padded[name] = " " + c_ljust(name, 20)
                pcol = self.pcol = {k: padded[v] for k, v in self.prg.items()}
            pcg = pcol.get
            dash = " " + c_ljust("-", 20)
        hits = [0, 0]
        buf = []
        put = buf.append
        k = -1
        for line in lines:
            if k < 0 or line[k] != ":":
                k = line.find(":")
                a1 = k + 2
                a2 = a1 + w
                b2 = a2 + 5
                c1 = b2 + 1
                c2 = c1 + w
                d1 = c2 + 1
                d2 = d1 + 4
                e1 = d2 + 1
                f2 = e1 + 20
            if not all_:
                if (line[d1:d2] != "0000" if tcp else line[c1:c2] != zero) == lst:
                    continue
            ls = eg(line[a1:b2])
            if ls is None:
                h = line[a1:a2]
                la = ag(h)
                if la is None:
                    if v4:
                        n = int(h, 16)
                        la = acolon[h] = "%d.%d.%d.%d:" % (n & 255, (n >> 8) & 255,
                                                           (n >> 16) & 255, n >> 24)
                    else:
                        b = bytes.fromhex(h)
                        b = b[3::-1] + b[7:3:-1] + b[11:7:-1] + b[15:11:-1]
                        la = acolon[h] = fix_v4_address(ntop(af6, b), b) + ":"
                h = line[a2 + 1:b2]
                lp = pg(h)
                if lp is None:
                    lp = ports[h] = str(int(h, 16))
                ls = la + lp
                if len(ls) > 23:
                    n = min(len(lp), 18)
                    ls = la[:22 - n] + ":" + lp[:n] + " "
                else:
                    ls += pad[len(ls)]
                if keep_l:
                    ends[line[a1:b2]] = ls
            else:
                hits[0] += 1
            rs = eg(line[c1:d2]) if keep_r else None
            if rs is None:
                h = line[c1:c2]
                ra = ag(h)
                if ra is None:
                    if v4:
                        n = int(h, 16)
                        ra = acolon[h] = "%d.%d.%d.%d:" % (n & 255, (n >> 8) & 255,
                                                           (n >> 16) & 255, n >> 24)
                    else:
                        b = bytes.fromhex(h)
                        b = b[3::-1] + b[7:3:-1] + b[11:7:-1] + b[15:11:-1]
                        ra = acolon[h] = fix_v4_address(ntop(af6, b), b) + ":"
                h = line[d1:d2]
                rp = pg(h)
                if rp is None:
                    rp = ports[h] = str(int(h, 16))
                rs = ra + rp
                if len(rs) > 23:
                    n = min(len(rp), 18)
                    rs = ra[:22 - n] + ":" + rp[:n] + " "
                else:
                    rs += pad[len(rs)]
                if keep_r:
                    ends[line[c1:d2]] = rs
            else:
                hits[1] += 1
            pair = sqg(line[e1:f2])
            if pair is None:
                key = line[e1:f2]
                q = key[3:]
                pair = sq[key] = (prefix + "%6d %6d " % (signed(int(q[9:], 16), 64),
                                                         signed(int(q[:8], 16), 64)),
                                  self.state(key[:2]))
                if len(sq) > CACHE:
                    sq.clear()
            if programs:
                put(f"{pair[0]}{ls}{rs}{pair[1]}{pcg(line[f2:].split(None, 5)[4], dash)}\n")
            else:
                put(f"{pair[0]}{ls}{rs}{pair[1]}\n")
        if programs and lines:
            tail = lines[-1][f2:].split(None, 6)
            self.stale.last = [tail[1], *tail[2:5]]
        # an endpoint cache that is mostly missed only costs: stop filling it
        n = len(lines)
        if n > 1000:
            self.keep = (keep_l and hits[0] * 4 > n, keep_r and hits[1] * 4 > n)
        return "".join(buf)

    def selected(self, lines):
        """The canonical fields of every line netstat shows (bogus lines warned)."""
        tcp, all_, lst = self.tcp, self.all, self.lst
        match = self.match
        for line in lines:
            if not line:
                continue
            m = match(line)
            if m is not None:
                fl = m.groups()
            else:
                fl = inet_fields(line, self.minimum, self.last_in6())
                if fl is None:
                    self.lister.warn(f"warning, got bogus {self.kind} line.")
                    continue
            fl = self.stale.fill(fl)
            v6 = len(fl[0]) > 8
            if not all_:
                if tcp:
                    connected = fl[3] != "0000"
                else:
                    connected = fl[2] != "0" * len(fl[2])
                if connected == lst:
                    if v6 and not tcp:      # udp/raw_do_one() decode before they select
                        self.in6, self.fast_tail = fl[2], None
                    continue
            if v6:
                self.in6, self.fast_tail = fl[2], None
            yield fl

    def last_in6(self) -> str:
        """netstat's in6_addr before the next line (see inet_fields)."""
        tail = self.fast_tail
        if tail is not None:
            self.fast_tail = None
            for line in reversed(tail):      # the last line netstat decoded
                c1 = line.find(":") + 40
                if not self.tcp or self.all or (line[c1 + 33:c1 + 37] != "0000") != self.lst:
                    self.in6 = line[c1:c1 + 32]
                    break
        return self.in6

    def slow(self, lines) -> str:
        buf = []
        put = buf.append
        prefix, extra, kind = self.prefix, self.extra, self.kind
        finish = self.lister.finish
        prg = self.prg
        for fl in self.selected(lines):
            qs = self.queue(fl[5])
            ls = self.column(self.acol(fl[0]), self.port(fl[1]))
            rs = self.column(self.acol(fl[2]), self.port(fl[3]))
            sc = self.state(fl[4])
            if extra:
                put(f"{prefix}{qs}{ls}{rs}{sc}{finish(kind, fl, prg)}\n")
            else:
                put(f"{prefix}{qs}{ls}{rs}{sc}\n")
        return "".join(buf)


class Lister:
    """One netstat run over a host: names, caches and the -p map."""

    def __init__(self, host, o, warn):
        self.host = host
        self.o = o
        self.warn = warn
        self.prg: dict[str, str] | None = None
        self.unix_has = False          # netstat's static "has": an Inode column seen
        self._names = None
        self._addr_cache: dict[str, str] = {}
        self._port_cache: dict[tuple, dict] = {}
        self._user_cache: dict[int, str] = {}
        self.clk_tck = host.hz

    @property
    def names(self):
        if self._names is None:
            from pystat.netdb import NameService

            self._names = NameService(self.host)
        return self._names

    # -- opening files ----------------------------------------------------------
    def open(self, path: str):
        """The file, or the errno why not (netstat tells ENOENT/EACCES apart)."""
        try:
            return self.host.root.open(path)
        except SourceError as e:
            return getattr(e, "errno", None) or _errno.ENOENT

    # -- display fragments (cached by raw text) ---------------------------------
    def addr(self, hexaddr: str) -> str:
        """The address netstat prints for a kernel hex address."""
        try:
            return self._addr_cache[hexaddr]
        except KeyError:
            pass
        if len(self._addr_cache) > CACHE:
            self._addr_cache.clear()
        o = self.o
        if len(hexaddr) == 8:
            n = int(hexaddr, 16)
            text = "%d.%d.%d.%d" % (n & 255, (n >> 8) & 255, (n >> 16) & 255, n >> 24)
            if not o.num_host:
                b = n.to_bytes(4, "little")
                if n == 0:
                    text = "0.0.0.0"
                else:
                    # INET_rresolve with netmask 0xffffff00: a "host" when the
                    # first octet is not 0, else a network number
                    name = (self.names.host4(b) if b[0] else
                            self.names.network(int.from_bytes(b, "big")))
                    if name is not None:
                        text = c_cut(name, 127)
        else:
            b = addr_bytes(hexaddr)
            text = socket.inet_ntop(socket.AF_INET6, b)
            if not o.num_host:
                if b == b"\0" * 16:
                    text = "[::]"
                else:
                    name = self.names.host6(b)
                    if name is not None:
                        text = c_cut(name, 127)
            text = fix_v4_address(text, b)
        self._addr_cache[hexaddr] = text
        return text

    def ports(self, proto: str) -> dict:
        """hex port -> what netstat prints, for one protocol's names."""
        key = (proto, self.o.num_port)
        cache = self._port_cache.get(key)
        if cache is None:
            cache = self._port_cache[key] = {"0000": "*"}
        return cache

    def port(self, cache: dict, proto: str, hexport: str) -> str:
        text = cache.get(hexport)
        if text is None:
            port = int(hexport, 16) & 0xFFFF
            if port == 0:
                text = "*"
            elif self.o.num_port:
                text = str(port)
            else:
                # get_sname() copies the name into its 64-byte static buffer
                text = c_cut(self.names.services(proto).get(port) or str(port), 63)
            if len(cache) > 70000:
                cache.clear()
            cache[hexport] = text
        return text

    def user(self, uid: int) -> str:
        """finish_this_one()'s user column: " name " or " uid "."""
        try:
            return self._user_cache[uid]
        except KeyError:
            pass
        name = None if self.o.num_user else self.names.user(uid)
        text = " " + c_ljust(name, 10) + " " if name is not None else " %-10d " % uid
        self._user_cache[uid] = text
        return text

    def tcp_state(self, hexstate: str, path: str) -> str:
        s = signed(int(hexstate, 16), 32)
        if 0 <= s < len(TCP_STATES):
            return TCP_STATES[s]
        self.warn(f"{path}: unknown TCP state {s} (shown as UNKNOWN({s}))")
        return f"UNKNOWN({s})"

    def timers(self, kind: str, f: tuple) -> str:
        t = signed(int(f[6], 16), 32)
        when = int(f[7], 16)
        retr = signed(int(f[8], 16), 64)
        timeout = c_int(f[10]) if len(f) > 10 else 0
        if kind == "tcp":
            secs = float(when) / self.clk_tck
            if t == 0:
                text = "off (0.00/%d/%d)" % (retr, timeout)
            elif 0 < t < len(TCP_TIMERS):
                text = "%s (%2.2f/%d/%d)" % (TCP_TIMERS[t], secs, retr, timeout)
            else:
                text = "unkn-%d (%2.2f/%d/%d)" % (t, secs, retr, timeout)
        else:
            if kind == "udp":
                retr = 0
            secs = float(when) / 100
            if t == 0:
                text = "off (0.00/%d/%d)" % (retr, timeout)
            elif t in (1, 2):
                text = "on%d (%2.2f/%d/%d)" % (t, secs, retr, timeout)
            else:
                text = "unkn-%d (%2.2f/%d/%d)" % (t, secs, retr, timeout)
        return text[:63]

    # -- -p: processes holding sockets --------------------------------------------
    def load_programs(self) -> None:
        """netstat's prg_cache_load(): inode -> "PID/program" from /proc/PID/fd."""
        if self.prg is not None or not self.o.prg:
            return
        self.prg = {}
        root = self.host.root
        eacces = False
        found = False
        try:
            pids = root.listdir("/proc")
        except SourceError:
            self.warn('(No info could be read for "-p": cannot list /proc.)')
            return
        for pid in pids:
            if not pid.isdigit() or not pid.isascii():
                continue
            try:
                links = root.readlinks(f"/proc/{pid}/fd")
            except SourceError as e:
                if getattr(e, "errno", None) == _errno.EACCES:
                    eacces = True
                continue
            name = None
            prg = self.prg
            for fd, target in links:
                if target is None or not target.startswith(("socket:[", "[0000]:")) \
                        or not fd[:1].isdigit():
                    continue
                # "socket:[12345]" as the kernel writes it: the inode text is the key
                digits = target[8:-1]
                if (target[-1] == "]" and digits.isdigit() and digits.isascii()
                        and digits[0] != "0" and len(target) <= 29 and len(digits) < 20):
                    key = digits
                else:
                    inode = _socket_inode(target[:29])
                    if inode is None:
                        continue
                    key = str(inode)
                if name is None:
                    try:
                        cmdline = root.read(f"/proc/{pid}/cmdline")
                    except SourceError:
                        continue
                    name = _program(pid, cmdline)
                found = True
                if key not in prg:
                    prg[key] = name
        if eacces:
            if found:
                self.warn("(Not all processes could be identified, non-owned process info "
                          "will not be shown, you would have to be root to see it all.)")
            else:
                self.warn('(No info could be read for "-p": geteuid()=%d but you should be '
                          'root.)' % _euid())

    # -- the listing ------------------------------------------------------------
    def title(self, what: str) -> str:
        o = self.o
        if o.all:
            kind = "(servers and established)"
        elif o.lst:
            kind = "(only servers)"
        else:
            kind = "(w/o servers)"
        return f"Active {what} {kind}"

    def inet_header(self) -> str:
        o = self.o
        text = self.title("Internet connections") + INET_HEADER
        if o.exp > 1:
            text += " User       Inode     "
        if o.prg:
            text += " %-20s" % "PID/Program name"
        if o.opt:
            text += " Timer"
        return text + "\n"

    def unix_header(self) -> str:
        text = (self.title("UNIX domain sockets")
                + "\nProto RefCnt Flags       Type       State         I-Node  ")
        if self.o.prg:
            text += " %-20s" % "PID/Program name"
        return text + " Path\n"

    def families(self, out, rows: bool):
        """main()'s loop body: every selected family, in netstat's order.

        A generator: with ``rows`` it yields blocks (lists) of structured rows,
        otherwise it writes text to ``out``.  Its value (``yield from``) is the
        exit status of the listing."""
        o = self.o
        i = 0
        if not o.arg or o.tcp or o.sctp or o.udp or o.udplite or o.raw:
            self.load_programs()
            if out is not None:
                out.write(self.inet_header())
        for flag, files in ((o.tcp, TCP_FILES), (o.sctp, None), (o.udp, UDP_FILES),
                            (o.udplite, UDPLITE_FILES), (o.raw, RAW_FILES)):
            if o.arg and not flag:
                continue
            if files is None:
                i = self.sctp(out)
            else:
                i = yield from self.inet_family(files, out, rows)
            if i:
                return i
        if o.igmp:
            if out is not None:
                out.write("IPv6/IPv4 Group Memberships\nInterface       RefCnt Group\n"
                          "--------------- ------ ---------------------\n")
            i = yield from self.igmp(out, rows)
            if i:
                return i
        if not o.arg or o.unx:
            self.load_programs()
            if out is not None:
                out.write(self.unix_header())
            i = yield from self.unix(out, rows)
            if i:
                return i
        for flag, paths, name in OTHER_FAMILIES:
            if o.arg and not getattr(o, flag):
                continue
            i = self.other_family(paths, name)
            if i:
                return i
        if not o.arg or o.l2cap or o.rfcomm:
            if o.arg:
                i = 1
                self.warn("feature `AF BLUETOOTH' not supported. Please recompile "
                          "`net-tools' with newer kernel source or full configuration.")
        return i

    def missing(self, err: int, path: str, name: str) -> int | None:
        """INFO_GUTS1 when the IPv4 file cannot be opened: the status it adds."""
        o = self.o
        if err not in (_errno.ENOENT, _errno.EACCES):
            self.warn(f"{path}: {_strerror(err)}")
            return -1
        if not o.noprot and (o.arg or o.ver):
            self.warn(f"no support for `{name}' on this system.")
        return 1 if (not o.noprot and o.arg) else 0

    def inet_family(self, files, out, rows) -> int:
        path4, path6, proto, label4, label6, name = files
        kind = "tcp" if proto == "tcp" else ("raw" if proto == "raw" else "udp")
        o = self.o
        rc = 0
        if not o.arg or o.inet:
            f = self.open(path4)
            if isinstance(f, int):
                r = self.missing(f, path4, name)
                if r == -1:
                    return -1
                rc = r
            else:
                with f:
                    yield from self.inet_file(f, path4, kind, proto, label4, out, rows)
        if not o.arg or o.inet6:
            f = self.open(path6)
            if not isinstance(f, int):
                with f:
                    yield from self.inet_file(f, path6, kind, proto, label6, out, rows)
        return rc

    def inet_file(self, f, path, kind, proto, label, out, rows):
        """One socket table: text to ``out``, or (``rows``) blocks of rows."""
        tcp = kind == "tcp"
        if tcp:
            prefix = "%-4s  " % label
            states = {"%02X" % k: "%-11s" % s for k, s in enumerate(TCP_STATES)}
        elif kind == "udp":
            prefix = "%-5s " % label
            states = {"%02X" % k: "%-11s" % ("" if k == 7 else "ESTABLISHED" if k == 1
                                              else "UNKNOWN") for k in range(256)}
        else:
            prefix = "%-4s  " % label
            states = {}
        t = _Table(self, path, kind, proto, prefix, states, bool(rows))
        first = True
        for chunk in FileLines(f).chunks():
            if first:
                cut = chunk.find("\n")
                chunk = "" if cut < 0 else chunk[cut + 1:]
                first = False
                if not chunk:
                    continue
            if rows:
                blk = [self.inet_row(fl, path, kind, proto, label)
                       for fl in t.selected(chunk.split("\n"))]
                if blk:
                    yield blk
                continue
            tail = t.fast_tail
            try:
                text = t.fast(chunk)
            except IndexError:
                # a line shorter than the offset of the ':' after the "sl" of
                # the line before (an sl of a hundred digits): the exact path
                text, t.fast_tail = None, tail
            if text is None:
                lines = chunk.split("\n")
                if chunk.endswith("\n"):
                    lines.pop()
                text = t.slow(lines)
            if text:
                out.write(text)

    def state_column(self, kind: str, st: str, path: str) -> str:
        s = signed(int(st, 16), 32)
        if kind == "tcp":
            return "%-11s" % self.tcp_state(st, path)
        if kind == "udp":
            return "%-11s" % ("ESTABLISHED" if s == 1 else "" if s == 7 else "UNKNOWN")
        return "%-11d" % s

    def finish(self, kind: str, fl: tuple, prg: dict) -> str:
        """finish_this_one(): User/Inode, PID/Program name, Timer."""
        o = self.o
        text = ""
        if o.exp > 1:
            text = self.user(c_int(fl[9])) + "%-10d" % min(int(fl[11]), U64)
        if o.prg:
            text += " " + c_ljust(prg.get(fl[11], "-"), 20)
        if o.opt:
            text += " " + self.timers(kind, fl)
        return text

    # -- structured rows ------------------------------------------------------------
    def inet_row(self, fl, path, kind, proto, label) -> dict:
        o = self.o
        tx, rx = fl[5].split(":")
        la, ra = self.addr(fl[0]), self.addr(fl[2])
        ports = self.ports(proto)
        lp, rp = self.port(ports, proto, fl[1]), self.port(ports, proto, fl[3])
        uid = c_int(fl[9])
        inode = min(int(fl[11]), U64)
        program = (self.prg or {}).get(fl[11]) if o.prg else None
        pid, _, prog = program.partition("/") if program else (None, "", None)
        return {
            "timestamp": self.now, "proto": label,
            "recv_q": signed(int(rx, 16) & U64, 64), "send_q": signed(int(tx, 16) & U64, 64),
            "local_address": _numeric(fl[0]), "local_port": int(fl[1], 16) & 0xFFFF,
            "foreign_address": _numeric(fl[2]), "foreign_port": int(fl[3], 16) & 0xFFFF,
            "local": addr_port(la, lp, True), "foreign": addr_port(ra, rp, True),
            "state": self.state_column(kind, fl[4], path).rstrip(),
            "uid": uid, "user": None if o.num_user else self.names.user(uid),
            "inode": inode, "pid": int(pid) if pid and pid.isdigit() else None,
            "program": prog, "timer": self.timers(kind, fl),
            "refcnt": None, "flags": None, "type": None, "path": None,
        }

    # -- UNIX ---------------------------------------------------------------------
    def unix(self, out, rows):
        o = self.o
        path = "/proc/net/unix"
        f = self.open(path)
        if isinstance(f, int):
            return self.missing(f, path, "AF UNIX")
        prg = self.prg or {}
        with f:
            first = True
            # unix_do_one()'s inode is an uninitialised local: a line without
            # one shows what the previous line left (0 before any, here)
            last = 0
            for block in _batches(FileLines(f).c_lines(8192)):
                buf = []
                blk = []
                for line in block:
                    if first:
                        first = False
                        if "Inode" in line:
                            self.unix_has = True
                        continue
                    fl = unix_fields(line)
                    if fl is None:
                        self.warn("warning, got bogus unix line.")
                        continue
                    refcnt, proto, flags, typ, state, inode, upath = fl
                    if inode is None:
                        inode = last
                    last = inode
                    if not self.unix_has:
                        upath = "%d" % inode
                    if not o.all:
                        listening = state == 1 and flags & SO_ACCEPTCON
                        if bool(listening) != bool(o.lst):
                            continue
                    ss_flags = "[ "
                    if flags & SO_ACCEPTCON:
                        ss_flags += "ACC "
                    if flags & SO_WAITDATA:
                        ss_flags += "W "
                    if flags & SO_NOSPACE:
                        ss_flags += "N "
                    ss_flags += "]"
                    if state == 1:
                        ss_state = "LISTENING" if flags & SO_ACCEPTCON else ""
                    else:
                        ss_state = UNIX_STATES.get(state, "UNKNOWN")
                    ss_type = UNIX_TYPES.get(typ, "UNKNOWN")
                    ss_proto = "unix" if proto == 0 else "??"
                    program = prg.get("%d" % inode, "-") if self.unix_has else "-"
                    if rows:
                        pid, _, prog = program.partition("/") if program != "-" else (
                            None, "", None)
                        blk.append({
                            "timestamp": self.now, "proto": ss_proto, "recv_q": None,
                            "send_q": None, "local_address": None, "local_port": None,
                            "foreign_address": None, "foreign_port": None, "local": None,
                            "foreign": None, "state": ss_state, "uid": None, "user": None,
                            "inode": inode if self.unix_has else None,
                            "pid": int(pid) if o.prg and pid and pid.isdigit() else None,
                            "program": prog if o.prg else None, "timer": None,
                            "refcnt": signed(refcnt & U64, 64), "flags": ss_flags, "type": ss_type,
                            "path": upath})
                        continue
                    text = "%-5s %-6d %-11s %-10s %-13s " % (ss_proto, signed(refcnt & U64, 64),
                                                             ss_flags, ss_type, ss_state)
                    text += "%-8d" % inode if self.unix_has else "-       "
                    if o.prg:
                        text += " " + c_ljust(program, 20)
                    buf.append(text + " " + upath + "\n")
                if blk:
                    yield blk
                if buf:
                    out.write("".join(buf))
        return 0

    # -- multicast groups (-g) ------------------------------------------------------
    def igmp(self, out, rows):
        o = self.o
        rc = 0
        self._igmp6 = getattr(self, "_igmp6", False)
        self._idx = getattr(self, "_idx", False)
        self._device = getattr(self, "_device", "")
        for path, wanted in (("/proc/net/igmp", not o.arg or o.inet),
                             ("/proc/net/igmp6", not o.arg or o.inet6)):
            if not wanted:
                continue
            try:
                text = self.host.root.read(path)
            except SourceError as e:
                if path.endswith("6"):
                    continue
                r = self.missing(getattr(e, "errno", None) or _errno.ENOENT, path,
                                 "AF INET (igmp)")
                if r == -1:
                    return -1
                rc = r
                continue
            lines = text.split("\n")
            if lines and lines[-1] == "":
                lines.pop()
            blk: list = []
            for lnr, line in enumerate(lines):
                self.igmp_line(lnr, line + "\n", out, blk if rows else None)
            if blk:
                yield blk
        return rc

    def igmp_line(self, lnr, line, out, rows) -> None:
        from pystat.proc.cscanf import sscanf

        if lnr == 0:
            if "Device" not in line:
                self._igmp6 = True
            else:
                self._idx = line.startswith("Idx")
                return
        if self._igmp6:
            v = sscanf(line, "%d %15s %64[0-9A-Fa-f] %d")
            if v is None or len(v) != 4:
                self.warn(f"warning, got bogus igmp6 line {lnr}.")
                return
            _idx, device, mhex, refcnt = v
            words = (sscanf(mhex, "%08X%08X%08X%08X") or []) + [0, 0, 0, 0]
            b = b"".join((w & U32).to_bytes(4, "big") for w in words[:4])
            text = socket.inet_ntop(socket.AF_INET6, b)
            if not self.o.num_host:
                if b == b"\0" * 16:
                    text = "[::]"
                else:
                    text = self.names.host6(b) or text
            addr = fix_v4_address(text, b)
        else:
            if line[0] != "\t":
                if self._idx:
                    v = sscanf(line, "%d\t%15c")
                    if v is None or len(v) < 2:
                        self.warn(f"warning, got bogus igmp line {lnr}.")
                        return
                    device = v[1]
                else:
                    v = sscanf(line, "%15c")
                    if v is None or len(v) < 1:
                        self.warn(f"warning, got bogus igmp line {lnr}.")
                        return
                    device = v[0]
                cut = device.rfind(":")
                self._device = device[:cut] if cut >= 0 else device
                return
            v = sscanf(line, "\t%8[0-9A-Fa-f] %d")
            if v is None or len(v) < 2:
                self.warn(f"warning, got bogus igmp line {lnr}.")
                return
            mhex, refcnt = v
            device = self._device
            addr = self.addr("%08X" % (int(mhex, 16) & U32))
        if rows is not None:
            rows.append({"timestamp": self.now, "interface": device, "refcnt": refcnt,
                         "group": addr})
        elif out is not None:
            out.write("%-15s %-6d %s\n" % (device, refcnt, addr))

    # -- families netstat tries and pystat does not show ----------------------------
    def sctp(self, out) -> int:
        o = self.o
        wanted = []
        if o.all or o.lst:
            wanted.append(("/proc/net/sctp/eps", "/proc/net/sctp6/eps"))
        if o.all or not o.lst:
            wanted.append(("/proc/net/sctp/assocs", "/proc/net/sctp6/assocs"))
        rc = 0
        for path4, path6 in wanted:
            if not o.arg or o.inet:
                f = self.open(path4)
                if isinstance(f, int):
                    r = self.missing(f, path4, "AF INET (sctp)")
                    if r == -1:
                        return -1
                    rc = r
                else:
                    f.close()
                    self.warn(f"{path4}: SCTP sockets are not shown by pystat")
            if not o.arg or o.inet6:
                f = self.open(path6)
                if not isinstance(f, int):
                    f.close()
                    self.warn(f"{path6}: SCTP sockets are not shown by pystat")
            if rc:
                return rc
        return rc

    def other_family(self, paths, name) -> int:
        err = None
        for path in paths:
            f = self.open(path)
            if not isinstance(f, int):
                f.close()
                self.warn(f"{path}: {name} sockets are not shown by pystat")
                return 0
            err = f
        if err not in (_errno.ENOENT, _errno.EACCES):
            self.warn(f"{paths[-1]}: {_strerror(err)}")
            return -1
        if self.o.arg or self.o.ver:
            self.warn(f"no support for `{name}' on this system.")
        return 1 if self.o.arg else 0


def _numeric(hexaddr: str) -> str:
    b = addr_bytes(hexaddr)
    if len(b) == 4:
        return "%d.%d.%d.%d" % tuple(b)
    return fix_v4_address(socket.inet_ntop(socket.AF_INET6, b), b)


def _strerror(err: int) -> str:
    import os

    return os.strerror(err)


def _euid() -> int:
    import os

    return os.geteuid()


def _socket_inode(target: str) -> int | None:
    """extract_type_1/2_socket_inode(): the inode of "socket:[N]" or "[0000]:N"."""
    from pystat.proc.cscan import strtoul

    if len(target) >= 11 and target.startswith("socket:[") and target.endswith("]"):
        digits = target[8:-1]
    elif len(target) >= 8 and target.startswith("[0000]:"):
        digits = target[7:]
    else:
        return None
    if not digits:
        return None
    value, end = strtoul(digits, 0, 0)
    if end != len(digits) or value == U64:
        return None
    return value


def _program(pid: str, cmdline: str) -> str:
    """ "PID/name" as netstat builds it: argv[0] (its basename when absolute),
    the whole cut to 19 bytes."""
    raw = cmdline.encode("utf-8", "surrogateescape")[:511]
    argv0 = raw.split(b"\0", 1)[0]
    if argv0.startswith(b"/"):
        argv0 = argv0[argv0.rfind(b"/") + 1:]
    text = (pid.encode() + b"/" + argv0)[:19]
    return text.decode("utf-8", "surrogateescape")


# --------------------------------------------------------------------------------
# the mode: text, reports, fields

def _batches(lines, size=4096):
    batch = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _drive(gen):
    """Run a text-mode generator to its end; its return value."""
    try:
        while True:
            next(gen)
    except StopIteration as e:
        return e.value


def _rows(gen, code):
    """The rows of a rows-mode generator, one by one; its value goes to code[0]."""
    while True:
        try:
            block = next(gen)
        except StopIteration as e:
            code[0] = e.value
            return
        yield from block


def text(host, o, out, warn) -> int:
    import gc

    # hundreds of thousands of short-lived tuples and strings, no cycles: the
    # cyclic collector would only rescan them
    gc.disable()
    try:
        return _text(host, o, out, warn)
    finally:
        gc.enable()


def _text(host, o, out, warn) -> int:
    lister = Lister(host, o, warn)
    lister.now = host.now()
    while True:
        i = _drive(lister.families(out, False))
        if not o.cnt or i:
            return i
        out.flush()
        try:
            host.wait(1)
        except SeriesExhausted:
            return 0
        lister.prg = None
        lister.now = host.now()


def reports(host, o, warn, code):
    lister = Lister(host, o, warn)
    while True:
        lister.now = host.now()
        yield _rows(lister.families(None, True), code)
        if not o.cnt or code[0]:
            return
        try:
            host.wait(1)
        except SeriesExhausted:
            return
        lister.prg = None


def fields(o):
    from pystat.render import Field

    if o.igmp:
        return [Field("interface", "", "interface name (as /proc/net/igmp, igmp6 give it)"),
                Field("refcnt", "count", "users of the membership"),
                Field("group", "", "multicast group (name unless -n)")]
    return [
        Field("proto", "", "tcp, tcp6, udp, udp6, udpl, udpl6, raw, raw6 or unix"),
        Field("recv_q", "bytes", "receive queue (rx_queue; listening TCP: pending "
              "connections); null for unix"),
        Field("send_q", "bytes", "send queue (tx_queue); null for unix"),
        Field("local_address", "", "local IP address, numeric"),
        Field("local_port", "", "local port (raw sockets: protocol number)"),
        Field("foreign_address", "", "remote IP address, numeric"),
        Field("foreign_port", "", "remote port"),
        Field("local", "", "\"address:port\" as netstat shows it (names unless -n), "
              "never cut"),
        Field("foreign", "", "remote \"address:port\" as netstat shows it"),
        Field("state", "", "TCP state, UDP state, raw: protocol state number; unix: "
              "LISTENING, CONNECTED, ..."),
        Field("uid", "", "owner's user id (inet)"),
        Field("user", "", "owner's user name (null with -n or when unknown)"),
        Field("inode", "", "socket inode"),
        Field("pid", "", "process holding the socket (with -p; null when not found)"),
        Field("program", "", "that process's program name (argv[0] basename, as "
              "netstat, cut with PID/ to 19 characters)"),
        Field("timer", "", "netstat -o's timer text, e.g. \"keepalive (7182.93/0/0)\""),
        Field("refcnt", "count", "unix: references"),
        Field("flags", "", "unix: [ ACC W N ]"),
        Field("type", "", "unix: STREAM, DGRAM, SEQPACKET, ..."),
        Field("path", "", "unix: bound path (@name for abstract sockets)"),
    ]
