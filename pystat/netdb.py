"""Name lookups the way net-tools netstat does them (glibc NSS semantics).

* **Services** (``get_sname``): netstat reads every ``getservent()`` entry once
  into one list per protocol, *prepending*, so for a port listed twice the
  last line of /etc/services wins; the ``raw`` list also holds every
  /etc/protocols entry (number -> name), prepended after the services.
  Port 0 is ``*``; ``udplite`` ("udpl") never has names.
* **Users** (``getpwuid``): the first /etc/passwd line with that uid.
* **Hosts**: IPv4 by ``gethostbyaddr(AF_INET)``, IPv6 by ``getnameinfo``
  (which asks ``gethostbyaddr(AF_INET6)``); both take the first /etc/hosts
  line holding the address (for IPv4 lookups glibc also reads ``::1`` and
  ``::ffff:a.b.c.d`` lines as IPv4).  The name is that line's first name;
  an IPv6 name of 128 bytes or more does not fit netstat's buffer and
  getnameinfo gives the number instead.
* **Networks** (``getnetbyaddr``): the first /etc/networks line whose number
  (``inet_network``, missing trailing parts taken as ``.0``) matches.

Under ``--root`` every database is the root's file (what the capture's
nsswitch "files" gives).  On the live machine users and hosts go through the
C library (``pwd``, ``socket``: the machine's nsswitch, DNS included), while
services, protocols and networks are read from /etc as the files backend
reads them (Python has no ``getservent``/``getnetbyaddr``).
"""

from __future__ import annotations

import socket

from pystat.errors import SourceError
from pystat.proc.cscan import c_strlen, strtoul

_WS = " \t\n\v\f\r"


def _lines(text: str, comment: str = "#"):
    """The parser's view of a files database: leading blanks skipped, the part
    before the comment character, empty lines dropped."""
    for line in text.split("\n"):
        line = line.lstrip(_WS)
        if comment:
            cut = line.find(comment)
            if cut >= 0:
                line = line[:cut]
        if not line:
            continue
        yield line


def _field(line: str, pos: int, seps: str) -> tuple[str, int]:
    """glibc's STRING_FIELD with swallowing: (field, position after the separators)."""
    n = len(line)
    j = pos
    while j < n and line[j] not in seps:
        j += 1
    field = line[pos:j]
    if j < n:
        j += 1
        while j < n and line[j] in seps:
            j += 1
    return field, j


def parse_services(services: str, protocols: str) -> dict[str, dict[int, str]]:
    """{"tcp": {port: name}, "udp": ..., "raw": ...} with net-tools' precedence."""
    tables: dict[str, dict[int, str]] = {"tcp": {}, "udp": {}, "raw": {}}
    for line in _lines(services):
        name, pos = _field(line, 0, _WS)
        value, end = strtoul(line, pos, 10)
        if end == pos:
            continue
        if end < len(line):
            if line[end] != "/":
                continue
            end += 1
        proto, _ = _field(line, end, _WS)
        table = tables.get(proto)
        if table is not None:
            table[value & 0xFFFF] = name          # later lines win (prepended list)
    raw = tables["raw"]
    for line in _lines(protocols):
        name, pos = _field(line, 0, _WS)
        value, end = strtoul(line, pos, 10)
        if end == pos or (end < len(line) and line[end] not in _WS):
            continue
        raw[value & 0xFFFF] = name
    return tables


def parse_passwd(text: str) -> dict[int, str]:
    """uid -> name of the first line with that uid (NIS +/- lines skipped)."""
    users: dict[int, str] = {}
    for line in text.split("\n"):
        parts = line.split(":")
        if len(parts) < 3:
            continue
        name = parts[0]
        if name[:1] in ("+", "-"):
            continue
        value, end = strtoul(parts[2], 0, 10)
        if end == 0 or end != len(parts[2]):
            continue
        users.setdefault(value & 0xFFFFFFFF, name)
    return users


