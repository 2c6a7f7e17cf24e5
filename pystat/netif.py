"""What netstat -i asks the kernel by ioctl, per interface, and where pystat
gets it: the live kernel (the same ioctls), a capture's record of them, or,
for a capture without that record, /sys/class/net.

netstat's interface list is the names of /proc/net/dev plus the names
``SIOCGIFCONF`` returns (interfaces with an IPv4 address, alias labels such
as ``eth0:1`` included).  For each it asks SIOCGIFFLAGS (a failure means
"error fetching interface information"), SIOCGIFHWADDR, SIOCGIFMTU,
SIOCGIFMAP, SIOCGIFTXQLEN and, on an AF_INET socket, SIOCGIFADDR and, if
that worked, SIOCGIFDSTADDR, SIOCGIFBRDADDR and SIOCGIFNETMASK.

A record (:func:`fetch`, what ``pystat snapshot`` stores under ``"netif"``
in pystat-snapshot.json) is a dict::

    {"flags": 4163, "hwtype": 1, "hwaddr": "02fc00000001" (8 bytes of sa_data, hex),
     "mtu": 1500, "map": [mem_start, mem_end, base_addr, irq, dma, port],
     "txqlen": 1000, "addr": "192.0.2.2", "dstaddr": ..., "broadaddr": ...,
     "netmask": ...}

with ``"error": errno`` instead when SIOCGIFFLAGS failed; ``mtu``, ``map``,
``txqlen`` are null when their ioctl failed, ``hwaddr`` null when
SIOCGIFHWADDR did (``hwtype`` is then what the failed call left: the flags),
``addr`` null without an IPv4 address, and the three others null when their
ioctl failed (netstat prints ``[NONE SET]``).

From /sys/class/net (older captures): ``flags`` (IFF_RUNNING added as the
kernel's dev_get_flags() does: up and operstate up or unknown), ``type`` and
``address``, ``mtu``, ``tx_queue_len``; no IPv4 address, no alias, no map.
"""

from __future__ import annotations

import errno as _errno
import socket
import struct

SIOCGIFCONF = 0x8912
SIOCGIFFLAGS = 0x8913
SIOCGIFADDR = 0x8915
SIOCGIFDSTADDR = 0x8917
SIOCGIFBRDADDR = 0x8919
SIOCGIFNETMASK = 0x891B
SIOCGIFMTU = 0x8921
SIOCGIFHWADDR = 0x8927
SIOCGIFTXQLEN = 0x8942
SIOCGIFMAP = 0x8970

IFF_UP = 0x1
IFF_RUNNING = 0x40
IFREQ = 40            # sizeof(struct ifreq) on 64-bit Linux


def _ifreq(name: str, data: bytes = b"") -> bytearray:
    req = bytearray(IFREQ)
    raw = name.encode("utf-8", "surrogateescape")[:15]
    req[:len(raw)] = raw
    req[16:16 + len(data)] = data
    return req


def _ioctl(sock, request: int, req: bytearray) -> bool:
    import fcntl

    try:
        fcntl.ioctl(sock.fileno(), request, req, True)
        return True
    except OSError:
        return False


def ifconf() -> list[str]:
    """SIOCGIFCONF on an AF_INET socket: interface names with an IPv4 address."""
    import array
    import fcntl

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        n = 30
        while True:
            buf = array.array("B", bytes(IFREQ * n))
            addr, _ = buf.buffer_info()
            conf = bytearray(struct.pack("i4xQ", IFREQ * n, addr))
            fcntl.ioctl(s.fileno(), SIOCGIFCONF, conf, True)
            length = struct.unpack_from("i", conf)[0]
            if length == IFREQ * n:
                n *= 2
                continue
            raw = buf.tobytes()[:length]
            return [raw[i:i + 16].split(b"\0", 1)[0].decode("utf-8", "surrogateescape")
                    for i in range(0, length, IFREQ)]


