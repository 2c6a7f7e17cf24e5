"""Write a synthetic root with a huge TCP socket table, deterministically.

    python benchmarks/make_big_sockets.py DIR [--v4 100000] [--v6 20000] [--pids 4]

DIR gets ``proc/net/tcp`` and ``proc/net/tcp6`` in the kernel's own line
formats (``net/ipv4/tcp_ipv4.c``, ``net/ipv6/tcp_ipv6.c``: fixed-width hex
fields, IPv4 lines padded to 149 characters, TIME_WAIT lines shorter),
sockets in every common state (LISTEN, ESTABLISHED with and without queued
data or a keepalive timer, SYN_SENT, FIN_WAIT1/2, TIME_WAIT, CLOSE_WAIT,
LAST_ACK, CLOSING), a few v4-mapped IPv6 peers; the other /proc/net socket
files empty; ``proc/PID/fd/N -> socket:[INODE]`` links and a command line
for ``--pids`` processes holding the sockets (netstat -p); ``etc/`` files
copied from the ``sockets`` fixture and a ``pystat-snapshot.json`` with a
fixed capture time.  The same arguments always give the same bytes.

Nothing it writes is committed: tests and benchmarks call :func:`make` into a
temporary directory.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
SOCKETS = os.path.join(os.path.dirname(HERE), "fixtures", "proc_snapshots", "sockets")

V4_HEADER = ("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
             "retrnsmt   uid  timeout inode").ljust(149) + "\n"
V6_HEADER = ("  sl  local_address                         remote_address                        "
             "st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n")
UDP_V4_HEADER = ("   sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
                 "retrnsmt   uid  timeout inode ref pointer drops").ljust(127) + "\n"
UDP_V6_HEADER = ("  sl  local_address                         remote_address                  "
                 "      st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref "
                 "pointer drops\n")
UNIX_HEADER = "Num       RefCount Protocol Flags    Type St Inode Path\n"

# state code -> weight
STATES = [(0x01, 60), (0x0A, 2), (0x06, 15), (0x05, 5), (0x08, 5), (0x02, 3), (0x04, 3),
          (0x09, 3), (0x0B, 2), (0x03, 2)]
TIME_WAIT = 0x06


def _v4(n: int) -> str:
    """127.x.y.z (loopback, in the kernel's host-order hex)"""
    a, b, c, d = 127, (n >> 16) & 255, (n >> 8) & 255, n & 255
    return "%02X%02X%02X%02X" % (d, c, b, a)


def _v6(rng: random.Random, loopback: bool, mapped_v4: int | None = None) -> str:
    if mapped_v4 is not None:
        words = [0, 0, 0x0000FFFF, mapped_v4]       # ::ffff:a.b.c.d
    elif loopback:
        words = [0, 0, 0, 1]                        # ::1
    else:                                           # 2001:db8::/32 global addresses
        words = [0x20010DB8, rng.getrandbits(32), rng.getrandbits(32), rng.getrandbits(32)]
    # words are the address bytes read big-endian; the kernel prints each as %08X
    # of the host-order (x86: little-endian) value
    out = []
    for w in words:
        b = w.to_bytes(4, "big")
        out.append("%08X" % int.from_bytes(b, "little"))
    return "".join(out)


def _mapped(n: int) -> int:
    """A v4-mapped address word: 10.x.y.z (network order, as an int read big-endian)."""
    return (10 << 24) | (n & 0xFFFFFF)


def tcp_lines(rng: random.Random, count: int, v6: bool, inode0: int):
    states = [s for s, w in STATES for _ in range(w)]
    for i in range(count):
        st = 0x0A if i < 8 else rng.choice(states)
        lport = (2000 + i % 60000) if st == 0x0A else rng.randrange(1024, 65536)
        if v6:
            special = i % 97 == 0
            local = _v6(rng, i % 3 == 0, _mapped(i) if special else None)
            remote = ("0" * 32 if st == 0x0A else
                      _v6(rng, i % 3 == 0, _mapped(i + 1) if special else None))
        else:
            local = "00000000" if st == 0x0A and i % 2 else _v4(i + 1)
            remote = "00000000" if st == 0x0A else _v4(rng.getrandbits(24))
        rport = 0 if st == 0x0A else rng.choice((22, 80, 443, 5432, 8080, rng.randrange(1024, 65536)))
        if st == TIME_WAIT:
            fmt = ("%4d: %s:%04X %s:%04X %02X %08X:%08X %02X:%08X %08X %5d %8d %d %d "
                   "%016x")
            line = fmt % (i, local, lport, remote, rport, st, 0, 0, 3, rng.randrange(6000),
                          0, 0, 0, 0, 3, rng.getrandbits(64))
        else:
            txq = rng.randrange(1, 100000) if i % 13 == 0 else 0
            rxq = rng.randrange(1, 100000) if i % 17 == 0 else 0
            timer = 2 if i % 7 == 0 else (1 if i % 29 == 0 else 0)
            when = rng.randrange(1, 720000) if timer else 0
            fmt = ("%4d: %s:%04X %s:%04X %02X %08X:%08X %02X:%08X %08X %5u %8d %d %d "
                   "%016x %u %u %u %u %d")
            line = fmt % (i, local, lport, remote, rport, st, txq, rxq, timer, when,
                          i % 5 == 0 and rng.randrange(4) or 0, (0, 0, 1000, 33)[i % 4],
                          0, inode0 + i, 1 if st != 0x0A else 2, rng.getrandbits(64), 20, 4,
                          0, 10, 10 if st == 0x0A else -1)
        if not v6:
            line = line.ljust(149)
        yield line + "\n"


def make(dest: str, v4: int = 100000, v6: int = 20000, pids: int = 4, seed: int = 4) -> str:
    """Write the synthetic root into ``dest`` (created); returns ``dest``."""
    rng = random.Random(seed)
    net = os.path.join(dest, "proc", "net")
    os.makedirs(net, exist_ok=True)
    with open(os.path.join(net, "tcp"), "w") as f:
        f.write(V4_HEADER)
        f.writelines(tcp_lines(rng, v4, False, 100000))
    with open(os.path.join(net, "tcp6"), "w") as f:
        f.write(V6_HEADER)
        f.writelines(tcp_lines(rng, v6, True, 100000 + v4))
    for name, head in (("udp", UDP_V4_HEADER), ("udp6", UDP_V6_HEADER),
                       ("udplite", UDP_V4_HEADER), ("udplite6", UDP_V6_HEADER),
                       ("raw", UDP_V4_HEADER), ("raw6", UDP_V6_HEADER), ("unix", UNIX_HEADER)):
        with open(os.path.join(net, name), "w") as f:
            f.write(head)
    # processes: socket k belongs to process k % pids (TIME_WAIT sockets have inode 0
    # and belong to nobody, as in the kernel)
    for p in range(pids):
        pid = 1000 + p
        fd_dir = os.path.join(dest, "proc", str(pid), "fd")
        os.makedirs(fd_dir, exist_ok=True)
        with open(os.path.join(dest, "proc", str(pid), "cmdline"), "wb") as f:
            f.write(b"/usr/sbin/bigserver%d\0--workers\0%d\0" % (p, p))
        for fd, k in enumerate(range(p, v4 + v6, pids), 3):
            os.symlink("socket:[%d]" % (100000 + k), os.path.join(fd_dir, str(fd)))
    etc = os.path.join(dest, "etc")
    os.makedirs(etc, exist_ok=True)
    for name in ("passwd", "group", "services", "protocols", "hosts", "networks"):
        src = os.path.join(SOCKETS, "etc", name)
        if os.path.exists(src):
            shutil.copy(src, os.path.join(etc, name))
    with open(os.path.join(dest, "pystat-snapshot.json"), "w") as f:
        json.dump({"time": 1795733529.0, "hz": 100, "pagesize": 4096,
                   "synthetic": "benchmarks/make_big_sockets.py"}, f)
    return dest


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dest")
    ap.add_argument("--v4", type=int, default=100000)
    ap.add_argument("--v6", type=int, default=20000)
    ap.add_argument("--pids", type=int, default=4)
    args = ap.parse_args(argv)
    make(args.dest, args.v4, args.v6, args.pids)


if __name__ == "__main__":
    main()