def parse_hosts(text: str) -> tuple[dict[bytes, str], dict[bytes, str]]:
    """(IPv4 address -> name, IPv6 address -> name), first line wins."""
    v4: dict[bytes, str] = {}
    v6: dict[bytes, str] = {}
    for line in _lines(text):
        addr, pos = _field(line, 0, _WS)
        name, _ = _field(line, pos, _WS)
        a4 = a6 = None
        try:
            a4 = socket.inet_pton(socket.AF_INET, addr)
        except (OSError, ValueError):
            try:
                a6 = socket.inet_pton(socket.AF_INET6, addr)
            except (OSError, ValueError):
                continue
        if a4 is not None:
            v4.setdefault(a4, name)
            continue
        v6.setdefault(a6, name)
        # what an AF_INET lookup makes of an IPv6 line
        if a6[:12] == b"\0" * 10 + b"\xff\xff":
            v4.setdefault(a6[12:], name)
        elif a6 == b"\0" * 15 + b"\1":
            v4.setdefault(b"\x7f\0\0\1", name)
    return v4, v6


def inet_network(text: str) -> int | None:
    """glibc inet_network(): 1-4 dot-separated parts, each decimal, 0octal or 0xhex."""
    parts = text.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    value = 0
    for part in parts:
        if not part:
            return None
        v, end = strtoul(part, 0, 0)
        if end != len(part) or part[0] in " +-\t" or v > 255:
            return None
        value = (value << 8) | v
    return value


def parse_networks(text: str) -> dict[int, str]:
    nets: dict[int, str] = {}
    for line in _lines(text):
        name, pos = _field(line, 0, _WS)
        addr, _ = _field(line, pos, _WS)
        dots = addr.count(".")
        if dots < 3:
            addr = addr + ".0" * (3 - dots)
        net = inet_network(addr)
        if net is not None:
            nets.setdefault(net, name)
    return nets


class NameService:
    """Lookups for one run of a command, each database read at most once."""

    def __init__(self, host):
        self.host = host
        self.live = host.live
        self._services = None
        self._users = None
        self._hosts = None
        self._networks = None
        self._host4: dict[bytes, str | None] = {}
        self._host6: dict[bytes, str | None] = {}

    def _etc(self, name: str) -> str:
        try:
            return self.host.root.read("/etc/" + name)
        except SourceError:
            return ""

    # -- services -----------------------------------------------------------
    def services(self, proto: str) -> dict[int, str]:
        """port -> name for "tcp", "udp", "raw" (any other protocol: none)."""
        if self._services is None:
            self._services = parse_services(self._etc("services"), self._etc("protocols"))
        return self._services.get(proto, {})

    # -- users --------------------------------------------------------------
    def user(self, uid: int) -> str | None:
        uid &= 0xFFFFFFFF
        if self.live:
            import pwd

            try:
                return pwd.getpwuid(uid).pw_name
            except (KeyError, OverflowError):
                return None
        if self._users is None:
            self._users = parse_passwd(self._etc("passwd"))
        return self._users.get(uid)

    # -- hosts --------------------------------------------------------------
    def _files_hosts(self):
        if self._hosts is None:
            self._hosts = parse_hosts(self._etc("hosts"))
        return self._hosts

    def host4(self, addr: bytes) -> str | None:
        """gethostbyaddr(addr, 4, AF_INET)->h_name, or None."""
        try:
            return self._host4[addr]
        except KeyError:
            pass
        if self.live:
            try:
                name = socket.gethostbyaddr(socket.inet_ntop(socket.AF_INET, addr))[0]
            except (OSError, UnicodeError):
                name = None
        else:
            name = self._files_hosts()[0].get(addr)
        self._host4[addr] = name
        return name

    def host6(self, addr: bytes) -> str | None:
        """getnameinfo(sin6, ..., flags 0)'s host when it found a name, or None."""
        try:
            return self._host6[addr]
        except KeyError:
            pass
        if self.live:
            text = socket.inet_ntop(socket.AF_INET6, addr)
            try:
                name = socket.getnameinfo((text, 0, 0, 0), 0)[0]
            except (OSError, UnicodeError):
                name = None
            if name == text:
                name = None
        else:
            name = self._files_hosts()[1].get(addr)
        if name is not None and c_strlen(name) > 127:
            name = None     # no room in netstat's 128-byte buffer: the number instead
        self._host6[addr] = name
        return name

    # -- networks -----------------------------------------------------------
    def network(self, net: int) -> str | None:
        """getnetbyaddr(net, AF_INET)->n_name (net in host order), or None."""
        if self._networks is None:
            self._networks = parse_networks(self._etc("networks"))
        return self._networks.get(net)