def _inet(req: bytearray) -> str:
    return socket.inet_ntoa(bytes(req[20:24]))


def fetch(name: str) -> dict:
    """The live kernel's answers for one interface, as netstat's if_fetch() asks."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        req = _ifreq(name)
        import fcntl

        try:
            fcntl.ioctl(s.fileno(), SIOCGIFFLAGS, req, True)
        except OSError as e:
            return {"error": e.errno or _errno.ENODEV}
        flags = struct.unpack_from("h", req, 16)[0]
        rec: dict = {"flags": flags}
        req = _ifreq(name)
        if _ioctl(s, SIOCGIFHWADDR, req):
            rec["hwtype"] = struct.unpack_from("H", req, 16)[0]
            rec["hwaddr"] = bytes(req[18:26]).hex()
        else:
            rec["hwtype"] = flags & 0xFFFF
            rec["hwaddr"] = None
        req = _ifreq(name)
        rec["mtu"] = struct.unpack_from("i", req, 16)[0] if _ioctl(s, SIOCGIFMTU, req) else None
        req = _ifreq(name)
        rec["map"] = (list(struct.unpack_from("QQHBBB", req, 16))
                      if _ioctl(s, SIOCGIFMAP, req) else None)
        req = _ifreq(name)
        rec["txqlen"] = (struct.unpack_from("i", req, 16)[0]
                         if _ioctl(s, SIOCGIFTXQLEN, req) else None)
        req = _ifreq(name, struct.pack("H", socket.AF_INET))
        rec["addr"] = rec["dstaddr"] = rec["broadaddr"] = rec["netmask"] = None
        if _ioctl(s, SIOCGIFADDR, req):
            rec["addr"] = _inet(req)
            for key, request in (("dstaddr", SIOCGIFDSTADDR), ("broadaddr", SIOCGIFBRDADDR),
                                 ("netmask", SIOCGIFNETMASK)):
                req = _ifreq(name)
                if _ioctl(s, request, req):
                    rec[key] = _inet(req)
        return rec


def from_sys(root, name: str) -> dict:
    """A record made from /sys/class/net/NAME (a capture without ioctl data)."""
    from pystat.errors import SourceError

    base = f"/sys/class/net/{name}"

    def attr(key):
        try:
            return root.read(f"{base}/{key}").strip()
        except SourceError:
            return None

    flags = attr("flags")
    if flags is None:
        return {"error": _errno.ENODEV}
    try:
        flags = int(flags, 0) & 0xFFFF
    except ValueError:
        return {"error": _errno.ENODEV}
    flags &= ~IFF_RUNNING
    if flags & IFF_UP and attr("operstate") in ("up", "unknown"):
        flags |= IFF_RUNNING
    flags = flags - 0x10000 if flags & 0x8000 else flags

    def num(key):
        v = attr(key)
        try:
            return int(v)
        except (TypeError, ValueError):
            return None

    hwtype = num("type")
    address = attr("address") or ""
    try:
        hw = bytes(int(x, 16) for x in address.split(":") if x) if address else b""
    except ValueError:
        hw = b""
    return {"flags": flags, "hwtype": hwtype if hwtype is not None else 0xFFFF,
            "hwaddr": (hw[:8] + bytes(8 - len(hw[:8]))).hex(), "mtu": num("mtu"),
            "map": [0, 0, 0, 0, 0, 0], "txqlen": num("tx_queue_len"), "addr": None,
            "dstaddr": None, "broadaddr": None, "netmask": None}


def capture(dev_names: list[str]) -> dict:
    """What ``pystat snapshot`` records: {"ifconf": [...], "interfaces": {...}}."""
    try:
        conf = ifconf()
    except OSError:
        conf = []
    names = list(dict.fromkeys(list(dev_names) + conf))
    return {"ifconf": conf, "interfaces": {n: fetch(n) for n in names}}
